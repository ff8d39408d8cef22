#include "actors/messages.hpp"
#include "actors/services.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <span>

namespace waitroom::actors {

namespace ev = waitroom::events;

namespace {

caf::behavior dispatcher(caf::event_based_actor*, context* ctx) {
  return {
      [ctx](committed_group& g) {
        // The timer sleeps until the earliest deadline: wake it whenever that moved
        // (a new or extended deadline, or one that came back with a released task).
        bool wake_timer = false;
        ctx->reads->write([&](projections::projection_set& p) {
          const auto before = p.deadlines.earliest();
          for (const auto& a : g.appends)
            if (a.result)
              for (const auto& e : a.result->events)
                p.apply(e);
          wake_timer = p.deadlines.earliest() != before;
        });
        for (const auto& a : g.appends)
          if (a.result)
            for (const auto& s : ctx->subscribers)
              s(a.result->events);
        for (auto& a : g.appends)
          if (a.done) a.done(std::move(a.result));
        if (wake_timer) caf::anon_send(ctx->timer, wake_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_dispatcher(caf::actor_system& sys, context* ctx) {
  return sys.spawn(dispatcher, ctx);
}

} // namespace waitroom::actors
