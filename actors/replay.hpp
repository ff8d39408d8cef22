#pragma once
/// Folding the log into read models: at start-up, and for `waitroom replay`, which can
/// stop at a seq or a time to show the state as it was then.

#include "projections/read_model.hpp"
#include "storage/event_log.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace waitroom::actors {

struct replay_limits {
  std::optional<std::uint64_t> until_seq;    ///< fold events with seq <= this
  std::optional<events::timestamp> until_at; ///< fold events with at <= this
};

/// Reads a point of the log as `waitroom replay --until` takes it: a seq (digits only)
/// or an RFC 3339 time. Nothing when it is neither.
std::optional<replay_limits> replay_limits_from(std::string_view until);

struct replay_stats {
  std::uint64_t events = 0;   ///< events folded
  std::uint64_t last_seq = 0; ///< seq of the last folded event
  double seconds = 0;         ///< wall time of the fold
};

/// Called now and then with the seq reached and the head seq.
using replay_progress = std::function<void(std::uint64_t seq, std::uint64_t head)>;

/// Folds the log from seq 1 into `into`. Blocking. Errors: the log could not be read or
/// held an undecodable event (INTERNAL, naming the seq).
events::outcome<replay_stats> replay(const storage::event_log& log,
                                     projections::projection_set& into,
                                     const replay_limits& limits = {},
                                     const replay_progress& progress = {});

} // namespace waitroom::actors
