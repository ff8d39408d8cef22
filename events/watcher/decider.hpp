#pragma once
/// The rules of watchers.
///
/// - Webhook URLs, secrets, and who sees and manages a watcher: access.hpp.
/// - `event_types` names room events (`is_room_event_type`: what deliveries carry);
///   empty means all.
/// - `filter` is matched like a policy's `metadata` (dotted paths to JSON values)
///   against an event's `data`; at most 10 KiB.
/// - Its creator or an admin deletes a watcher; a deleted watcher is gone (NOT_FOUND).
/// - The system disables a watcher after `disable_after_failed_deliveries` failed
///   deliveries in a row (delivery.hpp); a disabled watcher stays listed, delivers
///   nothing, and can still be deleted.

#include "events/event.hpp"
#include "events/outcome.hpp"
#include "events/watcher/commands.hpp"
#include "events/watcher/state.hpp"

#include <span>
#include <string_view>

namespace waitroom::events::watcher {

outcome<event_list> decide(const state& s, const command& cmd);

/// Whether `by` may delete the watcher, list its deliveries and redeliver: its creator,
/// or an admin or owner of the organization (`by_admin`).
bool may_manage(const state& s, const actor_ref& by, bool by_admin);

/// API.md's room events: what event streams, Redis and webhook deliveries carry.
std::span<const std::string_view> room_event_types();
bool is_room_event_type(std::string_view type);
/// Whether `e` is a room event: one of those types, in a room.
bool is_room_event(const recorded_event& e);

} // namespace waitroom::events::watcher
