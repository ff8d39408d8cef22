#pragma once
/// What every actor may reach: the log, the read models, the clock, the id source,
/// the registry and the log reader. Owned by `runtime`, which outlives all actors.

#include "actors/clock.hpp"
#include "actors/id_source.hpp"
#include "projections/read_model.hpp"
#include "storage/event_log.hpp"

#include <caf/actor.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <vector>

namespace waitroom::actors {

class registry;

/// Called on the dispatcher's thread with each group of committed events, after the
/// read models include them. Must not block.
using subscriber = std::function<void(const std::vector<events::recorded_event>&)>;

struct context {
  storage::event_log* log = nullptr;
  projections::read_model* reads = nullptr;
  const clock* time = nullptr;
  id_source* ids = nullptr;
  actors::registry* registry = nullptr;
  caf::actor reader;      ///< the log reader (detached: blocking reads live there)
  caf::actor bulk_reader; ///< a second reader for long scans (audit, verify)
  caf::actor timer;       ///< the timer service
  std::atomic<bool> effects{true};     ///< the timer fires deadlines (`runtime::effects`)
  std::vector<subscriber> subscribers; ///< fixed before the first commit
};

} // namespace waitroom::actors
