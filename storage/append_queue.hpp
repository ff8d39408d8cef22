#pragma once
/// Internal to storage/: the queue between appenders and a log's writer thread (the
/// RocksDB log and the JetStream log). Appends wait here until the writer takes all of
/// them at once, as one group; after `close` nothing more is taken in and the writer
/// drains what is queued, then stops. The commit handler travels with it, so that the
/// writer picks up a new one between groups.

#include "storage/event_log.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

namespace waitroom::storage::detail {

class append_queue {
 public:
  struct pending {
    append_request request;
    append_callback done;
  };

  /// Queues an append; false (and `done` left to the caller) once closing.
  bool push(append_request& req, append_callback& done) {
    std::lock_guard lock{mu_};
    if (closing_) return false;
    queue_.push_back({std::move(req), std::move(done)});
    cv_.notify_one();
    return true;
  }

  void set_handler(commit_handler handler) {
    std::lock_guard lock{mu_};
    handler_ = std::move(handler);
    handler_changed_ = true;
  }
  /// The handler now (for commits the writer did not make: a follower's).
  commit_handler handler() const {
    std::lock_guard lock{mu_};
    return handler_;
  }

  /// The writer: puts what is left in `batch` back in front, waits for appends, and
  /// takes them all into `batch` (`handler` updated when it changed). False once
  /// closing with nothing queued: the writer stops.
  bool take(std::deque<pending>& batch, commit_handler& handler) {
    std::unique_lock lock{mu_};
    while (!batch.empty()) {
      queue_.push_front(std::move(batch.back()));
      batch.pop_back();
    }
    cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
    if (queue_.empty()) return false;
    batch.swap(queue_);
    if (handler_changed_) {
      handler = handler_;
      handler_changed_ = false;
    }
    return true;
  }

  void close() {
    {
      std::lock_guard lock{mu_};
      closing_ = true;
    }
    cv_.notify_all();
  }
  bool closing() const {
    std::lock_guard lock{mu_};
    return closing_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<pending> queue_;
  commit_handler handler_;
  bool handler_changed_ = false;
  bool closing_ = false;
};

} // namespace waitroom::storage::detail
