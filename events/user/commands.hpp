#pragma once
/// Commands on users. Each carries the acting user and their role: who may manage whom
/// is a domain rule (`user/decider.hpp`).

#include "events/actor_ref.hpp"
#include "events/time.hpp"
#include "events/user/events.hpp"

#include <string>
#include <variant>

namespace waitroom::events::user {

/// `POST /v1/users`.
struct create_user {
  std::string id;
  std::string org_id;
  std::string name;
  std::string email;
  user_role role = user_role::member;
  std::string token_hash;
  actor_ref by;
  user_role by_role = user_role::viewer;
  timestamp now;
};

/// `POST /v1/users/:id/rotate-token`.
struct rotate_token {
  std::string token_hash;
  actor_ref by;
  user_role by_role = user_role::viewer;
  timestamp now;
};

/// `DELETE /v1/users/:id`.
struct deactivate {
  actor_ref by;
  user_role by_role = user_role::viewer;
  timestamp now;
};

using command = std::variant<create_user, rotate_token, deactivate>;

} // namespace waitroom::events::user
