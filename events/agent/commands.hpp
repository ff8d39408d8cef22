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

/// `POST /v1/agents/self-register` (no credential): a key, and a claim token for a
/// member to claim the agent into their org.
struct self_register {
  std::string id;
  std::string name;
  std::string description;
  std::string platform;
  std::string key_hash;
  std::string key_prefix;
  std::string claim_token_hash;
  timestamp now;
};

/// `POST /v1/agents/claim`: the caller's org takes the agent.
struct claim {
  std::string org_id;
  actor_ref by;
  timestamp now;
};

/// `POST /v1/agents/:id/rotate-key`.
struct rotate_key {
  std::string key_hash;
  std::string key_prefix;
  actor_ref by;
  timestamp now;
};

/// `POST /v1/agents/:id/deactivate`.
struct deactivate {
  actor_ref by;
  timestamp now;
};

using command =
    std::variant<register_agent, self_register, claim, rotate_key, deactivate>;

} // namespace waitroom::events::agent
