#include "events/org/decider.hpp"

#include "events/room/decider.hpp"

namespace waitroom::events::org {

void evolve(state& s, const recorded_event& e) {
  if (const auto* c = std::get_if<created>(&e.data)) {
    s.id = c->id;
    s.name = c->name;
    s.version = e.meta.version;
  } else if (const auto* r = std::get_if<room::created>(&e.data)) {
    s.room_slugs.insert(r->slug);
  }
}

event_list decide_bootstrap(const bootstrap& b) {
  event_list out;
  auto owner = actor_ref::user(b.owner_id);
  out.push_back(make_event(b.org_id, b.org_id, {}, actor_ref::system(), b.now,
                           created{b.org_id, b.org_name}));
  out.push_back(
      make_event(b.owner_id, b.org_id, {}, actor_ref::system(), b.now,
                 user::created{b.owner_id, b.org_id, b.owner_name, b.owner_email,
                               user::user_role::owner, b.owner_token_hash, true}));
  room::created general;
  general.id = b.room_id;
  general.org_id = b.org_id;
  general.slug = "general";
  general.name = "General";
  general.description = "The default room.";
  out.push_back(make_event(b.room_id, b.org_id, b.room_id, actor_ref::system(), b.now,
                           std::move(general)));
  return out;
}

outcome<event_list> decide(const state& s, const command& cmd) {
  if (!s.exists()) return not_found("organization not found");
  return std::visit(
      [&](const create_room& c) -> outcome<event_list> {
        if (auto v = room::validate_slug(c.slug); !v) return std::move(v).error();
        if (auto v = room::validate_name(c.name); !v) return std::move(v).error();
        if (auto v = room::validate_description(c.description); !v)
          return std::move(v).error();
        room::room_settings settings;
        settings.default_timeout_ms =
            c.default_timeout_ms.value_or(settings.default_timeout_ms);
        settings.default_timeout_action =
            c.default_timeout_action.value_or(settings.default_timeout_action);
        settings.default_required_approvals =
            c.default_required_approvals.value_or(settings.default_required_approvals);
        settings.expiry_warning_ms =
            c.expiry_warning_ms.value_or(settings.expiry_warning_ms);
        if (auto v = room::validate_settings(settings); !v) return std::move(v).error();
        if (s.room_slugs.count(c.slug) != 0)
          return conflict("a room with slug '" + c.slug + "' already exists");
        room::created ev;
        ev.id = c.room_id;
        ev.org_id = s.id;
        ev.slug = c.slug;
        ev.name = c.name;
        ev.description = c.description;
        ev.settings = settings;
        if (c.policy) ev.policy = *c.policy;
        event_list out;
        out.push_back(make_event(c.room_id, s.id, c.room_id, c.by, c.now, std::move(ev)));
        return out;
      },
      cmd);
}

} // namespace waitroom::events::org
