// Read models folded from events made by the real deciders, as the dispatcher feeds them.
#include "events/agent/decider.hpp"
#include "events/checkin/decider.hpp"
#include "events/org/decider.hpp"
#include "events/room/decider.hpp"
#include "projections/checkin_list.hpp"
#include "projections/read_model.hpp"
#include "projections/threads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace waitroom::projections {
namespace {

namespace ev = waitroom::events;
using ev::checkin::checkin_status;

constexpr ev::timestamp t0{1795514400000};

/// Feeds events with log-like seqs and versions into a projection set.
class Fold : public ::testing::Test {
 protected:
  void feed(ev::event_list events) {
    for (auto& e : events) {
      e.meta.seq = ++seq_;
      e.meta.version = ++versions_[e.meta.stream];
      p.apply(e);
      streams_[e.meta.stream].push_back(e);
      fed_.push_back(e);
    }
  }

  /// The thread as the API folds it: from the check-in's stream.
  thread thread_of_stream(const std::string& id) { return thread_of(streams_[id]); }

  void bootstrap(const std::string& org, const std::string& room) {
    feed(ev::org::decide_bootstrap(
        {org, "Org", "us_" + org.substr(4), "Owner", "o@x", "hash-" + org, room, t0}));
  }

  std::string
  create(const std::string& id, const std::string& agent, ev::duration_ms timeout,
         ev::checkin::timeout_behavior action = ev::checkin::timeout_behavior::cancel,
         ev::timestamp now = t0) {
    ev::checkin::create c;
    c.id = id;
    c.room_id = "rm_general00";
    c.org_id = "org_aaaaaaaaaa";
    c.agent_id = agent;
    c.action = "deploy";
    c.timeout_ms = timeout;
    c.timeout_action = action;
    c.now = now;
    c.message_ids = {"msg_" + id.substr(3)};
    auto out = ev::checkin::decide_create(c, *p.rooms.by_id("rm_general00"), 15);
    EXPECT_TRUE(out.ok());
    feed(std::move(*out));
    return id;
  }

  void decide(const std::string& id, ev::checkin::command cmd) {
    auto out = ev::checkin::decide(*p.checkins.find(id), cmd);
    ASSERT_TRUE(out.ok()) << out.error().message;
    feed(std::move(*out));
  }

  ev::checkin::approve approve(ev::timestamp now = t0) {
    return {ev::actor_ref::user("us_aaaaaaaaaa"),
            std::nullopt,
            now,
            {"msg_1", "msg_2", "msg_3"}};
  }

  void SetUp() override { bootstrap("org_aaaaaaaaaa", "rm_general00"); }

  projection_set p;
  std::uint64_t seq_ = 0;
  std::map<std::string, std::uint32_t> versions_;
  std::map<std::string, ev::event_list> streams_;
  ev::event_list fed_; ///< every event fed, in seq order
};

TEST_F(Fold, QueueIsOldestFirstAndLosesResolvedCheckins) {
  for (auto id : {"ci_000000000a", "ci_000000000b", "ci_000000000c"})
    create(id, "ag_1", 60000);
  decide("ci_000000000b", approve());
  auto q = p.checkins.queue("rm_general00", 0, 10);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0]->id, "ci_000000000a");
  EXPECT_EQ(q[1]->id, "ci_000000000c");
  EXPECT_EQ(p.checkins.queue_size("rm_general00"), 2u);
  // paging after the first entry's created seq
  auto rest = p.checkins.queue("rm_general00", q[0]->created_seq, 10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0]->id, "ci_000000000c");
  EXPECT_EQ(p.checkins.status_counts()[static_cast<int>(checkin_status::approved)], 1u);
  EXPECT_EQ(p.checkins.status_counts()[static_cast<int>(checkin_status::pending)], 2u);
}

