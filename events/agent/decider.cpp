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
  } else if (const auto* r = std::get_if<self_registered>(&e.data)) {
    s.id = r->id;
    s.name = r->name;
    s.description = r->description;
    s.platform = r->platform;
    s.key_hash = r->key_hash;
    s.key_prefix = r->key_prefix;
    s.claim_token_hash = r->claim_token_hash;
    s.status = agent_status::pending_claim;
    s.created_at = e.meta.at;
  } else if (const auto* c = std::get_if<claimed>(&e.data)) {
    s.org_id = c->org_id;
    s.status = agent_status::active;
  } else if (const auto* k = std::get_if<key_rotated>(&e.data)) {
    s.key_hash = k->key_hash;
    s.key_prefix = k->key_prefix;
  } else if (std::holds_alternative<deactivated>(e.data)) {
    s.status = agent_status::inactive;
  }
  s.version = e.meta.version;
}

namespace {

outcome<void> validate_profile(std::string_view name, std::string_view description,
                               std::string_view platform) {
  auto n = utf8_length(name);
  if (n < 1 || n > 200) return validation_error("name", "must have 1-200 characters");
  if (utf8_length(description) > 2000)
    return validation_error("description", "must have at most 2000 characters");
  if (utf8_length(platform) > 100)
    return validation_error("platform", "must have at most 100 characters");
  return {};
}

event_list one(const std::string& stream, const std::string& org, const actor_ref& by,
               timestamp now, event_data data) {
  event_list out;
  out.push_back(make_event(stream, org, {}, by, now, std::move(data)));
  return out;
}

} // namespace

outcome<event_list> decide(const state& s, const command& cmd) {
  return std::visit(
      [&](const auto& c) -> outcome<event_list> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, register_agent> ||
                      std::is_same_v<T, self_register>) {
          if (s.exists()) {
            if (s.key_hash == c.key_hash) return event_list{};
            return conflict("agent " + c.id + " already exists");
          }
          if (auto v = validate_profile(c.name, c.description, c.platform); !v)
            return std::move(v).error();
          if constexpr (std::is_same_v<T, register_agent>) {
            return one(c.id, c.org_id, c.by, c.now,
                       registered{c.id, c.org_id, c.name, c.description, c.platform,
                                  c.key_hash, c.key_prefix,
                                  c.org_id.empty() ? agent_status::pending_claim
                                                   : agent_status::active});
          } else {
            return one(c.id, {}, actor_ref::agent(c.id), c.now,
                       self_registered{c.id, c.name, c.description, c.platform,
                                       c.key_hash, c.key_prefix, c.claim_token_hash});
          }
        } else {
          if (!s.exists()) return not_found("agent not found");
          if constexpr (std::is_same_v<T, claim>) {
            if (s.status != agent_status::pending_claim || !s.org_id.empty())
              return conflict("this claim token has already been used");
            return one(s.id, c.org_id, c.by, c.now, claimed{c.org_id});
          } else if constexpr (std::is_same_v<T, rotate_key>) {
            if (s.status != agent_status::active)
              return conflict("only an active, claimed agent can get a new key");
            return one(s.id, s.org_id, c.by, c.now,
                       key_rotated{c.key_hash, c.key_prefix});
          } else {
            if (s.status == agent_status::inactive) return event_list{};
            return one(s.id, s.org_id, c.by, c.now, deactivated{s.id});
          }
        }
      },
      cmd);
}

} // namespace waitroom::events::agent
