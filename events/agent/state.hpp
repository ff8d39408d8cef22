#pragma once
/// The state of one agent, folded from its stream.

#include "events/agent/events.hpp"
#include "events/event.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace waitroom::events::agent {

struct state {
  std::string id;
  std::string org_id;
  std::string name;
  std::string description;
  std::string platform;
  std::string key_hash;
  std::string key_prefix;
  std::string claim_token_hash; ///< self-registered agents until claimed
  agent_status status = agent_status::active;
  timestamp created_at;
  std::uint32_t version = 0;

  /// Created (a stream whose creation was quarantined folds into nothing).
  bool exists() const noexcept { return !id.empty(); }
  /// A claimed agent belongs to an org and is active: it may act there.
  bool claimed() const noexcept {
    return status == agent_status::active && !org_id.empty();
  }
};

void evolve(state& s, const recorded_event& e);

} // namespace waitroom::events::agent