TEST_F(Fold, ACheckInListIsNewestFirstFilteredAndPaged) {
  for (auto id : {"ci_000000000a", "ci_000000000b", "ci_000000000c", "ci_000000000d"})
    create(id, "ag_1", 60000);
  create("ci_000000000e", "ag_2", 60000);
  decide("ci_000000000b", approve());
  const ev::room::caller owner{ev::actor_kind::user, "us_aaaaaaaaaa",
                               ev::user::user_role::owner};
  const auto everything = std::numeric_limits<std::uint64_t>::max();
  auto ids = [](const checkin_page& page) {
    std::vector<std::string> out;
    for (const auto* s : page.items)
      out.push_back(s->id);
    return out;
  };

  checkin_filter f;
  f.status = checkin_status::pending;
  f.agent = "ag_1";
  auto first = list_checkins(p, "org_aaaaaaaaaa", owner, f, everything, 2);
  EXPECT_EQ(ids(first), (std::vector<std::string>{"ci_000000000d", "ci_000000000c"}));
  ASSERT_TRUE(first.next_before);
  auto second = list_checkins(p, "org_aaaaaaaaaa", owner, f, *first.next_before, 2);
  EXPECT_EQ(ids(second), std::vector<std::string>{"ci_000000000a"});
  EXPECT_FALSE(second.next_before);

  // another organization sees none of them
  EXPECT_TRUE(
      list_checkins(p, "org_bbbbbbbbbb", owner, {}, everything, 10).items.empty());

  // once the room lists its people, an agent it does not list sees nothing in it
  auto listed =
      ev::room::decide(*p.rooms.by_id("rm_general00"),
                       ev::room::set_member{"us_aaaaaaaaaa", ev::actor_kind::user,
                                            ev::room::member_role::approver,
                                            ev::actor_ref::user("us_aaaaaaaaaa"), t0});
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  feed(std::move(*listed));
  const ev::room::caller stranger{ev::actor_kind::agent, "ag_9", std::nullopt};
  EXPECT_TRUE(
      list_checkins(p, "org_aaaaaaaaaa", stranger, {}, everything, 10).items.empty());
  EXPECT_EQ(list_checkins(p, "org_aaaaaaaaaa", owner, {}, everything, 10).items.size(),
            5u);
}

TEST_F(Fold, DeadlinesFollowTheCheckinLifecycle) {
  create("ci_000000000a", "ag_1", 10000); // warn at 9 s, expire at 10 s
  create("ci_000000000b", "ag_1", 20000); // warn at 18 s
  create("ci_000000000c", "ag_1", 5000, ev::checkin::timeout_behavior::hold); // none
  EXPECT_EQ(p.deadlines.size(), 4u);
  EXPECT_EQ(p.deadlines.earliest(), t0 + 9000);
  auto due = p.deadlines.due(t0 + 10000, 100);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].kind, deadline_kind::warn);
  EXPECT_EQ(due[1].kind, deadline_kind::expire);
  EXPECT_EQ(p.deadlines.next_after(t0 + 10000), t0 + 18000);
  decide("ci_000000000a", ev::checkin::announce_expiry{t0 + 9000});
  EXPECT_EQ(p.deadlines.earliest(), t0 + 10000); // the warning is gone
  decide("ci_000000000a",
         ev::checkin::extend{ev::actor_ref::user("us_x"), 5000, t0 + 9500});
  EXPECT_EQ(p.deadlines.earliest(), t0 + 14000); // re-armed warning for the new deadline
  decide("ci_000000000b", approve());
  EXPECT_EQ(p.deadlines.size(), 2u);
  decide("ci_000000000a", ev::checkin::expire{t0 + 15000, {"msg_9"}});
  EXPECT_EQ(p.deadlines.size(), 0u);
  EXPECT_FALSE(p.deadlines.earliest());
}

