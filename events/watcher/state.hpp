#pragma once
/// The state of one watcher, folded from its stream.

#include "events/event.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace waitroom::events::watcher {

struct state {
  std::string id;
  std::string room_id;
  std::string org_id;
  std::string webhook_url;
  std::vector<std::string> event_types;
  boost::json::object filter;
  std::string sealed_secret;
  actor_ref created_by;
  timestamp created_at;
  std::uint64_t created_seq = 0; ///< deliveries start after this event
  bool disabled = false;
  bool deleted = false;
  std::uint32_t version = 0;

  /// Created (a stream whose creation was quarantined folds into nothing).
  bool exists() const noexcept { return !id.empty(); }
  /// Whether deliveries go out (not deleted, not disabled).
  bool active() const noexcept { return exists() && !deleted && !disabled; }
};

void evolve(state& s, const recorded_event& e);

} // namespace waitroom::events::watcher
