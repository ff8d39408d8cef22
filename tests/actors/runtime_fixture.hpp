#pragma once
/// A runtime over the in-memory log with a manual clock: actor tests control time and
/// the scheduling of the actors.
///
/// By default (`scheduling::deterministic`) the actor system runs on CAF's test
/// coordinator: no scheduler thread exists, and actors only run inside `run_until`, one
/// job at a time on the test thread, so a test's outcome never depends on timing. A
/// test about real concurrency uses `scheduling::threaded` (the production scheduler).
///
/// What stays a real thread under the test coordinator: the two log readers. CAF 0.17
/// gives every `detached` actor a private thread whatever the scheduler, and a reader
/// answers (`stream_loaded`) by enqueueing the asking actor into the coordinator's job
/// queue, which is not synchronized. So before each job `run_until` waits until both
/// readers have handled everything sent to them (it posts a job behind it on each
/// lane): then their answers are queued, and they are idle. During a job only the
/// actor running can ask a reader (hydration); the answer enqueues it only once it has
/// blocked its mailbox at the end of the job, after which the test thread leaves the
/// queue alone until that wait. That wait is on the readers' work, not on wall-clock
/// time (30 s without an answer aborts: going on would race).
/// The memory log has no writer thread: an append completes on the appending actor's
/// thread, i.e. inside a job. Nothing else runs on its own; in particular CAF's own
/// timeouts (the timer service's delayed wake-ups and sweeps) never fire here: time
/// moves only with the manual clock, and timers look at it when `wake_timers` says so.

#include "actors/bootstrap.hpp"
#include "actors/runtime.hpp"
#include "events/ids.hpp"
#include "storage/event_log.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>

