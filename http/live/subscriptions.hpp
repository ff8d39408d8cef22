#pragma once
/// Starting a live-event subscription (SSE stream, WebSocket subscription, webhook
/// watcher): registered with the hub first, then, when resuming, the missed events are
/// replayed from the log on the bulk reader lane in parts the client can take, then it
/// goes live: in seq order, no gap, no duplicate.

#include "actors/runtime.hpp"
#include "http/live/event_hub.hpp"

#include <cstdint>
#include <optional>

namespace waitroom::http {

/// A subscription the hub holds events for, not started yet.
struct registered_subscription {
  std::uint64_t id = 0;   ///< the hub's id (for `unsubscribe`)
  std::uint64_t head = 0; ///< the log position when it was registered
};

/// Step one: registers `sub`; from now on nothing committed is missed.
registered_subscription register_subscription(event_hub& hub, actors::runtime& rt,
                                              event_hub::subscription sub);
/// Step two (`sub.sink` may be a new one by now): live from the head it was registered
/// at, or (with `since`) after replaying what it missed.
void start_subscription(event_hub& hub, actors::runtime& rt, registered_subscription reg,
                        event_hub::subscription sub, std::optional<std::uint64_t> since);

/// Both at once. Returns the hub's id.
std::uint64_t start_subscription(event_hub& hub, actors::runtime& rt,
                                 event_hub::subscription sub,
                                 std::optional<std::uint64_t> since);

} // namespace waitroom::http
