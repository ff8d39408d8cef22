// Property tests of the task state machine (API.md "Check-ins: human -> room tasks"):
// random sequences of commands from random callers, with time moving forward, never
// reach an illegal state, every accepted command makes a legal transition, and the
// events, encoded as the log stores them and decoded again, fold to the same state.
//
// Deterministic: each sequence has its own seed, printed on failure; re-run one with
// --gtest_filter and WAITROOM_PROPERTY_SEED=<seed>.

#include "events/checkin/decider.hpp"
#include "events/codec.hpp"
#include "events/json.hpp"
#include "events/room/decider.hpp"
#include "given_when_then.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace waitroom::events::checkin {
namespace {

using namespace waitroom::events::testing;
namespace json = boost::json;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");
const std::string org_id = "org_prop000001";
const std::string room_id = "rm_prop000001";
const std::string task_id = "ci_prop000001";
const std::string poster = "us_poster0001";
const std::vector<std::string> people = {poster, "us_admin00001", "us_bob0000001"};
const std::vector<std::string> agents = {"ag_one0000001", "ag_two0000001",
                                         "ag_three00001"};

room::state a_room() {
  room::created c;
  c.id = room_id;
  c.org_id = org_id;
  c.slug = "work";
  c.name = "Work";
  return given<room::state>(
      {make_event(room_id, org_id, room_id, actor_ref::system(), t0, std::move(c))});
}

/// Draws commands with random callers and arguments.
class generator {
 public:
  explicit generator(unsigned seed)
      : rng_(seed) {}

  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool coin() { return below(2) == 0; }

  actor_ref anyone() {
    if (coin()) return actor_ref::agent(agents[below(static_cast<int>(agents.size()))]);
    return actor_ref::user(people[below(static_cast<int>(people.size()))]);
  }

  fresh_ids ids() {
    fresh_ids out;
    for (int i = 0; i < 3; ++i)
      out.push_back("msg_" + std::to_string(1000000000 + next_id_++));
    return out;
  }

  create_task first(timestamp now) {
    create_task c;
    c.id = task_id;
    c.room_id = room_id;
    c.org_id = org_id;
    c.by = actor_ref::user(poster);
    c.action = "rotate the certificates";
    c.now = now;
    c.timeout_ms = (1 + below(4)) * 60'000;
    c.timeout_action =
        std::array{timeout_behavior::cancel, timeout_behavior::auto_approve,
                   timeout_behavior::hold}[below(3)];
    c.required_approvals = 1 + below(2);
    c.message_ids = ids();
    return c;
  }

  /// Time moves forward: mostly by seconds, sometimes past any deadline.
  timestamp advance(timestamp now) {
    return now + (below(10) == 0 ? 10 * 60'000 : below(30'000));
  }

  command next(timestamp now) {
    switch (below(13)) {
    case 0:
    case 1:
      return claim{anyone(), now, ids()};
    case 2:
      return release{anyone(), now, ids()};
    case 3:
      return request_help{anyone(), "stuck on step " + std::to_string(below(5)), now};
    case 4:
      return join{anyone(), now};
    case 5:
    case 6:
      return submit{anyone(), "done: " + std::to_string(below(100)), {}, now, ids()};
    case 7:
      return approve{anyone(), std::nullopt, now, ids()};
    case 8:
      return reject{anyone(), std::string("not good enough"), now, ids()};
    case 9:
      return modify{anyone(), json::object{{"step", below(3)}}, std::nullopt, now, ids()};
    case 10: {
      auto by = anyone();
      return withdraw{by, std::nullopt, now, ids(),
                      by.kind == actor_kind::user && by.id == people[1]};
    }
    case 11:
      return coin() ? command{expire{now, ids()}} : command{announce_expiry{now}};
    default:
      if (coin()) return extend{anyone(), (1 + below(60)) * 1000, now};
      return post_message{anyone(), message_kind::comment, "a note", {}, {}, now, ids()};
    }
  }

 private:
  std::mt19937 rng_;
  int next_id_ = 0;
};

/// Who works on the task and how it ended, as one comparable string.
std::string outcome_of(const state& s) {
  std::ostringstream o;
  o << s.id << '|' << wire_name(s.status) << '|'
    << (s.primary_agent_id ? *s.primary_agent_id : "-") << '|';
  for (const auto& h : s.helpers)
    o << h << ',';
  o << '|';
  if (s.decision)
    o << wire_name(s.decision->outcome) << ':' << wire_name(s.decision->by.kind) << ':'
      << s.decision->by.id << ':' << format_rfc3339(s.decision->at);
  o << '|' << (s.modifications ? json::serialize(*s.modifications) : "-");
  return o.str();
}

/// Everything the API shows of a task, as one comparable string.
std::string snapshot(const state& s) {
  std::ostringstream o;
  o << outcome_of(s) << '|' << s.version << '|'
    << (s.expires_at ? format_rfc3339(*s.expires_at) : "-") << '|' << s.expiring_announced
    << '|' << s.approvals.size() << '|' << format_rfc3339(s.updated_at);
  return o.str();
}

/// The legal moves of a task (API.md), status to status.
bool legal_transition(checkin_status from, checkin_status to) {
  using enum checkin_status;
  if (from == to) return true;
  switch (from) {
  case open:
    return to == claimed || to == expired || to == approved || to == withdrawn;
  case claimed:
    return to == open || to == in_review;
  case in_review:
    return to == approved || to == rejected || to == modified;
  default:
    return false;
  }
}

