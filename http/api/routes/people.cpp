// Identity, organizations, users and agents.
#include "http/api/call.hpp"

#include "events/agent/commands.hpp"
#include "events/org/commands.hpp"
#include "events/trust/access.hpp"
#include "events/user/commands.hpp"

namespace waitroom::http {

namespace {

/// The answer to a new agent: the agent, its key (shown once) and, for a
/// self-registration, the claim token (shown once).
std::function<void(ev::outcome<ev::agent::state>)>
new_agent_answer(responder respond, std::string key,
                 std::optional<std::string> claim_token = {}) {
  return answer<ev::agent::state>(
      std::move(respond), [key = std::move(key), claim_token = std::move(claim_token)](
                              const ev::agent::state& a) {
        return data_response_from(
            [&](json_writer& w) {
              w.begin_object();
              w.key("agent");
              write_agent(w, a, std::nullopt); // new: never used
              w.member("api_key", key);
              w.member("key_prefix", a.key_prefix);
              if (claim_token) {
                w.member("claim_token", *claim_token);
                w.member("status", "pending_claim");
              }
              w.end_object();
            },
            201);
      });
}

ev::error user_not_found() {
  return ev::not_found("user not found");
}
ev::error agent_not_found() {
  return ev::not_found("agent not found");
}

/// Whether the caller's organization has the user (agent) `id`: another's does not
/// exist for the caller, and no actor is started for an id nobody has.
bool has_user(const call& c, const std::string& id) {
  return c.s.rt.reads().read([&](const projections::projection_set& p) {
    return p.dir.user_in(c.who.org_id, id) != nullptr;
  });
}
bool has_agent(const call& c, const std::string& id) {
  return c.s.rt.reads().read([&](const projections::projection_set& p) {
    return p.dir.agent_in(c.who.org_id, id) != nullptr;
  });
}

/// What a body says of a new agent (register and self-register).
struct agent_profile {
  std::string name, description, platform;
};
ev::outcome<agent_profile> read_agent_profile(const call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return std::move(body).error();
  body_reader r(*body);
  auto name = r.string("name", true);
  auto description = r.string("description");
  auto platform = r.string("platform");
  if (!r.ok()) return *r.error();
  return agent_profile{*name, description.value_or(""), platform.value_or("")};
}

} // namespace

namespace {

void me(call& c) {
  json::object o;
  o["kind"] = c.who.is_user() ? "user" : "agent";
  o["id"] = c.who.id;
  o["org_id"] = c.who.org_id.empty() ? json::value(nullptr) : json::value(c.who.org_id);
  o["name"] = c.who.name;
  if (c.who.is_user()) {
    o["role"] = ev::wire_name(*c.who.role);
    o["instance_admin"] = c.who.instance_admin;
  } else {
    o["status"] = c.who.claimed ? "active" : "pending_claim";
  }
  c.ok(std::move(o));
}

// --- organizations and users -------------------------------------------------------

/// `POST /v1/orgs`: the organization, its owner and the owner's credential hash.
ev::outcome<ev::org::create_org> read_create_org(const call& c,
                                                 const actors::new_credential& token) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return std::move(body).error();
  body_reader r(*body);
  auto name = r.string("name", true);
  auto owner = r.object("owner", true);
  std::optional<std::string> owner_name, owner_email;
  if (owner) {
    body_reader o(*owner, "owner.");
    owner_name = o.string("name", true);
    owner_email = o.string("email", true);
    r.adopt(o);
  }
  if (!r.ok()) return *r.error();
  auto& ids = c.s.rt.ids();
  return ev::org::create_org{ids.make_id(ev::org_prefix),
                             *name,
                             ids.make_id(ev::user_prefix),
                             *owner_name,
                             *owner_email,
                             token.hash,
                             ids.make_id(ev::room_prefix),
                             c.who.actor(),
                             c.s.rt.time().now()};
}

void create_org(call& c) {
  auto token = c.s.rt.ids().make_credential(ev::user_token);
  auto created = read_create_org(c, token);
  if (!created) return c.fail(created.error());
  auto cmd = std::move(*created);
  auto org_id = cmd.org_id, owner_id = cmd.owner_id;
  auto& reads = c.s.rt.reads();
  c.s.rt.send(org_id, ev::org::command{std::move(cmd)},
              answer<ev::event_list>(
                  c.respond, [&reads, org_id, owner_id,
                              token = std::move(token.secret)](const ev::event_list&) {
                    return reads.read([&](const projections::projection_set& p) {
                      return data_response_from(
                          [&](json_writer& w) {
                            w.begin_object();
                            w.key("org");
                            write_org(w, *p.dir.org(org_id));
                            w.key("owner");
                            write_user(w, *p.dir.user(owner_id));
                            w.member("token", token);
                            w.end_object();
                          },
                          201);
                    });
                  }));
}

void create_user(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto name = r.string("name", true);
  auto email = r.string("email", true);
  auto role = r.enumeration<ev::user::user_role>("role", true);
  if (!r.ok()) return c.fail(*r.error());
  auto token = c.s.rt.ids().make_credential(ev::user_token);
  ev::user::create_user cmd{c.s.rt.ids().make_id(ev::user_prefix),
                            c.who.org_id,
                            *name,
                            *email,
                            *role,
                            token.hash,
                            c.who.actor(),
                            *c.who.role,
                            c.s.rt.time().now()};
  auto id = cmd.id;
  c.s.rt.send(id, ev::user::command{std::move(cmd)},
              answer<ev::user::state>(c.respond, [token = std::move(token.secret)](
                                                     const ev::user::state& u) {
                return data_response_from(
                    [&](json_writer& w) {
                      w.begin_object();
                      w.key("user");
                      write_user(w, u);
                      w.member("token", token);
                      w.end_object();
                    },
                    201);
              }));
}

void list_users(call& c) {
  answer_list(
      c, c.s.rt.reads(), 'u',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        return index_page(ps.dir.users_of(c.who.org_id), start, p, 'u', write_user);
      });
}

