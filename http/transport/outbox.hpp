#pragma once
/// The queue of a long-lived connection (an SSE stream or a WebSocket): messages queued
/// by any thread, written one at a time in order on the connection's executor, bounded
/// in bytes. Over budget, the connection is too slow and closes (the client resumes).

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace waitroom::http {

class outbox {
 public:
  explicit outbox(std::size_t capacity)
      : capacity_(capacity) {}

  std::size_t capacity() const { return capacity_; }

  /// Any thread: counts `bytes` as queued; false when that exceeds the budget (the
  /// caller then closes the connection instead of queueing).
  bool reserve(std::size_t bytes) {
    return queued_.fetch_add(bytes) + bytes <= capacity_;
  }

  // The rest runs on the connection's executor only.

  void push(std::shared_ptr<const std::string> msg) { queue_.push_back(std::move(msg)); }

  /// The next message to write, if none is being written: it is now being written.
  std::shared_ptr<const std::string> start_write() {
    if (writing_ || queue_.empty()) return nullptr;
    writing_ = true;
    return queue_.front();
  }

  /// Callbacks to run now.
  using callbacks = std::vector<std::function<void()>>;

  /// The message from `start_write` is written (or failed): the callbacks waiting for
  /// the queue to drain, if they may run now.
  callbacks written() {
    writing_ = false;
    queued_ -= queue_.front()->size();
    queue_.pop_front();
    return take_drained();
  }

  /// Keeps `fn` (beside any other waiting one: several replays may share a connection)
  /// until at most half the budget is queued; returns them when that holds now.
  callbacks when_drained(std::function<void()> fn) {
    drained_.push_back(std::move(fn));
    return take_drained();
  }

  bool empty() const { return queue_.empty(); }

 private:
  callbacks take_drained() {
    if (drained_.empty() || queued_.load() > capacity_ / 2) return {};
    return std::exchange(drained_, {});
  }

  const std::size_t capacity_;
  std::atomic<std::size_t> queued_{0};
  std::deque<std::shared_ptr<const std::string>> queue_;
  callbacks drained_;
  bool writing_ = false;
};

} // namespace waitroom::http
