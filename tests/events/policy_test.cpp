// The policy engine (API.md "Policy object"): evaluation order, matching, parsing.

#include "events/json.hpp"
#include "events/room/policy.hpp"
#include "given_when_then.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace waitroom::events::room {
namespace {

using namespace waitroom::events::testing;
using checkin::checkin_status;
using checkin::risk;
using checkin::urgency_level;
namespace json = boost::json;

policy policy_from(std::string_view text) {
  auto p = parse_policy(json::parse(text));
  if (!p) throw std::invalid_argument(describe(p.error()));
  return std::move(*p);
}

/// A new check-in as the policy sees it; `metadata` outlives the input.
struct checkin_input {
  std::string action = "deploy v2.3.1 to production";
  risk risk_level = risk::medium;
  urgency_level urgency = urgency_level::normal;
  std::string agent_id = "ag_builder001";
  json::object metadata;
  double trust = 15;

  policy_input input() const {
    return policy_input{action, risk_level, urgency, agent_id, &metadata, trust};
  }
};

policy_verdict evaluate_for(const policy& p, const checkin_input& c) {
  return evaluate(p, c.input());
}

checkin_input with_action(std::string action) {
  checkin_input c;
  c.action = std::move(action);
  return c;
}

checkin_input with_risk(risk r, double trust) {
  checkin_input c;
  c.risk_level = r;
  c.trust = trust;
  return c;
}

checkin_input with_metadata(std::string_view json_text) {
  checkin_input c;
  c.metadata = json::parse(json_text).as_object();
  return c;
}

/// Whether a rule with this `when` (JSON) matches the check-in.
bool when_matches(std::string_view when, const checkin_input& c) {
  auto p = policy_from(
      std::string(R"({"rules": [{"id": "r", "effect": "auto_approve", "when": )") +
      std::string(when) + "}]}");
  return evaluate_for(p, c).status == checkin_status::approved;
}

/// The `field` of the error that parsing `text` gives ("" when it parses).
std::string error_field(std::string_view text) {
  auto p = parse_policy(json::parse(text));
  if (p.ok()) return "";
  EXPECT_EQ(p.error().code, errc::validation);
  return p.error().field;
}

// --- evaluation order ----------------------------------------------------------

TEST(Policy, EmptyPolicyRequiresApproval) {
  auto v = evaluate_for(policy{}, checkin_input{});
  EXPECT_EQ(v.status, checkin_status::pending);
  EXPECT_FALSE(v.rule_id.has_value());
  EXPECT_FALSE(v.trust_score.has_value());
  EXPECT_FALSE(v.by_default_action);
}

TEST(Policy, EmptyPolicyNeverApprovesEvenFullTrust) {
  for (auto r : {risk::low, risk::medium, risk::high, risk::critical})
    EXPECT_EQ(evaluate_for(policy{}, with_risk(r, 100)).status, checkin_status::pending);
}

TEST(Policy, ForbidBeatsAutoApprove) {
  auto p = policy_from(R"({"rules": [
      {"id": "allow-deploys", "effect": "auto_approve", "when": {"action": "deploy *"}},
      {"id": "no-prod", "effect": "forbid", "when": {"action": "* production"}}]})");
  auto v = evaluate_for(p, checkin_input{});
  EXPECT_EQ(v.status, checkin_status::rejected);
  EXPECT_EQ(v.rule_id, "no-prod");
  EXPECT_FALSE(v.by_default_action);
}

TEST(Policy, FirstMatchingForbidRuleIsReported) {
  auto p = policy_from(R"({"rules": [
      {"id": "a", "effect": "forbid", "when": {"action": "nothing like it"}},
      {"id": "b", "effect": "forbid", "when": {"action": "deploy*"}},
      {"id": "c", "effect": "forbid"}]})");
  EXPECT_EQ(evaluate_for(p, checkin_input{}).rule_id, "b");
}

TEST(Policy, AutoApproveBeatsTrustThreshold) {
  auto p = policy_from(R"({"rules": [{"id": "docs", "effect": "auto_approve"}],
                           "trust_thresholds": {"medium": 10}})");
  auto v = evaluate_for(p, checkin_input{});
  EXPECT_EQ(v.status, checkin_status::approved);
  EXPECT_EQ(v.rule_id, "docs");
  EXPECT_FALSE(v.trust_score.has_value());
}

