#include "projections/watchers.hpp"

#include "events/watcher/decider.hpp"

namespace waitroom::projections {

namespace ev = waitroom::events;

void watchers::apply(const ev::recorded_event& e) {
  auto [it, inserted] = by_id_.try_emplace(e.meta.stream);
  ev::watcher::evolve(it->second, e);
  if (inserted) by_room_[it->second.room_id].push_back(it->second.id);
}

const ev::watcher::state* watchers::find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &it->second;
}

std::vector<const ev::watcher::state*> watchers::active() const {
  std::vector<const ev::watcher::state*> out;
  for (const auto& [id, w] : by_id_)
    if (w.active()) out.push_back(&w);
  return out;
}

std::vector<const ev::watcher::state*> watchers::of_room(std::string_view room_id) const {
  std::vector<const ev::watcher::state*> out;
  if (auto it = by_room_.find(std::string(room_id)); it != by_room_.end())
    for (const auto& id : it->second) {
      const auto& w = by_id_.at(id);
      if (!w.deleted) out.push_back(&w);
    }
  return out;
}

void signals::apply(const ev::recorded_event& e) {
  if (const auto* b = std::get_if<ev::signal::broadcast>(&e.data))
    by_room_[b->room_id].push_back(
        {b->id, b->room_id, b->type, b->payload, e.meta.actor, e.meta.at});
}

const std::vector<signal_view>& signals::of_room(std::string_view room_id) const {
  static const std::vector<signal_view> none;
  auto it = by_room_.find(std::string(room_id));
  return it == by_room_.end() ? none : it->second;
}

} // namespace waitroom::projections
