#pragma once
/// A room's policy: forbid and auto-approve rules, trust thresholds and a default action,
/// and the evaluation that decides a new check-in (API.md "Policy object").
///
/// Evaluation order, first match wins:
///   1. any `forbid` rule matches            -> rejected (403 POLICY_FORBIDS, recorded)
///   2. any `auto_approve` rule matches      -> approved
///   3. trust >= trust_thresholds[risk]       -> approved (null threshold = never)
///   4. default_action: require_approval -> pending, auto_approve -> approved, forbid
///   -> 1.

#include "events/checkin/terms.hpp"
#include "events/outcome.hpp"

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace waitroom::events::room {

enum class rule_effect { forbid, auto_approve };
BOOST_DESCRIBE_ENUM(rule_effect, forbid, auto_approve)

enum class default_decision { require_approval, auto_approve, forbid };
BOOST_DESCRIBE_ENUM(default_decision, require_approval, auto_approve, forbid)

/// The `when` of a rule. Every present key must match (AND); an absent key matches all.
struct rule_condition {
  std::optional<std::string>
      action; ///< glob: `*` any run, `?` one code point, case-insensitive
  std::optional<std::string> action_regex; ///< RE2, searched anywhere in the action
  std::shared_ptr<const re2::RE2>
      compiled;                           ///< compiled `action_regex` (immutable, shared)
  std::vector<checkin::risk> risk_levels; ///< any of; empty = key absent
  std::vector<checkin::urgency_level> urgencies;
  std::vector<std::string> agents;
  std::vector<std::pair<std::string, boost::json::value>>
      metadata; ///< dotted path -> value
};

struct rule {
  std::string id;
  rule_effect effect = rule_effect::forbid;
  rule_condition when;
};

/// Per risk level: the trust score from which the policy approves by itself.
using trust_thresholds = std::array<std::optional<double>, 4>; // indexed by checkin::risk

struct policy {
  std::vector<rule> rules;
  trust_thresholds thresholds{};
  default_decision default_action = default_decision::require_approval;
};

/// What the policy sees of a new check-in.
struct policy_input {
  std::string_view action;
  checkin::risk risk_level = checkin::risk::medium;
  checkin::urgency_level urgency = checkin::urgency_level::normal;
  std::string_view agent_id;
  const boost::json::object* metadata = nullptr;
  double trust_score = 0;
};

/// The policy's verdict: `pending`, `approved` or `rejected`, and why.
struct policy_verdict {
  checkin::checkin_status status = checkin::checkin_status::pending;
  std::optional<std::string> rule_id; ///< the matching rule, if a rule decided
  std::optional<double> trust_score;  ///< the score compared, if a threshold decided
  bool by_default_action = false;     ///< decided by default_action
};

/// Evaluates `p` for `in`. Pure and linear-time (globs are bounded, regexes are RE2).
policy_verdict evaluate(const policy& p, const policy_input& in);

/// Validates and parses a policy object (API JSON). Errors name the path, e.g.
/// `policy.rules[0].when.action_regex`, under `field_prefix`.
outcome<policy> parse_policy(const boost::json::value& v,
                             std::string_view field_prefix = "policy");

/// The API/log JSON form of a policy (round-trips through `parse_policy`).
boost::json::value to_json(const policy& p);

/// JSON conversion of a policy (its API form), so events can embed it.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const policy& p);
boost::json::result<policy> tag_invoke(const boost::json::try_value_to_tag<policy>&,
                                       const boost::json::value& jv);

/// Case-insensitive glob match over code points (`*`, `?`). Exposed for tests.
bool glob_match(std::string_view pattern, std::string_view text);

} // namespace waitroom::events::room
