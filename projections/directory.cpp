#include "projections/directory.hpp"

#include "events/agent/decider.hpp"
#include "events/user/decider.hpp"

namespace waitroom::projections {

namespace ev = waitroom::events;

void directory::index_credential(const std::string& old_hash, const std::string& new_hash,
                                 principal_ref who) {
  if (!old_hash.empty()) credentials_.erase(old_hash);
  if (!new_hash.empty()) credentials_[new_hash] = std::move(who);
}

void directory::apply(const ev::recorded_event& e) {
  if (const auto* o = std::get_if<ev::org::created>(&e.data)) {
    if (orgs_.try_emplace(o->id, org_entry{o->id, o->name, e.meta.at}).second)
      org_order_.push_back(o->id);
    return;
  }
  const auto& stream = e.meta.stream;
  if (stream.starts_with("us_")) {
    auto& u = users_[stream];
    auto old_hash = u.token_hash;
    ev::user::evolve(u, e);
    index_credential(old_hash, u.active ? u.token_hash : std::string(),
                     {principal_ref::kind::user, u.id});
    if (std::holds_alternative<ev::user::created>(e.data))
      users_by_org_[u.org_id].push_back(u.id);
  } else if (stream.starts_with("ag_")) {
    auto& a = agents_[stream];
    auto old_hash = a.key_hash;
    auto old_org = a.org_id;
    ev::agent::evolve(a, e);
    bool live = a.status != ev::agent::agent_status::inactive;
    index_credential(old_hash, live ? a.key_hash : std::string(),
                     {principal_ref::kind::agent, a.id});
    if (const auto* r = std::get_if<ev::agent::self_registered>(&e.data))
      claim_tokens_[r->claim_token_hash] = a.id;
    if (old_org.empty() && !a.org_id.empty()) agents_by_org_[a.org_id].push_back(a.id);
  }
}

void directory::note_activity(const ev::recorded_event& e) {
  auto kind = e.meta.actor.kind;
  // A self-registration is written in the agent's name but without its key: not a use.
  if (std::holds_alternative<ev::agent::self_registered>(e.data)) return;
  if ((kind == ev::actor_kind::agent || kind == ev::actor_kind::user) &&
      !e.meta.actor.id.empty())
    last_active_[e.meta.actor.id] = e.meta.at;
}

const org_entry* directory::org(std::string_view id) const {
  auto it = orgs_.find(std::string(id));
  return it == orgs_.end() ? nullptr : &it->second;
}

const ev::user::state* directory::user(std::string_view id) const {
  auto it = users_.find(std::string(id));
  return it == users_.end() ? nullptr : &it->second;
}

const ev::agent::state* directory::agent(std::string_view id) const {
  auto it = agents_.find(std::string(id));
  return it == agents_.end() ? nullptr : &it->second;
}

const ev::user::state* directory::user_in(std::string_view org_id,
                                          std::string_view id) const {
  const auto* u = user(id);
  return u != nullptr && !org_id.empty() && u->org_id == org_id ? u : nullptr;
}

const ev::agent::state* directory::agent_in(std::string_view org_id,
                                            std::string_view id) const {
  const auto* a = agent(id);
  return a != nullptr && !org_id.empty() && a->org_id == org_id ? a : nullptr;
}

std::optional<principal_ref> directory::by_credential_hash(std::string_view hash) const {
  auto it = credentials_.find(std::string(hash));
  if (it == credentials_.end()) return std::nullopt;
  return it->second;
}

const ev::agent::state* directory::by_claim_hash(std::string_view hash) const {
  auto it = claim_tokens_.find(std::string(hash));
  return it == claim_tokens_.end() ? nullptr : agent(it->second);
}

std::optional<ev::timestamp> directory::last_active(std::string_view id) const {
  auto it = last_active_.find(std::string(id));
  if (it == last_active_.end()) return std::nullopt;
  return it->second;
}

std::vector<const org_entry*> directory::orgs() const {
  std::vector<const org_entry*> out;
  for (const auto& id : org_order_)
    out.push_back(&orgs_.at(id));
  return out;
}

std::vector<const ev::user::state*> directory::users_of(std::string_view org_id) const {
  std::vector<const ev::user::state*> out;
  if (auto it = users_by_org_.find(std::string(org_id)); it != users_by_org_.end())
    for (const auto& id : it->second)
      out.push_back(&users_.at(id));
  return out;
}

std::vector<const ev::agent::state*> directory::agents_of(std::string_view org_id) const {
  std::vector<const ev::agent::state*> out;
  if (auto it = agents_by_org_.find(std::string(org_id)); it != agents_by_org_.end())
    for (const auto& id : it->second)
      out.push_back(&agents_.at(id));
  return out;
}

} // namespace waitroom::projections
