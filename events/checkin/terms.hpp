#pragma once
/// The vocabulary of check-ins, shared by rooms (defaults, policy rules) and check-ins.
/// NOTE: the enumerator names are the wire names, in the API and in the log.

#include "events/actor_ref.hpp"
#include "events/outcome.hpp"
#include "events/time.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace waitroom::events::checkin {

/// Who asks whom: an agent asking humans, or humans handing a task to agents.
enum class checkin_direction { agent_to_human, human_to_agent };
BOOST_DESCRIBE_ENUM(checkin_direction, agent_to_human, human_to_agent)

/// Life-cycle states. `pending` (agent check-ins) and `open`/`claimed`/`in_review`
/// (tasks) are live; the rest are terminal.
enum class checkin_status {
  pending,
  open,
  claimed,
  in_review,
  approved,
  rejected,
  modified,
  expired,
  withdrawn
};
BOOST_DESCRIBE_ENUM(checkin_status, pending, open, claimed, in_review, approved, rejected,
                    modified, expired, withdrawn)

/// Whether a status is final.
constexpr bool is_terminal(checkin_status s) {
  return s == checkin_status::approved || s == checkin_status::rejected ||
         s == checkin_status::modified || s == checkin_status::expired ||
         s == checkin_status::withdrawn;
}

/// Statuses a long-poll keeps waiting on (API: pending/open/claimed/in_review).
constexpr bool is_waiting(checkin_status s) {
  return !is_terminal(s);
}

/// The statuses a task (human to agent) can be in: every one but `pending`, which is
/// an agent's check-in waiting for people.
constexpr bool is_task_status(checkin_status s) {
  return s != checkin_status::pending;
}

enum class risk { low, medium, high, critical };
BOOST_DESCRIBE_ENUM(risk, low, medium, high, critical)

enum class urgency_level { low, normal, high, urgent };
BOOST_DESCRIBE_ENUM(urgency_level, low, normal, high, urgent)

/// What happens when `expires_at` passes while the check-in waits.
enum class timeout_behavior { auto_approve, cancel, hold };
BOOST_DESCRIBE_ENUM(timeout_behavior, auto_approve, cancel, hold)

/// The final outcome of a check-in (`decision.outcome`).
enum class resolution { approved, rejected, modified, expired, withdrawn };
BOOST_DESCRIBE_ENUM(resolution, approved, rejected, modified, expired, withdrawn)

/// The status a resolution leads to.
constexpr checkin_status status_of(resolution r) {
  switch (r) {
  case resolution::approved:
    return checkin_status::approved;
  case resolution::rejected:
    return checkin_status::rejected;
  case resolution::modified:
    return checkin_status::modified;
  case resolution::expired:
    return checkin_status::expired;
  case resolution::withdrawn:
    return checkin_status::withdrawn;
  }
  return checkin_status::rejected;
}

/// `decision` on the check-in: the outcome, who took it, when and why. For automatic
/// outcomes `by.kind` is `policy` (with `rule_id` or `trust_score`) or `timeout`.
struct decision_record {
  resolution outcome = resolution::approved;
  actor_ref by;
  timestamp at;
  std::optional<std::string> reason;
  std::optional<std::string> rule_id;
  std::optional<double> trust_score;
  bool operator==(const decision_record&) const = default;
};
BOOST_DESCRIBE_STRUCT(decision_record, (),
                      (outcome, by, at, reason, rule_id, trust_score))

/// Thread message types; `status_change` and `decision` are written by the server only.
enum class message_kind {
  comment,
  question,
  escalation,
  result,
  status_change,
  decision
};
BOOST_DESCRIBE_ENUM(message_kind, comment, question, escalation, result, status_change,
                    decision)

/// Whether people and agents may post a message of this kind.
constexpr bool may_be_posted(message_kind k) {
  return k != message_kind::status_change && k != message_kind::decision;
}

/// Limits of API.md, in Unicode code points unless the name says bytes.
inline constexpr std::size_t max_action_length = 500;
inline constexpr std::size_t max_reason_length = 5000;
inline constexpr std::size_t max_metadata_bytes = 10 * 1024;
inline constexpr duration_ms min_timeout_ms = 1000;
inline constexpr duration_ms max_timeout_ms = 7LL * 24 * 3600 * 1000;
inline constexpr int min_required_approvals = 1;
inline constexpr int max_required_approvals = 10;
inline constexpr std::size_t max_message_length = 10000;
inline constexpr std::size_t max_attachments = 10;

/// How many people must approve (a check-in's `required_approvals`, a room's
/// `default_required_approvals`): 1-10, else VALIDATION_ERROR on `field`.
inline outcome<int> check_required_approvals(std::int64_t n, std::string_view field) {
  if (n < min_required_approvals || n > max_required_approvals)
    return validation_error(std::string(field),
                            "must be " + std::to_string(min_required_approvals) + "-" +
                                std::to_string(max_required_approvals));
  return static_cast<int>(n);
}

} // namespace waitroom::events::checkin
