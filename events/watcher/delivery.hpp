#pragma once
/// The rules of webhook delivery (API.md "Watchers and signals", "Stream details"):
///
/// - A watcher wants a committed room event when it is not deleted, the
///   event's type is in `event_types` (empty = all), and every dotted path of `filter`
///   has an equal value in the event's `data` (policy `metadata` matching).
/// - One delivery is up to 4 attempts of 5 s each. 2xx delivers. 5xx, 408, 429,
///   connection errors and timeouts are retried after 1 s, 5 s and 25 s (measured from
///   the end of the previous attempt, ±20% jitter at most); a 429's `Retry-After` is
///   honoured up to 25 s. 3xx (redirects are not followed) and other 4xx fail at once,
///   and so does a target the server refuses to contact.
/// - After 20 consecutive failed deliveries (deliveries, not attempts) the watcher is
///   disabled.

#include "events/time.hpp"
#include "events/watcher/state.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace waitroom::events::watcher {

/// Whether `w` wants an event of `type` whose envelope `data` is `data`.
bool wants(const state& w, std::string_view type, const boost::json::object& data);

/// What one attempt got back.
struct attempt_result {
  std::optional<int> http_status;         ///< none: connection error or timeout
  std::optional<duration_ms> retry_after; ///< a 429's `Retry-After`
  /// The server would not send it (a private address under `--webhook-deny-private`, a
  /// URL it cannot use): final, as retrying cannot change it.
  bool refused = false;
};

enum class verdict { delivered, retry, failed };

struct next_step {
  verdict what = verdict::failed;
  duration_ms delay = 0; ///< before the next attempt, for `retry`
};

inline constexpr int max_attempts = 4;
inline constexpr duration_ms attempt_timeout_ms = 5000;
inline constexpr int disable_after_failed_deliveries = 20;

/// After attempt number `attempt` (1 = the first) ended with `r`. `jitter` in
/// [-0.2, 0.2] scales the backoff (the caller draws it; tests pass 0).
next_step after_attempt(int attempt, const attempt_result& r, double jitter = 0.0);

/// Whether a watcher with this many consecutive failed deliveries is to be disabled.
constexpr bool should_disable(int consecutive_failed_deliveries) {
  return consecutive_failed_deliveries >= disable_after_failed_deliveries;
}

} // namespace waitroom::events::watcher
