#pragma once
/// Long-poll support: requests waiting for a check-in to leave its waiting statuses.
/// A waiter is woken by the commit of any event of its check-in (the dispatcher calls
/// `on_committed` after the read models include it), never by polling.
///
/// Thread-safe. Waiters run on the dispatcher thread or on the caller of `release_all`
/// and must not block.

#include "events/event.hpp"
#include "http/wire/message.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace waitroom::http {

class status_waiters {
 public:
  /// Called on each commit of the check-in (`releasing` false), or at shutdown
  /// (`releasing` true: answer now, whatever the status). Returns true when it is done
  /// (answered) and must be forgotten, false to keep waiting.
  using waiter = std::function<bool(bool releasing)>;
  using handle = std::shared_ptr<waiter>;

  /// Registers `w` for `checkin_id`. Register before reading the current status, so
  /// that no commit can slip between the read and the registration.
  handle wait(const std::string& checkin_id, waiter w);

  /// Forgets a waiter (its deadline passed).
  void cancel(const std::string& checkin_id, const handle& h);

  /// The answer of a check-in's current state: with `final_only`, nothing while it
  /// still waits (`checkin::is_waiting`).
  using answer_of = std::function<std::optional<response>(bool final_only)>;

  /// Answers a long-poll on `checkin_id` once: at once if it is final, else on the
  /// commit that makes it so, at shutdown, or after `wait` with what it is then.
  /// Registers before it looks, so that no commit can slip between the two.
  void long_poll(const std::string& checkin_id, std::chrono::milliseconds wait,
                 deferrer& later, answer_of current, responder respond);

  /// Dispatcher subscriber: wakes the waiters of every check-in in `events`.
  void on_committed(const std::vector<events::recorded_event>& events);

  /// Shutdown: wakes every waiter once (they answer with the current status) and
  /// refuses nothing afterwards; new waits are woken at once.
  void release_all();

  std::size_t size() const;

 private:
  void wake(const std::string& checkin_id);
  mutable std::mutex mu_;
  bool released_ = false;
  std::unordered_map<std::string, std::vector<handle>> waiting_;
};

} // namespace waitroom::http
