#pragma once
/// All read models, folded from committed events in seq order, behind one lock.
///
/// Writer: the dispatcher (one thread at a time), in seq order, before any append is
/// acknowledged, so a read issued after a 2xx sees the change. Readers: HTTP handlers
/// and actors, through `read()`, which holds a shared lock for the duration of the
/// callback (copy out what you need; never block inside it).

#include "projections/checkin_index.hpp"
#include "projections/deadlines.hpp"
#include "projections/directory.hpp"
#include "projections/room_directory.hpp"
#include "projections/trust_scores.hpp"
#include "projections/watchers.hpp"

#include <cstdint>
#include <shared_mutex>
#include <span>

namespace waitroom::projections {

/// The projections themselves, without locking (replay folds into one directly).
struct projection_set {
  directory dir;
  room_directory rooms;
  checkin_index checkins;
  trust_scores trust;
  class deadlines deadlines;
  class watchers watchers;
  class signals signals;
  std::uint64_t applied_seq = 0; ///< last folded seq
  std::uint64_t applied_events = 0;

  /// Folds one committed event. Events must come in seq order.
  void apply(const events::recorded_event& e);
};

class read_model {
 public:
  /// Folds committed events (in seq order) under the exclusive lock.
  void apply(std::span<const events::recorded_event> events);

  /// Runs `f(const projection_set&)` under the shared lock and returns its result.
  template <class F>
  decltype(auto) read(F&& f) const {
    std::shared_lock lock(mu_);
    return std::forward<F>(f)(static_cast<const projection_set&>(set_));
  }

  /// Runs `f(projection_set&)` under the exclusive lock (the dispatcher's fold).
  template <class F>
  void write(F&& f) {
    std::unique_lock lock(mu_);
    std::forward<F>(f)(set_);
  }

  /// Exclusive access for start-up replay (no concurrent readers yet).
  projection_set& unsynchronized() { return set_; }

 private:
  mutable std::shared_mutex mu_;
  projection_set set_;
};

} // namespace waitroom::projections
