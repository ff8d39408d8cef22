#pragma once
/// Events of the watcher aggregate (stream `w_…`): webhook subscriptions of a room.
/// NOTE: storage format. The signing secret is stored sealed (AES-256-GCM with the
/// server's key), never in the clear: the audit trail shows the log as written.

#include "events/actor_ref.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace waitroom::events::watcher {

/// `watcher.created`: deliver the room's events matching `event_types` (empty = all)
/// and `filter` to `webhook_url`.
struct created {
  static constexpr std::string_view wire_type = "watcher.created";
  std::string id;
  std::string room_id;
  std::string webhook_url;
  std::vector<std::string> event_types;
  boost::json::object filter;
  std::string sealed_secret; ///< hex(nonce | ciphertext | tag)
  actor_ref created_by;
};
BOOST_DESCRIBE_STRUCT(created, (),
                      (id, room_id, webhook_url, event_types, filter, sealed_secret,
                       created_by))

/// `watcher.disabled`: deliveries stop after `consecutive_failures` failed deliveries
/// in a row (the system's decision; the watcher stays listed, `status: "disabled"`).
struct disabled {
  static constexpr std::string_view wire_type = "watcher.disabled";
  std::string id;
  int consecutive_failures = 0;
};
BOOST_DESCRIBE_STRUCT(disabled, (), (id, consecutive_failures))

/// `watcher.deleted`: deliveries stop.
struct deleted {
  static constexpr std::string_view wire_type = "watcher.deleted";
  std::string id;
};
BOOST_DESCRIBE_STRUCT(deleted, (), (id))

} // namespace waitroom::events::watcher
