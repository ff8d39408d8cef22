#include "http/api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace waitroom::http {

std::int64_t rate_limiter::take(const std::string& key, clock::time_point now) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mu_);
  // Forget buckets that have been full for a while, so memory follows active clients.
  if (now - last_sweep_ > std::chrono::minutes(1)) {
    auto full_after = std::chrono::duration<double>(burst_ / rate_ + 60.0);
    std::erase_if(buckets_,
                  [&](const auto& kv) { return now - kv.second.at > full_after; });
    last_sweep_ = now;
  }
  auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now});
  auto& b = it->second;
  if (!fresh) {
    double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / rate_)));
}

} // namespace waitroom::http
