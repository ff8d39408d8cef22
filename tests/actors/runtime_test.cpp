#include "runtime_fixture.hpp"

#include "events/codec.hpp"

#include <boost/json/parse.hpp>

#include <latch>
#include <thread>
#include <vector>

namespace waitroom::actors::testing {

using ev::checkin::checkin_status;

/// The runtime over the in-memory log on CAF's test coordinator (the fixture has the
/// helpers): every actor runs on the test thread, only when the test drives it.
class Runtime : public runtime_fixture {
 protected:
  /// The wire type of the last event of `stream` in the log.
  std::string last_event_type(const std::string& stream) {
    auto events = log->read_stream(stream);
    if (!events || events->empty()) return "";
    return std::string(ev::event_type(events->back().data));
  }
};

/// The same runtime on the production scheduler (two threads), for what only real
/// concurrency can show: commands arriving from several threads at once, racing
/// through the registry (the first use of an actor spawns it) into one mailbox. The
/// test coordinator cannot run these: its job queue is not synchronized, so nothing
/// but the test thread may send to a scheduled actor.
class ThreadedRuntime : public runtime_fixture {
 protected:
  ThreadedRuntime()
      : runtime_fixture(scheduling::threaded) {}
};

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
  // What the read models show at the moment a reply runs (a job of the test
  // coordinator is a whole message handler: reading after `wait` would also see a fold
  // that came after the reply in the same handler).
  std::optional<ev::checkin::state> seen;
  auto reading = [&](reply_waiter<ev::checkin::state>& w) {
    return [&, fn = w.fn()](ev::outcome<ev::checkin::state> r) {
      seen = r ? read(r->id) : std::nullopt;
      fn(std::move(r));
    };
  };
  reply_waiter<ev::checkin::state> created_w;
  rt->create_checkin(create_cmd(agent), reading(created_w));
  auto created = wait(created_w);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->status, checkin_status::pending);
  ASSERT_TRUE(seen) << "the reply came before the read models knew the check-in";
  EXPECT_EQ(seen->version, created->version);
  reply_waiter<ev::checkin::state> approved_w;
  rt->send(created->id, approve_cmd(), reading(approved_w));
  auto approved = wait(approved_w);
  ASSERT_TRUE(approved.ok());
  EXPECT_EQ(approved->status, checkin_status::approved);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->status, checkin_status::approved);
  EXPECT_EQ(seen->version, approved->version);
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
  auto by_agent = send(
      c->id,
      ev::checkin::approve{ev::actor_ref::agent(agent), std::nullopt, clock.now(), {}});
  ASSERT_FALSE(by_agent.ok());
  EXPECT_EQ(by_agent.error().code, ev::errc::forbidden);
  EXPECT_EQ(log->head().seq, head);
  auto bad = create_cmd(agent);
  bad.action.clear();
  reply_waiter<ev::checkin::state> w;
  rt->create_checkin(bad, w.fn());
  auto r = wait(w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "action");
  EXPECT_EQ(log->head().seq, head);
}

TEST_F(ThreadedRuntime, ConcurrentDecisionsOnOneCheckinHaveExactlyOneWinner) {
  auto agent = register_agent();
  auto c = create(agent);
  ASSERT_TRUE(c.ok());
  constexpr int n = 16;
  std::vector<ev::checkin::command> cmds;
  for (int i = 0; i < n; ++i)
    cmds.push_back(
        i % 2 == 0 ? ev::checkin::command{approve_cmd()}
                   : ev::checkin::command{ev::checkin::reject{
                         ev::actor_ref::user(owner_id), std::nullopt, clock.now(), {}}});
  std::vector<reply_waiter<ev::checkin::state>> waiters(n);
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait(); // all at once
      rt->send(c->id, cmds[i], waiters[i].fn());
    });
  for (auto& t : threads)
    t.join();
  int ok = 0, conflicts = 0;
  for (auto& w : waiters) {
    auto r = wait(w);
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
  // Not `log->append`: it would block the test thread, which runs the dispatcher that
  // completes it.
  std::optional<ev::outcome<storage::append_result>> appended;
  log->append_async(
      req, [&](ev::outcome<storage::append_result> r) { appended = std::move(r); });
  ASSERT_TRUE(run_until([&] { return appended.has_value(); }));
  ASSERT_TRUE(appended->ok());
  auto approved = send(c->id, approve_cmd());
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ(approved->status, checkin_status::approved);
  EXPECT_EQ(approved->version, version + 1 + 3);
}

