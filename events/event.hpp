#pragma once
/// The event envelope and the closed set of event types. An event is a fact: once in
/// the log it is never changed. `decide` produces events; `evolve` folds them.

#include "events/actor_ref.hpp"
#include "events/agent/events.hpp"
#include "events/checkin/events.hpp"
#include "events/log/events.hpp"
#include "events/org/events.hpp"
#include "events/room/events.hpp"
#include "events/signal/events.hpp"
#include "events/time.hpp"
#include "events/user/events.hpp"
#include "events/watcher/events.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace waitroom::events {

/// Every event type the log can hold.
using event_data =
    std::variant<org::created,                                                    //
                 user::created, user::token_rotated, user::deactivated,           //
                 agent::registered, agent::self_registered, agent::claimed,       //
                 agent::key_rotated, agent::deactivated,                          //
                 room::created, room::policy_updated, room::updated,              //
                 room::member_set, room::member_removed,                          //
                 checkin::created, checkin::approval_recorded, checkin::resolved, //
                 checkin::extended, checkin::expiring, checkin::message_posted,   //
                 checkin::claimed, checkin::released, checkin::help_requested,    //
                 checkin::helper_joined, checkin::submitted,                      //
                 watcher::created, watcher::disabled, watcher::deleted,           //
                 signal::broadcast,                                               //
                 log::quarantined>;

/// Wire type of an event, e.g. "checkin.approved".
std::string_view event_type(const event_data& data);

/// Envelope fields. `seq` and `version` are assigned by the log at commit.
struct event_meta {
  std::uint64_t seq = 0;     ///< global position, 1-based, gap-free
  std::string stream;        ///< aggregate id, e.g. "ci_a1b2c3d4e5"
  std::uint32_t version = 0; ///< position in the stream, 1-based
  timestamp at;              ///< when it happened (from the command's `now`)
  actor_ref actor;           ///< who caused it
  std::string org_id;        ///< tenant (empty only for unclaimed agents)
  std::string room_id;       ///< room, for room and check-in events
};

/// An event with its envelope.
struct recorded_event {
  event_meta meta;
  event_data data;
};

/// Events that `decide` wants appended, in order.
using event_list = std::vector<recorded_event>;

/// Builds an event for `stream` in `org_id`/`room_id`, caused by `actor` at `at`.
inline recorded_event make_event(std::string stream, std::string org_id,
                                 std::string room_id, actor_ref actor, timestamp at,
                                 event_data data) {
  recorded_event e;
  e.meta.stream = std::move(stream);
  e.meta.org_id = std::move(org_id);
  e.meta.room_id = std::move(room_id);
  e.meta.actor = std::move(actor);
  e.meta.at = at;
  e.data = std::move(data);
  return e;
}

} // namespace waitroom::events
