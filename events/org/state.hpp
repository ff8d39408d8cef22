#pragma once
/// The state of an organization as its decider needs it: which room slugs are taken.

#include "events/event.hpp"

#include <cstdint>
#include <set>
#include <string>

namespace waitroom::events::org {

struct state {
  std::string id;
  std::string name;
  std::set<std::string, std::less<>> room_slugs;
  std::uint32_t version = 0;

  bool exists() const noexcept { return !id.empty(); }
};

/// Folds an event of the organization: its own `org.created` and every `room.created`
/// of its rooms (the slug becomes taken).
void evolve(state& s, const recorded_event& e);

} // namespace waitroom::events::org
