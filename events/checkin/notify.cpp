#include "events/checkin/notify.hpp"

#include "events/checkin/events.hpp"
#include "events/room/access.hpp"

namespace waitroom::events::checkin {

std::optional<notice_kind> notice_kind_of(const recorded_event& e) {
  if (std::holds_alternative<expiring>(e.data)) return notice_kind::expiring;
  if (std::holds_alternative<created>(e.data)) return notice_kind::pending;
  return std::nullopt;
}

std::optional<notice> notice_of(const recorded_event& e, const state& now) {
  auto kind = notice_kind_of(e);
  if (!kind) return std::nullopt;
  if (*kind == notice_kind::expiring) return notice{notice_kind::expiring, true};
  if (now.status != checkin_status::pending) return std::nullopt;
  return notice{notice_kind::pending,
                now.risk_level == risk::high || now.risk_level == risk::critical};
}

bool is_told(const room::state& room, const user::state& u) {
  return u.active && u.org_id == room.org_id &&
         room::can_act(room, {actor_kind::user, u.id, u.role});
}

std::string_view notice_type(notice_kind k) {
  return k == notice_kind::expiring ? "checkin.expiring" : "checkin.pending";
}

} // namespace waitroom::events::checkin
