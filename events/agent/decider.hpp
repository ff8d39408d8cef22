#pragma once
/// The rules of agents.
///
/// - Names have 1-200 characters, descriptions at most 2000, platforms at most 100.
/// - A registration of an id that exists with the same key is a no-op; with another key
///   a CONFLICT.
/// - A member's registration claims the agent at once; a self-registered agent is
///   `pending_claim` (it may only call GET /v1/me) until claimed with its single-use
///   claim token: a second claim is a CONFLICT.
/// - Rotating the key kills the old one at once; only claimed, active agents rotate.
/// - A deactivated agent's key is rejected; deactivating twice changes nothing.

#include "events/agent/commands.hpp"
#include "events/agent/state.hpp"
#include "events/event.hpp"
#include "events/outcome.hpp"

namespace waitroom::events::agent {

outcome<event_list> decide(const state& s, const command& cmd);

} // namespace waitroom::events::agent
