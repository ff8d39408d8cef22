#include "runtime_fixture.hpp"

#include "events/codec.hpp"

#include <boost/json/parse.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace waitroom::actors::testing {

using ev::checkin::checkin_status;

/// The runtime over the in-memory log (the fixture has the helpers).
class Runtime : public runtime_fixture {};

TEST_F(Runtime, BootstrapHappensOnceAndReplaysIntoTheReadModels) {
  auto again = bootstrap_if_empty(*log, ids, clock, std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  rt->reads().read([&](const projections::projection_set& p) {
    EXPECT_EQ(p.dir.org_count(), 1u);
    EXPECT_EQ(p.dir.user_count(), 1u);
    ASSERT_NE(p.rooms.by_slug(org_id, "general"), nullptr);
    EXPECT_EQ(p.rooms.by_slug(org_id, "general")->id, general_id);
  });
}

TEST_F(Runtime, ReplyComesAfterTheReadModelsShowTheChange) {
  auto agent = register_agent();
  auto created = create(agent);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->status, checkin_status::pending);
  auto seen = read(created->id);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->version, created->version);
  auto approved = send(created->id, approve_cmd());
  ASSERT_TRUE(approved.ok());
  EXPECT_EQ(approved->status, checkin_status::approved);
  EXPECT_EQ(read(created->id)->status, checkin_status::approved);
  double score = rt->reads().read([&](const projections::projection_set& p) {
    return p.trust.score(agent, general_id);
  });
  EXPECT_DOUBLE_EQ(score, 16.0);
}

TEST_F(Runtime, DomainErrorsComeBackAsValuesAndWriteNothing) {
  auto agent = register_agent();
  auto c = create(agent);
  ASSERT_TRUE(c.ok());
  auto head = log->head().seq;
  auto by_agent =
      send(c->id, ev::checkin::approve{ev::actor_ref::agent(agent), std::nullopt,
                                       clock.now(), ids.message_ids()});
  ASSERT_FALSE(by_agent.ok());
  EXPECT_EQ(by_agent.error().code, ev::errc::forbidden);
  EXPECT_EQ(log->head().seq, head);
  auto bad = create_cmd(agent);
  bad.action.clear();
  reply_waiter<ev::checkin::state> w;
  rt->create_checkin(bad, w.fn());
  auto r = w.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "action");
  EXPECT_EQ(log->head().seq, head);
}

TEST_F(Runtime, ConcurrentDecisionsOnOneCheckinHaveExactlyOneWinner) {
  auto agent = register_agent();
  auto c = create(agent);
  ASSERT_TRUE(c.ok());
  constexpr int n = 16;
  std::vector<reply_waiter<ev::checkin::state>> waiters(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      ev::checkin::command cmd = i % 2 == 0
                                     ? ev::checkin::command{approve_cmd()}
                                     : ev::checkin::command{ev::checkin::reject{
                                           ev::actor_ref::user(owner_id), std::nullopt,
                                           clock.now(), ids.message_ids()}};
      rt->send(c->id, cmd, waiters[i].fn());
    });
  for (auto& t : threads)
    t.join();
  int ok = 0, conflicts = 0;
  for (auto& w : waiters) {
    auto r = w.get();
    if (r.ok())
      ++ok;
    else if (r.error().code == ev::errc::conflict)
      ++conflicts;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, n - 1);
}

TEST_F(Runtime, PassivatedActorsRehydrateFromTheirStream) {
  auto agent = register_agent();
  auto c = create(agent);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      send(c->id, ev::checkin::extend{ev::actor_ref::user(owner_id), 5000, clock.now()})
          .ok());
  EXPECT_GT(rt->live_actors(), 0u);
  rt->passivate_idle(std::chrono::milliseconds(0));
  EXPECT_EQ(rt->live_actors(), 0u);
  auto approved = send(c->id, approve_cmd());
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ(approved->status, checkin_status::approved);
  EXPECT_EQ(*approved->expires_at, *c->expires_at + 5000);
}