TEST_F(Fold, TrustCountsEveryCheckinAndScoresHumanDecisions) {
  create("ci_000000000a", "ag_1", 60000);
  create("ci_000000000b", "ag_1", 60000);
  create("ci_000000000c", "ag_1", 1000);
  decide("ci_000000000a", approve());
  decide("ci_000000000b",
         ev::checkin::reject{ev::actor_ref::user("us_x"), {}, t0, {"m1", "m2", "m3"}});
  decide("ci_000000000c", ev::checkin::expire{t0 + 1000, {"m4"}});
  const auto* card = p.trust.find("ag_1", "rm_general00");
  ASSERT_NE(card, nullptr);
  EXPECT_EQ(card->total_check_ins, 3);
  EXPECT_EQ(card->approved_count, 1);
  EXPECT_EQ(card->rejected_count, 1);
  EXPECT_EQ(card->expired_count, 1);
  EXPECT_EQ(card->tenths, 150 + 10 - 3 - 1);
  EXPECT_DOUBLE_EQ(p.trust.score("ag_unknown", "rm_general00"), 15.0);
  EXPECT_EQ(p.trust.of_room("rm_general00").size(), 1u);
  EXPECT_EQ(p.trust.of_agent("ag_1").size(), 1u);
}

TEST_F(Fold, RoomsResolveBySlugOrIdOnlyWithinTheirOrganization) {
  bootstrap("org_bbbbbbbbbb", "rm_general11");
  const auto* a = p.rooms.resolve("org_aaaaaaaaaa", "general");
  const auto* b = p.rooms.resolve("org_bbbbbbbbbb", "general");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(p.rooms.resolve("org_aaaaaaaaaa", "rm_general11"), nullptr);
  EXPECT_EQ(p.rooms.of_org("org_aaaaaaaaaa").size(), 1u);
  EXPECT_EQ(p.rooms.slugs_of("org_bbbbbbbbbb"), std::vector<std::string>{"general"});
}

TEST_F(Fold, CredentialsResolveToTheirPrincipal) {
  auto ref = p.dir.by_credential_hash("hash-org_aaaaaaaaaa");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->k, principal_ref::kind::user);
  EXPECT_EQ(p.dir.user(ref->id)->role, ev::user::user_role::owner);
  EXPECT_FALSE(p.dir.by_credential_hash("nope"));
}

TEST_F(Fold, UsersAndAgentsAreFoundOnlyWithinTheirOrganization) {
  bootstrap("org_bbbbbbbbbb", "rm_general11");
  auto added = ev::agent::decide(
      {},
      ev::agent::register_agent{"ag_aaaaaaaaaa", "org_aaaaaaaaaa", "deployer", "", "",
                                "hash-key", "wr_abcd", ev::actor_ref::user("us_a"), t0});
  ASSERT_TRUE(added.ok()) << added.error().message;
  feed(std::move(*added));
  auto pending = ev::agent::decide(
      {}, ev::agent::self_register{"ag_bbbbbbbbbb", "stray", "", "", "hash-key-2",
                                   "wr_efgh", "hash-claim", t0});
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  feed(std::move(*pending));

  EXPECT_NE(p.dir.user_in("org_aaaaaaaaaa", "us_aaaaaaaaaa"), nullptr);
  EXPECT_EQ(p.dir.user_in("org_bbbbbbbbbb", "us_aaaaaaaaaa"), nullptr);
  EXPECT_EQ(p.dir.user_in("org_aaaaaaaaaa", "us_nobody0000"), nullptr);
  EXPECT_NE(p.dir.agent_in("org_aaaaaaaaaa", "ag_aaaaaaaaaa"), nullptr);
  EXPECT_EQ(p.dir.agent_in("org_bbbbbbbbbb", "ag_aaaaaaaaaa"), nullptr);
  // an agent still waiting to be claimed is in no organization, not in "the empty one"
  ASSERT_NE(p.dir.agent("ag_bbbbbbbbbb"), nullptr);
  EXPECT_EQ(p.dir.agent_in("", "ag_bbbbbbbbbb"), nullptr);
}

