#include "events/watcher/delivery.hpp"

#include "events/json.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace waitroom::events::watcher {

bool wants(const state& w, std::string_view type, const boost::json::object& data) {
  if (!w.active()) return false;
  if (!w.event_types.empty() &&
      std::find(w.event_types.begin(), w.event_types.end(), type) == w.event_types.end())
    return false;
  return matches_paths(w.filter, &data);
}

next_step after_attempt(int attempt, const attempt_result& r, double jitter) {
  constexpr std::array<duration_ms, max_attempts - 1> backoff{1000, 5000, 25000};
  constexpr duration_ms retry_after_cap = 25000;
  if (r.http_status && *r.http_status >= 200 && *r.http_status < 300)
    return {verdict::delivered};
  const int status = r.http_status.value_or(0);
  const bool retryable =
      !r.refused && (!r.http_status || status >= 500 || status == 408 || status == 429);
  if (!retryable || attempt >= max_attempts) return {verdict::failed};
  const auto index = static_cast<std::size_t>(std::max(attempt, 1) - 1);
  jitter = std::clamp(jitter, -0.2, 0.2);
  auto delay = static_cast<duration_ms>(
      std::llround(static_cast<double>(backoff[index]) * (1.0 + jitter)));
  if (status == 429 && r.retry_after)
    delay = std::clamp<duration_ms>(*r.retry_after, 0, retry_after_cap);
  return {verdict::retry, delay};
}

} // namespace waitroom::events::watcher
