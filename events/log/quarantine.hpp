#pragma once
/// The rule of setting an unreadable event aside (`waitroom audit quarantine`): what is
/// lost with it. Whatever the event did is gone once it is quarantined; for most types
/// that changes what the server believes (a decision, a revoked credential, a room's
/// policy), and an operator must say so knowingly (`--force`). Only a few types record
/// nothing but the past.

#include <cstdint>
#include <string>
#include <string_view>

namespace waitroom::events::log {

struct quarantine_cost {
  /// Nothing but a record of the past is lost (a thread message, a warning, a help
  /// request, a signal): no state anyone acts on changes.
  bool harmless = false;
  /// What is lost, for people: "a decision: the check-in waits again ...".
  std::string lost;
};

/// What setting aside an event of `type` (as far as it could be read: "" when not)
/// loses; `version` is its place in its stream (1: the stream's creation).
quarantine_cost cost_of_quarantining(std::string_view type, std::uint32_t version);

} // namespace waitroom::events::log
