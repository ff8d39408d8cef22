#include "events/trust/access.hpp"

namespace waitroom::events::trust {

outcome<void> check_reader(std::string_view agent_id, const room::caller& who) {
  if (who.kind == actor_kind::agent && who.id != agent_id)
    return forbidden("an agent may only read its own trust");
  return {};
}

bool shows(const score_card& card, const room::state& room, const room::caller& who) {
  if (card.room_id != room.id) return false;
  if (who.kind == actor_kind::agent) return who.id == card.agent_id;
  return room::can_see(room, who);
}

} // namespace waitroom::events::trust
