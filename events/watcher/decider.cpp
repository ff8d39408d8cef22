#include "events/watcher/decider.hpp"
#include "events/watcher/access.hpp"

#include "events/json.hpp"
#include "events/watcher/delivery.hpp"

#include <algorithm>
#include <array>

namespace waitroom::events::watcher {

void evolve(state& s, const recorded_event& e) {
  if (const auto* c = std::get_if<created>(&e.data)) {
    s.id = c->id;
    s.room_id = c->room_id;
    s.org_id = e.meta.org_id;
    s.webhook_url = c->webhook_url;
    s.event_types = c->event_types;
    s.filter = c->filter;
    s.sealed_secret = c->sealed_secret;
    s.created_by = c->created_by;
    s.created_at = e.meta.at;
    s.created_seq = e.meta.seq;
  } else if (std::holds_alternative<disabled>(e.data)) {
    s.disabled = true;
  } else if (std::holds_alternative<deleted>(e.data)) {
    s.deleted = true;
  }
  s.version = e.meta.version;
}

namespace {

// API.md "Real-time events": what streams, Redis and webhooks carry.
constexpr std::array<std::string_view, 18> types{
    "checkin.created",           "checkin.approved",      "checkin.rejected",
    "checkin.modified",          "checkin.expired",       "checkin.withdrawn",
    "checkin.claimed",           "checkin.released",      "checkin.message",
    "checkin.help_requested",    "checkin.helper_joined", "checkin.submitted",
    "checkin.approval_recorded", "checkin.extended",      "checkin.expiring",
    "signal.broadcast",          "room.updated",          "room.policy_updated"};

} // namespace

std::span<const std::string_view> room_event_types() {
  return types;
}

bool is_room_event_type(std::string_view type) {
  const auto room = room_event_types();
  return std::find(room.begin(), room.end(), type) != room.end();
}

bool is_room_event(const recorded_event& e) {
  return !e.meta.room_id.empty() && is_room_event_type(event_type(e.data));
}

bool may_manage(const state& s, const actor_ref& by, bool by_admin) {
  return by_admin || by == s.created_by;
}

outcome<event_list> decide(const state& s, const command& cmd) {
  return std::visit(
      [&](const auto& c) -> outcome<event_list> {
        using T = std::decay_t<decltype(c)>;
        event_list out;
        if constexpr (std::is_same_v<T, create>) {
          if (s.exists()) return conflict("watcher " + c.id + " already exists");
          if (auto url = check_webhook_url(c.webhook_url); !url) return url.error();
          for (std::size_t i = 0; i < c.event_types.size(); ++i)
            if (!is_room_event_type(c.event_types[i]))
              return validation_error("event_types[" + std::to_string(i) + "]",
                                      "unknown event type '" + c.event_types[i] + "'");
          if (compact_size(boost::json::value(c.filter)) > 10 * 1024)
            return validation_error("filter", "must serialize to at most 10240 bytes");
          out.push_back(make_event(c.id, c.org_id, c.room_id, c.by, c.now,
                                   created{c.id, c.room_id, c.webhook_url, c.event_types,
                                           c.filter, c.sealed_secret, c.by}));
        } else if constexpr (std::is_same_v<T, disable>) {
          if (!s.exists() || s.deleted) return not_found("watcher not found");
          if (s.disabled) return conflict("watcher " + s.id + " is disabled already");
          if (!should_disable(c.consecutive_failures))
            return validation_error("consecutive_failures",
                                    "a watcher is disabled after " +
                                        std::to_string(disable_after_failed_deliveries) +
                                        " failed deliveries in a row");
          out.push_back(make_event(s.id, s.org_id, s.room_id, actor_ref::system(), c.now,
                                   disabled{s.id, c.consecutive_failures}));
        } else {
          if (!s.exists() || s.deleted) return not_found("watcher not found");
          if (!may_manage(s, c.by, c.by_admin))
            return forbidden("only its creator or an admin can delete a watcher");
          out.push_back(
              make_event(s.id, s.org_id, s.room_id, c.by, c.now, deleted{s.id}));
        }
        return out;
      },
      cmd);
}

} // namespace waitroom::events::watcher
