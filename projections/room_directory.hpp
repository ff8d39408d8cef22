#pragma once
/// Rooms by id and by (org, slug), in creation order per organization.

#include "events/event.hpp"
#include "events/room/state.hpp"

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace waitroom::projections {

class room_directory {
 public:
  void apply(const events::recorded_event& e);

  const events::room::state* by_id(std::string_view id) const;
  const events::room::state* by_slug(std::string_view org_id,
                                     std::string_view slug) const;
  /// `:room` of the API: a slug or an `rm_` id, within `org_id` only.
  const events::room::state* resolve(std::string_view org_id,
                                     std::string_view slug_or_id) const;
  /// Rooms of an organization in creation order.
  std::vector<const events::room::state*> of_org(std::string_view org_id) const;
  /// Slugs taken in an organization (the organization actor's write state).
  std::vector<std::string> slugs_of(std::string_view org_id) const;
  /// Every room of every organization, in no particular order.
  std::vector<const events::room::state*> all() const;
  std::size_t size() const { return rooms_.size(); }

 private:
  std::unordered_map<std::string, events::room::state> rooms_;
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> slugs_;
  std::unordered_map<std::string, std::vector<std::string>> order_;
};

} // namespace waitroom::projections
