#pragma once
/// Events of the room aggregate (stream `rm_…`). NOTE: storage format; wire names and
/// fields are versioned by the envelope's `v`.

#include "events/checkin/terms.hpp"
#include "events/room/policy.hpp"

#include <boost/describe/class.hpp>

#include <string>
#include <string_view>

namespace waitroom::events::room {

/// Defaults a room gives the check-ins created in it.
struct room_settings {
  duration_ms default_timeout_ms = 3'600'000;
  checkin::timeout_behavior default_timeout_action = checkin::timeout_behavior::cancel;
  int default_required_approvals = 1;
  duration_ms expiry_warning_ms = 300'000;
  bool operator==(const room_settings&) const = default;
};
BOOST_DESCRIBE_STRUCT(room_settings, (),
                      (default_timeout_ms, default_timeout_action,
                       default_required_approvals, expiry_warning_ms))

/// `room.created`: a room exists, with its slug, settings and initial policy.
struct created {
  static constexpr std::string_view wire_type = "room.created";
  std::string id;
  std::string org_id;
  std::string slug;
  std::string name;
  std::string description;
  room_settings settings;
  room::policy policy;
};
BOOST_DESCRIBE_STRUCT(created, (),
                      (id, org_id, slug, name, description, settings, policy))

/// `room.policy_updated`: the room's policy was replaced.
struct policy_updated {
  static constexpr std::string_view wire_type = "room.policy_updated";
  room::policy policy;
};
BOOST_DESCRIBE_STRUCT(policy_updated, (), (policy))

/// `room.updated`: name, description or settings changed (the new values, all of them).
struct updated {
  static constexpr std::string_view wire_type = "room.updated";
  std::string name;
  std::string description;
  room_settings settings;
};
BOOST_DESCRIBE_STRUCT(updated, (), (name, description, settings))

/// What a listed principal may do in a room that has members.
enum class member_role { approver, viewer, agent };
BOOST_DESCRIBE_ENUM(member_role, approver, viewer, agent)

/// `room.member_set`: a principal is listed with a role (added, or its role changed).
struct member_set {
  static constexpr std::string_view wire_type = "room.member_set";
  std::string principal_id;
  actor_kind principal_kind = actor_kind::user;
  member_role role = member_role::viewer;
};
BOOST_DESCRIBE_STRUCT(member_set, (), (principal_id, principal_kind, role))

/// `room.member_removed`: a principal is no longer listed.
struct member_removed {
  static constexpr std::string_view wire_type = "room.member_removed";
  std::string principal_id;
};
BOOST_DESCRIBE_STRUCT(member_removed, (), (principal_id))

} // namespace waitroom::events::room