TEST_F(Runtime, StaleActorStateIsReloadedAndTheCommandDecidedAgain) {
  auto agent = register_agent();
  auto c = create(agent);
  ASSERT_TRUE(c.ok());
  // The actor is live with version v; another writer appends to its stream meanwhile.
  ASSERT_TRUE(
      send(c->id, ev::checkin::extend{ev::actor_ref::user(owner_id), 1000, clock.now()})
          .ok());
  auto version = read(c->id)->version;
  auto extra =
      ev::make_event(c->id, org_id, general_id, ev::actor_ref::user(owner_id),
                     clock.now(), ev::checkin::extended{2000, *c->expires_at + 3000});
  storage::append_request req;
  req.streams.push_back({c->id, storage::expected_version::exact(version), {extra}});
  ASSERT_TRUE(log->append(req).ok());
  auto approved = send(c->id, approve_cmd());
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ(approved->status, checkin_status::approved);
  EXPECT_EQ(approved->version, version + 1 + 3);
}

TEST_F(Runtime, TimerWarnsThenExpiresWithTheManualClock) {
  auto agent = register_agent();
  auto c = create(agent, 10'000); // warning at 9 s (timeout / 10 = 1 s before)
  ASSERT_TRUE(c.ok());
  auto v = c->version;
  clock.advance(8'900);
  rt->wake_timers();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(read(c->id)->version, v);
  clock.advance(200); // 9.1 s
  rt->wake_timers();
  EXPECT_TRUE(eventually(c->id, [&](const auto& s) { return s.version == v + 1; }));
  EXPECT_EQ(read(c->id)->status, checkin_status::pending);
  clock.advance(1'000); // 10.1 s
  rt->wake_timers();
  EXPECT_TRUE(eventually(
      c->id, [](const auto& s) { return s.status == checkin_status::expired; }));
  auto s = *read(c->id);
  EXPECT_EQ(s.decision->by.kind, ev::actor_kind::timeout);
  EXPECT_EQ(s.decision->at, clock.now());
}

TEST_F(Runtime, DeadlinesPassedWhileStoppedFireAtStart) {
  auto agent = register_agent();
  auto c = create(agent, 5'000);
  ASSERT_TRUE(c.ok());
  stop_runtime();
  clock.advance(60'000);
  start_runtime();
  EXPECT_TRUE(eventually(
      c->id, [](const auto& s) { return s.status == checkin_status::expired; }));
}

TEST_F(Runtime, RoomSlugsAreUniqueUnderConcurrency) {
  constexpr int n = 8;
  std::vector<reply_waiter<ev::event_list>> waiters(n);
  for (int i = 0; i < n; ++i) {
    ev::org::create_room cmd;
    cmd.room_id = ids.make_id(ev::room_prefix);
    cmd.slug = "deployments";
    cmd.name = "Deployments";
    cmd.by = ev::actor_ref::user(owner_id);
    cmd.now = clock.now();
    rt->send(org_id, ev::org::command{cmd}, waiters[i].fn());
  }
  int ok = 0;
  for (auto& w : waiters) {
    auto r = w.get();
    if (r.ok())
      ++ok;
    else
      EXPECT_EQ(r.error().code, ev::errc::conflict);
  }
  EXPECT_EQ(ok, 1);
}

TEST_F(Runtime, PolicyUpdatesApplyToLaterCheckins) {
  auto agent = register_agent();
  auto policy = ev::room::parse_policy(
      boost::json::parse(R"({"rules":[{"id":"all","effect":"auto_approve","when":{}}]})"),
      "");
  ASSERT_TRUE(policy.ok());
  reply_waiter<ev::room::state> w;
  rt->send(general_id,
           ev::room::command{
               ev::room::set_policy{*policy, ev::actor_ref::user(owner_id), clock.now()}},
           w.fn());
  ASSERT_TRUE(w.get().ok());
  auto c = create(agent);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, checkin_status::approved);
  EXPECT_EQ(c->decision->rule_id, "all");
}

TEST_F(Runtime, ManyCreatesInFlightAreAllAnswered) {
  auto agent = register_agent();
  constexpr int n = 200;
  std::vector<reply_waiter<ev::checkin::state>> waiters(n);
  for (int i = 0; i < n; ++i)
    rt->create_checkin(create_cmd(agent), waiters[i].fn());
  for (auto& w : waiters)
    EXPECT_TRUE(w.get().ok());
  EXPECT_EQ(rt->reads().read([&](const projections::projection_set& p) {
    return p.checkins.queue_size(general_id);
  }),
            static_cast<std::size_t>(n));
}

TEST_F(Runtime, UnknownAggregateKindIsNotFound) {
  reply_waiter<ev::checkin::state> w;
  rt->send("zz_0000000000", approve_cmd(), w.fn());
  auto r = w.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ev::errc::not_found);
}

} // namespace waitroom::actors::testing
