#pragma once
/// `GET /v1/check-ins` as a query of the read models: the check-ins of an organization
/// the caller may see, newest first, filtered, one page at a time.

#include "events/checkin/state.hpp"
#include "events/room/access.hpp"
#include "projections/read_model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::projections {

/// What a list keeps; an absent field keeps every check-in.
struct checkin_filter {
  std::string room_id; ///< empty: every room
  std::optional<events::checkin::checkin_status> status;
  std::optional<events::checkin::checkin_direction> direction;
  std::optional<events::checkin::risk> risk_level;
  std::optional<events::checkin::urgency_level> urgency;
  std::optional<bool> claimed;      ///< a task an agent has claimed (or not)
  std::optional<std::string> agent; ///< asked by this agent, or claimed by it

  bool keeps(const events::checkin::state& s) const;
};

struct checkin_page {
  std::vector<const events::checkin::state*> items; ///< newest first
  /// Set when more follow: the created seq the next page starts below.
  std::optional<std::uint64_t> next_before;
};

/// At most `limit` check-ins of `org_id` created below seq `before` that `f` keeps, in
/// rooms `who` may see (`room::can_see`), newest first.
checkin_page list_checkins(const projection_set& p, const std::string& org_id,
                           const events::room::caller& who, const checkin_filter& f,
                           std::uint64_t before, std::size_t limit);

} // namespace waitroom::projections
