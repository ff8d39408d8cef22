#include "events/user/state.hpp"

namespace waitroom::events::user {

void evolve(state& s, const recorded_event& e) {
  if (const auto* c = std::get_if<created>(&e.data)) {
    s.id = c->id;
    s.org_id = c->org_id;
    s.name = c->name;
    s.email = c->email;
    s.role = c->role;
    s.token_hash = c->token_hash;
    s.instance_admin = c->instance_admin;
    s.created_at = e.meta.at;
  }
  s.version = e.meta.version;
}

} // namespace waitroom::events::user
