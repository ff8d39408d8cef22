// Read models folded from events made by the real deciders, as the dispatcher feeds them.
#include "events/checkin/decider.hpp"
#include "events/org/decider.hpp"
#include "projections/read_model.hpp"
#include "projections/threads.hpp"

#include <gtest/gtest.h>

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

TEST_F(Fold, ReadModelAppliesUnderItsLock) {
  read_model rm;
  ev::event_list events =
      ev::org::decide_bootstrap({"org_cccccccccc", "Org", "us_cccccccccc", "Owner", "o@x",
                                 "h", "rm_cccccccccc", t0});
  std::uint64_t seq = 0;
  for (auto& e : events) {
    e.meta.seq = ++seq;
    e.meta.version = 1;
  }
  rm.apply(events);
  EXPECT_EQ(rm.read([](const projection_set& s) { return s.applied_seq; }), 3u);
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
  feed({ev::make_event(id, "org_aaaaaaaaaa", "rm_general00", ev::actor_ref::system(), t0, m)});
  const auto* c = p.checkins.find(id);
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->exists());
  EXPECT_EQ(p.checkins.queue_size("rm_general00"), 0u);
  EXPECT_TRUE(p.checkins.of_org("org_aaaaaaaaaa").empty());
  EXPECT_TRUE(p.checkins.of_org("").empty());
}

} // namespace
} // namespace waitroom::projections
