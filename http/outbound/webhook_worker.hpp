#pragma once
/// Webhook delivery (API.md "Watchers and signals", "Stream details"). Each active
/// watcher is a hub subscription on its room, started from the watcher's cursor like a
/// resuming stream, whose events are delivered one at a time, in seq order, by the
/// rules of events/watcher/delivery.hpp: signed POSTs on the outbound client's own
/// thread, retries with backoff, a deliveries log of every attempt, and the watcher
/// disabled (`watcher.disabled`) after 20 failed deliveries in a row. One watcher's slow
/// receiver never delays another watcher, a stream or an API answer.
///
/// What survives a restart lives in the log's side records:
/// - the cursor `\x01wc/<watcher>` = `{seq, failures}`: every event up to `seq` is
///   finished (delivered, failed for good, or not wanted), so deliveries resume after
///   it; written after each finished delivery, so a crash repeats at most the delivery
///   that was in flight (at least once; receivers deduplicate on `Waitroom-Delivery`);
/// - one row per attempt `\x01wd/<watcher>/<position>`, listed newest first;
/// - the body of each delivery `\x01wb/<delivery id>`, for a redelivery.
/// Rows and bodies are kept for 7 days (`purge`).

#include "actors/runtime.hpp"
#include "http/crypto/secret_box.hpp"
#include "http/live/event_hub.hpp"
#include "http/outbound/client.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace waitroom::http {

struct webhook_options {
  bool deny_private = false; ///< `--webhook-deny-private`, checked on resolved addresses
  std::size_t buffer =
      1 << 20; ///< envelopes queued per watcher before it re-reads the log
};

class webhook_worker {
 public:
  webhook_worker(actors::runtime& rt, event_hub& hub, outbound_client& client,
                 secret_box secrets, webhook_options options = {});
  ~webhook_worker();

  /// After the log is replayed: starts every active watcher from its cursor.
  void start();
  /// The runtime's subscriber: starts and stops watchers as they are created, disabled
  /// and deleted.
  void on_committed(const std::vector<events::recorded_event>& events);
  /// Sends delivery `delivery_id` again (same id, attempts from 1, its own retries; it
  /// moves no cursor and counts toward no disabling). `done` gets NOT_FOUND when the
  /// delivery is unknown, too old or another watcher's, CONFLICT when the watcher no
  /// longer delivers (disabled or deleted meanwhile).
  void redeliver(const std::string& watcher_id, const std::string& delivery_id,
                 std::function<void(events::outcome<void>)> done);
  /// Deletes rows and bodies older than 7 days (bulk reader lane); `done` gets how many.
  void purge(std::function<void(events::outcome<std::size_t>)> done);
  /// Stops every watcher (in-flight attempts are abandoned: delivered again after a
  /// restart). Idempotent.
  void stop();

  std::uint64_t delivered() const { return delivered_.load(); }
  std::uint64_t failed() const { return failed_.load(); }

  struct run;

 private:
  void start_watcher(const events::watcher::state& w, std::uint64_t cursor, int failures);
  void stop_watcher(const std::string& id);

  actors::runtime& rt_;
  event_hub& hub_;
  outbound_client& client_;
  secret_box secrets_;
  webhook_options options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<run>> runs_;
  std::set<std::string> ended_; ///< disabled or deleted: never started again
  bool stopped_ = false;
  std::atomic<std::uint64_t> delivered_{0}, failed_{0};
};

} // namespace waitroom::http