void rotate_user_token(call& c) {
  const std::string id = c.params[0];
  if (!has_user(c, id)) return c.fail(user_not_found());
  auto token = c.s.rt.ids().make_credential(ev::user_token);
  c.s.rt.send(id,
              ev::user::command{ev::user::rotate_token{token.hash, c.who.actor(),
                                                       *c.who.role, c.s.rt.time().now()}},
              answer<ev::user::state>(
                  c.respond, [token = std::move(token.secret)](const ev::user::state&) {
                    return data_response(json::object{{"token", token}});
                  }));
}

void deactivate_user(call& c) {
  const std::string id = c.params[0];
  if (!has_user(c, id)) return c.fail(user_not_found());
  c.s.rt.send(id,
              ev::user::command{
                  ev::user::deactivate{c.who.actor(), *c.who.role, c.s.rt.time().now()}},
              answer<ev::user::state>(c.respond, [](const ev::user::state& u) {
                return data_response_from([&](json_writer& w) { write_user(w, u); });
              }));
}

// --- agents --------------------------------------------------------------------------

void register_agent(call& c) {
  auto profile = read_agent_profile(c);
  if (!profile) return c.fail(profile.error());
  auto key = c.s.rt.ids().make_credential(ev::agent_key);
  ev::agent::register_agent cmd{c.s.rt.ids().make_id(ev::agent_prefix),
                                c.who.org_id,
                                std::move(profile->name),
                                std::move(profile->description),
                                std::move(profile->platform),
                                key.hash,
                                std::string(ev::key_prefix_of(key.secret)),
                                c.who.actor(),
                                c.s.rt.time().now()};
  auto id = cmd.id;
  c.s.rt.send(id, ev::agent::command{std::move(cmd)},
              new_agent_answer(c.respond, std::move(key.secret)));
}

void self_register_agent(call& c) {
  if (auto wait = c.s.self_register_limits.take("ip:" + c.req.remote_address); wait > 0)
    return c.respond(rate_limited("too many self-registrations from this address", wait));
  auto profile = read_agent_profile(c);
  if (!profile) return c.fail(profile.error());
  auto key = c.s.rt.ids().make_credential(ev::agent_key);
  auto claim = c.s.rt.ids().make_credential(ev::claim_token);
  ev::agent::self_register cmd{c.s.rt.ids().make_id(ev::agent_prefix),
                               std::move(profile->name),
                               std::move(profile->description),
                               std::move(profile->platform),
                               key.hash,
                               std::string(ev::key_prefix_of(key.secret)),
                               claim.hash,
                               c.s.rt.time().now()};
  auto id = cmd.id;
  c.s.rt.send(
      id, ev::agent::command{std::move(cmd)},
      new_agent_answer(c.respond, std::move(key.secret), std::move(claim.secret)));
}

