#pragma once
/// A runtime over the in-memory log with a manual clock: actor tests control time and
/// wait for each reply, so their outcome never depends on scheduling.

#include "actors/bootstrap.hpp"
#include "actors/runtime.hpp"
#include "events/ids.hpp"
#include "storage/event_log.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace waitroom::actors::testing {

namespace ev = waitroom::events;

/// 2026-11-24T10:00:00.000Z
inline constexpr ev::timestamp t0{1795514400000};

/// Waits for one reply of the runtime.
template <class T>
class reply_waiter {
 public:
  reply_fn<T> fn() {
    return [p = promise_](ev::outcome<T> r) { p->set_value(std::move(r)); };
  }
  ev::outcome<T> get() {
    auto f = promise_->get_future();
    if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
      return ev::internal_error("no reply within 10 s");
    return f.get();
  }

 private:
  std::shared_ptr<std::promise<ev::outcome<T>>> promise_ =
      std::make_shared<std::promise<ev::outcome<T>>>();
};

class runtime_fixture : public ::testing::Test {
 protected:
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
    rt = std::make_unique<runtime>(*log, clock);
    auto started = rt->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  void stop_runtime() {
    if (rt) rt->shutdown();
    rt.reset();
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
    auto r = w.get();
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
    c.message_ids = ids.message_ids();
    return c;
  }

  ev::outcome<ev::checkin::state> create(const std::string& agent,
                                         ev::duration_ms timeout = 60000) {
    reply_waiter<ev::checkin::state> w;
    rt->create_checkin(create_cmd(agent, timeout), w.fn());
    return w.get();
  }

  ev::outcome<ev::checkin::state> send(const std::string& id, ev::checkin::command cmd) {
    reply_waiter<ev::checkin::state> w;
    rt->send(id, std::move(cmd), w.fn());
    return w.get();
  }

  ev::checkin::approve approve_cmd() {
    return {ev::actor_ref::user(owner_id), std::nullopt, clock.now(), ids.message_ids()};
  }

  /// The check-in as the read models show it.
  std::optional<ev::checkin::state> read(const std::string& id) {
    return rt->reads().read([&](const projections::projection_set& p) {
      const auto* s = p.checkins.find(id);
      return s ? std::optional<ev::checkin::state>(*s) : std::nullopt;
    });
  }

  /// Waits until `pred(read(id))` holds (timer effects are asynchronous).
  template <class Pred>
  bool eventually(const std::string& id, Pred pred) {
    for (int i = 0; i < 500; ++i) {
      if (auto s = read(id); s && pred(*s)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::unique_ptr<storage::event_log> log;
  manual_clock clock{t0};
  id_source ids;
  std::unique_ptr<runtime> rt;
  std::string org_id, owner_id, general_id;
};

} // namespace waitroom::actors::testing
