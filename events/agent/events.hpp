#pragma once
/// Events of the agent aggregate (stream `ag_…`). NOTE: storage format. API keys are
/// never stored, only their SHA-256 (hex) and a 12-character prefix for display.

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <string>
#include <string_view>

namespace waitroom::events::agent {

enum class agent_status { pending_claim, active, inactive };
BOOST_DESCRIBE_ENUM(agent_status, pending_claim, active, inactive)

/// `agent.registered`: an agent with an API key exists (claimed into `org_id` when
/// registered by a member; `pending_claim` with an empty org when self-registered).
struct registered {
  static constexpr std::string_view wire_type = "agent.registered";
  std::string id;
  std::string org_id;
  std::string name;
  std::string description;
  std::string platform;
  std::string key_hash;   ///< hex SHA-256 of the `wr_…` key
  std::string key_prefix; ///< first 12 characters of the key
  agent_status status = agent_status::active;
};
BOOST_DESCRIBE_STRUCT(registered, (),
                      (id, org_id, name, description, platform, key_hash, key_prefix,
                       status))

/// `agent.self_registered`: an agent registered itself without credentials; it has a
/// key but belongs to no org until a member claims it with its claim token.
struct self_registered {
  static constexpr std::string_view wire_type = "agent.self_registered";
  std::string id;
  std::string name;
  std::string description;
  std::string platform;
  std::string key_hash;
  std::string key_prefix;
  std::string claim_token_hash; ///< hex SHA-256 of the `wr_claim_…` token
};
BOOST_DESCRIBE_STRUCT(self_registered, (),
                      (id, name, description, platform, key_hash, key_prefix,
                       claim_token_hash))

/// `agent.claimed`: a member claimed the agent into their org (the claim token is used).
struct claimed {
  static constexpr std::string_view wire_type = "agent.claimed";
  std::string org_id;
};
BOOST_DESCRIBE_STRUCT(claimed, (), (org_id))

/// `agent.key_rotated`: the agent's key was replaced; the old one is dead.
struct key_rotated {
  static constexpr std::string_view wire_type = "agent.key_rotated";
  std::string key_hash;
  std::string key_prefix;
};
BOOST_DESCRIBE_STRUCT(key_rotated, (), (key_hash, key_prefix))

/// `agent.deactivated`: the agent's key is rejected from now on.
struct deactivated {
  static constexpr std::string_view wire_type = "agent.deactivated";
  std::string id;
};
BOOST_DESCRIBE_STRUCT(deactivated, (), (id))

} // namespace waitroom::events::agent
