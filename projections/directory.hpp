#pragma once
/// Organizations, users, agents, and the credential index that authenticates them.
/// Folded from `org.created`, `user.created`, `agent.registered`.

#include "events/agent/state.hpp"
#include "events/event.hpp"
#include "events/user/state.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace waitroom::projections {

struct org_entry {
  std::string id;
  std::string name;
  events::timestamp created_at;
};

/// Who a credential belongs to.
struct principal_ref {
  enum class kind { user, agent };
  kind k = kind::user;
  std::string id;
};

class directory {
 public:
  void apply(const events::recorded_event& e);

  const org_entry* org(std::string_view id) const;
  const events::user::state* user(std::string_view id) const;
  const events::agent::state* agent(std::string_view id) const;
  /// The principal whose credential hashes (hex SHA-256) to `hash`, if any.
  std::optional<principal_ref> by_credential_hash(std::string_view hash) const;

  std::size_t org_count() const { return orgs_.size(); }
  std::size_t user_count() const { return users_.size(); }
  std::size_t agent_count() const { return agents_.size(); }
  /// Agents of an org in registration order.
  std::vector<const events::agent::state*> agents_of(std::string_view org_id) const;

 private:
  std::unordered_map<std::string, org_entry> orgs_;
  std::unordered_map<std::string, events::user::state> users_;
  std::unordered_map<std::string, events::agent::state> agents_;
  std::vector<std::string> agent_order_;
  std::unordered_map<std::string, principal_ref> credentials_;
};

} // namespace waitroom::projections
