#pragma once
/// Commands on watchers.

#include "events/actor_ref.hpp"
#include "events/time.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <variant>
#include <vector>

namespace waitroom::events::watcher {

/// `POST /v1/rooms/:room/watch`. The URL's syntax was checked at the edge.
struct create {
  std::string id;
  std::string room_id;
  std::string org_id;
  std::string webhook_url;
  std::vector<std::string> event_types;
  boost::json::object filter;
  std::string sealed_secret;
  actor_ref by;
  timestamp now;
};

/// `DELETE /v1/watchers/:id`.
struct remove {
  actor_ref by;
  bool by_admin = false; ///< the caller is an admin or owner of the org
  timestamp now;
};

/// The delivery worker, after a delivery failed: disables the watcher when it has failed
/// too often in a row.
struct disable {
  int consecutive_failures = 0;
  timestamp now;
};

using command = std::variant<create, remove, disable>;

} // namespace waitroom::events::watcher
