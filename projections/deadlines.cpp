#include "projections/deadlines.hpp"

namespace waitroom::projections {

namespace ev = waitroom::events;

void deadlines::update(const ev::checkin::state& s) {
  std::vector<deadline> next;
  if (auto d = s.live_deadline()) {
    if (auto w = s.warn_at()) next.push_back({*w, deadline_kind::warn, s.id});
    next.push_back({*d, deadline_kind::expire, s.id});
  }
  auto it = by_id_.find(s.id);
  if (it != by_id_.end()) {
    if (it->second == next) return;
    for (const auto& d : it->second)
      ordered_.erase(d);
  }
  if (next.empty()) {
    if (it != by_id_.end()) by_id_.erase(it);
    return;
  }
  for (const auto& d : next)
    ordered_.insert(d);
  by_id_[s.id] = std::move(next);
}

std::optional<ev::timestamp> deadlines::earliest() const {
  if (ordered_.empty()) return std::nullopt;
  return ordered_.begin()->at;
}

std::vector<deadline> deadlines::due(ev::timestamp now, std::size_t limit) const {
  std::vector<deadline> out;
  for (const auto& d : ordered_) {
    if (d.at > now || out.size() >= limit) break;
    out.push_back(d);
  }
  return out;
}

std::optional<ev::timestamp> deadlines::next_after(ev::timestamp now) const {
  auto it =
      ordered_.upper_bound(deadline{now, deadline_kind::expire, std::string(64, '\xff')});
  if (it == ordered_.end()) return std::nullopt;
  return it->at;
}

} // namespace waitroom::projections
