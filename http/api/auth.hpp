#pragma once
/// Who is calling, and may they call this route. Credentials are bearer tokens; only
/// their SHA-256 is ever looked up. Guards (API.md "Principals") are checked here and
/// nowhere else.

#include "events/agent/events.hpp"
#include "events/outcome.hpp"
#include "events/room/access.hpp"
#include "events/user/events.hpp"
#include "http/wire/message.hpp"
#include "http/wire/responses.hpp"
#include "projections/read_model.hpp"

#include <optional>
#include <string>

namespace waitroom::http {

struct principal {
  enum class kind { user, agent };
  kind k = kind::user;
  std::string id;
  std::string org_id;
  std::string name;
  std::optional<events::user::user_role> role; ///< users only
  bool instance_admin = false;
  bool claimed = false; ///< agents: belongs to an org and is active
  std::string credential_hash; ///< of the credential it authenticated with

  bool is_user() const { return k == kind::user; }
  bool is_agent() const { return k == kind::agent; }
  events::actor_ref actor() const {
    return is_user() ? events::actor_ref::user(id) : events::actor_ref::agent(id);
  }
  /// As room access rules see it.
  events::room::caller caller() const {
    return {is_user() ? events::actor_kind::user : events::actor_kind::agent, id, role};
  }
};

/// The guards of API.md.
enum class guard {
  none,            ///< no credential needed
  authenticated,   ///< any valid credential, unclaimed agents included (GET /v1/me)
  any,             ///< any human or claimed agent of the org
  human,           ///< any human (viewer and up)
  member,          ///< member, admin or owner
  admin,           ///< admin or owner
  claimed_agent,   ///< an agent that belongs to an org and is active
  member_or_agent, ///< member, admin, owner, or a claimed agent (watching a room)
  instance_admin,  ///< the bootstrap owner
};

/// Resolves the bearer credential (the `Authorization` header, or else the query
/// parameter `query_credential` when it is not empty).
/// 401 UNAUTHORIZED when missing, unknown or revoked.
events::outcome<principal, edge_error> authenticate(const request& req,
                                                    const projections::read_model& reads,
                                                    std::string_view query_credential);

/// The same for a credential sent another way (a Realtime join's `access_token`).
events::outcome<principal, edge_error>
authenticate_credential(std::string_view credential,
                        const projections::read_model& reads);

/// Whom the credential with this hash names now (a principal's `credential_hash`):
/// 401 once it is revoked, rotated or its holder deactivated.
events::outcome<principal, edge_error>
authenticate_hash(const std::string& credential_hash,
                  const projections::read_model& reads);

/// 403 FORBIDDEN unless `p` passes `g`. An unclaimed agent passes only `none` and
/// `authenticated`.
events::outcome<void> authorize(const principal& p, guard g);

} // namespace waitroom::http
