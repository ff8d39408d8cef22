// The rules of rooms: replacing the policy; validation shared with room creation.

#include "events/room/decider.hpp"
#include "given_when_then.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace waitroom::events::room {
namespace {

using namespace waitroom::events::testing;
namespace json = boost::json;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");
const std::string org_id = "org_acme000001";
const std::string room_id = "rm_deploy0001";
const actor_ref admin = actor_ref::user("us_admin00001");

policy policy_from(std::string_view text) {
  auto p = parse_policy(json::parse(text));
  if (!p) throw std::invalid_argument(describe(p.error()));
  return std::move(*p);
}

recorded_event on_room(event_data data, timestamp when = t0) {
  return make_event(room_id, org_id, room_id, admin, when, std::move(data));
}

created room_created(policy p = {}) {
  created c;
  c.id = room_id;
  c.org_id = org_id;
  c.slug = "deployments";
  c.name = "Deployments";
  c.policy = std::move(p);
  return c;
}

set_policy set_policy_to(policy p, timestamp now = t0 + 1000) {
  return set_policy{.policy = std::move(p), .by = admin, .now = now};
}

const char* docs_policy = R"({"rules": [{"id": "docs", "effect": "auto_approve",
                                         "when": {"action_regex": "^update docs",
                                                  "metadata": {"env": "staging", "n": 1}}}],
                              "trust_thresholds": {"low": 25},
                              "default_action": "require_approval"})";

TEST(RoomDecider, ReplacesThePolicy) {
  auto s = given<state>({on_room(room_created())});
  auto out = decide(s, set_policy_to(policy_from(docs_policy)));
  ASSERT_TRUE(yields(out, {"room.policy_updated"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, room_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, admin);
  EXPECT_EQ(e.meta.at, t0 + 1000);
  EXPECT_EQ(to_json(payload<policy_updated>(e).policy),
            to_json(policy_from(docs_policy)));

  auto after = given(s, *out);
  EXPECT_EQ(to_json(after.policy), to_json(policy_from(docs_policy)));
  EXPECT_EQ(after.version, 2u);
  EXPECT_EQ(after.updated_at, t0 + 1000);
  EXPECT_EQ(after.created_at, t0);
  EXPECT_EQ(after.slug, "deployments");
}

TEST(RoomDecider, SettingTheSamePolicyAppendsNothing) {
  auto s = given<state>({on_room(room_created(policy_from(docs_policy)))});
  EXPECT_TRUE(yields_nothing(decide(s, set_policy_to(policy_from(docs_policy)))));
}

TEST(RoomDecider, SamePolicyWrittenInAnotherKeyOrderOrNumberFormIsTheSame) {
  auto s = given<state>({on_room(room_created(policy_from(docs_policy)))});
  auto reordered = policy_from(R"({"default_action": "require_approval",
                                   "trust_thresholds": {"low": 25.0, "high": null},
                                   "rules": [{"when": {"metadata": {"n": 1.0, "env": "staging"},
                                                       "action_regex": "^update docs"},
                                              "effect": "auto_approve", "id": "docs"}]})");
  EXPECT_TRUE(yields_nothing(decide(s, set_policy_to(reordered))));
}

TEST(RoomDecider, SettingTheEmptyPolicyOnANewRoomAppendsNothing) {
  auto s = given<state>({on_room(room_created())});
  EXPECT_TRUE(yields_nothing(decide(s, set_policy_to(policy{}))));
}

TEST(RoomDecider, ReorderedRulesAreAnotherPolicy) {
  auto two =
      R"({"rules": [{"id": "a", "effect": "forbid"}, {"id": "b", "effect": "forbid"}]})";
  auto swapped =
      R"({"rules": [{"id": "b", "effect": "forbid"}, {"id": "a", "effect": "forbid"}]})";
  auto s = given<state>({on_room(room_created(policy_from(two)))});
  EXPECT_TRUE(
      yields(decide(s, set_policy_to(policy_from(swapped))), {"room.policy_updated"}));
}

TEST(RoomDecider, SetPolicyOnAMissingRoomIsNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, set_policy_to(policy{})), errc::not_found));
}

TEST(RoomDecider, EvolveKeepsTheLatestPolicy) {
  auto first = policy_from(R"({"default_action": "forbid"})");
  auto second = policy_from(R"({"default_action": "auto_approve"})");
  auto s = given<state>({on_room(room_created()), on_room(policy_updated{first}, t0 + 1),
                         on_room(policy_updated{second}, t0 + 2)});
  EXPECT_EQ(s.policy.default_action, default_decision::auto_approve);
  EXPECT_EQ(s.version, 3u);
  EXPECT_EQ(s.updated_at, t0 + 2);
}

TEST(RoomDecider, ValidatesSlugs) {
  EXPECT_TRUE(validate_slug("general").ok());
  EXPECT_TRUE(validate_slug(std::string(63, 'a')).ok());
  EXPECT_TRUE(fails_with(validate_slug(std::string(64, 'a')), errc::validation, "slug"));
  EXPECT_TRUE(fails_with(validate_slug("-a"), errc::validation, "slug"));
  EXPECT_TRUE(fails_with(validate_slug("A"), errc::validation, "slug"));
  EXPECT_TRUE(fails_with(validate_slug(""), errc::validation, "slug"));
}

TEST(RoomDecider, ValidatesNamesAndDescriptions) {
  EXPECT_TRUE(fails_with(validate_name(""), errc::validation, "name"));
  EXPECT_TRUE(validate_name(std::string(200, 'n')).ok());
  EXPECT_TRUE(fails_with(validate_name(std::string(201, 'n')), errc::validation, "name"));
  EXPECT_TRUE(validate_description("").ok());
  EXPECT_TRUE(fails_with(validate_description(std::string(5001, 'd')), errc::validation,
                         "description"));
}

TEST(RoomDecider, ValidatesSettings) {
  EXPECT_TRUE(validate_settings(room_settings{}).ok());
  room_settings s;
  s.default_timeout_ms = 999;
  EXPECT_TRUE(fails_with(validate_settings(s), errc::validation, "default_timeout_ms"));
  s = {};
  s.default_required_approvals = 11;
  EXPECT_TRUE(
      fails_with(validate_settings(s), errc::validation, "default_required_approvals"));
  s = {};
  s.expiry_warning_ms = -1;
  EXPECT_TRUE(fails_with(validate_settings(s), errc::validation, "expiry_warning_ms"));
}

TEST(RoomDecider, AppliesASettingsChangeFieldByField) {
  room_settings base;
  base.default_timeout_ms = 120'000;
  settings_change change;
  change.default_required_approvals = 3;
  auto out = apply_settings(base, change);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->default_timeout_ms, 120'000); // absent: kept
  EXPECT_EQ(out->default_required_approvals, 3);
  EXPECT_EQ(out->expiry_warning_ms, room_settings{}.expiry_warning_ms);

  change = {};
  change.default_required_approvals = 1LL << 40; // not 1-10, and not an int either
  EXPECT_TRUE(fails_with(apply_settings(base, change), errc::validation,
                         "default_required_approvals"));
  change = {};
  change.default_timeout_ms = 10;
  EXPECT_TRUE(
      fails_with(apply_settings(base, change), errc::validation, "default_timeout_ms"));
  EXPECT_TRUE(apply_settings(base, {}).ok());
  EXPECT_EQ(apply_settings(base, {})->default_timeout_ms, 120'000);
}

} // namespace
} // namespace waitroom::events::room
