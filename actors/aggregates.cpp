#include "actors/aggregates.hpp"

#include "actors/aggregate_core.hpp"
#include "events/agent/decider.hpp"
#include "events/checkin/decider.hpp"
#include "events/org/decider.hpp"
#include "events/room/decider.hpp"
#include "events/signal/decider.hpp"
#include "events/user/decider.hpp"
#include "events/watcher/decider.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

namespace waitroom::actors {

namespace ev = waitroom::events;
using append_outcome = ev::outcome<storage::append_result>;

namespace {

template <class State>
struct aggregate_actor_state {
  aggregate_core<State> core;
};

/// The common shape of "decide on my state, append my events, answer my new state".
template <class State, class Request, class Decide>
void decide_and_answer(aggregate_core<State>& core, const Request& r, Decide decide) {
  core.submit([&core, r, decide](const ev::error* failure) {
    if (failure != nullptr) return r.reply(*failure);
    auto decided = decide(core.state, r.cmd);
    if (!decided) return r.reply(std::move(decided).error());
    if (decided->empty()) return r.reply(core.state);
    core.append_own(std::move(*decided), [&core, r](append_outcome res) {
      if (!res) return r.reply(std::move(res).error());
      r.reply(core.state);
    });
  });
}

/// Events that create new streams, grouped per stream in order, each stream expected
/// not to exist yet.
std::vector<storage::stream_append> as_new_streams(ev::event_list events) {
  std::vector<storage::stream_append> out;
  for (auto& e : events) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& s) { return s.stream == e.meta.stream; });
    if (it == out.end()) {
      out.push_back({e.meta.stream, storage::expected_version::no_stream(), {}});
      it = std::prev(out.end());
    }
    it->events.push_back(std::move(e));
  }
  return out;
}

/// A simple aggregate: one request type, decided and answered with its new state.
template <class State, class Request, void (*Evolve)(State&, const ev::recorded_event&),
          auto Decide>
caf::behavior simple_behavior(caf::stateful_actor<aggregate_actor_state<State>>* self,
                              context* ctx, std::string id) {
  auto& core = self->state.core;
  core.init(self, ctx, std::move(id), Evolve);
  return {
      [&core](const Request& r) {
        decide_and_answer(core, r,
                          [](const State& s, const auto& cmd) { return Decide(s, cmd); });
      },
      [&core](const append_done& d) { core.handle(d); },
      [&core](const stream_loaded& l) { core.handle(l); },
      [&core](passivate_atom) { core.passivate(); },
  };
}

// --- room --------------------------------------------------------------------

using room_state = aggregate_actor_state<ev::room::state>;

/// Answers a freshly created check-in (agent check-in or task) after its commit.
void answer_created(const reply_fn<ev::checkin::state>& reply, append_outcome res) {
  if (!res) return reply(std::move(res).error());
  ev::checkin::state created;
  for (const auto& e : res->events)
    ev::checkin::evolve(created, e);
  if (auto err = ev::checkin::answer_error(created)) return reply(std::move(*err));
  reply(std::move(created));
}

caf::behavior room_behavior(caf::stateful_actor<room_state>* self, context* ctx,
                            std::string id) {
  auto& core = self->state.core;
  core.init(self, ctx, std::move(id), &ev::room::evolve);
  return {
      [&core](const room_request& r) {
        decide_and_answer(core, r, [](const ev::room::state& s, const auto& cmd) {
          return ev::room::decide(s, cmd);
        });
      },
      [&core, ctx](const create_checkin_request& r) {
        core.submit([&core, ctx, r](const ev::error* failure) {
          if (failure != nullptr) return r.reply(*failure);
          const auto& room = core.state;
          double trust = ctx->reads->read([&](const projections::projection_set& p) {
            return p.trust.score(r.cmd.agent_id, room.id);
          });
          auto decided = ev::checkin::decide_create(r.cmd, room, trust);
          if (!decided) return r.reply(std::move(decided).error());
          core.append_new_stream(r.cmd.id, std::move(*decided), [r](append_outcome res) {
            answer_created(r.reply, res);
          });
        });
      },
      [&core](const create_task_request& r) {
        core.submit([&core, r](const ev::error* failure) {
          if (failure != nullptr) return r.reply(*failure);
          auto decided = ev::checkin::decide_create_task(r.cmd, core.state);
          if (!decided) return r.reply(std::move(decided).error());
          core.append_new_stream(r.cmd.id, std::move(*decided), [r](append_outcome res) {
            answer_created(r.reply, res);
          });
        });
      },
      [&core](const signal_request& r) {
        core.submit([&core, r](const ev::error* failure) {
          if (failure != nullptr) return r.reply(*failure);
          auto decided = ev::signal::decide(core.state, r.cmd);
          if (!decided) return r.reply(std::move(decided).error());
          core.append_new_stream(r.cmd.id, std::move(*decided), [r](append_outcome res) {
            if (!res) return r.reply(std::move(res).error());
            r.reply(std::move(res->events));
          });
        });
      },
      [&core](const append_done& d) { core.handle(d); },
      [&core](const stream_loaded& l) { core.handle(l); },
      [&core](passivate_atom) { core.passivate(); },
  };
}

