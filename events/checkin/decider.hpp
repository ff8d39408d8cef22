#pragma once
/// The rules of check-ins: `decide(state, command) -> events | error`.
///
/// - Decisions (approve, reject, modify) need status `pending` (or `in_review` for
/// tasks),
///   otherwise 409 CONFLICT. Only users decide.
/// - With `required_approvals` N > 1 each approve/modify of a distinct user is recorded
///   (`checkin.approval_recorded`); the same user twice is CONFLICT; the N-th makes the
///   check-in `approved`, or `modified` (modifications merged in order) if any counted
///   decision was a modify. A reject ends it at once.
/// - Withdraw: only the creating agent, only while pending/open.
/// - Extend: 1 s to 7 days, only while pending/open with a deadline (`hold` has none).
/// - Expire (timer): when the deadline passed while waiting: `cancel` -> expired,
///   `auto_approve` -> approved by `timeout`. Otherwise nothing (idempotent).
/// - Announce expiry (timer): `checkin.expiring` once per deadline, at
///   `expires_at - warn_before_ms`, where warn_before_ms = min(room warning, timeout/10).
/// - Tasks (human -> agents): an agent claims an `open` task and becomes its primary
///   agent (a second claim is CONFLICT); the primary releases it (`open` again, helpers
///   kept), asks for help, or submits a result (a `result` message; `in_review`).
///   Other agents join as helpers (twice changes nothing). People decide `in_review`
///   tasks like check-ins; the person who posted it or an admin withdraws an `open`
///   one. Deadlines run only while a task is `open`.
/// - Thread messages: `comment`, `question`, `escalation`, `result`, 1-10,000
///   characters, up to 10 attachments `{name, url, content_type?, size?}`; agents write
///   only where they take part (asking, primary, helper).
/// - Every status change appends a `status_change` message, every human decision a
///   `decision` message.

#include "events/checkin/commands.hpp"
#include "events/checkin/state.hpp"
#include "events/event.hpp"
#include "events/outcome.hpp"
#include "events/room/state.hpp"

namespace waitroom::events::checkin {

/// `is_waiting` for a status's wire name (as clients read it from an answer); false for
/// a name that is not a status.
bool is_waiting_status(std::string_view wire_name);

/// Creates an agent check-in in `room`, evaluating the room's policy with the agent's
/// current `trust_score` in that room. Errors: VALIDATION_ERROR (field named), never
/// POLICY_FORBIDS (a forbidden check-in is recorded; see `answer_error`).
outcome<event_list> decide_create(const create& cmd, const room::state& room,
                                  double trust_score);

/// Creates a task: a person hands work to the agents of `room` (status `open`, no
/// policy evaluation).
outcome<event_list> decide_create_task(const create_task& cmd, const room::state& room);

/// Decides a command on an existing check-in. No events when the intent already holds
/// for timer commands; errors otherwise as documented above.
outcome<event_list> decide(const state& s, const command& cmd);

/// How many fresh message ids deciding `cmd` takes at most: one per thread message it
/// may write (a decision message and a status change for a decision or a submit, a
/// status change for a withdraw, an expiry, a claim or a release, the message itself
/// for a post). A command that carries fewer fails INTERNAL and writes nothing.
std::size_t message_ids_needed(const command& cmd);
/// A create (check-in or task) writes one: its first status change.
inline constexpr std::size_t message_ids_needed_to_create = 1;
/// The fresh ids `cmd` carries (nullptr: it writes no message).
fresh_ids* message_ids_of(command& cmd);

/// The error the caller must answer after the events of a create were committed: 403
/// POLICY_FORBIDS with `details.check_in_id` and `details.rule_id` when the policy
/// rejected it; nothing otherwise.
std::optional<error> answer_error(const state& created);

} // namespace waitroom::events::checkin
