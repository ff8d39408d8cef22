#pragma once
/// Trust per (agent, room), folded from check-in events with the arithmetic of
/// `events/trust/score_card.hpp`.

#include "events/checkin/state.hpp"
#include "events/event.hpp"
#include "events/trust/score_card.hpp"

#include <map>
#include <string>
#include <vector>

namespace waitroom::projections {

class trust_scores {
 public:
  /// Folds a check-in event, given the check-in's state after it.
  void apply(const events::recorded_event& e, const events::checkin::state& after);

  const events::trust::score_card* find(std::string_view agent_id,
                                        std::string_view room_id) const;
  /// The score the policy sees: the card's score, or the initial 15 without one.
  double score(std::string_view agent_id, std::string_view room_id) const;
  /// Cards of a room, by agent id.
  std::vector<const events::trust::score_card*> of_room(std::string_view room_id) const;
  /// Cards of an agent, by room id.
  std::vector<const events::trust::score_card*> of_agent(std::string_view agent_id) const;
  std::size_t size() const { return cards_.size(); }

 private:
  events::trust::score_card& card(const std::string& agent_id,
                                  const std::string& room_id);
  /// Key "room_id\0agent_id": a room's cards are contiguous.
  static std::string key(std::string_view room_id, std::string_view agent_id);
  std::map<std::string, events::trust::score_card, std::less<>> cards_;
};

} // namespace waitroom::projections
