#pragma once
/// Who reads an agent's trust across rooms (API.md `GET /v1/agents/:id/trust`: "human
/// or that agent"). The agent itself reads its cards in every room; a person reads them
/// in the rooms they can see; another agent reads none (FORBIDDEN). A room's own list
/// (`GET /v1/rooms/:room/trust`) is for anyone who sees the room.

#include "events/outcome.hpp"
#include "events/room/access.hpp"
#include "events/trust/score_card.hpp"

#include <string_view>

namespace waitroom::events::trust {

/// FORBIDDEN when `who` may not read `agent_id`'s trust at all.
outcome<void> check_reader(std::string_view agent_id, const room::caller& who);

/// Whether `who`, a reader `check_reader` let through, sees `card` (in `room`).
bool shows(const score_card& card, const room::state& room, const room::caller& who);

} // namespace waitroom::events::trust
