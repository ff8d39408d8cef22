#pragma once
/// The rules of agents: names 1-200 characters, descriptions at most 2000, platforms at
/// most 100; a registration of an id that exists with the same key is a no-op, with
/// another key a CONFLICT.

#include "events/agent/commands.hpp"
#include "events/agent/state.hpp"
#include "events/event.hpp"
#include "events/outcome.hpp"

namespace waitroom::events::agent {

outcome<event_list> decide(const state& s, const command& cmd);

} // namespace waitroom::events::agent
