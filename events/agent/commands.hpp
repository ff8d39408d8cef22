#pragma once
/// Agent commands.

#include "events/actor_ref.hpp"
#include "events/agent/events.hpp"
#include "events/time.hpp"

#include <string>
#include <variant>

namespace waitroom::events::agent {

/// `POST /v1/agents/register` (by a member: claimed at once into `org_id`).
struct register_agent {
  std::string id;
  std::string org_id;
  std::string name;
  std::string description;
  std::string platform;
  std::string key_hash;
  std::string key_prefix;
  actor_ref by;
  timestamp now;
};

using command = std::variant<register_agent>;

} // namespace waitroom::events::agent
