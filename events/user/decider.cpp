#include "events/user/decider.hpp"

#include "events/json.hpp"

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
  } else if (const auto* r = std::get_if<token_rotated>(&e.data)) {
    s.token_hash = r->token_hash;
  } else if (std::holds_alternative<deactivated>(e.data)) {
    s.active = false;
  }
  s.version = e.meta.version;
}

outcome<void> validate_person(std::string_view name, std::string_view email) {
  auto n = utf8_length(name);
  if (n < 1 || n > 200) return validation_error("name", "must have 1-200 characters");
  auto at = email.find('@');
  if (email.size() < 3 || email.size() > 320 || at == 0 || at == std::string_view::npos ||
      at + 1 >= email.size() || email.find_first_of(" \t\r\n") != std::string_view::npos)
    return validation_error("email", "must be an email address");
  return {};
}

namespace {

bool may_manage(user_role by_role, user_role target) {
  return at_least(by_role, user_role::admin) &&
         (target != user_role::owner || by_role == user_role::owner);
}

event_list one(const state& s, const actor_ref& by, timestamp now, event_data data) {
  event_list out;
  out.push_back(make_event(s.id, s.org_id, {}, by, now, std::move(data)));
  return out;
}

} // namespace

outcome<event_list> decide(const state& s, const command& cmd) {
  return std::visit(
      [&](const auto& c) -> outcome<event_list> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, create_user>) {
          if (!at_least(c.by_role, user_role::admin))
            return forbidden("only admins and owners create users");
          if (c.role == user_role::owner && c.by_role != user_role::owner)
            return forbidden("only an owner can create another owner");
          if (auto v = validate_person(c.name, c.email); !v) return std::move(v).error();
          if (s.exists()) return conflict("user " + c.id + " already exists");
          state fresh;
          fresh.id = c.id;
          fresh.org_id = c.org_id;
          return one(
              fresh, c.by, c.now,
              created{c.id, c.org_id, c.name, c.email, c.role, c.token_hash, false});
        } else {
          if (!s.exists()) return not_found("user not found");
          if constexpr (std::is_same_v<T, rotate_token>) {
            bool self = c.by.kind == actor_kind::user && c.by.id == s.id;
            if (!self && !may_manage(c.by_role, s.role))
              return forbidden(
                  s.role == user_role::owner
                      ? "only the owner or another owner can rotate an owner's token"
                      : "only the user or an admin can rotate this token");
            if (!s.active) return conflict("the user is deactivated");
            return one(s, c.by, c.now, token_rotated{c.token_hash});
          } else {
            if (c.by.kind == actor_kind::user && c.by.id == s.id)
              return forbidden("you cannot deactivate yourself");
            if (!may_manage(c.by_role, s.role))
              return forbidden(s.role == user_role::owner
                                   ? "only an owner can deactivate an owner"
                                   : "only admins and owners deactivate users");
            if (!s.active) return event_list{};
            return one(s, c.by, c.now, deactivated{s.id});
          }
        }
      },
      cmd);
}

} // namespace waitroom::events::user
