#pragma once
/// Who did something: a user, an agent, or the system acting through a policy rule, a
/// timeout, or its own bookkeeping. Appears in every event envelope and in decisions.

#include "events/json.hpp"

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <string>

namespace waitroom::events {

/// Kinds of actors. NOTE: wire names are part of the log format.
enum class actor_kind { user, agent, policy, timeout, system };
BOOST_DESCRIBE_ENUM(actor_kind, user, agent, policy, timeout, system)

/// `{kind, id?}` on the wire; `id` is empty (and omitted) for policy/timeout/system.
struct actor_ref {
  actor_kind kind = actor_kind::system;
  std::string id;
  bool operator==(const actor_ref&) const = default;

  static actor_ref user(std::string id) { return {actor_kind::user, std::move(id)}; }
  static actor_ref agent(std::string id) { return {actor_kind::agent, std::move(id)}; }
  static actor_ref policy() { return {actor_kind::policy, {}}; }
  static actor_ref timeout() { return {actor_kind::timeout, {}}; }
  static actor_ref system() { return {actor_kind::system, {}}; }
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const actor_ref& a);
boost::json::result<actor_ref> tag_invoke(const boost::json::try_value_to_tag<actor_ref>&,
                                          const boost::json::value& jv);

} // namespace waitroom::events
