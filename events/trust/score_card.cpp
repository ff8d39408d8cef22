#include "events/trust/score_card.hpp"

#include <algorithm>

namespace waitroom::events::trust {

using checkin::resolution;

int delta_tenths(const checkin::decision_record& d) noexcept {
  if (d.outcome == resolution::expired)
    return -1; // only `cancel` expires; `auto_approve` approves, `hold` never fires
  if (d.by.kind != actor_kind::user) return 0;
  switch (d.outcome) {
  case resolution::approved:
    return 10;
  case resolution::modified:
    return 6;
  case resolution::rejected:
    return -3;
  default:
    return 0;
  }
}

void count_created(score_card& card, timestamp at) noexcept {
  ++card.total_check_ins;
  card.updated_at = at;
}

void apply_outcome(score_card& card, const checkin::decision_record& d) noexcept {
  switch (d.outcome) {
  case resolution::approved:
    ++card.approved_count;
    break;
  case resolution::rejected:
    ++card.rejected_count;
    break;
  case resolution::modified:
    ++card.modified_count;
    break;
  case resolution::expired:
    ++card.expired_count;
    break;
  case resolution::withdrawn:
    ++card.withdrawn_count;
    break;
  }
  int before = card.tenths;
  card.tenths = std::clamp(card.tenths + delta_tenths(d), min_tenths, max_tenths);
  card.updated_at = d.at;
  if (card.tenths == before) return;
  if (card.recent_count == trend_kept) {
    std::shift_left(card.recent.begin(), card.recent.end(), 1);
    --card.recent_count;
  }
  card.recent[card.recent_count++] = trend_point{card.tenths, d.at};
}

} // namespace waitroom::events::trust
