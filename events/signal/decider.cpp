#include "events/signal/decider.hpp"

#include "events/json.hpp"

namespace waitroom::events::signal {

outcome<event_list> decide(const room::state& room, const broadcast_signal& c) {
  if (!room.exists()) return not_found("room not found");
  auto n = utf8_length(c.type);
  if (n < 1 || n > 100) return validation_error("type", "must have 1-100 characters");
  if (compact_size(boost::json::value(c.payload)) > 10 * 1024)
    return validation_error("payload", "must serialize to at most 10240 bytes");
  event_list out;
  out.push_back(make_event(c.id, room.org_id, room.id, c.by, c.now,
                           broadcast{c.id, room.id, c.type, c.payload}));
  return out;
}

} // namespace waitroom::events::signal
