#pragma once
/// Maps aggregate ids to their actors: spawns an actor on first use (it hydrates from
/// its stream) and passivates actors idle for longer than a threshold. The actor kind
/// follows the id prefix (`ci_`, `rm_`, `org_`, `ag_`, `us_`, `w_`).
///
/// Thread-safe: called from io threads (to send commands) and from the timer service.

#include "actors/context.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace waitroom::actors {

class registry {
 public:
  registry(caf::actor_system& sys, context& ctx)
      : sys_(sys)
      , ctx_(ctx) {}

  /// The actor of `id`, spawned if needed. An unknown prefix yields an invalid handle.
  caf::actor get(std::string_view id);

  /// Sends `passivate` to every actor unused for `idle` and forgets it. A message sent
  /// later spawns a fresh actor. Returns how many were passivated.
  std::size_t sweep(std::chrono::steady_clock::duration idle);

  /// Number of live actors.
  std::size_t size() const;

  /// Asks every actor to stop and forgets them all (shutdown).
  void stop_all();

 private:
  struct entry {
    caf::actor handle;
    std::chrono::steady_clock::time_point last_used;
  };
  caf::actor_system& sys_;
  context& ctx_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, entry> actors_;
};

} // namespace waitroom::actors