TEST(Policy, ForbidBeatsTrustThreshold) {
  auto p = policy_from(R"({"rules": [{"id": "never", "effect": "forbid"}],
                           "trust_thresholds": {"medium": 0}})");
  EXPECT_EQ(evaluate_for(p, with_risk(risk::medium, 100)).status,
            checkin_status::rejected);
}

TEST(Policy, TrustAtOrAboveTheThresholdApproves) {
  auto p = policy_from(R"({"trust_thresholds": {"medium": 50}})");
  auto at_threshold = evaluate_for(p, with_risk(risk::medium, 50));
  EXPECT_EQ(at_threshold.status, checkin_status::approved);
  EXPECT_EQ(at_threshold.trust_score, 50.0);
  EXPECT_FALSE(at_threshold.rule_id.has_value());
  EXPECT_EQ(evaluate_for(p, with_risk(risk::medium, 73.4)).status,
            checkin_status::approved);
  EXPECT_EQ(evaluate_for(p, with_risk(risk::medium, 49.9)).status,
            checkin_status::pending);
}

TEST(Policy, ThresholdsApplyPerRiskLevel) {
  auto p = policy_from(R"({"trust_thresholds":
                           {"low": 25, "medium": 50, "high": null, "critical": null}})");
  EXPECT_EQ(evaluate_for(p, with_risk(risk::low, 30)).status, checkin_status::approved);
  EXPECT_EQ(evaluate_for(p, with_risk(risk::medium, 30)).status, checkin_status::pending);
  EXPECT_EQ(evaluate_for(p, with_risk(risk::medium, 60)).status,
            checkin_status::approved);
}

TEST(Policy, NullThresholdNeverApproves) {
  auto p = policy_from(R"({"trust_thresholds": {"low": 0, "high": null}})");
  EXPECT_EQ(evaluate_for(p, with_risk(risk::high, 100)).status, checkin_status::pending);
  EXPECT_EQ(evaluate_for(p, with_risk(risk::critical, 100)).status,
            checkin_status::pending);
  EXPECT_EQ(evaluate_for(p, with_risk(risk::low, 0)).status, checkin_status::approved);
}

TEST(Policy, TrustThresholdBeatsDefaultAction) {
  auto p =
      policy_from(R"({"trust_thresholds": {"medium": 10}, "default_action": "forbid"})");
  auto v = evaluate_for(p, with_risk(risk::medium, 15));
  EXPECT_EQ(v.status, checkin_status::approved);
  EXPECT_EQ(v.trust_score, 15.0);
  EXPECT_FALSE(v.by_default_action);
  EXPECT_EQ(evaluate_for(p, with_risk(risk::medium, 5)).status, checkin_status::rejected);
}

TEST(Policy, DefaultActionRequireApprovalLeavesItPending) {
  auto v = evaluate_for(policy_from(R"({"default_action": "require_approval"})"), {});
  EXPECT_EQ(v.status, checkin_status::pending);
}

TEST(Policy, DefaultActionAutoApproveApproves) {
  auto v = evaluate_for(policy_from(R"({"default_action": "auto_approve"})"), {});
  EXPECT_EQ(v.status, checkin_status::approved);
  EXPECT_TRUE(v.by_default_action);
  EXPECT_FALSE(v.rule_id.has_value());
  EXPECT_FALSE(v.trust_score.has_value());
}

TEST(Policy, DefaultActionForbidRejects) {
  auto v = evaluate_for(policy_from(R"({"default_action": "forbid"})"), {});
  EXPECT_EQ(v.status, checkin_status::rejected);
  EXPECT_TRUE(v.by_default_action);
  EXPECT_FALSE(v.rule_id.has_value());
}

