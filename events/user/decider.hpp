#pragma once
/// The rules of users.
///
/// - Admins and owners create users; only an owner creates another owner.
/// - Names have 1-200 characters; emails 3-320 with an `@` inside.
/// - A user rotates their own token; admins rotate others' (owners' only by an owner).
/// - Admins deactivate users (owners only by an owner); nobody deactivates themselves,
///   so an organization always keeps an owner. Deactivating twice changes nothing.
/// - A deactivated user's token is dead, and so is every token it had before.

#include "events/event.hpp"
#include "events/outcome.hpp"
#include "events/user/commands.hpp"
#include "events/user/state.hpp"

namespace waitroom::events::user {

outcome<event_list> decide(const state& s, const command& cmd);

/// Validation shared with organization creation (its owner).
outcome<void> validate_person(std::string_view name, std::string_view email);

} // namespace waitroom::events::user
