#include "events/room/decider.hpp"

#include "events/json.hpp"
#include "events/room/access.hpp"

namespace waitroom::events::room {

void evolve(state& s, const recorded_event& e) {
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, created>) {
          s.id = ev.id;
          s.org_id = ev.org_id;
          s.slug = ev.slug;
          s.name = ev.name;
          s.description = ev.description;
          s.settings = ev.settings;
          s.policy = ev.policy;
          s.created_at = e.meta.at;
        } else if constexpr (std::is_same_v<T, policy_updated>) {
          s.policy = ev.policy;
        } else if constexpr (std::is_same_v<T, updated>) {
          s.name = ev.name;
          s.description = ev.description;
          s.settings = ev.settings;
        } else if constexpr (std::is_same_v<T, member_set>) {
          auto& m = s.members[ev.principal_id];
          if (m.principal_id.empty()) m.since = e.meta.at;
          m.principal_id = ev.principal_id;
          m.principal_kind = ev.principal_kind;
          m.role = ev.role;
        } else if constexpr (std::is_same_v<T, member_removed>) {
          s.members.erase(ev.principal_id);
        }
      },
      e.data);
  s.updated_at = e.meta.at;
  s.version = e.meta.version;
}

outcome<void> validate_slug(std::string_view slug) {
  bool ok = !slug.empty() && slug.size() <= 63;
  for (std::size_t i = 0; ok && i < slug.size(); ++i) {
    char c = slug[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    ok = alnum || (i > 0 && c == '-');
  }
  if (!ok) return validation_error("slug", "must match ^[a-z0-9][a-z0-9-]{0,62}$");
  return {};
}

outcome<void> validate_name(std::string_view name) {
  auto n = utf8_length(name);
  if (n < 1 || n > 200) return validation_error("name", "must have 1-200 characters");
  return {};
}

outcome<void> validate_description(std::string_view description) {
  if (utf8_length(description) > 5000)
    return validation_error("description", "must have at most 5000 characters");
  return {};
}

outcome<void> validate_settings(const room_settings& s) {
  constexpr duration_ms week = 7LL * 24 * 3600 * 1000;
  if (s.default_timeout_ms < 1000 || s.default_timeout_ms > week)
    return validation_error("default_timeout_ms",
                            "must be 1000-604800000 (1 s to 7 days)");
  if (auto n = checkin::check_required_approvals(s.default_required_approvals,
                                                 "default_required_approvals");
      !n)
    return std::move(n).error();
  if (s.expiry_warning_ms < 0 || s.expiry_warning_ms > week)
    return validation_error("expiry_warning_ms", "must be 0-604800000");
  return {};
}

outcome<room_settings> apply_settings(room_settings base, const settings_change& change) {
  if (change.default_timeout_ms) base.default_timeout_ms = *change.default_timeout_ms;
  if (change.default_timeout_action)
    base.default_timeout_action = *change.default_timeout_action;
  if (change.default_required_approvals) {
    auto n = checkin::check_required_approvals(*change.default_required_approvals,
                                               "default_required_approvals");
    if (!n) return std::move(n).error();
    base.default_required_approvals = *n;
  }
  if (change.expiry_warning_ms) base.expiry_warning_ms = *change.expiry_warning_ms;
  if (auto v = validate_settings(base); !v) return std::move(v).error();
  return base;
}

bool is_open(const state& r) {
  return r.members.empty();
}

bool can_see(const state& r, const caller& c) {
  if (is_open(r)) return true;
  if (c.kind == actor_kind::user && c.role &&
      user::at_least(*c.role, user::user_role::admin))
    return true;
  return r.members.count(c.id) != 0;
}

bool can_act(const state& r, const caller& c) {
  if (c.kind == actor_kind::user) {
    if (!c.role || !user::at_least(*c.role, user::user_role::member)) return false;
    if (is_open(r) || user::at_least(*c.role, user::user_role::admin)) return true;
    auto it = r.members.find(c.id);
    return it != r.members.end() && it->second.role == member_role::approver;
  }
  if (is_open(r)) return true;
  auto it = r.members.find(c.id);
  return it != r.members.end() && it->second.role == member_role::agent;
}

namespace {

event_list one(const state& s, const actor_ref& by, timestamp now, event_data data) {
  event_list out;
  out.push_back(make_event(s.id, s.org_id, s.id, by, now, std::move(data)));
  return out;
}

} // namespace

outcome<event_list> decide(const state& s, const command& cmd) {
  if (!s.exists()) return not_found("room not found");
  return std::visit(
      [&](const auto& c) -> outcome<event_list> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, set_policy>) {
          if (json_equal(to_json(s.policy), to_json(c.policy))) return event_list{};
          return one(s, c.by, c.now, policy_updated{c.policy});
        } else if constexpr (std::is_same_v<T, update>) {
          if (c.name)
            if (auto v = validate_name(*c.name); !v) return std::move(v).error();
          if (c.description)
            if (auto v = validate_description(*c.description); !v)
              return std::move(v).error();
          auto settings = apply_settings(s.settings, c.settings);
          if (!settings) return std::move(settings).error();
          updated ev{c.name.value_or(s.name), c.description.value_or(s.description),
                     std::move(*settings)};
          if (ev.name == s.name && ev.description == s.description &&
              ev.settings == s.settings)
            return event_list{};
          return one(s, c.by, c.now, std::move(ev));
        } else if constexpr (std::is_same_v<T, set_member>) {
          bool agent = c.principal_kind == actor_kind::agent;
          if (agent != (c.role == member_role::agent))
            return validation_error("role",
                                    agent ? "an agent's role is agent"
                                          : "a person's role is approver or viewer");
          if (auto it = s.members.find(c.principal_id);
              it != s.members.end() && it->second.role == c.role)
            return event_list{};
          return one(s, c.by, c.now,
                     member_set{c.principal_id, c.principal_kind, c.role});
        } else {
          if (s.members.count(c.principal_id) == 0)
            return not_found("not a member of this room");
          return one(s, c.by, c.now, member_removed{c.principal_id});
        }
      },
      cmd);
}

} // namespace waitroom::events::room
