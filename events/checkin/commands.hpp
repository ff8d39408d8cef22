#pragma once
/// Commands on check-ins: what a principal (or the timer) asks for. Each carries `now`
/// and any fresh ids, so `decide` stays pure.

#include "events/checkin/terms.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace waitroom::events::checkin {

/// Fresh message ids for the thread messages a command writes (status changes and
/// decisions), taken in order. How many a command needs is the decider's to say
/// (`message_ids_needed`, decider.hpp); the runtime supplies them.
using fresh_ids = std::vector<std::string>;

/// An agent asks the humans of a room (`POST /v1/rooms/:room/check-in`). Absent
/// optionals take the room's defaults.
struct create {
  std::string id;
  std::string room_id;
  std::string org_id;
  std::string agent_id;
  std::string action;
  std::string reason;
  risk risk_level = risk::medium;
  urgency_level urgency = urgency_level::normal;
  boost::json::object metadata;
  std::optional<duration_ms> timeout_ms;
  std::optional<timeout_behavior> timeout_action;
  std::optional<std::int64_t> required_approvals; ///< 1-10
  timestamp now;
  fresh_ids message_ids;
};

struct approve {
  actor_ref by;
  std::optional<std::string> reason;
  timestamp now;
  fresh_ids message_ids;
};

struct reject {
  actor_ref by;
  std::optional<std::string> reason;
  timestamp now;
  fresh_ids message_ids;
};

struct modify {
  actor_ref by;
  boost::json::object modifications;
  std::optional<std::string> reason;
  timestamp now;
  fresh_ids message_ids;
};

struct withdraw {
  actor_ref by;
  std::optional<std::string> reason;
  timestamp now;
  fresh_ids message_ids;
  bool by_admin = false; ///< the caller is an admin or owner of the org (tasks)
};

struct extend {
  actor_ref by;
  duration_ms by_ms = 0;
  timestamp now;
};

/// A person hands a task to the agents of a room (`POST /v1/rooms/:room/tasks`).
struct create_task {
  std::string id;
  std::string room_id;
  std::string org_id;
  actor_ref by;
  std::string action;
  std::string reason;
  risk risk_level = risk::medium;
  urgency_level urgency = urgency_level::normal;
  boost::json::object metadata;
  std::optional<duration_ms> timeout_ms;
  std::optional<timeout_behavior> timeout_action;
  std::optional<std::int64_t> required_approvals; ///< 1-10
  timestamp now;
  fresh_ids message_ids;
};

/// An agent takes an open task.
struct claim {
  actor_ref by;
  timestamp now;
  fresh_ids message_ids;
};

/// The primary agent gives the task back.
struct release {
  actor_ref by;
  timestamp now;
  fresh_ids message_ids;
};

/// The primary agent asks for help.
struct request_help {
  actor_ref by;
  std::string description;
  timestamp now;
};

/// Another agent joins as a helper.
struct join {
  actor_ref by;
  timestamp now;
};

/// The primary agent submits its result for review.
struct submit {
  actor_ref by;
  std::string content;
  boost::json::object metadata;
  timestamp now;
  fresh_ids message_ids;
};

/// A thread message (`POST /v1/check-ins/:id/messages`).
struct post_message {
  actor_ref by;
  message_kind type = message_kind::comment;
  std::string content;
  boost::json::object metadata;
  boost::json::array attachments;
  timestamp now;
  fresh_ids message_ids;
};

/// From the timer service: the deadline may have passed.
struct expire {
  timestamp now;
  fresh_ids message_ids;
};

/// From the timer service: the expiry warning may be due.
struct announce_expiry {
  timestamp now;
};

using command =
    std::variant<approve, reject, modify, withdraw, extend, expire, announce_expiry,
                 claim, release, request_help, join, submit, post_message>;

} // namespace waitroom::events::checkin