TEST(Policy, NonMatchingRulesFallThroughToDefaultAction) {
  auto p = policy_from(R"({"rules": [
      {"id": "f", "effect": "forbid", "when": {"risk_level": ["critical"]}},
      {"id": "a", "effect": "auto_approve", "when": {"risk_level": ["low"]}}],
      "default_action": "auto_approve"})");
  auto v = evaluate_for(p, with_risk(risk::medium, 0));
  EXPECT_EQ(v.status, checkin_status::approved);
  EXPECT_TRUE(v.by_default_action);
}

// --- when: AND of keys, any-of lists ----------------------------------------

TEST(Policy, RuleWithoutWhenMatchesEverything) {
  auto p = policy_from(R"({"rules": [{"id": "all", "effect": "forbid"}]})");
  EXPECT_EQ(evaluate_for(p, with_action("anything")).status, checkin_status::rejected);
  EXPECT_TRUE(when_matches("{}", checkin_input{}));
}

TEST(Policy, WhenKeysAreAnded) {
  auto when = R"({"action": "deploy *", "risk_level": ["high", "critical"]})";
  auto c = with_risk(risk::high, 0);
  EXPECT_TRUE(when_matches(when, c));
  c.risk_level = risk::medium;
  EXPECT_FALSE(when_matches(when, c));
  c = with_action("restart the cache");
  c.risk_level = risk::high;
  EXPECT_FALSE(when_matches(when, c));
}

TEST(Policy, RiskLevelIsAnyOf) {
  auto when = R"({"risk_level": ["high", "critical"]})";
  EXPECT_TRUE(when_matches(when, with_risk(risk::high, 0)));
  EXPECT_TRUE(when_matches(when, with_risk(risk::critical, 0)));
  EXPECT_FALSE(when_matches(when, with_risk(risk::low, 0)));
  EXPECT_FALSE(when_matches(when, with_risk(risk::medium, 0)));
}

TEST(Policy, UrgencyIsAnyOf) {
  auto when = R"({"urgency": ["high", "urgent"]})";
  checkin_input c;
  c.urgency = urgency_level::urgent;
  EXPECT_TRUE(when_matches(when, c));
  c.urgency = urgency_level::normal;
  EXPECT_FALSE(when_matches(when, c));
}

TEST(Policy, AgentIsAnyOfIds) {
  auto when = R"({"agent": ["ag_builder001", "ag_other00001"]})";
  checkin_input c;
  EXPECT_TRUE(when_matches(when, c));
  c.agent_id = "ag_other00001";
  EXPECT_TRUE(when_matches(when, c));
  c.agent_id = "ag_stranger01";
  EXPECT_FALSE(when_matches(when, c));
}

// --- action glob ----------------------------------------------------------------

