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

} // namespace waitroom::events::agent