/// The invariants every reachable task state keeps.
void expect_invariants(const state& s, int required) {
  using enum checkin_status;
  EXPECT_EQ(s.direction, checkin_direction::human_to_agent);
  EXPECT_NE(s.status, pending) << "a task is never pending";
  const bool worked_on = s.status == claimed || s.status == in_review;
  if (worked_on) {
    EXPECT_TRUE(s.primary_agent_id.has_value()) << "claimed without a primary";
  }
  if (s.status == open) {
    EXPECT_FALSE(s.primary_agent_id.has_value()) << "open with a primary";
  }
  std::set<std::string> unique(s.helpers.begin(), s.helpers.end());
  EXPECT_EQ(unique.size(), s.helpers.size()) << "a helper twice";
  if (s.primary_agent_id) {
    EXPECT_EQ(unique.count(*s.primary_agent_id), 0u) << "primary helps";
  }
  for (const auto& h : s.helpers)
    EXPECT_EQ(h.rfind("ag_", 0), 0u) << "a person became a helper";
  if (s.primary_agent_id) {
    EXPECT_EQ(s.primary_agent_id->rfind("ag_", 0), 0u);
  }
  EXPECT_EQ(is_terminal(s.status), s.decision.has_value()) << "decision iff final";
  // the deadline runs only while the task is open
  if (s.live_deadline()) {
    EXPECT_EQ(s.status, open);
  }
  // approvals are counted only in review, and the last one that is needed decides
  if (s.status == open || s.status == claimed) {
    EXPECT_TRUE(s.approvals.empty());
  }
  if (s.status == in_review) {
    EXPECT_LT(static_cast<int>(s.approvals.size()), required);
  }
  if (s.decision) {
    const auto by = s.decision->by.kind;
    EXPECT_NE(by, actor_kind::agent) << "an agent decided a task";
    // a timeout ends only open tasks, as an expiry (cancel) or an approval (auto_approve)
    EXPECT_EQ(by == actor_kind::timeout,
              s.status == expired ||
                  (s.status == approved && s.primary_agent_id == std::nullopt));
    if (s.status == withdrawn) {
      EXPECT_EQ(by, actor_kind::user);
    }
  }
}

unsigned seed_count() {
  return std::getenv("WAITROOM_PROPERTY_SEED") != nullptr ? 1 : 400;
}

unsigned first_seed() {
  const char* s = std::getenv("WAITROOM_PROPERTY_SEED");
  return s != nullptr ? static_cast<unsigned>(std::stoul(s)) : 1;
}

TEST(TaskProperties, RandomCommandSequencesStayLegalAndReplayToTheSameState) {
  const auto room = a_room();
  std::set<std::string> statuses_seen;
  int accepted = 0;
  for (unsigned seed = first_seed(); seed < first_seed() + seed_count(); ++seed) {
    SCOPED_TRACE("WAITROOM_PROPERTY_SEED=" + std::to_string(seed));
    generator gen(seed);
    timestamp now = t0;
    auto create = gen.first(now);
    const int required = *create.required_approvals;
    auto created = decide_create_task(create, room);
    ASSERT_TRUE(created.ok());

    event_list log;
    state s;
    auto append = [&](event_list events) {
      for (auto& e : events) {
        EXPECT_EQ(e.meta.stream, task_id);
        e.meta.version = s.version + 1;
        e.meta.seq = log.size() + 1;
        evolve(s, e);
        log.push_back(std::move(e));
      }
    };
    append(std::move(created.value()));
    expect_invariants(s, required);

    for (int step = 0; step < 60 && !HasFailure(); ++step) {
      now = gen.advance(now);
      auto cmd = gen.next(now);
      const auto before = s;
      auto out = decide(s, cmd);
      if (!out.ok()) {
        const auto code = out.error().code;
        EXPECT_TRUE(code == errc::conflict || code == errc::forbidden ||
                    code == errc::validation)
            << "step " << step << ": " << describe(out.error());
        continue; // a refused command changes nothing: there is nothing to fold
      }
      ++accepted;
      const auto count = out.value().size();
      // every status change comes with exactly one status_change message
      int status_messages = 0;
      for (const auto& e : out.value())
        if (const auto* m = std::get_if<message_posted>(&e.data))
          status_messages += m->type == message_kind::status_change;
      append(std::move(out.value()));
      EXPECT_EQ(s.version, before.version + count);
      EXPECT_TRUE(legal_transition(before.status, s.status))
          << "step " << step << ": " << wire_name(before.status) << " -> "
          << wire_name(s.status);
      EXPECT_EQ(status_messages, before.status != s.status ? 1 : 0) << "step " << step;
      if (is_terminal(before.status)) {
        EXPECT_EQ(outcome_of(before), outcome_of(s))
            << "a final task changed at step " << step;
      }
      expect_invariants(s, required);
      statuses_seen.insert(std::string(wire_name(s.status)));
    }

    // the log replays to the same state: encode as stored, decode, fold from nothing
    state replayed;
    for (const auto& e : log) {
      auto decoded = decode(encode(e));
      ASSERT_TRUE(decoded.ok()) << describe(decoded.error());
      decoded->meta.seq = e.meta.seq;
      decoded->meta.version = e.meta.version;
      evolve(replayed, *decoded);
    }
    EXPECT_EQ(snapshot(replayed), snapshot(s));
    if (HasFailure()) return;
  }
  // the generator really explores the machine (a test that cannot fail proves nothing)
  EXPECT_GT(accepted, 1000);
  for (const char* status : {"open", "claimed", "in_review", "approved", "rejected",
                             "modified", "expired", "withdrawn"})
    EXPECT_EQ(statuses_seen.count(status), 1u) << "never reached " << status;
}

} // namespace
} // namespace waitroom::events::checkin
