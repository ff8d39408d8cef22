#include "projections/trust_scores.hpp"

namespace waitroom::projections {

namespace ev = waitroom::events;

std::string trust_scores::key(std::string_view room_id, std::string_view agent_id) {
  std::string k;
  k.reserve(room_id.size() + 1 + agent_id.size());
  k.append(room_id).push_back('\0');
  k.append(agent_id);
  return k;
}

ev::trust::score_card& trust_scores::card(const std::string& agent_id,
                                          const std::string& room_id) {
  auto [it, inserted] = cards_.try_emplace(key(room_id, agent_id));
  if (inserted) {
    it->second.agent_id = agent_id;
    it->second.room_id = room_id;
  }
  return it->second;
}

void trust_scores::apply(const ev::recorded_event& e, const ev::checkin::state& after) {
  if (after.direction == ev::checkin::checkin_direction::agent_to_human) {
    // The asking agent: every check-in counts, outcomes as they come.
    if (after.agent_id.empty()) return;
    if (const auto* c = std::get_if<ev::checkin::created>(&e.data)) {
      auto& t = card(after.agent_id, c->room_id);
      ev::trust::count_created(t, e.meta.at);
      if (c->decision) ev::trust::apply_outcome(t, *c->decision);
    } else if (const auto* r = std::get_if<ev::checkin::resolved>(&e.data)) {
      ev::trust::apply_outcome(card(after.agent_id, after.room_id), r->decision);
    }
    return;
  }
  // A task measures its primary agent, once, by its final outcome.
  if (const auto* r = std::get_if<ev::checkin::resolved>(&e.data);
      r && after.primary_agent_id) {
    auto& t = card(*after.primary_agent_id, after.room_id);
    ev::trust::count_created(t, e.meta.at);
    ev::trust::apply_outcome(t, r->decision);
  }
}

const ev::trust::score_card* trust_scores::find(std::string_view agent_id,
                                                std::string_view room_id) const {
  auto it = cards_.find(key(room_id, agent_id));
  return it == cards_.end() ? nullptr : &it->second;
}

double trust_scores::score(std::string_view agent_id, std::string_view room_id) const {
  const auto* c = find(agent_id, room_id);
  return c ? c->score() : ev::trust::initial_tenths / 10.0;
}

std::vector<const ev::trust::score_card*>
trust_scores::of_room(std::string_view room_id) const {
  std::vector<const ev::trust::score_card*> out;
  auto prefix = key(room_id, "");
  for (auto it = cards_.lower_bound(prefix);
       it != cards_.end() && std::string_view(it->first).starts_with(prefix); ++it)
    out.push_back(&it->second);
  return out;
}

std::vector<const ev::trust::score_card*>
trust_scores::of_agent(std::string_view agent_id) const {
  std::vector<const ev::trust::score_card*> out;
  for (const auto& [k, c] : cards_)
    if (c.agent_id == agent_id) out.push_back(&c);
  return out;
}

} // namespace waitroom::projections
