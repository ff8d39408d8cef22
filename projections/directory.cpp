#include "projections/directory.hpp"

namespace waitroom::projections {

namespace ev = waitroom::events;

void directory::apply(const ev::recorded_event& e) {
  if (const auto* o = std::get_if<ev::org::created>(&e.data)) {
    orgs_[o->id] = org_entry{o->id, o->name, e.meta.at};
  } else if (const auto* u = std::get_if<ev::user::created>(&e.data)) {
    auto& s = users_[u->id];
    ev::user::evolve(s, e);
    credentials_[u->token_hash] = principal_ref{principal_ref::kind::user, u->id};
  } else if (const auto* a = std::get_if<ev::agent::registered>(&e.data)) {
    auto [it, inserted] = agents_.try_emplace(a->id);
    if (inserted) agent_order_.push_back(a->id);
    ev::agent::evolve(it->second, e);
    credentials_[a->key_hash] = principal_ref{principal_ref::kind::agent, a->id};
  }
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

std::optional<principal_ref> directory::by_credential_hash(std::string_view hash) const {
  auto it = credentials_.find(std::string(hash));
  if (it == credentials_.end()) return std::nullopt;
  return it->second;
}

std::vector<const ev::agent::state*> directory::agents_of(std::string_view org_id) const {
  std::vector<const ev::agent::state*> out;
  for (const auto& id : agent_order_) {
    const auto& a = agents_.at(id);
    if (a.org_id == org_id) out.push_back(&a);
  }
  return out;
}

} // namespace waitroom::projections
