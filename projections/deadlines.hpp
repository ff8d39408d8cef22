#pragma once
/// The deadline index: for every waiting check-in with a deadline, when its expiry
/// warning and its expiry are due. The timer service reads the earliest entry.

#include "events/checkin/state.hpp"

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace waitroom::projections {

enum class deadline_kind { warn, expire };

struct deadline {
  events::timestamp at;
  deadline_kind kind = deadline_kind::expire;
  std::string checkin_id;
  auto operator<=>(const deadline&) const = default;
};

class deadlines {
 public:
  /// Recomputes the entries of one check-in from its current state.
  void update(const events::checkin::state& s);

  /// The earliest entry, if any.
  std::optional<events::timestamp> earliest() const;
  /// Entries due at `now`, earliest first, at most `limit`.
  std::vector<deadline> due(events::timestamp now, std::size_t limit) const;
  /// The earliest entry later than `now`, if any.
  std::optional<events::timestamp> next_after(events::timestamp now) const;
  std::size_t size() const { return ordered_.size(); }

 private:
  std::set<deadline> ordered_;
  std::unordered_map<std::string, std::vector<deadline>> by_id_;
};

} // namespace waitroom::projections
