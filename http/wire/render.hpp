#pragma once
/// The API's JSON objects, written from domain state and read models. One function per
/// object kind, so every endpoint (and `waitroom replay`) answers the same shape. They
/// stream into a `json_writer`: these objects are rendered on every write and read.

#include "events/agent/state.hpp"
#include "events/checkin/state.hpp"
#include "events/json_writer.hpp"
#include "events/room/state.hpp"
#include "events/trust/score_card.hpp"
#include "events/user/state.hpp"
#include "events/watcher/state.hpp"
#include "projections/read_model.hpp"
#include "projections/threads.hpp"

#include <optional>
#include <string_view>

namespace waitroom::http {

using events::json_writer;

/// `{kind, id?}` (no id for policy, timeout, system).
void write_actor(json_writer& w, const events::actor_ref& a);
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
/// The agent object; `last_used_at` comes from http/api/call.hpp's `last_used`, the one
/// rule for it.
void write_agent(json_writer& w, const events::agent::state& a,
                 std::optional<events::timestamp> last_used_at);
void write_trust(json_writer& w, const events::trust::score_card& c);
void write_user(json_writer& w, const events::user::state& u);
void write_org(json_writer& w, const projections::org_entry& o);
void write_member(json_writer& w, const events::room::member& m);
void write_message(json_writer& w, const projections::message_view& m);
void write_participant(json_writer& w, const projections::participant& p);
/// The watcher object; the secret only when `secret` is given (at creation).
void write_watcher(json_writer& w, const events::watcher::state& x,
                   std::string_view room_slug, const std::string* secret = nullptr);
void write_signal(json_writer& w, const projections::signal_view& s);
/// A room as a fold of the log left it: `{as_of_seq, room, check_ins, queue, trust}`
/// (what `waitroom replay --room` prints and `GET /v1/rooms/:room/replay` answers).
void write_room_as_of(json_writer& w, const projections::projection_set& p,
                      const events::room::state& room, std::uint64_t as_of_seq);

} // namespace waitroom::http
