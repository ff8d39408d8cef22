#include "events/room/decider.hpp"

#include "events/json.hpp"

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
  if (s.default_required_approvals < 1 || s.default_required_approvals > 10)
    return validation_error("default_required_approvals", "must be 1-10");
  if (s.expiry_warning_ms < 0 || s.expiry_warning_ms > week)
    return validation_error("expiry_warning_ms", "must be 0-604800000");
  return {};
}

outcome<event_list> decide(const state& s, const command& cmd) {
  if (!s.exists()) return not_found("room not found");
  return std::visit(
      [&](const auto& c) -> outcome<event_list> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, set_policy>) {
          if (json_equal(to_json(s.policy), to_json(c.policy))) return event_list{};
          event_list out;
          out.push_back(
              make_event(s.id, s.org_id, s.id, c.by, c.now, policy_updated{c.policy}));
          return out;
        }
      },
      cmd);
}

} // namespace waitroom::events::room