TEST(Policy, GlobStarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(glob_match("deploy * production", "deploy v2.3.1 to production"));
  EXPECT_TRUE(glob_match("deploy*", "deploy"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything at all"));
  EXPECT_TRUE(glob_match("a*b*c", "a--b--b--c"));
  EXPECT_TRUE(glob_match("**x", "x"));
  EXPECT_FALSE(glob_match("a*b*c", "a--b--b--"));
}

TEST(Policy, GlobQuestionMarkMatchesExactlyOneCodePoint) {
  EXPECT_TRUE(glob_match("v?", "v2"));
  EXPECT_FALSE(glob_match("v?", "v"));
  EXPECT_FALSE(glob_match("v?", "v23"));
  EXPECT_TRUE(glob_match("d?ploy", "d\xC3\xA9ploy")); // é is one code point
  EXPECT_TRUE(glob_match("?", "\xF0\x9F\x9A\x80"));   // so is U+1F680
  EXPECT_FALSE(glob_match("??", "\xC3\xA9"));
}

TEST(Policy, GlobIsCaseInsensitive) {
  EXPECT_TRUE(glob_match("DEPLOY * Production", "deploy v2 to PRODUCTION"));
  EXPECT_TRUE(when_matches(R"({"action": "Deploy *"})", with_action("DEPLOY now")));
}

TEST(Policy, GlobMatchesTheWholeText) {
  EXPECT_FALSE(glob_match("deploy", "deploy now"));
  EXPECT_FALSE(glob_match("now", "deploy now"));
  EXPECT_TRUE(glob_match("*now", "deploy now"));
  EXPECT_FALSE(when_matches(R"({"action": "deploy"})", checkin_input{}));
}

TEST(Policy, GlobTreatsOtherCharactersLiterally) {
  EXPECT_TRUE(glob_match("v2.3", "v2.3"));
  EXPECT_FALSE(glob_match("v2.3", "v2x3"));
  EXPECT_TRUE(glob_match("[prod]", "[PROD]"));
  EXPECT_FALSE(glob_match("[prod]", "p"));
  EXPECT_TRUE(glob_match("a+b", "A+B"));
}

/// The obvious exponential definition of the glob, for small inputs.
bool reference_glob(std::string_view p, std::string_view t) {
  if (p.empty()) return t.empty();
  if (p[0] == '*')
    return reference_glob(p.substr(1), t) ||
           (!t.empty() && reference_glob(p, t.substr(1)));
  if (t.empty()) return false;
  return (p[0] == '?' || p[0] == t[0]) && reference_glob(p.substr(1), t.substr(1));
}

std::vector<std::string> words(std::string_view alphabet, std::size_t max_length) {
  std::vector<std::string> out{""};
  for (std::size_t begin = 0, n = 0; n < max_length; ++n) {
    auto end = out.size();
    for (auto i = begin; i < end; ++i)
      for (char c : alphabet)
        out.push_back(out[i] + c);
    begin = end;
  }
  return out;
}

TEST(Policy, GlobAgreesWithItsDefinitionOnEverySmallCase) {
  for (const auto& pattern : words("ab*?", 4))
    for (const auto& text : words("ab", 5))
      ASSERT_EQ(glob_match(pattern, text), reference_glob(pattern, text))
          << "pattern '" << pattern << "', text '" << text << "'";
}

TEST(Policy, GlobStaysFastOnPathologicalPatterns) {
  // Many stars against a long near-miss: matching is O(pattern x text), never
  // exponential.
  std::string pattern;
  for (int i = 0; i < 300; ++i)
    pattern += "*a";
  pattern += "b";
  std::string near_miss(2000, 'a');
  EXPECT_FALSE(glob_match(pattern, near_miss));
  near_miss.push_back('b');
  EXPECT_TRUE(glob_match(pattern, near_miss));
}

// --- action_regex ---------------------------------------------------------------

TEST(Policy, ActionRegexIsSearchedAnywhere) {
  EXPECT_TRUE(
      when_matches(R"({"action_regex": "docs"})", with_action("please update docs now")));
  EXPECT_TRUE(when_matches(R"({"action_regex": "v[0-9]+\\.[0-9]+"})", checkin_input{}));
  EXPECT_FALSE(when_matches(R"({"action_regex": "staging"})", checkin_input{}));
}

TEST(Policy, ActionRegexHonoursAnchors) {
  auto when = R"({"action_regex": "^update docs"})";
  EXPECT_TRUE(when_matches(when, with_action("update docs for the API")));
  EXPECT_FALSE(when_matches(when, with_action("please update docs")));
  EXPECT_TRUE(when_matches(R"({"action_regex": "production$"})", checkin_input{}));
  EXPECT_FALSE(when_matches(R"({"action_regex": "^production$"})", checkin_input{}));
}

TEST(Policy, ActionRegexIsCaseSensitiveUnlessAskedOtherwise) {
  EXPECT_FALSE(when_matches(R"({"action_regex": "^DEPLOY"})", checkin_input{}));
  EXPECT_TRUE(when_matches(R"({"action_regex": "(?i)^DEPLOY"})", checkin_input{}));
}

TEST(Policy, ActionGlobAndRegexMustBothMatch) {
  auto when = R"({"action": "deploy *", "action_regex": "staging"})";
  EXPECT_FALSE(when_matches(when, checkin_input{}));
  EXPECT_TRUE(when_matches(when, with_action("deploy to staging")));
}

// --- metadata -------------------------------------------------------------------

TEST(Policy, MetadataKeysMustEqualTheGivenValues) {
  auto when = R"({"metadata": {"env": "staging"}})";
  EXPECT_TRUE(when_matches(when, with_metadata(R"({"env": "staging", "other": 1})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({"env": "STAGING"})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({"env": ["staging"]})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({})")));
}

TEST(Policy, MetadataMissingInTheInputNeverMatches) {
  auto p = policy_from(R"({"rules": [{"id": "r", "effect": "forbid",
                                      "when": {"metadata": {"env": "staging"}}}]})");
  policy_input in;
  in.action = "x";
  in.metadata = nullptr;
  EXPECT_EQ(evaluate(p, in).status, checkin_status::pending);
}

