#pragma once
/// Organization commands: the first start of an empty instance, and room creation.

#include "events/checkin/terms.hpp"
#include "events/room/commands.hpp"
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
  room::settings_change settings;
  std::optional<room::policy> policy;
  actor_ref by;
  timestamp now;
};

using command = std::variant<create_room, create_org>;

} // namespace waitroom::events::org
