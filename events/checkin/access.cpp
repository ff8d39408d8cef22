#include "events/checkin/access.hpp"

#include <type_traits>

namespace waitroom::events::checkin {

room_need room_need_of(const command& cmd) {
  return std::visit(
      [](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, expire> || std::is_same_v<T, announce_expiry>)
          return room_need::none;
        else if constexpr (std::is_same_v<T, withdraw> || std::is_same_v<T, post_message>)
          return room_need::see;
        else
          return room_need::act;
      },
      cmd);
}

error may_not_act() {
  return forbidden("this room has members: you need the role approver (people) or "
                   "agent (agents) to act in it");
}

error checkin_not_found() {
  return not_found("check-in not found");
}

outcome<void> check_room_access(const command& cmd, const room::state& room,
                                const room::caller& who) {
  const auto need = room_need_of(cmd);
  if (need == room_need::none) return {};
  if (!room::can_see(room, who)) return checkin_not_found();
  if (need == room_need::act && !room::can_act(room, who)) return may_not_act();
  return {};
}

} // namespace waitroom::events::checkin