TEST(Policy, MetadataAllListedKeysMustMatch) {
  auto when = R"({"metadata": {"env": "prod", "region": "eu"}})";
  EXPECT_TRUE(when_matches(when, with_metadata(R"({"env": "prod", "region": "eu"})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({"env": "prod", "region": "us"})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({"env": "prod"})")));
}

TEST(Policy, MetadataDottedPathsReachIntoObjects) {
  auto when = R"({"metadata": {"deploy.target.env": "prod"}})";
  EXPECT_TRUE(
      when_matches(when, with_metadata(R"({"deploy": {"target": {"env": "prod"}}})")));
  EXPECT_FALSE(
      when_matches(when, with_metadata(R"({"deploy": {"target": {"env": "dev"}}})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({"deploy": {"target": "prod"}})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({"deploy": "prod"})")));
}

TEST(Policy, MetadataNumbersCompareByValue) {
  EXPECT_TRUE(
      when_matches(R"({"metadata": {"count": 1}})", with_metadata(R"({"count": 1.0})")));
  EXPECT_TRUE(
      when_matches(R"({"metadata": {"count": 1.0}})", with_metadata(R"({"count": 1})")));
  EXPECT_FALSE(
      when_matches(R"({"metadata": {"count": 1}})", with_metadata(R"({"count": 2})")));
  EXPECT_FALSE(
      when_matches(R"({"metadata": {"count": 1}})", with_metadata(R"({"count": "1"})")));
}

TEST(Policy, MetadataComparesNestedValuesAsJson) {
  auto when = R"({"metadata": {"cfg": {"a": 1, "b": [1, {"c": true}]}}})";
  EXPECT_TRUE(
      when_matches(when, with_metadata(R"({"cfg": {"b": [1.0, {"c": true}], "a": 1}})")));
  EXPECT_FALSE(
      when_matches(when, with_metadata(R"({"cfg": {"a": 1, "b": [{"c": true}, 1]}})")));
  EXPECT_FALSE(when_matches(when, with_metadata(R"({"cfg": {"a": 1, "b": [1, {"c": true}],
                                                             "extra": null}})")));
  EXPECT_TRUE(when_matches(R"({"metadata": {"flag": null}})",
                           with_metadata(R"({"flag": null})")));
  EXPECT_FALSE(when_matches(R"({"metadata": {"flag": null}})", with_metadata(R"({})")));
}

// --- parse_policy ---------------------------------------------------------------

TEST(Policy, ParsesTheApiExample) {
  auto text = R"({
    "rules": [
      {"id": "no-prod-friday", "effect": "forbid",
       "when": {"action": "deploy * production", "risk_level": ["high", "critical"]}},
      {"id": "docs", "effect": "auto_approve",
       "when": {"action_regex": "^update docs", "metadata": {"env": "staging"}}}
    ],
    "trust_thresholds": {"low": 25, "medium": 50, "high": null, "critical": null},
    "default_action": "require_approval"
  })";
  auto p = parse_policy(json::parse(text));
  ASSERT_TRUE(p.ok()) << describe(p.error());
  ASSERT_EQ(p->rules.size(), 2u);
  EXPECT_EQ(p->rules[0].id, "no-prod-friday");
  EXPECT_EQ(p->rules[0].effect, rule_effect::forbid);
  EXPECT_EQ(p->rules[0].when.action, "deploy * production");
  EXPECT_EQ(p->rules[0].when.risk_levels,
            (std::vector<risk>{risk::high, risk::critical}));
  EXPECT_EQ(p->rules[1].effect, rule_effect::auto_approve);
  EXPECT_EQ(p->rules[1].when.action_regex, "^update docs");
  EXPECT_NE(p->rules[1].when.compiled, nullptr);
  EXPECT_EQ(p->thresholds[0], 25.0);
  EXPECT_EQ(p->thresholds[1], 50.0);
  EXPECT_FALSE(p->thresholds[2].has_value());
  EXPECT_FALSE(p->thresholds[3].has_value());
  EXPECT_EQ(p->default_action, default_decision::require_approval);
  EXPECT_TRUE(json_equal(to_json(*p), json::parse(text)));
}

