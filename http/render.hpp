#pragma once
/// The API's JSON objects, rendered from domain state and read models. One function per
/// object kind, so every endpoint answers the same shape.

#include "events/agent/state.hpp"
#include "events/checkin/state.hpp"
#include "events/room/state.hpp"
#include "events/trust/score_card.hpp"
#include "events/user/state.hpp"
#include "projections/read_model.hpp"

#include <boost/json/object.hpp>

namespace waitroom::http {

/// The check-in object (API.md "Check-ins"). `room_slug` is the room's current slug.
boost::json::object render_checkin(const events::checkin::state& s, std::string_view room_slug);
/// `{id, status, decision, modifications, decision_reason, updated_at, version}`.
boost::json::object render_status(const events::checkin::state& s);
boost::json::value render_decision(const std::optional<events::checkin::decision_record>& d);
/// The room object, with its policy and queue length.
boost::json::object render_room(const events::room::state& r, std::size_t pending_count);
boost::json::object render_agent(const events::agent::state& a);
boost::json::object render_trust(const events::trust::score_card& c);

/// Looks up the room slug and renders a check-in (under the caller's read lock).
boost::json::object render_checkin(const events::checkin::state& s,
                                   const projections::projection_set& p);

} // namespace waitroom::http
