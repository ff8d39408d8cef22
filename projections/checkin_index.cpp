#include "projections/checkin_index.hpp"

namespace waitroom::projections {

namespace ev = waitroom::events;
using ev::checkin::checkin_status;

bool queued(const ev::checkin::state& s) {
  if (!s.exists()) return false; // its creation was quarantined
  return (s.status == checkin_status::pending &&
          s.direction == ev::checkin::checkin_direction::agent_to_human) ||
         s.status == checkin_status::in_review;
}

const ev::checkin::state& checkin_index::apply(const ev::recorded_event& e) {
  // Events of one check-in come in runs (created + its message, a decision + its two
  // messages): remember the last one instead of hashing its id again.
  bool inserted = false;
  if (last_ == nullptr || last_->id != e.meta.stream) {
    auto [it, fresh] = by_id_.try_emplace(e.meta.stream);
    last_ = &it->second;
    inserted = fresh;
  }
  auto& s = *last_;
  bool was_queued = !inserted && queued(s);
  if (!inserted) --status_counts_[static_cast<std::size_t>(s.status)];
  ev::checkin::evolve(s, e);
  ++status_counts_[static_cast<std::size_t>(s.status)];
  if (inserted && s.exists()) {
    by_room_[s.room_id].push_back(s.id);
    by_org_[s.org_id].push_back(&s);
  }
  bool now_queued = queued(s);
  if (was_queued != now_queued) {
    auto& q = queues_[s.room_id];
    if (now_queued)
      q.emplace(s.created_seq, s.id);
    else
      q.erase({s.created_seq, s.id});
  }
  return s;
}

const ev::checkin::state* checkin_index::find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &it->second;
}

std::vector<const ev::checkin::state*> checkin_index::queue(std::string_view room_id,
                                                            std::uint64_t after_seq,
                                                            std::size_t limit) const {
  std::vector<const ev::checkin::state*> out;
  auto qit = queues_.find(std::string(room_id));
  if (qit == queues_.end()) return out;
  for (auto it = qit->second.upper_bound({after_seq, std::string(64, '\xff')});
       it != qit->second.end() && out.size() < limit; ++it)
    out.push_back(&by_id_.at(it->second));
  return out;
}

std::size_t checkin_index::queue_size(std::string_view room_id) const {
  auto it = queues_.find(std::string(room_id));
  return it == queues_.end() ? 0 : it->second.size();
}

std::vector<const ev::checkin::state*>
checkin_index::of_room(std::string_view room_id) const {
  std::vector<const ev::checkin::state*> out;
  if (auto it = by_room_.find(std::string(room_id)); it != by_room_.end())
    for (const auto& id : it->second)
      out.push_back(&by_id_.at(id));
  return out;
}

const std::vector<const ev::checkin::state*>&
checkin_index::of_org(std::string_view org_id) const {
  static const std::vector<const ev::checkin::state*> none;
  auto it = by_org_.find(std::string(org_id));
  return it == by_org_.end() ? none : it->second;
}

} // namespace waitroom::projections