TEST(Policy, EmptyObjectIsTheDefaultPolicy) {
  auto p = parse_policy(json::parse("{}"));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->rules.empty());
  for (const auto& t : p->thresholds)
    EXPECT_FALSE(t.has_value());
  EXPECT_EQ(p->default_action, default_decision::require_approval);
  EXPECT_EQ(to_json(*p), json::parse(R"({"rules": [], "trust_thresholds":
      {"low": null, "medium": null, "high": null, "critical": null},
      "default_action": "require_approval"})"));
}

TEST(Policy, InvalidRegexNamesTheFullPath) {
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"action_regex": "(unclosed"}}]})"),
            "policy.rules[0].when.action_regex");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "a", "effect": "forbid"},
                                      {"id": "r", "effect": "forbid",
                                       "when": {"action_regex": "*"}}]})"),
            "policy.rules[1].when.action_regex");
}

TEST(Policy, RegexWithoutLinearTimeMatchingIsRejected) {
  // Backreferences and lookaround are not RE2.
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"action_regex": "(a)\\1"}}]})"),
            "policy.rules[0].when.action_regex");
  EXPECT_EQ(error_field(R"j({"rules": [{"id": "r", "effect": "forbid",
                                        "when": {"action_regex": "deploy(?=prod)"}}]})j"),
            "policy.rules[0].when.action_regex");
}

TEST(Policy, UnknownKeysAreRejectedWithTheirPath) {
  EXPECT_EQ(error_field(R"({"rule": []})"), "policy.rule");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid", "if": {}}]})"),
            "policy.rules[0].if");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"actions": "x"}}]})"),
            "policy.rules[0].when.actions");
  EXPECT_EQ(error_field(R"({"trust_thresholds": {"extreme": 5}})"),
            "policy.trust_thresholds.extreme");
}

TEST(Policy, EmptyListsAreRejected) {
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"risk_level": []}}]})"),
            "policy.rules[0].when.risk_level");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"urgency": []}}]})"),
            "policy.rules[0].when.urgency");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"agent": []}}]})"),
            "policy.rules[0].when.agent");
}

TEST(Policy, UnknownListValuesNameTheirIndex) {
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"risk_level": ["high", "extreme"]}}]})"),
            "policy.rules[0].when.risk_level[1]");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"urgency": [1]}}]})"),
            "policy.rules[0].when.urgency[0]");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"agent": ["ag_x", ""]}}]})"),
            "policy.rules[0].when.agent[1]");
}

TEST(Policy, DuplicateRuleIdsAreRejected) {
  EXPECT_EQ(error_field(R"({"rules": [{"id": "same", "effect": "forbid"},
                                      {"id": "other", "effect": "forbid"},
                                      {"id": "same", "effect": "auto_approve"}]})"),
            "policy.rules[2].id");
}

TEST(Policy, RulesNeedAnIdAndAnEffect) {
  EXPECT_EQ(error_field(R"({"rules": [{"effect": "forbid"}]})"), "policy.rules[0].id");
  EXPECT_EQ(error_field(R"({"rules": [{"id": ""}]})"), "policy.rules[0].id");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r"}]})"), "policy.rules[0].effect");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "allow"}]})"),
            "policy.rules[0].effect");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid", "when": []}]})"),
            "policy.rules[0].when");
  EXPECT_EQ(error_field(R"({"rules": ["r"]})"), "policy.rules[0]");
}

