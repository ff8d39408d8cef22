#include "projections/checkin_list.hpp"

#include <algorithm>
#include <unordered_map>

namespace waitroom::projections {

namespace ev = waitroom::events;

bool checkin_filter::keeps(const ev::checkin::state& s) const {
  if (!room_id.empty() && s.room_id != room_id) return false;
  if (status && s.status != *status) return false;
  if (direction && s.direction != *direction) return false;
  if (risk_level && s.risk_level != *risk_level) return false;
  if (urgency && s.urgency != *urgency) return false;
  if (claimed && s.primary_agent_id.has_value() != *claimed) return false;
  if (agent && s.agent_id != *agent && s.primary_agent_id != *agent) return false;
  return true;
}

checkin_page list_checkins(const projection_set& p, const std::string& org_id,
                           const ev::room::caller& who, const checkin_filter& f,
                           std::uint64_t before, std::size_t limit) {
  const auto& all = p.checkins.of_org(org_id);
  // Creation order is seq order: start below `before` and walk back.
  auto it = std::lower_bound(all.begin(), all.end(), before,
                             [](const ev::checkin::state* s, std::uint64_t seq) {
                               return s->created_seq < seq;
                             });
  checkin_page out;
  std::unordered_map<std::string, bool> visible; // per room id, asked once
  while (it != all.begin()) {
    const auto* s = *--it;
    if (!f.keeps(*s)) continue;
    auto [v, fresh] = visible.try_emplace(s->room_id, false);
    if (fresh) {
      const auto* room = p.rooms.by_id(s->room_id);
      v->second = room != nullptr && ev::room::can_see(*room, who);
    }
    if (!v->second) continue;
    if (out.items.size() == limit) {
      out.next_before = out.items.back()->created_seq;
      break;
    }
    out.items.push_back(s);
  }
  return out;
}

} // namespace waitroom::projections
