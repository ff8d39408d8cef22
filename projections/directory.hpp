#pragma once
/// Organizations, users, agents, and the credential index that authenticates them.
/// Folded from `org.*`, `user.*` and `agent.*` events; every event also tells when its
/// actor was last active.

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
  /// Folds an org, user or agent event.
  void apply(const events::recorded_event& e);
  /// Notes that the event's actor (a user or an agent) was active at its time.
  void note_activity(const events::recorded_event& e);

  const org_entry* org(std::string_view id) const;
  const events::user::state* user(std::string_view id) const;
  const events::agent::state* agent(std::string_view id) const;
  /// The user (agent) `id` of organization `org_id`, or nullptr: to a caller, another
  /// organization's user or agent does not exist, as an unknown id does not.
  const events::user::state* user_in(std::string_view org_id, std::string_view id) const;
  const events::agent::state* agent_in(std::string_view org_id,
                                       std::string_view id) const;
  /// The live principal whose credential hashes (hex SHA-256) to `hash`, if any.
  std::optional<principal_ref> by_credential_hash(std::string_view hash) const;
  /// The agent whose claim token (used or not) hashes to `hash`, if any.
  const events::agent::state* by_claim_hash(std::string_view hash) const;
  /// When the principal last wrote something (its last event), if ever.
  std::optional<events::timestamp> last_active(std::string_view id) const;

  std::size_t org_count() const { return orgs_.size(); }
  std::size_t user_count() const { return users_.size(); }
  std::size_t agent_count() const { return agents_.size(); }
  /// Organizations in creation order.
  std::vector<const org_entry*> orgs() const;
  /// Users of an org in creation order.
  std::vector<const events::user::state*> users_of(std::string_view org_id) const;
  /// Agents claimed into an org, in registration order.
  std::vector<const events::agent::state*> agents_of(std::string_view org_id) const;

 private:
  void index_credential(const std::string& old_hash, const std::string& new_hash,
                        principal_ref who);

  std::unordered_map<std::string, org_entry> orgs_;
  std::vector<std::string> org_order_;
  std::unordered_map<std::string, events::user::state> users_;
  std::unordered_map<std::string, std::vector<std::string>> users_by_org_;
  std::unordered_map<std::string, events::agent::state> agents_;
  std::unordered_map<std::string, std::vector<std::string>> agents_by_org_;
  std::unordered_map<std::string, principal_ref> credentials_;
  std::unordered_map<std::string, std::string> claim_tokens_; ///< hash -> agent id
  std::unordered_map<std::string, events::timestamp> last_active_;
};

} // namespace waitroom::projections
