#pragma once
/// The one source of time. Production uses the system clock; deterministic tests use a
/// manual clock that only moves when told to.

#include "events/time.hpp"

#include <atomic>

namespace waitroom::actors {

class clock {
 public:
  virtual ~clock() = default;
  /// The current UTC time. Thread-safe.
  virtual events::timestamp now() const = 0;
};

class system_clock final : public clock {
 public:
  events::timestamp now() const override;
};

/// A clock for tests: starts at `start`, moves only with `advance`/`set`.
class manual_clock final : public clock {
 public:
  explicit manual_clock(events::timestamp start)
      : ms_(start.ms) {}
  events::timestamp now() const override { return {ms_.load()}; }
  void advance(events::duration_ms d) { ms_ += d; }
  void set(events::timestamp t) { ms_ = t.ms; }

 private:
  std::atomic<std::int64_t> ms_;
};

} // namespace waitroom::actors
