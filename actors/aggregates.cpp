#include "actors/aggregates.hpp"

#include "actors/aggregate_core.hpp"
#include "events/agent/decider.hpp"
#include "events/checkin/decider.hpp"
#include "events/org/decider.hpp"
#include "events/room/decider.hpp"

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

// --- check-in ----------------------------------------------------------------

using checkin_state = aggregate_actor_state<ev::checkin::state>;

caf::behavior checkin_behavior(caf::stateful_actor<checkin_state>* self, context* ctx,
                               std::string id) {
  auto& core = self->state.core;
  core.init(self, ctx, std::move(id), &ev::checkin::evolve);
  return {
      [&core](const checkin_request& r) {
        decide_and_answer(core, r, [](const ev::checkin::state& s, const auto& cmd) {
          return ev::checkin::decide(s, cmd);
        });
      },
      [&core](const append_done& d) { core.handle(d); },
      [&core](const stream_loaded& l) { core.handle(l); },
      [&core](passivate_atom) { core.passivate(); },
  };
}

// --- room --------------------------------------------------------------------

using room_state = aggregate_actor_state<ev::room::state>;

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
            if (!res) return r.reply(std::move(res).error());
            ev::checkin::state created;
            for (const auto& e : res->events)
              ev::checkin::evolve(created, e);
            if (auto err = ev::checkin::answer_error(created))
              return r.reply(std::move(*err));
            r.reply(std::move(created));
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
          auto stream = decided->front().meta.stream;
          core.append_exclusive(stream, storage::expected_version::no_stream(),
                                std::move(*decided), [r](append_outcome res) {
                                  if (!res) return r.reply(std::move(res).error());
                                  ev::room::state room;
                                  for (const auto& e : res->events)
                                    ev::room::evolve(room, e);
                                  r.reply(std::move(room));
                                });
        });
      },
      [&core](const append_done& d) { core.handle(d); },
      [&core](passivate_atom) { core.passivate(); },
  };
}

// --- agent -------------------------------------------------------------------

using agent_state = aggregate_actor_state<ev::agent::state>;

caf::behavior agent_behavior(caf::stateful_actor<agent_state>* self, context* ctx,
                             std::string id) {
  auto& core = self->state.core;
  core.init(self, ctx, std::move(id), &ev::agent::evolve);
  return {
      [&core](const agent_request& r) {
        decide_and_answer(core, r, [](const ev::agent::state& s, const auto& cmd) {
          return ev::agent::decide(s, cmd);
        });
      },
      [&core](const append_done& d) { core.handle(d); },
      [&core](const stream_loaded& l) { core.handle(l); },
      [&core](passivate_atom) { core.passivate(); },
  };
}

} // namespace

caf::actor spawn_checkin_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(checkin_behavior, ctx, std::move(id));
}

caf::actor spawn_room_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(room_behavior, ctx, std::move(id));
}

caf::actor spawn_org_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(org_behavior, ctx, std::move(id));
}

caf::actor spawn_agent_actor(caf::actor_system& sys, context* ctx, std::string id) {
  return sys.spawn(agent_behavior, ctx, std::move(id));
}

} // namespace waitroom::actors
