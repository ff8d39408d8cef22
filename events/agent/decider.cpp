#include "events/agent/decider.hpp"

#include "events/json.hpp"

namespace waitroom::events::agent {

void evolve(state& s, const recorded_event& e) {
  if (const auto* r = std::get_if<registered>(&e.data)) {
    s.id = r->id;
    s.org_id = r->org_id;
    s.name = r->name;
    s.description = r->description;
    s.platform = r->platform;
    s.key_hash = r->key_hash;
    s.key_prefix = r->key_prefix;
    s.status = r->status;
    s.created_at = e.meta.at;
  }
  s.version = e.meta.version;
}

outcome<event_list> decide(const state& s, const command& cmd) {
  return std::visit(
      [&](const register_agent& c) -> outcome<event_list> {
        if (s.exists()) {
          if (s.key_hash == c.key_hash) return event_list{};
          return conflict("agent " + c.id + " already exists");
        }
        auto n = utf8_length(c.name);
        if (n < 1 || n > 200)
          return validation_error("name", "must have 1-200 characters");
        if (utf8_length(c.description) > 2000)
          return validation_error("description", "must have at most 2000 characters");
        if (utf8_length(c.platform) > 100)
          return validation_error("platform", "must have at most 100 characters");
        registered ev{
            c.id,
            c.org_id,
            c.name,
            c.description,
            c.platform,
            c.key_hash,
            c.key_prefix,
            c.org_id.empty() ? agent_status::pending_claim : agent_status::active};
        event_list out;
        out.push_back(make_event(c.id, c.org_id, {}, c.by, c.now, std::move(ev)));
        return out;
      },
      cmd);
}

} // namespace waitroom::events::agent