void claim_agent(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto token = r.string("claim_token", true);
  if (!r.ok()) return c.fail(*r.error());
  auto hash = actors::credential_hash(*token);
  // The claim token finds its agent also after it was used: the decider then answers
  // CONFLICT (used) rather than NOT_FOUND (unknown).
  auto id = c.s.rt.reads().read([&](const projections::projection_set& p) {
    const auto* a = p.dir.by_claim_hash(hash);
    return a ? a->id : std::string();
  });
  if (id.empty()) return c.fail(ev::not_found("unknown claim token"));
  auto& s = c.s;
  c.s.rt.send(id,
              ev::agent::command{
                  ev::agent::claim{c.who.org_id, c.who.actor(), c.s.rt.time().now()}},
              answer<ev::agent::state>(c.respond, [&s](const ev::agent::state& a) {
                return data_response_from([&](json_writer& w) {
                  w.begin_object();
                  w.key("agent");
                  write_agent(w, a, last_used(s, a.id));
                  w.end_object();
                });
              }));
}

void list_agents(call& c) {
  answer_list(
      c, c.s.rt.reads(), 'a',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        return index_page(ps.dir.agents_of(c.who.org_id), start, p, 'a',
                          [&](json_writer& w, const ev::agent::state& a) {
                            write_agent(w, a, last_used(c.s.activity, ps, a.id));
                          });
      });
}

void get_agent(call& c) {
  c.respond(c.s.rt.reads().read([&](const projections::projection_set& p) {
    const auto* a = p.dir.agent_in(c.who.org_id, c.params[0]);
    if (a == nullptr) return error_response(agent_not_found());
    return data_response_from(
        [&](json_writer& w) { write_agent(w, *a, last_used(c.s.activity, p, a->id)); });
  }));
}

void rotate_agent_key(call& c) {
  const std::string id = c.params[0];
  if (!has_agent(c, id)) return c.fail(agent_not_found());
  auto key = c.s.rt.ids().make_credential(ev::agent_key);
  c.s.rt.send(id,
              ev::agent::command{ev::agent::rotate_key{
                  key.hash, std::string(ev::key_prefix_of(key.secret)), c.who.actor(),
                  c.s.rt.time().now()}},
              // a copy: the command beside it reads the same secret
              answer<ev::agent::state>(c.respond, [key = key.secret](
                                                      const ev::agent::state& a) {
                return data_response(
                    json::object{{"api_key", key}, {"key_prefix", a.key_prefix}});
              }));
}

void deactivate_agent(call& c) {
  const std::string id = c.params[0];
  if (!has_agent(c, id)) return c.fail(agent_not_found());
  c.s.rt.send(
      id, ev::agent::command{ev::agent::deactivate{c.who.actor(), c.s.rt.time().now()}},
      answer<ev::agent::state>(c.respond, [&s = c.s](const ev::agent::state& a) {
        return data_response_from(
            [&](json_writer& w) { write_agent(w, a, last_used(s, a.id)); });
      }));
}

void agent_trust(call& c) {
  const std::string id = c.params[0];
  answer_list(
      c, c.s.rt.reads(), 'k',
      [&](const projections::projection_set& p, const page& pg, std::uint64_t start) {
        // another organization's agent does not exist for the caller: 404 before 403
        if (p.dir.agent_in(c.who.org_id, id) == nullptr)
          return error_response(agent_not_found());
        const auto who = c.as_caller();
        if (auto ok = ev::trust::check_reader(id, who); !ok)
          return error_response(ok.error());
        std::vector<const ev::trust::score_card*> visible;
        for (const auto* card : p.trust.of_agent(id)) {
          const auto* room = p.rooms.by_id(card->room_id);
          if (room != nullptr && ev::trust::shows(*card, *room, who))
            visible.push_back(card);
        }
        return index_page(visible, start, pg, 'k', write_trust);
      });
}

} // namespace

void add_people_routes(route_table& t) {
  t.add("GET", "/v1/me", guard::authenticated, me);
  t.add("POST", "/v1/orgs", guard::instance_admin, create_org);
  t.add("POST", "/v1/users", guard::admin, create_user);
  t.add("GET", "/v1/users", guard::human, list_users);
  t.add("POST", "/v1/users/:id/rotate-token", guard::human, rotate_user_token);
  t.add("DELETE", "/v1/users/:id", guard::admin, deactivate_user);
  t.add("POST", "/v1/agents/register", guard::member, register_agent);
  t.add("POST", "/v1/agents/self-register", guard::none, self_register_agent);
  t.add("POST", "/v1/agents/claim", guard::member, claim_agent);
  t.add("GET", "/v1/agents", guard::human, list_agents);
  t.add("GET", "/v1/agents/:id", guard::human, get_agent);
  t.add("POST", "/v1/agents/:id/rotate-key", guard::admin, rotate_agent_key);
  t.add("POST", "/v1/agents/:id/deactivate", guard::admin, deactivate_agent);
  t.add("GET", "/v1/agents/:id/trust", guard::any, agent_trust);
}

} // namespace waitroom::http
