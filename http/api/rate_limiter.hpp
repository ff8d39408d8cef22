#pragma once
/// Token buckets keyed by a string (a principal id, a client address). Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace waitroom::http {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// `per_second` tokens refill each second up to `burst`; `per_second <= 0` disables.
  rate_limiter(double per_second, double burst)
      : rate_(per_second)
      , burst_(burst) {}

  /// Takes one token for `key`. When none is left, returns the whole seconds until one
  /// will be (the `Retry-After` header), else 0.
  std::int64_t take(const std::string& key, clock::time_point now = clock::now());

  bool enabled() const { return rate_ > 0; }

 private:
  struct bucket {
    double tokens;
    clock::time_point at;
  };
  double rate_;
  double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, bucket> buckets_;
  clock::time_point last_sweep_{};
};

} // namespace waitroom::http
