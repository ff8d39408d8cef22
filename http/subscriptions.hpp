#pragma once
/// Starting a live-event subscription (SSE stream, WebSocket subscription, webhook
/// watcher): registered with the hub first, then, when resuming, the missed events are
/// replayed from the log on the bulk reader lane in parts the client can take, then it
/// goes live: in seq order, no gap, no duplicate.

#include "actors/runtime.hpp"
#include "http/event_hub.hpp"

#include <cstdint>
#include <optional>

namespace waitroom::http {

/// Registers `sub` with the hub and starts it: live from the head, or (with `since`)
/// after replaying what it missed. Returns the hub's id (for `unsubscribe`).
std::uint64_t start_subscription(event_hub& hub, actors::runtime& rt,
                                 event_hub::subscription sub,
                                 std::optional<std::uint64_t> since);

} // namespace waitroom::http
