#include "actors/messages.hpp"
#include "actors/registry.hpp"
#include "actors/services.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <set>

namespace waitroom::actors {

namespace ev = waitroom::events;
using steady = std::chrono::steady_clock;
using projections::deadline;
using projections::deadline_kind;

namespace {

/// A fired deadline is not fired again for this long while it stays due (its command
/// is in flight, or decided nothing because the state moved on meanwhile).
constexpr auto refire_after = std::chrono::seconds(5);
/// At most this many commands per wake; more wake again at once.
constexpr std::size_t max_fire_per_wake = 1000;

struct timer_state {
  std::map<deadline, steady::time_point> fired;
  std::optional<steady::time_point> next_wake;
};

void fire(context* ctx, const deadline& d, ev::timestamp now) {
  auto target = ctx->registry->get(d.checkin_id);
  ev::checkin::command cmd;
  if (d.kind == deadline_kind::expire)
    cmd = ev::checkin::expire{now, {}};
  else
    cmd = ev::checkin::announce_expiry{now};
  ctx->ids->supply_message_ids(cmd);
  auto id = d.checkin_id;
  caf::anon_send(target,
                 checkin_request{std::move(cmd), [id](ev::outcome<ev::checkin::state> r) {
                                   if (!r)
                                     spdlog::warn("timer command on {} failed: {}", id,
                                                  r.error().message);
                                 }});
}

void run(caf::stateful_actor<timer_state>* self, context* ctx) {
  auto& st = self->state;
  if (!ctx->effects) return; // a replica: its writer fires (`start_effects` wakes it)
  auto now = ctx->time->now();
  auto steady_now = steady::now();
  if (st.next_wake && *st.next_wake <= steady_now) st.next_wake.reset();
  std::vector<deadline> due;
  std::optional<ev::timestamp> next;
  ctx->reads->read([&](const projections::projection_set& p) {
    due = p.deadlines.due(now, max_fire_per_wake);
    next = p.deadlines.next_after(now);
  });
  std::set<deadline> still_due(due.begin(), due.end());
  for (auto it = st.fired.begin(); it != st.fired.end();)
    it = still_due.count(it->first) ? std::next(it) : st.fired.erase(it);
  std::optional<steady::time_point> retry;
  for (const auto& d : due) {
    auto it = st.fired.find(d);
    if (it != st.fired.end() && steady_now - it->second < refire_after) {
      auto at = it->second + refire_after;
      retry = retry ? std::min(*retry, at) : at;
      continue;
    }
    fire(ctx, d, now);
    st.fired[d] = steady_now;
    auto at = steady_now + refire_after;
    retry = retry ? std::min(*retry, at) : at;
  }
  std::optional<steady::time_point> wake;
  if (due.size() >= max_fire_per_wake)
    wake = steady_now;
  else if (next)
    wake = steady_now +
           std::chrono::milliseconds(std::max<std::int64_t>(0, next->ms - now.ms));
  if (retry) wake = wake ? std::min(*wake, *retry) : retry;
  if (wake && (!st.next_wake || *wake < *st.next_wake)) {
    st.next_wake = wake;
    auto delay =
        std::chrono::duration_cast<std::chrono::milliseconds>(*wake - steady_now);
    self->delayed_send(self, std::max(delay, std::chrono::milliseconds(0)),
                       wake_atom::value);
  }
}

caf::behavior timer_service(caf::stateful_actor<timer_state>* self, context* ctx,
                            std::chrono::milliseconds sweep_every,
                            std::chrono::milliseconds passivate_after) {
  self->delayed_send(self, sweep_every, sweep_atom::value);
  return {
      [self, ctx](wake_atom) { run(self, ctx); },
      [self, ctx, sweep_every, passivate_after](sweep_atom) {
        ctx->registry->sweep(passivate_after);
        self->delayed_send(self, sweep_every, sweep_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_timer_service(caf::actor_system& sys, context* ctx,
                               std::chrono::milliseconds sweep_every,
                               std::chrono::milliseconds passivate_after) {
  return sys.spawn(timer_service, ctx, sweep_every, passivate_after);
}

} // namespace waitroom::actors
