#pragma once
/// The rules of rooms.
///
/// - Slugs match `^[a-z0-9][a-z0-9-]{0,62}$` and are unique per organization (enforced
///   by the organization, which creates rooms).
/// - Names have 1-200 code points, descriptions at most 5000.
/// - Settings: default timeout 1 s - 7 days, default required approvals 1-10, expiry
///   warning 0 - 7 days. `hold` as default timeout action means check-ins never expire.
/// - Setting the policy it already has, or settings it already has, appends nothing.
/// - Members: agents are listed with role `agent`, people with `approver` or `viewer`;
///   listing someone with the role they have appends nothing; removing someone not
///   listed is NOT_FOUND. Access follows `room/access.hpp`.

#include "events/event.hpp"
#include "events/outcome.hpp"
#include "events/room/commands.hpp"
#include "events/room/state.hpp"

namespace waitroom::events::room {

/// Decides a command on an existing room (NOT_FOUND if it does not exist).
outcome<event_list> decide(const state& s, const command& cmd);

/// Validation shared by room creation and (later) room updates. Field names are the
/// API's (`slug`, `name`, `default_timeout_ms`, ...).
outcome<void> validate_slug(std::string_view slug);
outcome<void> validate_name(std::string_view name);
outcome<void> validate_description(std::string_view description);
outcome<void> validate_settings(const room_settings& s);
/// `base` with the fields `change` sets, validated (VALIDATION_ERROR names the field).
outcome<room_settings> apply_settings(room_settings base, const settings_change& change);

} // namespace waitroom::events::room
