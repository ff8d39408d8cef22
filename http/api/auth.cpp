#include "http/api/auth.hpp"

#include "actors/id_source.hpp"

namespace waitroom::http {

namespace ev = waitroom::events;
using ev::user::user_role;

namespace {

// `details.credential`: "missing" (none, or not a bearer credential), "unknown" or
// "revoked".
edge_error unauthorized(std::string_view credential, std::string message) {
  edge_error e{edge_code::unauthorized, std::move(message), {}};
  e.details["credential"] = credential;
  return e;
}

std::optional<std::string> bearer(const request& req, std::string_view query_credential) {
  auto h = req.header("authorization");
  if (!h.empty()) {
    constexpr std::string_view scheme = "bearer ";
    if (h.size() > scheme.size()) {
      std::string prefix(h.substr(0, scheme.size()));
      for (auto& c : prefix)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (prefix == scheme) return std::string(h.substr(scheme.size()));
    }
    return std::nullopt; // another scheme (Basic ...): no bearer credential was sent
  }
  if (!query_credential.empty())
    if (const auto* t = req.query_value(query_credential)) return *t;
  return std::nullopt;
}

} // namespace

ev::outcome<principal, edge_error> authenticate(const request& req,
                                                const projections::read_model& reads,
                                                std::string_view query_credential) {
  auto token = bearer(req, query_credential);
  if (!token)
    return unauthorized("missing",
                        "missing credential: send Authorization: Bearer <credential>, a "
                        "person's token (wrh_...) or an agent's API key (wr_...); this "
                        "server does not use OAuth");
  return authenticate_credential(*token, reads);
}

ev::outcome<principal, edge_error>
authenticate_credential(std::string_view credential,
                        const projections::read_model& reads) {
  if (credential.empty() || ev::is_claim_token(credential))
    return unauthorized("unknown", "unknown credential");
  return authenticate_hash(actors::credential_hash(credential), reads);
}

ev::outcome<principal, edge_error>
authenticate_hash(const std::string& hash, const projections::read_model& reads) {
  return reads.read(
      [&](const projections::projection_set& p) -> ev::outcome<principal, edge_error> {
        auto ref = p.dir.by_credential_hash(hash);
        if (!ref) return unauthorized("unknown", "unknown credential");
        principal out;
        out.credential_hash = hash;
        if (ref->k == projections::principal_ref::kind::user) {
          const auto* u = p.dir.user(ref->id);
          if (u == nullptr || !u->active || u->token_hash != hash)
            return unauthorized("revoked", "revoked credential");
          out.k = principal::kind::user;
          out.id = u->id;
          out.org_id = u->org_id;
          out.name = u->name;
          out.role = u->role;
          out.instance_admin = u->instance_admin;
          return out;
        }
        const auto* a = p.dir.agent(ref->id);
        if (a == nullptr || a->status == ev::agent::agent_status::inactive ||
            a->key_hash != hash)
          return unauthorized("revoked", "revoked credential");
        out.k = principal::kind::agent;
        out.id = a->id;
        out.org_id = a->org_id;
        out.name = a->name;
        out.claimed = a->claimed();
        return out;
      });
}

ev::outcome<void> authorize(const principal& p, guard g) {
  if (p.is_agent() && !p.claimed && g != guard::none && g != guard::authenticated)
    return ev::forbidden("this agent is not claimed yet: it may only call GET /v1/me");
  auto role_at_least = [&](user_role need) {
    return p.is_user() && p.role && ev::user::at_least(*p.role, need);
  };
  switch (g) {
  case guard::none:
  case guard::authenticated:
  case guard::any:
    return {};
  case guard::human:
    if (p.is_user()) return {};
    return ev::forbidden("only people may call this");
  case guard::member:
    if (role_at_least(user_role::member)) return {};
    return ev::forbidden(p.is_user() ? "requires role member or higher"
                                     : "only people may call this");
  case guard::admin:
    if (role_at_least(user_role::admin)) return {};
    return ev::forbidden(p.is_user() ? "requires role admin or owner"
                                     : "only people may call this");
  case guard::member_or_agent:
    if ((p.is_agent() && p.claimed) || role_at_least(user_role::member)) return {};
    return ev::forbidden("requires a claimed agent or role member or higher");
  case guard::claimed_agent:
    if (p.is_agent() && p.claimed) return {};
    return ev::forbidden("only claimed agents may call this");
  case guard::instance_admin:
    if (p.is_user() && p.instance_admin) return {};
    return ev::forbidden("only the instance admin may call this");
  }
  return ev::forbidden("forbidden");
}

} // namespace waitroom::http
