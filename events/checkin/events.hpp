#pragma once
/// Events of the check-in aggregate (stream `ci_…`). NOTE: storage format; every field
/// here is written to the log and read back by replay, so change it only with a new
/// schema version and an upcast in the codec.

#include "events/checkin/terms.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace waitroom::events::checkin {

/// `checkin.created`: a check-in exists. For agent check-ins the room's policy has been
/// evaluated: `status` is `pending`, or the policy decided at once (`approved` or
/// `rejected`, with `decision.by.kind = "policy"`). Tasks start `open`.
struct created {
  static constexpr std::string_view wire_type = "checkin.created";
  std::string id;
  std::string room_id;
  std::string org_id;
  checkin_direction direction = checkin_direction::agent_to_human;
  std::string action;
  std::string reason;
  risk risk_level = risk::medium;
  urgency_level urgency = urgency_level::normal;
  boost::json::object metadata;
  std::string agent_id; ///< the asking agent (agent check-ins); empty for tasks
  actor_ref created_by;
  duration_ms timeout_ms = 0;
  timeout_behavior timeout_action = timeout_behavior::cancel;
  int required_approvals = 1;
  duration_ms warn_before_ms = 0; ///< the `checkin.expiring` warning comes this early
  std::optional<timestamp> expires_at; ///< null for `hold`
  checkin_status status = checkin_status::pending;
  std::optional<decision_record> decision;
};
BOOST_DESCRIBE_STRUCT(created, (),
                      (id, room_id, org_id, direction, action, reason, risk_level,
                       urgency, metadata, agent_id, created_by, timeout_ms,
                       timeout_action, required_approvals, warn_before_ms, expires_at,
                       status, decision))

/// `checkin.approval_recorded`: one of several required approvers approved or modified.
struct approval_recorded {
  static constexpr std::string_view wire_type = "checkin.approval_recorded";
  actor_ref by;
  resolution outcome = resolution::approved; ///< approved or modified
  std::optional<boost::json::object> modifications;
  std::optional<std::string> reason;
};
BOOST_DESCRIBE_STRUCT(approval_recorded, (), (by, outcome, modifications, reason))

/// `checkin.approved|rejected|modified|expired|withdrawn`: the check-in is final. One
/// C++ type for the five wire types; the wire type follows `decision.outcome`.
struct resolved {
  decision_record decision;
  std::optional<boost::json::object> modifications; ///< for `modified`
};
BOOST_DESCRIBE_STRUCT(resolved, (), (decision, modifications))

/// Wire type of a resolution, e.g. "checkin.approved".
std::string_view resolved_wire_type(resolution r);

/// `checkin.extended`: the deadline moved later by `by_ms`.
struct extended {
  static constexpr std::string_view wire_type = "checkin.extended";
  duration_ms by_ms = 0;
  timestamp expires_at; ///< the new deadline
};
BOOST_DESCRIBE_STRUCT(extended, (), (by_ms, expires_at))

/// `checkin.expiring`: the deadline is near; a person can still decide or extend.
struct expiring {
  static constexpr std::string_view wire_type = "checkin.expiring";
  timestamp expires_at;
};
BOOST_DESCRIBE_STRUCT(expiring, (), (expires_at))

/// `checkin.claimed`: an agent took an open task; it is the primary agent now.
struct claimed {
  static constexpr std::string_view wire_type = "checkin.claimed";
  std::string agent_id;
};
BOOST_DESCRIBE_STRUCT(claimed, (), (agent_id))

/// `checkin.released`: the primary agent gave the task back; it is open again.
struct released {
  static constexpr std::string_view wire_type = "checkin.released";
  std::string agent_id;
};
BOOST_DESCRIBE_STRUCT(released, (), (agent_id))

/// `checkin.help_requested`: the primary agent asks other agents for help.
struct help_requested {
  static constexpr std::string_view wire_type = "checkin.help_requested";
  std::string agent_id;
  std::string description;
};
BOOST_DESCRIBE_STRUCT(help_requested, (), (agent_id, description))

/// `checkin.helper_joined`: an agent joined the task as a helper.
struct helper_joined {
  static constexpr std::string_view wire_type = "checkin.helper_joined";
  std::string agent_id;
};
BOOST_DESCRIBE_STRUCT(helper_joined, (), (agent_id))

/// `checkin.submitted`: the primary agent submitted its result (message `message_id`)
/// for review.
struct submitted {
  static constexpr std::string_view wire_type = "checkin.submitted";
  std::string agent_id;
  std::string message_id;
};
BOOST_DESCRIBE_STRUCT(submitted, (), (agent_id, message_id))

/// `checkin.message`: a thread message. `status_change` (author system) and `decision`
/// (author the deciding user) are written by the server on every status change and
/// human decision.
struct message_posted {
  static constexpr std::string_view wire_type = "checkin.message";
  std::string id;
  message_kind type = message_kind::comment;
  actor_ref author;
  std::string content;
  boost::json::object metadata;
  boost::json::array attachments;
};
BOOST_DESCRIBE_STRUCT(message_posted, (),
                      (id, type, author, content, metadata, attachments))

} // namespace waitroom::events::checkin
