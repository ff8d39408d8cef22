#pragma once
/// Who may see and act in a room (API.md "Room membership").
///
/// A room without member entries is open to its whole organization. Once it has any,
/// only the listed principals and the organization's admins and owners see it and act
/// in it: agents need the role `agent` to act (check in, claim, help, post), humans need
/// `approver` to act (decide, post tasks, signal, watch); `viewer` only reads. Thread
/// messages are the exception API.md makes: every human who can see the room may write
/// in its threads (the check-in decider then applies the participant rules).

#include "events/actor_ref.hpp"
#include "events/room/state.hpp"
#include "events/user/events.hpp"

#include <optional>
#include <string>

namespace waitroom::events::room {

/// The caller, as room access sees it (already known to belong to the room's org).
struct caller {
  actor_kind kind = actor_kind::user;
  std::string id;
  std::optional<user::user_role> role; ///< humans only
};

/// Whether the room has no member entries (open to the whole organization).
bool is_open(const state& r);
/// Whether `c` may see the room and what happens in it.
bool can_see(const state& r, const caller& c);
/// Whether `c` may act in the room: an agent checking in or working on tasks, a human
/// (member or stronger) deciding or writing.
bool can_act(const state& r, const caller& c);

} // namespace waitroom::events::room
