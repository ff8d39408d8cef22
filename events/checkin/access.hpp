#pragma once
/// Room access for commands on an existing check-in (API.md "Room membership"): who may
/// send a command depends on what it needs of the check-in's room.
///
/// - To see the room: withdraw (the decider then says whose check-in or task it is) and
///   thread messages (every person who sees a room may write in its threads; the
///   decider applies the participant rules to agents).
/// - To act in it: every other command of a person or an agent (decide, extend, claim,
///   release, ask for help, join, submit).
/// - Nothing: the timer's commands (expire, announce the expiry).
/// Whoever cannot see the room gets NOT_FOUND, as if the check-in did not exist; who
/// sees it but may not act gets FORBIDDEN. Creating a check-in or a task needs to act
/// in the room too (`room::can_act`).

#include "events/checkin/commands.hpp"
#include "events/outcome.hpp"
#include "events/room/access.hpp"

namespace waitroom::events::checkin {

enum class room_need { none, see, act };

room_need room_need_of(const command& cmd);

/// NOT_FOUND or FORBIDDEN unless `who` may send `cmd` to a check-in of `room`.
outcome<void> check_room_access(const command& cmd, const room::state& room,
                                const room::caller& who);

/// The FORBIDDEN of a caller who sees a room but may not act in it.
error may_not_act();
/// The NOT_FOUND of a check-in the caller cannot see (or that does not exist).
error checkin_not_found();

} // namespace waitroom::events::checkin
