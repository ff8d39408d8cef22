#pragma once
/// The state of one human user, folded from its stream.

#include "events/event.hpp"

#include <cstdint>
#include <string>

namespace waitroom::events::user {

struct state {
  std::string id;
  std::string org_id;
  std::string name;
  std::string email;
  user_role role = user_role::member;
  std::string token_hash;
  bool instance_admin = false;
  bool active = true;
  timestamp created_at;
  std::uint32_t version = 0;

  /// Created (a stream whose creation was quarantined folds into nothing).
  bool exists() const noexcept { return !id.empty(); }
};

void evolve(state& s, const recorded_event& e);

} // namespace waitroom::events::user
