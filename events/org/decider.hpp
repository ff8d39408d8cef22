#pragma once
/// The rules of organizations: bootstrap, and room creation with unique slugs.

#include "events/event.hpp"
#include "events/org/commands.hpp"
#include "events/org/state.hpp"
#include "events/outcome.hpp"

namespace waitroom::events::org {

/// Events of the first start: `org.created`, `user.created` (owner, instance admin) and
/// `room.created` (`general`, no rules, require approval), each in its own stream.
event_list decide_bootstrap(const bootstrap& cmd);

/// Decides an organization command. `create_room`: VALIDATION_ERROR naming the field,
/// CONFLICT when the slug is taken in this organization. `create_org` (on the new
/// organization's empty state): VALIDATION_ERROR (`name`, `owner.name`, `owner.email`),
/// CONFLICT if it exists.
outcome<event_list> decide(const state& s, const command& cmd);

} // namespace waitroom::events::org
