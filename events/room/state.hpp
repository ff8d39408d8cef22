#pragma once
/// The state of one room, folded from its stream.

#include "events/event.hpp"
#include "events/room/events.hpp"
#include "events/room/policy.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace waitroom::events::room {

/// A listed principal of a room.
struct member {
  std::string principal_id;
  actor_kind principal_kind = actor_kind::user;
  member_role role = member_role::viewer;
  timestamp since;
};

struct state {
  std::string id;
  std::string org_id;
  std::string slug;
  std::string name;
  std::string description;
  room_settings settings;
  room::policy policy;
  std::map<std::string, member, std::less<>> members; ///< by principal id
  timestamp created_at;
  timestamp updated_at;
  std::uint32_t version = 0;

  /// Created (a stream whose creation was quarantined folds into nothing).
  bool exists() const noexcept { return !id.empty(); }
};

/// Folds one event of this room's stream into `s`.
void evolve(state& s, const recorded_event& e);

} // namespace waitroom::events::room