TEST(Policy, ThresholdsMustBeNumbersFrom0To100OrNull) {
  EXPECT_EQ(error_field(R"({"trust_thresholds": {"low": 101}})"),
            "policy.trust_thresholds.low");
  EXPECT_EQ(error_field(R"({"trust_thresholds": {"high": -0.1}})"),
            "policy.trust_thresholds.high");
  EXPECT_EQ(error_field(R"({"trust_thresholds": {"medium": "50"}})"),
            "policy.trust_thresholds.medium");
  EXPECT_EQ(error_field(R"({"trust_thresholds": [50]})"), "policy.trust_thresholds");
  EXPECT_EQ(error_field(R"({"trust_thresholds": {"low": 0, "medium": 100, "high": 99.5,
                                                 "critical": null}})"),
            "");
  EXPECT_EQ(error_field(R"({"trust_thresholds": null})"), "");
}

TEST(Policy, AcceptsAtMost200Rules) {
  auto rules = [](int n) {
    json::array a;
    for (int i = 0; i < n; ++i)
      a.push_back(json::object{{"id", "r" + std::to_string(i)}, {"effect", "forbid"}});
    return json::value(json::object{{"rules", std::move(a)}});
  };
  EXPECT_TRUE(parse_policy(rules(200)).ok());
  auto too_many = parse_policy(rules(201));
  EXPECT_TRUE(fails_with(too_many, errc::validation, "policy.rules"));
}

TEST(Policy, DefaultActionMustBeKnown) {
  EXPECT_EQ(error_field(R"({"default_action": "maybe"})"), "policy.default_action");
  EXPECT_EQ(error_field(R"({"default_action": 1})"), "policy.default_action");
}

TEST(Policy, WrongShapesAreRejected) {
  EXPECT_EQ(error_field(R"([])"), "policy");
  EXPECT_EQ(error_field(R"({"rules": {}})"), "policy.rules");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"action": ""}}]})"),
            "policy.rules[0].when.action");
  EXPECT_EQ(error_field(R"({"rules": [{"id": "r", "effect": "forbid",
                                       "when": {"metadata": ["env"]}}]})"),
            "policy.rules[0].when.metadata");
}

TEST(Policy, ErrorPathsUseTheGivenPrefix) {
  auto p = parse_policy(json::parse(R"({"default_action": "x"})"), "body");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().field, "body.default_action");
  auto bare = parse_policy(json::parse(R"({"default_action": "x"})"), "");
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().field, "default_action");
}

TEST(Policy, RoundTripsThroughToJson) {
  auto text = R"({
    "rules": [
      {"id": "f", "effect": "forbid", "when": {
        "action": "deploy * production", "action_regex": "v[0-9]+",
        "risk_level": ["high"], "urgency": ["urgent", "high"], "agent": ["ag_builder001"],
        "metadata": {"deploy.env": "prod", "n": 1.5, "cfg": {"x": [1, 2]}}}},
      {"id": "a", "effect": "auto_approve", "when": {}}
    ],
    "trust_thresholds": {"low": 12.5, "medium": null, "high": 90, "critical": null},
    "default_action": "forbid"
  })";
  auto first = policy_from(text);
  auto encoded = to_json(first);
  EXPECT_TRUE(json_equal(encoded, json::parse(text)));
  auto second = parse_policy(encoded);
  ASSERT_TRUE(second.ok()) << describe(second.error());
  EXPECT_EQ(to_json(*second), encoded);
  // The parsed copy behaves the same.
  checkin_input c;
  c.action = "deploy v2 to production";
  c.risk_level = risk::high;
  c.urgency = urgency_level::urgent;
  c.metadata =
      json::parse(R"({"deploy": {"env": "prod"}, "n": 1.5, "cfg": {"x": [1, 2]}})")
          .as_object();
  EXPECT_EQ(evaluate_for(first, c).rule_id, "f");
  EXPECT_EQ(evaluate_for(*second, c).rule_id, "f");
}

TEST(Policy, JsonConversionUsesTheApiForm) {
  auto p = policy_from(R"({"rules": [{"id": "r", "effect": "forbid"}]})");
  auto v = json::value_from(p);
  EXPECT_EQ(v, to_json(p));
  auto back = json::try_value_to<policy>(v);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(to_json(*back), to_json(p));
  EXPECT_FALSE(json::try_value_to<policy>(json::parse(R"({"rules": 1})")).has_value());
}

} // namespace
} // namespace waitroom::events::room
