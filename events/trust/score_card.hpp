#pragma once
/// Trust: how far the humans of a room have come to trust an agent there.
///
/// Per (agent, room): starts at 15, clamped to [0, 100]. Only human decisions and
/// `cancel` expiries move it: approve +1.0, modify +0.6, reject -0.3, expiry -0.1.
/// Automatic outcomes (policy rules, trust thresholds, timeout auto-approve) and
/// withdrawals change nothing. A check-in with several approvers counts once, by its
/// final outcome. Counters count final outcomes whoever decided; `total_check_ins`
/// counts every created check-in.
///
/// Scores are kept in tenths so that the arithmetic is exact.
///
/// The trend is the score after each of its last `trend_kept` moves (oldest first): the
/// direction the room's people have been taking, without a fold of the log.

#include "events/checkin/terms.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace waitroom::events::trust {

inline constexpr int initial_tenths = 150;
inline constexpr int min_tenths = 0;
inline constexpr int max_tenths = 1000;
inline constexpr std::size_t trend_kept = 8;

/// The score after one move, and when it moved.
struct trend_point {
  int tenths = 0;
  timestamp at;

  /// As the API shows scores (one decimal).
  double score() const noexcept { return tenths / 10.0; }
};

struct score_card {
  std::string agent_id;
  std::string room_id;
  int tenths = initial_tenths;
  std::int64_t total_check_ins = 0;
  std::int64_t approved_count = 0;
  std::int64_t rejected_count = 0;
  std::int64_t modified_count = 0;
  std::int64_t expired_count = 0;
  std::int64_t withdrawn_count = 0;
  timestamp updated_at;
  std::array<trend_point, trend_kept> recent{}; ///< the last moves, oldest first
  std::size_t recent_count = 0;

  /// The score as the API shows it (one decimal).
  double score() const noexcept { return tenths / 10.0; }

  /// The score after each of the last moves, oldest first (empty: it never moved).
  std::span<const trend_point> trend() const noexcept {
    return {recent.data(), recent_count};
  }
};

/// The change a final decision makes to the score, in tenths.
int delta_tenths(const checkin::decision_record& d) noexcept;

/// A check-in was created by the agent in the room.
void count_created(score_card& card, timestamp at) noexcept;

/// A check-in of the agent in the room reached its final outcome. A move of the score
/// joins the trend (the oldest move leaves it once `trend_kept` are kept).
void apply_outcome(score_card& card, const checkin::decision_record& d) noexcept;

} // namespace waitroom::events::trust
