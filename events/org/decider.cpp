#include "events/org/decider.hpp"

#include "events/json.hpp"
#include "events/room/decider.hpp"
#include "events/user/decider.hpp"

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

namespace {

/// An organization, its owner and its room `general`, each in its own stream.
event_list founding(const bootstrap& b, const actor_ref& by, bool instance_admin) {
  event_list out;
  out.push_back(
      make_event(b.org_id, b.org_id, {}, by, b.now, created{b.org_id, b.org_name}));
  out.push_back(make_event(b.owner_id, b.org_id, {}, by, b.now,
                           user::created{b.owner_id, b.org_id, b.owner_name,
                                         b.owner_email, user::user_role::owner,
                                         b.owner_token_hash, instance_admin}));
  room::created general;
  general.id = b.room_id;
  general.org_id = b.org_id;
  general.slug = "general";
  general.name = "General";
  general.description = "The default room.";
  out.push_back(
      make_event(b.room_id, b.org_id, b.room_id, by, b.now, std::move(general)));
  return out;
}

outcome<event_list> decide_create_room(const state& s, const create_room& c) {
  if (auto v = room::validate_slug(c.slug); !v) return std::move(v).error();
  if (auto v = room::validate_name(c.name); !v) return std::move(v).error();
  if (auto v = room::validate_description(c.description); !v) return std::move(v).error();
  auto settings = room::apply_settings(room::room_settings{}, c.settings);
  if (!settings) return std::move(settings).error();
  if (s.room_slugs.count(c.slug) != 0)
    return conflict("a room with slug '" + c.slug + "' already exists");
  room::created ev;
  ev.id = c.room_id;
  ev.org_id = s.id;
  ev.slug = c.slug;
  ev.name = c.name;
  ev.description = c.description;
  ev.settings = *settings;
  if (c.policy) ev.policy = *c.policy;
  event_list out;
  out.push_back(make_event(c.room_id, s.id, c.room_id, c.by, c.now, std::move(ev)));
  return out;
}

outcome<event_list> decide_create_org(const state& s, const create_org& c) {
  if (s.exists()) return conflict("organization " + c.org_id + " already exists");
  auto n = utf8_length(c.name);
  if (n < 1 || n > 200) return validation_error("name", "must have 1-200 characters");
  if (auto v = user::validate_person(c.owner_name, c.owner_email); !v) {
    auto e = std::move(v).error();
    e.field = "owner." + e.field;
    return e;
  }
  return founding({c.org_id, c.name, c.owner_id, c.owner_name, c.owner_email,
                   c.owner_token_hash, c.room_id, c.now},
                  c.by, false);
}

} // namespace

event_list decide_bootstrap(const bootstrap& b) {
  return founding(b, actor_ref::system(), true);
}

outcome<event_list> decide(const state& s, const command& cmd) {
  if (const auto* c = std::get_if<create_org>(&cmd)) return decide_create_org(s, *c);
  if (!s.exists()) return not_found("organization not found");
  return decide_create_room(s, std::get<create_room>(cmd));
}

} // namespace waitroom::events::org
