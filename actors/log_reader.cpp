#include "actors/messages.hpp"
#include "actors/services.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/spawn_options.hpp>

namespace waitroom::actors {

namespace {

caf::behavior log_reader(caf::event_based_actor*, context* ctx) {
  return {
      [ctx](const load_stream& l) { l.reply(ctx->log->read_stream(l.stream)); },
      [ctx](const log_job& j) { j.run(*ctx->log); },
  };
}

} // namespace

caf::actor spawn_log_reader(caf::actor_system& sys, context* ctx) {
  // Detached: it blocks on RocksDB reads, so it gets a thread of its own.
  return sys.spawn<caf::detached>(log_reader, ctx);
}

} // namespace waitroom::actors
