#pragma once
/// The queue between the committing thread and a publisher's own thread (Redis,
/// Supabase): the producer never waits; past `capacity` the oldest items go (counted in
/// `dropped`, which the publisher also counts its own drops in). The consumer takes in
/// order, and waits (for items, or between retries) until `stop`.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace waitroom::http {

template <class T>
class publish_queue {
 public:
  explicit publish_queue(std::size_t capacity)
      : capacity_(capacity) {}

  /// Appends `items` in order (never blocks on the consumer).
  void push(std::vector<T> items) {
    if (items.empty()) return;
    {
      std::lock_guard lock(mu_);
      for (auto& item : items) {
        if (queue_.size() >= capacity_) {
          queue_.pop_front();
          ++dropped_;
        }
        queue_.push_back(std::move(item));
      }
    }
    wake_.notify_one();
  }

  /// Waits for an item, then takes up to `max` from the front; empty once stopped.
  std::vector<T> take(std::size_t max) {
    std::vector<T> out;
    std::unique_lock lock(mu_);
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return out;
    const auto n = std::min(max, queue_.size());
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    return out;
  }

  /// Drops everything waiting (counted).
  void drop_waiting() {
    std::lock_guard lock(mu_);
    dropped_ += queue_.size();
    queue_.clear();
  }

  /// Waits `d`, or less when stopped: true once stopped.
  bool pause(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return wake_.wait_for(lock, d, [&] { return stopping_; });
  }

  bool stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  /// Ends every wait; `take` answers empty from now on.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
  }

  void count_dropped(std::uint64_t n) { dropped_ += n; }
  std::uint64_t dropped() const { return dropped_.load(); }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<T> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> dropped_{0};
};

} // namespace waitroom::http
