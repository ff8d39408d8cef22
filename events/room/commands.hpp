#pragma once
/// Commands on rooms. Creating a room is an organization command (slugs are unique per
/// organization): see `org/commands.hpp`.

#include "events/actor_ref.hpp"
#include "events/room/policy.hpp"

namespace waitroom::events::room {

/// Replace the room's policy (`PUT /v1/rooms/:room/policy`).
struct set_policy {
  room::policy policy;
  actor_ref by;
  timestamp now;
};

using command = std::variant<set_policy>;

} // namespace waitroom::events::room
