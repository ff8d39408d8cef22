#pragma once
/// Watchers (webhook subscriptions) by id and by room, and signals by room.

#include "events/event.hpp"
#include "events/watcher/state.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace waitroom::projections {

class watchers {
 public:
  void apply(const events::recorded_event& e);
  /// A watcher, deleted ones included (callers decide what a deleted one means).
  const events::watcher::state* find(std::string_view id) const;
  /// Live watchers of a room in creation order.
  std::vector<const events::watcher::state*> of_room(std::string_view room_id) const;
  /// Every watcher that delivers (not deleted, not disabled), in no particular order.
  std::vector<const events::watcher::state*> active() const;
  std::size_t size() const { return by_id_.size(); }

 private:
  std::unordered_map<std::string, events::watcher::state> by_id_;
  std::unordered_map<std::string, std::vector<std::string>> by_room_;
};

struct signal_view {
  std::string id;
  std::string room_id;
  std::string type;
  boost::json::object payload;
  events::actor_ref by;
  events::timestamp created_at;
};

class signals {
 public:
  void apply(const events::recorded_event& e);
  /// Signals of a room, oldest first.
  const std::vector<signal_view>& of_room(std::string_view room_id) const;

 private:
  std::unordered_map<std::string, std::vector<signal_view>> by_room_;
};

} // namespace waitroom::projections
