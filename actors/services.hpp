#pragma once
/// The service actors around the aggregates:
/// - log reader (detached, its own thread): blocking stream reads for hydration.
/// - dispatcher: takes each group commit from the log writer, folds it into the read
///   models, feeds subscribers, then completes the appends (so a reply implies the
///   read models already show the change), and wakes the timer service.
/// - timer service: fires `expire` and `announce_expiry` commands when deadlines of
///   the deadline index are due; overdue ones fire at once; sweeps idle actors.

#include "actors/context.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>

namespace waitroom::actors {

caf::actor spawn_log_reader(caf::actor_system& sys, context* ctx);
caf::actor spawn_dispatcher(caf::actor_system& sys, context* ctx);
/// `sweep_every`/`passivate_after`: how often idle actors are looked for, and after how
/// long without a message an actor is passivated.
caf::actor spawn_timer_service(caf::actor_system& sys, context* ctx,
                               std::chrono::milliseconds sweep_every,
                               std::chrono::milliseconds passivate_after);

} // namespace waitroom::actors
