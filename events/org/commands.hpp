#pragma once
/// Organization commands: the first start of an empty instance, and room creation.

#include "events/checkin/terms.hpp"
#include "events/room/policy.hpp"

#include <optional>
#include <string>
#include <variant>

namespace waitroom::events::org {

/// The first start: an organization, its owner (the instance admin) and room `general`.
struct bootstrap {
  std::string org_id;
  std::string org_name;
  std::string owner_id;
  std::string owner_name;
  std::string owner_email;
  std::string owner_token_hash;
  std::string room_id;
  timestamp now;
};

/// `POST /v1/orgs` (instance admin): another tenant, with its owner and room `general`,
/// as at bootstrap; its owner is not an instance admin.
struct create_org {
  std::string org_id;
  std::string name;
  std::string owner_id;
  std::string owner_name;
  std::string owner_email;
  std::string owner_token_hash;
  std::string room_id;
  actor_ref by;
  timestamp now;
};

/// `POST /v1/rooms`. Absent settings take the product defaults.
struct create_room {
  std::string room_id;
  std::string slug;
  std::string name;
  std::string description;
  std::optional<duration_ms> default_timeout_ms;
  std::optional<checkin::timeout_behavior> default_timeout_action;
  std::optional<std::int64_t> default_required_approvals; ///< 1-10
  std::optional<duration_ms> expiry_warning_ms;
  std::optional<room::policy> policy;
  actor_ref by;
  timestamp now;
};

using command = std::variant<create_room, create_org>;

} // namespace waitroom::events::org
