#pragma once
/// Commands on rooms. Creating a room is an organization command (slugs are unique per
/// organization): see `org/commands.hpp`.

#include "events/actor_ref.hpp"
#include "events/room/events.hpp"
#include "events/room/policy.hpp"

#include <optional>
#include <string>
#include <variant>

namespace waitroom::events::room {

/// The settings a request sets (`POST` and `PATCH /v1/rooms`): an absent field keeps
/// its value, or the product default for a new room (`apply_settings`).
struct settings_change {
  std::optional<duration_ms> default_timeout_ms;
  std::optional<checkin::timeout_behavior> default_timeout_action;
  std::optional<std::int64_t> default_required_approvals; ///< 1-10
  std::optional<duration_ms> expiry_warning_ms;
};

/// Replace the room's policy (`PUT /v1/rooms/:room/policy`).
struct set_policy {
  room::policy policy;
  actor_ref by;
  timestamp now;
};

/// `PATCH /v1/rooms/:room`: absent fields keep their value.
struct update {
  std::optional<std::string> name;
  std::optional<std::string> description;
  settings_change settings;
  actor_ref by;
  timestamp now;
};

/// `PUT /v1/rooms/:room/members/:principal_id`.
struct set_member {
  std::string principal_id;
  actor_kind principal_kind = actor_kind::user;
  member_role role = member_role::viewer;
  actor_ref by;
  timestamp now;
};

/// `DELETE /v1/rooms/:room/members/:principal_id`.
struct remove_member {
  std::string principal_id;
  actor_ref by;
  timestamp now;
};

using command = std::variant<set_policy, update, set_member, remove_member>;

} // namespace waitroom::events::room