TEST_F(Fold, ReadModelAppliesUnderItsLock) {
  // Batches as the dispatcher applies group commits, made by the real deciders: batch k
  // creates check-ins k*m .. k*m+m-1 and approves those of batch k-1. Each changes the
  // check-in index, the trust scores and the deadline index together, so after every
  // whole batch exactly m check-ins wait, with two deadlines each, and the agent's card
  // counts (k+1)*m check-ins of which k*m approved. Half a batch shows something else.
  constexpr int batches = 500;
  constexpr int m = 4;
  const auto bootstrapped = fed_.size();
  std::vector<std::pair<std::size_t, std::size_t>> slices; // [begin, end) of fed_
  std::unordered_map<std::uint64_t, int> batch_ending_at;  // applied_seq -> k
  auto checkin_id = [](int n) {
    char id[32];
    std::snprintf(id, sizeof id, "ci_%010d", n);
    return std::string(id);
  };
  for (int k = 0; k < batches; ++k) {
    const auto begin = fed_.size();
    for (int i = 0; i < m; ++i) {
      create(checkin_id(k * m + i), "ag_1", 60000);
      if (k > 0) decide(checkin_id((k - 1) * m + i), approve());
    }
    slices.emplace_back(begin, fed_.size());
    batch_ending_at[fed_.back().meta.seq] = k;
  }

  read_model rm;
  rm.apply(std::span(fed_).first(bootstrapped));
  const auto start_seq = fed_[bootstrapped - 1].meta.seq;

  struct snapshot {
    std::uint64_t seq = 0;
    std::size_t waiting = 0, deadlines = 0;
    std::int64_t total = 0, approved = 0;
  };
  // Reads and applies must overlap however the threads are scheduled, on one core as
  // on two. So for each batch the writer waits until a reader holds the lock (inside a
  // read), and only then applies: it blocks on the lock until that reader lets go,
  // and the reader, reading again at once, queues behind it and reads again and again
  // until it sees the whole batch. A lock released inside the batch lets it in there.
  // Two reader threads take turns, a batch each (two readers reading without pause
  // would starve the writer: glibc's shared_mutex lets a reader in while another one
  // holds the lock, even with a writer waiting).
  std::atomic<int> announced{-1}; // the batch to apply next; `batches`: done
  std::atomic<int> holding{-1};   // a reader holds the lock before this batch
  std::atomic<int> applying{-1};  // the writer is applying this batch
  std::atomic<std::uint64_t> reads{0};
  std::atomic<int> inconsistent{0};
  std::mutex first_mu;
  std::string first;
  auto check = [&](const snapshot& s) -> std::string {
    if (s.seq == start_seq)
      return s.waiting == 0 && s.deadlines == 0 && s.total == 0 ? "" : "before batch 0";
    auto it = batch_ending_at.find(s.seq);
    if (it == batch_ending_at.end()) return "applied_seq is inside a batch";
    const int k = it->second;
    if (s.waiting != m || s.deadlines != 2 * m || s.total != (k + 1) * m ||
        s.approved != k * m)
      return "batch " + std::to_string(k) + " half visible";
    return "";
  };
  // One read; `inside` runs while it holds the lock.
  auto read_once = [&](auto inside) {
    auto s = rm.read([&](const projection_set& p) {
      snapshot out;
      out.seq = p.applied_seq;
      out.waiting = p.checkins.queue_size("rm_general00");
      out.deadlines = p.deadlines.size();
      if (const auto* card = p.trust.find("ag_1", "rm_general00")) {
        out.total = card->total_check_ins;
        out.approved = card->approved_count;
      }
      inside();
      return out;
    });
    ++reads;
    if (auto problem = check(s); !problem.empty() && inconsistent++ == 0) {
      std::lock_guard lock(first_mu);
      first = problem + " (seq " + std::to_string(s.seq) + ", waiting " +
              std::to_string(s.waiting) + ", total " + std::to_string(s.total) +
              ", approved " + std::to_string(s.approved) + ")";
    }
    return s.seq;
  };
  auto reader = [&](int turn) {
    for (int seen = -1;;) {
      int k = announced.load();
      while (k != batches && (k == seen || k % 2 != turn)) {
        announced.wait(k);
        k = announced.load();
      }
      if (k == batches) return;
      seen = k;
      read_once([&] {
        holding = k;
        holding.notify_all();
        while (applying.load() != k) // the writer is on its way to the lock
          std::this_thread::yield();
      });
      const auto applied = fed_[slices[k].second - 1].meta.seq;
      while (read_once([] {}) < applied) {
      }
    }
  };
  std::vector<std::thread> readers;
  for (int turn = 0; turn < 2; ++turn)
    readers.emplace_back(reader, turn);
  for (int k = 0; k < batches; ++k) {
    announced = k;
    announced.notify_all();
    for (int h = holding.load(); h != k; h = holding.load())
      holding.wait(h);
    applying = k;
    const auto& [begin, end] = slices[k];
    rm.apply(std::span(fed_).subspan(begin, end - begin));
  }
  announced = batches;
  announced.notify_all();
  for (auto& t : readers)
    t.join();

  EXPECT_EQ(inconsistent.load(), 0)
      << "of " << reads.load() << " reads; first: " << first;
  EXPECT_GE(reads.load(), static_cast<std::uint64_t>(batches));
  EXPECT_EQ(rm.read([](const projection_set& s) { return s.applied_seq; }),
            fed_.back().meta.seq);
}

