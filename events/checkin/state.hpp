#pragma once
/// The state of one check-in, folded from its stream by `evolve`. The same fold serves
/// the check-in actor (to decide) and the check-in index projection (to answer reads).

#include "events/checkin/terms.hpp"
#include "events/event.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::events::checkin {

/// One counted decision of a check-in that needs several approvers.
struct approval {
  actor_ref by;
  timestamp at;
  resolution outcome = resolution::approved; ///< approved or modified
  std::optional<boost::json::object> modifications;
  std::optional<std::string> reason;
};

struct state {
  std::string id;
  std::string room_id;
  std::string org_id;
  checkin_direction direction = checkin_direction::agent_to_human;
  checkin_status status = checkin_status::pending;
  std::string action;
  std::string reason;
  risk risk_level = risk::medium;
  urgency_level urgency = urgency_level::normal;
  boost::json::object metadata;
  std::string agent_id;
  actor_ref created_by;
  duration_ms timeout_ms = 0;
  timeout_behavior timeout_action = timeout_behavior::cancel;
  int required_approvals = 1;
  duration_ms warn_before_ms = 0;
  std::optional<timestamp> expires_at;
  bool expiring_announced = false; ///< `checkin.expiring` appended for this deadline
  /// An event of this check-in was quarantined (unreadable, set aside: `log.quarantined`):
  /// what it did is unknown, perhaps a decision, so no deadline runs any more (a timeout
  /// must never decide what a person may have decided); people decide.
  bool damaged = false;
  std::optional<decision_record> decision;
  std::optional<boost::json::object> modifications;
  std::vector<approval> approvals;
  std::optional<std::string> primary_agent_id;
  std::vector<std::string> helpers;
  timestamp created_at;
  timestamp updated_at;
  std::uint32_t version = 0;     ///< stream version of the last folded event
  std::uint64_t created_seq = 0; ///< global seq of `checkin.created` (queue order)

  /// Created (a stream whose creation was quarantined folds into nothing).
  bool exists() const noexcept { return !id.empty(); }

  /// When `checkin.expiring` is due, if the check-in still waits on a deadline.
  std::optional<timestamp> warn_at() const;

  /// The deadline the timer must honour, if any (waiting and not `hold`).
  std::optional<timestamp> live_deadline() const;

  /// `expires_at` as the API shows it: the deadline, except while a task is claimed or
  /// in review, when none runs (releasing the task brings it back), and for a task
  /// decided from review (it had none then). Other decided check-ins keep the deadline
  /// they had; a damaged one has none.
  std::optional<timestamp> shown_deadline() const;
};

/// Folds one event of this check-in's stream into `s`. Never fails: events are facts.
void evolve(state& s, const recorded_event& e);

} // namespace waitroom::events::checkin
