#include "actors/messages.hpp"
#include "actors/services.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <span>

namespace waitroom::actors {

namespace ev = waitroom::events;

namespace {

bool moves_deadlines(const ev::event_data& d) {
  return std::holds_alternative<ev::checkin::created>(d) ||
         std::holds_alternative<ev::checkin::resolved>(d) ||
         std::holds_alternative<ev::checkin::extended>(d) ||
         std::holds_alternative<ev::checkin::expiring>(d);
}

caf::behavior dispatcher(caf::event_based_actor*, context* ctx) {
  return {
      [ctx](committed_group& g) {
        bool wake_timer = false;
        ctx->reads->write([&](projections::projection_set& p) {
          for (const auto& a : g.appends)
            if (a.result)
              for (const auto& e : a.result->events) {
                p.apply(e);
                wake_timer = wake_timer || moves_deadlines(e.data);
              }
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
