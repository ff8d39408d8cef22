#pragma once
/// What the route groups work with: the runtime and read models, the clock (through
/// the runtime), configuration, and the few pieces of process state the API keeps.
/// One instance lives in `api`; every `call` refers to it, and it outlives every
/// request (capture `&s` in a callback, never the call).

#include "actors/runtime.hpp"
#include "http/api/activity.hpp"
#include "http/api/cluster_view.hpp"
#include "http/api/cors.hpp"
#include "http/api/rate_limiter.hpp"
#include "http/crypto/secret_box.hpp"
#include "http/live/status_waiters.hpp"
#include "http/wire/message.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::http {

class event_hub;
class redis_publisher;
class supabase_publisher;
class webhook_worker;
class push_worker;

struct api_options {
  double rate_per_second = 1000; ///< per principal; 0 disables
  double rate_burst = 2000;
  double self_register_per_minute = 10; ///< per client address
  double self_register_burst = 10;
  /// Live room events for the SSE routes (none: they answer 503).
  event_hub* hub = nullptr;
  /// Refuse webhook URLs on loopback and private addresses (`--webhook-deny-private`).
  bool webhook_deny_private = false;
  /// The VAPID public key (base64url) when Web Push is configured.
  std::optional<std::string> vapid_public_key;
  /// Counted in /metrics when set.
  const redis_publisher* redis = nullptr;
  /// Counted in /metrics when set.
  const supabase_publisher* supabase = nullptr;
  /// Webhook delivery (none: the deliveries routes answer 503).
  webhook_worker* webhooks = nullptr;
  /// Web Push, when VAPID keys are configured (none: the push routes answer 503).
  push_worker* push = nullptr;
  /// A Supabase Realtime socket that sends no message for this long is closed
  /// (`--realtime-idle-seconds`).
  std::chrono::milliseconds realtime_idle{60000};
  /// Origins whose pages may call the API (`--cors-origin`; empty: CORS is off).
  std::vector<std::string> cors_origins;
  /// The cluster this node is one of (`serve --nats`; none: a single node).
  const cluster_view* cluster = nullptr;
  /// What requests made in-process (MCP tools) go through; none: this API. A cluster's
  /// node sets the handler that forwards writes to its writer.
  request_handler* in_process = nullptr;
};

/// Counters for /metrics (process lifetime).
struct api_counters {
  std::array<std::atomic<std::uint64_t>, 6>
      by_class{}; ///< 1xx..5xx, index = status / 100
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> idempotent_replays{0};
};

struct services {
  actors::runtime& rt;
  status_waiters& waiters;
  const secret_box& secrets;
  const api_options& options;
  const cors_policy& cors;
  activity_log& activity;
  rate_limiter& self_register_limits;
  api_counters& counters;
  /// Ready: log replayed, accepting writes (`/readyz`; long waits end when it drops).
  const std::atomic<bool>& ready;
  /// The whole API with its middleware, for requests made in-process (MCP tools).
  request_handler& handler;
};

} // namespace waitroom::http
