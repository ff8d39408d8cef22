#pragma once
/// `--supabase-url URL --supabase-key KEY`: every committed room event is POSTed to the
/// Supabase project's broadcast endpoint `URL/realtime/v1/api/broadcast` (API.md
/// "Supabase Realtime", outbound) as `{"messages": [{topic: "room:<room_id>:events",
/// event: <type>, payload: <stream envelope>, private: false}, ...]}`, with `apikey` and
/// `Authorization: Bearer` set to the key.
///
/// A thread of its own sends one batch at a time (so the order of the log, and with it
/// each room's order, is kept) through the outbound client. 5xx, 429 and no answer are
/// retried with backoff (honouring `Retry-After`) and lose nothing; any other 4xx is
/// logged and its batch dropped (counted). The queue is bounded: past it the oldest
/// events are dropped (counted). API writes never wait for any of it.

#include "events/event.hpp"
#include "http/outbound/client.hpp"
#include "http/outbound/publish_queue.hpp"
#include "projections/read_model.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace waitroom::http {

struct supabase_options {
  std::string broadcast_url; ///< from `broadcast_url_of`
  std::string key;
  std::size_t batch_max = 100;     ///< messages per POST
  std::size_t max_queued = 100000; ///< beyond this the oldest are dropped
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds first_backoff{200};
  std::chrono::milliseconds max_backoff{10000};
};

/// `URL/realtime/v1/api/broadcast` for an http(s) project URL (a trailing `/` is
/// ignored); nothing when `url` is not one.
std::optional<std::string> broadcast_url_of(std::string_view url);

class supabase_publisher {
 public:
  supabase_publisher(supabase_options options, const projections::read_model& reads,
                     outbound_client& client);
  ~supabase_publisher();
  supabase_publisher(const supabase_publisher&) = delete;
  supabase_publisher& operator=(const supabase_publisher&) = delete;

  /// The runtime's subscriber: renders the room events and queues them (never blocks).
  void on_committed(const std::vector<events::recorded_event>& events);

  std::uint64_t published() const { return published_.load(); }
  std::uint64_t dropped() const { return queue_.dropped(); }
  std::uint64_t retries() const { return retries_.load(); }

 private:
  void run();
  /// POSTs `body` and waits for the answer (or the time limit, or stopping).
  std::optional<outbound_result> send(const std::string& body);

  supabase_options options_;
  const projections::read_model& reads_;
  outbound_client& client_;
  publish_queue<std::string> queue_; ///< rendered messages
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::thread thread_;
};

} // namespace waitroom::http