TEST_F(Runtime, TimerWarnsThenExpiresWithTheManualClock) {
  auto agent = register_agent();
  auto c = create(agent, 10'000);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->expires_at, t0 + 10'000);
  ASSERT_EQ(c->warn_at(), t0 + 9'000); // timeout / 10 before the deadline
  settle();                            // the timer saw the new deadline
  const auto v = c->version;
  const auto head = log->head().seq;
  // The manual clock moves to `t`, the timers look at it, and everything that sets in
  // motion runs to its end: what has not happened then does not happen at `t`.
  auto at = [&](ev::timestamp t) {
    clock.set(t);
    rt->wake_timers();
    settle();
  };

  at(t0 + 8'999);
  EXPECT_EQ(read(c->id)->version, v) << "warned before its time";
  EXPECT_EQ(log->head().seq, head);

  at(t0 + 9'000);
  auto warned = *read(c->id);
  EXPECT_EQ(warned.version, v + 1) << "no warning when it was due";
  EXPECT_TRUE(warned.expiring_announced);
  EXPECT_EQ(warned.status, checkin_status::pending);
  EXPECT_EQ(log->head().seq, head + 1);
  EXPECT_EQ(last_event_type(c->id), "checkin.expiring");

  at(t0 + 9'999);
  EXPECT_EQ(read(c->id)->status, checkin_status::pending) << "expired before its time";
  EXPECT_EQ(read(c->id)->version, v + 1) << "warned twice";
  EXPECT_EQ(log->head().seq, head + 1);

  at(t0 + 10'000);
  auto s = *read(c->id);
  EXPECT_EQ(s.status, checkin_status::expired) << "not expired when it was due";
  ASSERT_TRUE(s.decision);
  EXPECT_EQ(s.decision->by.kind, ev::actor_kind::timeout);
  EXPECT_EQ(s.decision->at, t0 + 10'000);
  const auto expired_head = log->head().seq;
  EXPECT_GT(expired_head, head + 1);

  at(t0 + 60'000);
  EXPECT_EQ(log->head().seq, expired_head) << "a timer fired after the end";
}

TEST_F(Runtime, DeadlinesPassedWhileStoppedFireAtStart) {
  auto agent = register_agent();
  auto c = create(agent, 5'000);
  ASSERT_TRUE(c.ok());
  stop_runtime();
  clock.advance(60'000);
  start_runtime();
  EXPECT_TRUE(run_until_checkin(
      c->id, [](const auto& s) { return s.status == checkin_status::expired; }));
}

TEST_F(ThreadedRuntime, RoomSlugsAreUniqueUnderConcurrency) {
  constexpr int n = 8;
  std::vector<ev::org::create_room> cmds(n);
  for (auto& cmd : cmds) {
    cmd.room_id = ids.make_id(ev::room_prefix);
    cmd.slug = "deployments";
    cmd.name = "Deployments";
    cmd.by = ev::actor_ref::user(owner_id);
    cmd.now = clock.now();
  }
  std::vector<reply_waiter<ev::event_list>> waiters(n);
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait(); // all at once, the org actor not spawned yet
      rt->send(org_id, ev::org::command{cmds[i]}, waiters[i].fn());
    });
  for (auto& t : threads)
    t.join();
  int ok = 0;
  std::string winner;
  for (int i = 0; i < n; ++i) {
    auto r = wait(waiters[i]);
    if (r.ok()) {
      ++ok;
      winner = cmds[i].room_id;
    } else {
      EXPECT_EQ(r.error().code, ev::errc::conflict) << r.error().message;
    }
  }
  EXPECT_EQ(ok, 1);
  rt->reads().read([&](const projections::projection_set& p) {
    EXPECT_EQ(p.rooms.of_org(org_id).size(), 2u) << "general and one deployments";
    const auto* room = p.rooms.by_slug(org_id, "deployments");
    ASSERT_NE(room, nullptr);
    EXPECT_EQ(room->id, winner);
  });
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
  ASSERT_TRUE(wait(w).ok());
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
    EXPECT_TRUE(wait(w).ok());
  EXPECT_EQ(rt->reads().read([&](const projections::projection_set& p) {
    return p.checkins.queue_size(general_id);
  }),
            static_cast<std::size_t>(n));
}

TEST_F(Runtime, UnknownAggregateKindIsNotFound) {
  reply_waiter<ev::checkin::state> w;
  rt->send("zz_0000000000", approve_cmd(), w.fn());
  auto r = wait(w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ev::errc::not_found);
}

} // namespace waitroom::actors::testing