namespace waitroom::actors::testing {

namespace ev = waitroom::events;

/// 2026-11-24T10:00:00.000Z
inline constexpr ev::timestamp t0{1795514400000};

/// One reply of the runtime.
template <class T>
class reply_waiter {
 public:
  reply_fn<T> fn() {
    return [p = promise_](ev::outcome<T> r) { p->set_value(std::move(r)); };
  }
  /// Whether the reply came. Never blocks.
  bool ready() const {
    return future_.valid() &&
           future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  /// The reply, waiting at most `limit` for it (0: it must have come already).
  ev::outcome<T> get(std::chrono::seconds limit) {
    if (!future_.valid()) return ev::internal_error("reply taken twice");
    if (future_.wait_for(limit) != std::future_status::ready)
      return ev::internal_error("no reply within " + std::to_string(limit.count()) +
                                " s");
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<ev::outcome<T>>> promise_ =
      std::make_shared<std::promise<ev::outcome<T>>>();
  std::future<ev::outcome<T>> future_ = promise_->get_future();
};

/// How the fixture runs the actors.
enum class scheduling {
  /// CAF's test coordinator, driven by `run_until` on the test thread.
  deterministic,
  /// The production scheduler (work sharing), with two threads: tests of concurrency.
  threaded,
};

class runtime_fixture : public ::testing::Test {
 protected:
  explicit runtime_fixture(scheduling mode = scheduling::deterministic)
      : mode_(mode) {}

  void SetUp() override {
    log = storage::make_memory_log();
    start_runtime();
  }

  void TearDown() override { stop_runtime(); }

  void start_runtime() {
    auto boot =
        bootstrap_if_empty(*log, ids, clock, std::string("wrh_") + std::string(32, 'T'));
    ASSERT_TRUE(boot.ok());
    if (boot->created) {
      org_id = boot->org_id;
      owner_id = boot->owner_id;
      general_id = boot->room_id;
    }
    runtime_options options;
    if (mode_ == scheduling::deterministic) {
      // The coordinator `scheduler.policy = testing` would create, loaded as the
      // scheduler module instead, so that the fixture holds it.
      options.configure_system = [this](caf::actor_system_config& cfg) {
        cfg.module_factories.push_back(
            [this](caf::actor_system& sys) -> caf::actor_system::module* {
              sched = new caf::scheduler::test_coordinator(sys);
              return sched;
            });
      };
    } else {
      options.scheduler_threads = 2;
    }
    rt = std::make_unique<runtime>(*log, clock, options);
    if (mode_ == scheduling::deterministic) {
      ASSERT_NE(sched, nullptr) << "the test coordinator was not loaded";
    }
    auto started = rt->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  void stop_runtime() {
    if (!rt) return;
    if (sched) {
      // `shutdown` sends every actor an exit message and blocks until all have stopped:
      // run what is queued first, then let each exit run inline as it is sent.
      settle();
      if (sched->has_job()) {
        std::fprintf(stderr, "runtime_fixture: actors still busy at shutdown\n");
        std::abort(); // shutting down would wait forever
      }
      sched->inline_all_enqueues();
    }
    rt->shutdown();
    rt.reset();
    sched = nullptr;
  }

  /// Deterministic mode: runs the actors one job at a time until `done()` holds. False
  /// when they went idle without it (no job queued, both log readers idle), or, with a
  /// test failure, after `max_jobs` jobs (a message loop).
  template <class Pred>
  bool run_until(Pred done, std::size_t max_jobs = 100'000) {
    if (!sched) {
      ADD_FAILURE() << "run_until needs scheduling::deterministic";
      return false;
    }
    for (std::size_t jobs = 0;; ++jobs) {
      sync_log_readers();
      if (done()) return true;
      if (!sched->has_job()) return false;
      if (jobs == max_jobs) {
        ADD_FAILURE() << "still busy after " << max_jobs << " jobs";
        return false;
      }
      sched->run_once();
    }
  }

  /// Runs the actors until nothing is left to do (deterministic mode).
  void settle() {
    run_until([] { return false; });
  }

  /// The reply of `w`: in deterministic mode the actors run until it came (an error
  /// when they went idle without answering); threaded, waits up to 10 s for it.
  template <class T>
  ev::outcome<T> wait(reply_waiter<T>& w) {
    if (mode_ == scheduling::threaded) return w.get(std::chrono::seconds(10));
    if (!run_until([&] { return w.ready(); }))
      return ev::internal_error("the actors went idle without answering");
    return w.get(std::chrono::seconds(0));
  }

  /// Registers an agent in the org; returns its id.
  std::string register_agent() {
    ev::agent::register_agent cmd{ids.make_id(ev::agent_prefix),
                                  org_id,
                                  "agent",
                                  "",
                                  "",
                                  credential_hash(ids.make_secret("wr_", 32)),
                                  "wr_xxxxxxxxx",
                                  ev::actor_ref::user(owner_id),
                                  clock.now()};
    auto id = cmd.id;
    reply_waiter<ev::agent::state> w;
    rt->send(id, ev::agent::command{cmd}, w.fn());
    auto r = wait(w);
    EXPECT_TRUE(r.ok());
    return id;
  }

  ev::checkin::create create_cmd(const std::string& agent,
                                 ev::duration_ms timeout = 60000) {
    ev::checkin::create c;
    c.id = ids.make_id(ev::checkin_prefix);
    c.room_id = general_id;
    c.org_id = org_id;
    c.agent_id = agent;
    c.action = "deploy v2.3.1 to production";
    c.timeout_ms = timeout;
    c.now = clock.now();
    return c;
  }

  ev::outcome<ev::checkin::state> create(const std::string& agent,
                                         ev::duration_ms timeout = 60000) {
    reply_waiter<ev::checkin::state> w;
    rt->create_checkin(create_cmd(agent, timeout), w.fn());
    return wait(w);
  }

  ev::outcome<ev::checkin::state> send(const std::string& id, ev::checkin::command cmd) {
    reply_waiter<ev::checkin::state> w;
    rt->send(id, std::move(cmd), w.fn());
    return wait(w);
  }

  ev::checkin::approve approve_cmd() {
    return {ev::actor_ref::user(owner_id), std::nullopt, clock.now(), {}};
  }

  /// The check-in as the read models show it.
  std::optional<ev::checkin::state> read(const std::string& id) {
    return rt->reads().read([&](const projections::projection_set& p) {
      const auto* s = p.checkins.find(id);
      return s ? std::optional<ev::checkin::state>(*s) : std::nullopt;
    });
  }

  /// Deterministic mode: runs the actors until `pred(read(id))` holds.
  template <class Pred>
  bool run_until_checkin(const std::string& id, Pred pred) {
    return run_until([&] {
      auto s = read(id);
      return s && pred(*s);
    });
  }

  std::unique_ptr<storage::event_log> log;
  manual_clock clock{t0};
  id_source ids;
  std::unique_ptr<runtime> rt;
  std::string org_id, owner_id, general_id;
  /// The test coordinator (deterministic mode; owned by the actor system).
  caf::scheduler::test_coordinator* sched = nullptr;

 private:
  /// Waits until both log readers have handled everything sent to them so far (see the
  /// top of this file). A reader stuck for 30 s aborts: going on would race with it.
  void sync_log_readers() {
    std::future<void> done[2];
    int i = 0;
    for (auto lane : {runtime::read_lane::quick, runtime::read_lane::bulk}) {
      auto p = std::make_shared<std::promise<void>>();
      done[i++] = p->get_future();
      rt->read_log(lane, [p](const storage::event_log&) { p->set_value(); });
    }
    for (auto& f : done)
      if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        std::fprintf(stderr, "runtime_fixture: a log reader is stuck\n");
        std::abort();
      }
  }

  scheduling mode_;
};

} // namespace waitroom::actors::testing
