#pragma once
// The room most decider tests are set in: "deployments" of `org_id`, created by the
// system at `at`, with a policy and settings when a test needs them, and then any
// further room events (member changes ...).

#include "events/room/decider.hpp"
#include "given_when_then.hpp"

#include <string>
#include <utility>

namespace waitroom::events::testing {

inline room::state a_deployments_room(const std::string& room_id,
                                      const std::string& org_id, timestamp at,
                                      room::policy policy = {},
                                      room::room_settings settings = {},
                                      event_list more = {}) {
  room::created c;
  c.id = room_id;
  c.org_id = org_id;
  c.slug = "deployments";
  c.name = "Deployments";
  c.settings = settings;
  c.policy = std::move(policy);
  event_list history;
  history.push_back(
      make_event(room_id, org_id, room_id, actor_ref::system(), at, std::move(c)));
  for (auto& e : more)
    history.push_back(std::move(e));
  return given<room::state>(std::move(history));
}

} // namespace waitroom::events::testing
