#pragma once
/// Every check-in's current state (the same `evolve` the check-in actor uses), and each
/// room's queue: `pending` agent check-ins and `in_review` tasks, oldest first.

#include "events/checkin/state.hpp"
#include "events/event.hpp"

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace waitroom::projections {

class checkin_index {
 public:
  /// Folds a `checkin.*` event; returns the check-in after it.
  const events::checkin::state& apply(const events::recorded_event& e);

  const events::checkin::state* find(std::string_view id) const;

  /// The queue of a room, oldest first, starting after `after_seq` (a created seq),
  /// at most `limit` entries.
  std::vector<const events::checkin::state*>
  queue(std::string_view room_id, std::uint64_t after_seq, std::size_t limit) const;
  std::size_t queue_size(std::string_view room_id) const;

  /// Check-ins of a room in creation order.
  std::vector<const events::checkin::state*> of_room(std::string_view room_id) const;

  /// Check-ins of an organization in creation order (seq increasing): lists walk it
  /// from the newest backwards.
  const std::vector<const events::checkin::state*>& of_org(std::string_view org_id) const;

  std::size_t size() const { return by_id_.size(); }
  /// Number of check-ins per status (indexed by `checkin_status`).
  const std::array<std::size_t, 9>& status_counts() const { return status_counts_; }

 private:
  using queue_key = std::pair<std::uint64_t, std::string>;
  std::unordered_map<std::string, events::checkin::state> by_id_;
  events::checkin::state* last_ = nullptr; ///< the last applied (nodes never move)
  std::unordered_map<std::string, std::set<queue_key>> queues_;
  std::unordered_map<std::string, std::vector<std::string>> by_room_;
  std::unordered_map<std::string, std::vector<const events::checkin::state*>> by_org_;
  std::array<std::size_t, 9> status_counts_{};
};

/// Whether a check-in belongs in its room's queue.
bool queued(const events::checkin::state& s);

} // namespace waitroom::projections
