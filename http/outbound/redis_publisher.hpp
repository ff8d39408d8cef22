#pragma once
/// `--redis-url redis://[:password@]host:port[/db]`: every committed room event is
/// PUBLISHed, in seq order, to `room:{room_id}:events` with the stream envelope as the
/// payload (API.md "Real-time events"). A thread of its own talks to Redis (blocking
/// hiredis calls never run on actor or io threads); while Redis is unreachable, events
/// are dropped for Redis only (counted), a warning is logged, and it reconnects with
/// backoff. API writes never wait for it.

#include "events/event.hpp"
#include "http/outbound/publish_queue.hpp"
#include "projections/read_model.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace waitroom::http {

struct redis_target {
  std::string host;
  std::uint16_t port = 6379;
  std::string password;
  int db = 0;
};

/// Parses `redis://[:password@]host:port[/db]`; nothing when it is not one.
std::optional<redis_target> parse_redis_url(std::string_view url);

class redis_publisher {
 public:
  redis_publisher(redis_target target, const projections::read_model& reads);
  ~redis_publisher();
  redis_publisher(const redis_publisher&) = delete;
  redis_publisher& operator=(const redis_publisher&) = delete;

  /// The runtime's subscriber: renders the room events and queues them (never blocks).
  void on_committed(const std::vector<events::recorded_event>& events);

  std::uint64_t published() const { return published_.load(); }
  std::uint64_t dropped() const { return queue_.dropped(); }

 private:
  struct message {
    std::string channel;
    std::shared_ptr<const std::string> payload;
  };
  void run();

  redis_target target_;
  const projections::read_model& reads_;
  publish_queue<message> queue_;
  std::atomic<std::uint64_t> published_{0};
  std::thread thread_;
};

} // namespace waitroom::http
