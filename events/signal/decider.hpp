#pragma once
/// Signals: a person broadcasts `{type, payload}` to a room. Types have 1-100
/// characters; payloads are JSON objects of at most 10 KiB (compact).

#include "events/event.hpp"
#include "events/outcome.hpp"
#include "events/room/state.hpp"

#include <boost/json/object.hpp>

namespace waitroom::events::signal {

/// `POST /v1/rooms/:room/signal`.
struct broadcast_signal {
  std::string id;
  std::string type;
  boost::json::object payload;
  actor_ref by;
  timestamp now;
};

/// The `signal.broadcast` event (in the signal's own stream), or VALIDATION_ERROR.
outcome<event_list> decide(const room::state& room, const broadcast_signal& cmd);

} // namespace waitroom::events::signal