TEST_F(Fold, AThreadIsItsStreamsMessagesAndParticipants) {
  create("ci_thread0001", "ag_asker0001", 60000);
  decide("ci_thread0001", ev::checkin::post_message{ev::actor_ref::agent("ag_asker0001"),
                                                    ev::checkin::message_kind::comment,
                                                    "context",
                                                    {},
                                                    {},
                                                    t0 + 1,
                                                    {"msg_c1"}});
  decide("ci_thread0001", approve(t0 + 2));
  auto t = thread_of_stream("ci_thread0001");
  std::vector<std::string> contents;
  for (const auto& m : t.messages())
    contents.push_back(m.content);
  ASSERT_EQ(contents.size(), 4u); // created, comment, decision, status change
  EXPECT_EQ(contents[1], "context");
  EXPECT_EQ(t.messages()[1].check_in_id, "ci_thread0001");
  ASSERT_EQ(t.participants().size(), 2u);
  EXPECT_EQ(t.participants()[0].role, participant_role::creator);
  EXPECT_EQ(t.participants()[0].who, ev::actor_ref::agent("ag_asker0001"));
  EXPECT_EQ(t.participants()[1].role, participant_role::approver);
  EXPECT_EQ(t.participants()[1].joined_at, t0 + 2);
}

TEST_F(Fold, AQuarantinedEventOnlyMovesVersionsAndADamagedCheckInLosesItsDeadline) {
  const auto id = create("ci_damaged001", "ag_aaaaaaaaaa", 60'000);
  ASSERT_TRUE(p.deadlines.earliest().has_value());
  ASSERT_EQ(p.checkins.queue_size("rm_general00"), 1u);
  const auto before = p.checkins.find(id)->version;
  feed({ev::make_event(id, "org_aaaaaaaaaa", "rm_general00", ev::actor_ref::system(), t0,
                       ev::log::quarantined{99, "checkin.approved", id, before + 1, "bad",
                                            std::string(64, 'a'), "r"})});
  const auto* c = p.checkins.find(id);
  EXPECT_EQ(c->version, before + 1);
  EXPECT_TRUE(c->damaged);
  EXPECT_EQ(c->status, ev::checkin::checkin_status::pending) << "a person decides it";
  EXPECT_EQ(p.checkins.queue_size("rm_general00"), 1u);
  EXPECT_FALSE(p.deadlines.earliest().has_value()) << "no timeout decides it any more";
}

TEST_F(Fold, AStreamWhoseCreationWasQuarantinedFoldsIntoNothingAnyoneSees) {
  const std::string id = "ci_phantom001";
  feed({ev::make_event(id, "", "", ev::actor_ref::system(), t0,
                       ev::log::quarantined{5, "checkin.created", id, 1, "bad",
                                            std::string(64, 'a'), "r"})});
  ev::checkin::message_posted m;
  m.id = "msg_phantom001";
  m.content = "later";
  feed({ev::make_event(id, "org_aaaaaaaaaa", "rm_general00", ev::actor_ref::system(), t0,
                       m)});
  const auto* c = p.checkins.find(id);
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->exists());
  EXPECT_EQ(p.checkins.queue_size("rm_general00"), 0u);
  EXPECT_TRUE(p.checkins.of_org("org_aaaaaaaaaa").empty());
  EXPECT_TRUE(p.checkins.of_org("").empty());
}

} // namespace
} // namespace waitroom::projections