// --- organization ------------------------------------------------------------

using org_state = aggregate_actor_state<ev::org::state>;

caf::behavior org_behavior(caf::stateful_actor<org_state>* self, context* ctx,
                           std::string id) {
  auto& core = self->state.core;
  core.init(self, ctx, id, &ev::org::evolve, /*load=*/false);
  // Write state from the read models: the org and every committed room slug. No room
  // of this org is in flight: rooms are only created through this actor.
  ctx->reads->read([&](const projections::projection_set& p) {
    if (const auto* o = p.dir.org(id)) {
      core.state.id = o->id;
      core.state.name = o->name;
      core.state.version = 1;
      for (auto& slug : p.rooms.slugs_of(id))
        core.state.room_slugs.insert(std::move(slug));
    }
  });
  core.mark_ready();
  return {
      [&core](const org_request& r) {
        core.submit([&core, r](const ev::error* failure) {
          if (failure != nullptr) return r.reply(*failure);
          auto decided = ev::org::decide(core.state, r.cmd);
          if (!decided) return r.reply(std::move(decided).error());
          core.append_exclusive(as_new_streams(std::move(*decided)),
                                [r](append_outcome res) {
                                  if (!res) return r.reply(std::move(res).error());
                                  r.reply(std::move(res->events));
                                });
        });
      },
      [&core](const append_done& d) { core.handle(d); },
      [&core](passivate_atom) { core.passivate(); },
  };
}

// --- simple aggregates ---------------------------------------------------------

ev::outcome<ev::event_list> decide_checkin(const ev::checkin::state& s,
                                           const ev::checkin::command& c) {
  return ev::checkin::decide(s, c);
}
ev::outcome<ev::event_list> decide_agent(const ev::agent::state& s,
                                         const ev::agent::command& c) {
  return ev::agent::decide(s, c);
}
ev::outcome<ev::event_list> decide_user(const ev::user::state& s,
                                        const ev::user::command& c) {
  return ev::user::decide(s, c);
}
ev::outcome<ev::event_list> decide_watcher(const ev::watcher::state& s,
                                           const ev::watcher::command& c) {
  return ev::watcher::decide(s, c);
}

} // namespace

caf::actor spawn_checkin_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(simple_behavior<ev::checkin::state, checkin_request,
                                   &ev::checkin::evolve, &decide_checkin>,
                   ctx, std::move(id));
}

caf::actor spawn_room_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(room_behavior, ctx, std::move(id));
}

caf::actor spawn_org_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(org_behavior, ctx, std::move(id));
}

caf::actor spawn_agent_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(
      simple_behavior<ev::agent::state, agent_request, &ev::agent::evolve, &decide_agent>,
      ctx, std::move(id));
}

caf::actor spawn_user_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(
      simple_behavior<ev::user::state, user_request, &ev::user::evolve, &decide_user>,
      ctx, std::move(id));
}

caf::actor spawn_watcher_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(simple_behavior<ev::watcher::state, watcher_request,
                                   &ev::watcher::evolve, &decide_watcher>,
                   ctx, std::move(id));
}

} // namespace waitroom::actors
