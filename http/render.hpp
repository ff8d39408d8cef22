#pragma once
/// The API's JSON objects, written from domain state and read models. One function per
/// object kind, so every endpoint (and `waitroom replay`) answers the same shape. They
/// stream into a `json_writer`: these objects are rendered on every write and read.

#include "events/agent/state.hpp"
#include "events/checkin/state.hpp"
#include "events/json_writer.hpp"
#include "events/room/state.hpp"
#include "events/trust/score_card.hpp"
#include "projections/read_model.hpp"

#include <optional>
#include <string_view>

namespace waitroom::http {

using events::json_writer;

/// The check-in object (API.md "Check-ins"). `room_slug` is the room's current slug.
void write_checkin(json_writer& w, const events::checkin::state& s,
                   std::string_view room_slug);
/// Looks up the room slug and writes a check-in (under the caller's read lock).
void write_checkin(json_writer& w, const events::checkin::state& s,
                   const projections::projection_set& p);
/// `{id, status, decision, modifications, decision_reason, updated_at, version}`.
void write_status(json_writer& w, const events::checkin::state& s);
void write_decision(json_writer& w,
                    const std::optional<events::checkin::decision_record>& d);
/// The room object, with its policy and queue length.
void write_room(json_writer& w, const events::room::state& r, std::size_t pending_count);
void write_agent(json_writer& w, const events::agent::state& a);
void write_trust(json_writer& w, const events::trust::score_card& c);

} // namespace waitroom::http
