// The rules of check-ins (API.md "Check-ins: agent -> human", "Several approvers"),
// as given(events) / when(command) / then(events or error).

#include "events/checkin/decider.hpp"
#include "events/json.hpp"
#include "events/room/decider.hpp"
#include "given_when_then.hpp"
#include "message_ids.hpp"
#include "rooms.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace waitroom::events::checkin {
namespace {

using namespace waitroom::events::testing;
namespace json = boost::json;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string org_id = "org_acme000001";
const std::string room_id = "rm_deploy0001";
const std::string checkin_id = "ci_a1b2c3d4e5";
const std::string agent_id = "ag_builder001";
const std::string other_agent_id = "ag_intruder01";
const std::string alice = "us_alice00001";
const std::string bob = "us_bob0000001";
const std::string carol = "us_carol00001";

// --- givens ------------------------------------------------------------------

room::policy policy_from(std::string_view text) {
  auto p = room::parse_policy(json::parse(text));
  if (!p) throw std::invalid_argument(describe(p.error()));
  return std::move(*p);
}

room::state a_room(room::policy policy = {}, room::room_settings settings = {}) {
  return a_deployments_room(room_id, org_id, t0 - day, std::move(policy), settings);
}

fresh_ids three_ids() {
  return {"msg_0000000001", "msg_0000000002", "msg_0000000003"};
}

create a_create() {
  create c;
  c.id = checkin_id;
  c.room_id = room_id;
  c.org_id = org_id;
  c.agent_id = agent_id;
  c.action = "deploy v2.3.1 to production";
  c.reason = "release train";
  c.now = t0;
  c.message_ids = three_ids();
  return c;
}

/// `checkin.created` of a pending check-in, as `decide_create` writes it in a default
/// room.
created pending_created(duration_ms timeout = hour,
                        timeout_behavior action = timeout_behavior::cancel,
                        int required = 1) {
  created c;
  c.id = checkin_id;
  c.room_id = room_id;
  c.org_id = org_id;
  c.action = "deploy v2.3.1 to production";
  c.reason = "release train";
  c.agent_id = agent_id;
  c.created_by = actor_ref::agent(agent_id);
  c.timeout_ms = timeout;
  c.timeout_action = action;
  c.required_approvals = required;
  c.warn_before_ms = std::min<duration_ms>(300'000, timeout / 10);
  if (action != timeout_behavior::hold) c.expires_at = t0 + timeout;
  c.status = checkin_status::pending;
  return c;
}

recorded_event on_checkin(event_data data, actor_ref by = actor_ref::agent(agent_id),
                          timestamp when = t0) {
  return make_event(checkin_id, org_id, room_id, std::move(by), when, std::move(data));
}

state a_pending_checkin(duration_ms timeout = hour,
                        timeout_behavior action = timeout_behavior::cancel,
                        int required = 1) {
  return given<state>({on_checkin(pending_created(timeout, action, required))});
}

/// The state after the events of a successful decision.
state fold(state s, const outcome<event_list>& out) {
  if (!out.ok())
    throw std::runtime_error("expected events, got " + describe(out.error()));
  return given(std::move(s), out.value());
}

/// A check-in that reached `r` (by a user, or by the agent for `withdrawn`).
state a_resolved_checkin(resolution r) {
  auto by = r == resolution::withdrawn ? actor_ref::agent(agent_id)
            : r == resolution::expired ? actor_ref::timeout()
                                       : actor_ref::user(alice);
  return given<state>(
      {on_checkin(pending_created()),
       on_checkin(resolved{decision_record{r, by, t0 + minute, {}, {}, {}}, std::nullopt},
                  by, t0 + minute)});
}

// --- commands ----------------------------------------------------------------

approve approve_by(const std::string& user, timestamp now = t0 + minute,
                   std::optional<std::string> reason = std::nullopt) {
  return approve{.by = actor_ref::user(user),
                 .reason = std::move(reason),
                 .now = now,
                 .message_ids = three_ids()};
}

reject reject_by(const std::string& user, timestamp now = t0 + minute,
                 std::optional<std::string> reason = std::nullopt) {
  return reject{.by = actor_ref::user(user),
                .reason = std::move(reason),
                .now = now,
                .message_ids = three_ids()};
}

modify modify_by(const std::string& user, json::object mods,
                 timestamp now = t0 + minute) {
  return modify{.by = actor_ref::user(user),
                .modifications = std::move(mods),
                .reason = std::nullopt,
                .now = now,
                .message_ids = three_ids()};
}

withdraw withdraw_by(actor_ref by, timestamp now = t0 + minute) {
  return withdraw{.by = std::move(by),
                  .reason = std::nullopt,
                  .now = now,
                  .message_ids = three_ids()};
}

extend extend_by(duration_ms by_ms, timestamp now = t0 + minute) {
  return extend{.by = actor_ref::user(alice), .by_ms = by_ms, .now = now};
}

expire expire_at(timestamp now) {
  return expire{.now = now, .message_ids = three_ids()};
}

announce_expiry announce_at(timestamp now) {
  return announce_expiry{.now = now};
}

json::object obj(std::string_view text) {
  return json::parse(text).as_object();
}

// =============================================================================
// create
// =============================================================================

TEST(CheckinDecider, CreatesPendingCheckInThatExpiresAfterTheTimeout) {
  auto cmd = a_create();
  cmd.timeout_ms = 30 * minute;
  auto out = decide_create(cmd, a_room(), 15.0);
  ASSERT_TRUE(yields(out, {"checkin.created", "checkin.message"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, checkin_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, actor_ref::agent(agent_id));
  EXPECT_EQ(e.meta.at, t0);
  const auto& c = payload<created>(e);
  EXPECT_EQ(c.id, checkin_id);
  EXPECT_EQ(c.room_id, room_id);
  EXPECT_EQ(c.org_id, org_id);
  EXPECT_EQ(c.direction, checkin_direction::agent_to_human);
  EXPECT_EQ(c.status, checkin_status::pending);
  EXPECT_EQ(c.action, "deploy v2.3.1 to production");
  EXPECT_EQ(c.reason, "release train");
  EXPECT_EQ(c.agent_id, agent_id);
  EXPECT_EQ(c.created_by, actor_ref::agent(agent_id));
  EXPECT_EQ(c.timeout_ms, 30 * minute);
  EXPECT_EQ(c.expires_at, t0 + 30 * minute);
  EXPECT_FALSE(c.decision.has_value());
}

TEST(CheckinDecider, CreateWritesAStatusChangeMessageFromTheSystem) {
  auto out = decide_create(a_create(), a_room(), 15.0);
  ASSERT_TRUE(yields(out, {"checkin.created", "checkin.message"}));
  const auto& m = payload<message_posted>(out->at(1));
  EXPECT_EQ(m.id, "msg_0000000001");
  EXPECT_EQ(m.type, message_kind::status_change);
  EXPECT_EQ(m.author, actor_ref::system());
  EXPECT_EQ(json::value(m.metadata), json::parse(R"({"from": null, "to": "pending"})"));
  EXPECT_EQ(out->at(1).meta.stream, checkin_id);
}

TEST(CheckinDecider, CreateAppliesTheRoomDefaults) {
  room::room_settings settings;
  settings.default_timeout_ms = 2 * hour;
  settings.default_timeout_action = timeout_behavior::auto_approve;
  settings.default_required_approvals = 3;
  settings.expiry_warning_ms = minute;
  auto out = decide_create(a_create(), a_room({}, settings), 15.0);
  ASSERT_TRUE(yields(out, {"checkin.created", "checkin.message"}));
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.timeout_ms, 2 * hour);
  EXPECT_EQ(c.timeout_action, timeout_behavior::auto_approve);
  EXPECT_EQ(c.required_approvals, 3);
  EXPECT_EQ(c.warn_before_ms, minute);
  EXPECT_EQ(c.expires_at, t0 + 2 * hour);
}

TEST(CheckinDecider, CreateWithoutRoomSettingsUsesTheProductDefaults) {
  auto out = decide_create(a_create(), a_room(), 15.0);
  ASSERT_TRUE(out.ok());
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.timeout_ms, hour);
  EXPECT_EQ(c.timeout_action, timeout_behavior::cancel);
  EXPECT_EQ(c.required_approvals, 1);
  EXPECT_EQ(c.risk_level, risk::medium);
  EXPECT_EQ(c.urgency, urgency_level::normal);
  EXPECT_EQ(c.expires_at, t0 + hour);
}

TEST(CheckinDecider, CommandValuesWinOverRoomDefaults) {
  room::room_settings settings;
  settings.default_timeout_ms = 2 * hour;
  settings.default_timeout_action = timeout_behavior::auto_approve;
  settings.default_required_approvals = 3;
  auto cmd = a_create();
  cmd.timeout_ms = 5 * minute;
  cmd.timeout_action = timeout_behavior::cancel;
  cmd.required_approvals = 1;
  auto out = decide_create(cmd, a_room({}, settings), 15.0);
  ASSERT_TRUE(out.ok());
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.timeout_ms, 5 * minute);
  EXPECT_EQ(c.timeout_action, timeout_behavior::cancel);
  EXPECT_EQ(c.required_approvals, 1);
}

TEST(CheckinDecider, CreateWithHoldHasNoDeadline) {
  auto cmd = a_create();
  cmd.timeout_action = timeout_behavior::hold;
  auto out = decide_create(cmd, a_room(), 15.0);
  ASSERT_TRUE(out.ok());
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.status, checkin_status::pending);
  EXPECT_FALSE(c.expires_at.has_value());
}

TEST(CheckinDecider, RoomDefaultHoldMeansNoDeadline) {
  room::room_settings settings;
  settings.default_timeout_action = timeout_behavior::hold;
  auto out = decide_create(a_create(), a_room({}, settings), 15.0);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(payload<created>(out->at(0)).expires_at.has_value());
}

TEST(CheckinDecider, WarningLeadIsTheSmallerOfRoomWarningAndATenthOfTheTimeout) {
  struct example {
    duration_ms timeout, room_warning, expected;
  };
  for (auto [timeout, room_warning, expected] :
       {example{hour, 300'000, 300'000}, example{minute, 300'000, 6'000},
        example{10 * second, 300'000, 1'000}, example{hour, 30'000, 30'000},
        example{hour, 0, 0}}) {
    SCOPED_TRACE(::testing::Message()
                 << "timeout " << timeout << ", room " << room_warning);
    room::room_settings settings;
    settings.expiry_warning_ms = room_warning;
    auto cmd = a_create();
    cmd.timeout_ms = timeout;
    auto out = decide_create(cmd, a_room({}, settings), 15.0);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(payload<created>(out->at(0)).warn_before_ms, expected);
  }
}

TEST(CheckinDecider, FoldingTheCreatedEventsGivesTheCheckInState) {
  auto out = decide_create(a_create(), a_room(), 15.0);
  auto s = fold(state{}, out);
  EXPECT_TRUE(s.exists());
  EXPECT_EQ(s.id, checkin_id);
  EXPECT_EQ(s.status, checkin_status::pending);
  EXPECT_EQ(s.expires_at, t0 + hour);
  EXPECT_EQ(s.warn_at(), t0 + hour - 300'000);
  EXPECT_EQ(s.live_deadline(), t0 + hour);
  EXPECT_EQ(s.created_at, t0);
  EXPECT_EQ(s.created_seq, 1u);
  EXPECT_EQ(s.version, 2u);
}

// --- create: field validation ------------------------------------------------

TEST(CheckinDecider, RejectsCreateWithEmptyAction) {
  auto cmd = a_create();
  cmd.action = "";
  EXPECT_TRUE(fails_with(decide_create(cmd, a_room(), 15.0), errc::validation, "action"));
}

TEST(CheckinDecider, RejectsCreateWithActionOf501CodePoints) {
  auto cmd = a_create();
  cmd.action = std::string(501, 'a');
  EXPECT_TRUE(fails_with(decide_create(cmd, a_room(), 15.0), errc::validation, "action"));
  cmd.action = std::string(500, 'a');
  EXPECT_TRUE(decide_create(cmd, a_room(), 15.0).ok());
}

TEST(CheckinDecider, CountsActionLengthInCodePointsNotBytes) {
  auto repeat = [](std::string_view unit, int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
      s += unit;
    return s;
  };
  auto cmd = a_create();
  cmd.action = repeat("\xC3\xA9", 500); // 500 x "é": 1000 bytes
  EXPECT_TRUE(decide_create(cmd, a_room(), 15.0).ok());
  cmd.action = repeat("\xF0\x9F\x9A\x80", 500); // 500 x U+1F680: 2000 bytes
  EXPECT_TRUE(decide_create(cmd, a_room(), 15.0).ok());
  cmd.action = repeat("\xC3\xA9", 501);
  EXPECT_TRUE(fails_with(decide_create(cmd, a_room(), 15.0), errc::validation, "action"));
}

TEST(CheckinDecider, RejectsCreateWithReasonOver5000CodePoints) {
  auto cmd = a_create();
  cmd.reason = std::string(5001, 'r');
  EXPECT_TRUE(fails_with(decide_create(cmd, a_room(), 15.0), errc::validation, "reason"));
  cmd.reason.clear();
  for (int i = 0; i < 5000; ++i)
    cmd.reason += "\xE2\x82\xAC"; // "€", 3 bytes
  EXPECT_TRUE(decide_create(cmd, a_room(), 15.0).ok());
}

TEST(CheckinDecider, RejectsCreateWithMetadataOver10KiBCompact) {
  // {"k":"…"} is 8 bytes plus the string.
  auto cmd = a_create();
  cmd.metadata = json::object{{"k", std::string(10240 - 8, 'x')}};
  ASSERT_EQ(compact_size(json::value(cmd.metadata)), 10240u);
  EXPECT_TRUE(decide_create(cmd, a_room(), 15.0).ok());
  cmd.metadata = json::object{{"k", std::string(10240 - 7, 'x')}};
  EXPECT_TRUE(
      fails_with(decide_create(cmd, a_room(), 15.0), errc::validation, "metadata"));
}

TEST(CheckinDecider, RejectsCreateWithTimeoutOutside1SecondTo7Days) {
  for (duration_ms bad : {duration_ms{-1}, duration_ms{0}, duration_ms{999}, week + 1}) {
    SCOPED_TRACE(bad);
    auto cmd = a_create();
    cmd.timeout_ms = bad;
    EXPECT_TRUE(
        fails_with(decide_create(cmd, a_room(), 15.0), errc::validation, "timeout_ms"));
  }
  for (duration_ms good : {duration_ms{1000}, week}) {
    SCOPED_TRACE(good);
    auto cmd = a_create();
    cmd.timeout_ms = good;
    auto out = decide_create(cmd, a_room(), 15.0);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(payload<created>(out->at(0)).expires_at, t0 + good);
  }
}

TEST(CheckinDecider, RejectsCreateWithRequiredApprovalsOutside1To10) {
  for (int bad : {-1, 0, 11}) {
    SCOPED_TRACE(bad);
    auto cmd = a_create();
    cmd.required_approvals = bad;
    EXPECT_TRUE(fails_with(decide_create(cmd, a_room(), 15.0), errc::validation,
                           "required_approvals"));
  }
  for (int good : {1, 10}) {
    auto cmd = a_create();
    cmd.required_approvals = good;
    auto out = decide_create(cmd, a_room(), 15.0);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(payload<created>(out->at(0)).required_approvals, good);
  }
}

TEST(CheckinDecider, CreateInAMissingRoomIsNotFound) {
  EXPECT_TRUE(
      fails_with(decide_create(a_create(), room::state{}, 15.0), errc::not_found));
}

TEST(CheckinDecider, CreateWithoutFreshMessageIdsIsAnInternalError) {
  auto cmd = a_create();
  cmd.message_ids.clear();
  EXPECT_TRUE(fails_with(decide_create(cmd, a_room(), 15.0), errc::internal));
}

// --- create: the policy's verdict is recorded --------------------------------

TEST(CheckinDecider, RecordsAForbidRuleAsARejectionByPolicy) {
  auto room = a_room(policy_from(R"({"rules": [{"id": "no-prod", "effect": "forbid",
                                                "when": {"action": "deploy * production"}}]})"));
  auto out = decide_create(a_create(), room, 15.0);
  ASSERT_TRUE(yields(out, {"checkin.created", "checkin.message"}));
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.status, checkin_status::rejected);
  EXPECT_FALSE(c.expires_at.has_value());
  ASSERT_TRUE(c.decision.has_value());
  EXPECT_EQ(c.decision->outcome, resolution::rejected);
  EXPECT_EQ(c.decision->by, actor_ref::policy());
  EXPECT_EQ(c.decision->at, t0);
  EXPECT_EQ(c.decision->rule_id, "no-prod");
  EXPECT_FALSE(c.decision->trust_score.has_value());
  EXPECT_EQ(payload<message_posted>(out->at(1)).metadata.at("to"), "rejected");
}

TEST(CheckinDecider, RecordsAnAutoApproveRuleAsAnApprovalByPolicy) {
  auto room = a_room(policy_from(R"({"rules": [{"id": "deploys", "effect": "auto_approve",
                                                "when": {"action_regex": "^deploy"}}]})"));
  auto out = decide_create(a_create(), room, 15.0);
  ASSERT_TRUE(out.ok());
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.status, checkin_status::approved);
  EXPECT_FALSE(c.expires_at.has_value());
  ASSERT_TRUE(c.decision.has_value());
  EXPECT_EQ(c.decision->outcome, resolution::approved);
  EXPECT_EQ(c.decision->by.kind, actor_kind::policy);
  EXPECT_EQ(c.decision->rule_id, "deploys");
  EXPECT_FALSE(c.decision->trust_score.has_value());
  EXPECT_EQ(payload<message_posted>(out->at(1)).metadata.at("to"), "approved");
}

TEST(CheckinDecider, RecordsATrustThresholdApprovalWithTheScore) {
  auto room = a_room(policy_from(R"({"trust_thresholds": {"medium": 15}})"));
  auto out = decide_create(a_create(), room, 15.0);
  ASSERT_TRUE(out.ok());
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.status, checkin_status::approved);
  ASSERT_TRUE(c.decision.has_value());
  EXPECT_EQ(c.decision->by.kind, actor_kind::policy);
  EXPECT_EQ(c.decision->trust_score, 15.0);
  EXPECT_FALSE(c.decision->rule_id.has_value());

  auto below = decide_create(a_create(), room, 14.9);
  ASSERT_TRUE(below.ok());
  EXPECT_EQ(payload<created>(below->at(0)).status, checkin_status::pending);
}

TEST(CheckinDecider, RecordsDefaultAutoApproveAsAnApprovalByPolicy) {
  auto room = a_room(policy_from(R"({"default_action": "auto_approve"})"));
  auto out = decide_create(a_create(), room, 15.0);
  ASSERT_TRUE(out.ok());
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.status, checkin_status::approved);
  ASSERT_TRUE(c.decision.has_value());
  EXPECT_EQ(c.decision->by.kind, actor_kind::policy);
  EXPECT_FALSE(c.decision->rule_id.has_value());
  EXPECT_EQ(c.decision->reason, "default_action");
}

TEST(CheckinDecider, RecordsDefaultForbidAsARejectionByPolicy) {
  auto room = a_room(policy_from(R"({"default_action": "forbid"})"));
  auto out = decide_create(a_create(), room, 15.0);
  ASSERT_TRUE(out.ok());
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.status, checkin_status::rejected);
  ASSERT_TRUE(c.decision.has_value());
  EXPECT_EQ(c.decision->outcome, resolution::rejected);
  EXPECT_EQ(c.decision->by.kind, actor_kind::policy);
  EXPECT_FALSE(c.decision->rule_id.has_value());
}

TEST(CheckinDecider, EmptyPolicyLeavesEveryCheckInPending) {
  auto out = decide_create(a_create(), a_room(), 100.0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(payload<created>(out->at(0)).status, checkin_status::pending);
}

TEST(CheckinDecider, PolicySeesRiskUrgencyAgentAndMetadataOfTheCheckIn) {
  auto room = a_room(policy_from(R"({"rules": [{"id": "hot", "effect": "forbid", "when": {
      "risk_level": ["critical"], "urgency": ["urgent"], "agent": ["ag_builder001"],
      "metadata": {"deploy.env": "prod"}}}]})"));
  auto cmd = a_create();
  cmd.risk_level = risk::critical;
  cmd.urgency = urgency_level::urgent;
  cmd.metadata = obj(R"({"deploy": {"env": "prod"}})");
  auto out = decide_create(cmd, room, 15.0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(payload<created>(out->at(0)).status, checkin_status::rejected);
  EXPECT_EQ(payload<created>(out->at(0)).risk_level, risk::critical);
  EXPECT_EQ(payload<created>(out->at(0)).urgency, urgency_level::urgent);

  cmd.agent_id = other_agent_id;
  auto other = decide_create(cmd, room, 15.0);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(payload<created>(other->at(0)).status, checkin_status::pending);
}

// --- answer_error -----------------------------------------------------------

TEST(CheckinDecider, AnswersPolicyForbidsWithCheckInIdAndRuleIdForAPolicyRejection) {
  auto room =
      a_room(policy_from(R"({"rules": [{"id": "no-prod", "effect": "forbid"}]})"));
  auto s = fold(state{}, decide_create(a_create(), room, 15.0));
  auto e = answer_error(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, errc::policy_forbids);
  EXPECT_EQ(e->details.at("check_in_id").as_string(), checkin_id);
  EXPECT_EQ(e->details.at("rule_id"), "no-prod");
}

TEST(CheckinDecider, AnswersPolicyForbidsWithoutRuleForADefaultForbid) {
  auto room = a_room(policy_from(R"({"default_action": "forbid"})"));
  auto s = fold(state{}, decide_create(a_create(), room, 15.0));
  auto e = answer_error(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, errc::policy_forbids);
  EXPECT_EQ(e->details.at("check_in_id").as_string(), checkin_id);
  EXPECT_TRUE(e->details.at("rule_id").is_null());
}

TEST(CheckinDecider, AnswersNoErrorUnlessThePolicyRejected) {
  EXPECT_FALSE(answer_error(a_pending_checkin()).has_value());
  EXPECT_FALSE(answer_error(a_resolved_checkin(resolution::rejected)).has_value());
  EXPECT_FALSE(answer_error(a_resolved_checkin(resolution::approved)).has_value());
  auto approving = a_room(policy_from(R"({"default_action": "auto_approve"})"));
  EXPECT_FALSE(answer_error(fold(state{}, decide_create(a_create(), approving, 15.0))));
}

// =============================================================================
// approve / reject / modify
// =============================================================================

TEST(CheckinDecider, ApprovesAPendingCheckIn) {
  auto s = a_pending_checkin();
  auto out = decide(s, approve_by(alice, t0 + minute, "ship it"));
  ASSERT_TRUE(yields(out, {"checkin.approved", "checkin.message", "checkin.message"}));
  for (const auto& e : *out) {
    EXPECT_EQ(e.meta.actor, actor_ref::user(alice));
    EXPECT_EQ(e.meta.stream, checkin_id);
    EXPECT_EQ(e.meta.room_id, room_id);
    EXPECT_EQ(e.meta.at, t0 + minute);
  }
  const auto& r = payload<resolved>(out->at(0));
  EXPECT_EQ(
      r.decision,
      (decision_record{
          resolution::approved, actor_ref::user(alice), t0 + minute, "ship it", {}, {}}));
  EXPECT_FALSE(r.modifications.has_value());

  const auto& decision = payload<message_posted>(out->at(1));
  EXPECT_EQ(decision.id, "msg_0000000001");
  EXPECT_EQ(decision.type, message_kind::decision);
  EXPECT_EQ(decision.author, actor_ref::user(alice));
  EXPECT_EQ(decision.content, "ship it");
  EXPECT_EQ(decision.metadata.at("outcome"), "approved");

  const auto& change = payload<message_posted>(out->at(2));
  EXPECT_EQ(change.id, "msg_0000000002");
  EXPECT_EQ(change.type, message_kind::status_change);
  EXPECT_EQ(change.author, actor_ref::system());
  EXPECT_EQ(json::value(change.metadata),
            json::parse(R"({"from":"pending","to":"approved"})"));

  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::approved);
  EXPECT_EQ(after.decision, r.decision);
  EXPECT_EQ(after.version, 4u);
  EXPECT_EQ(after.updated_at, t0 + minute);
  EXPECT_FALSE(after.live_deadline().has_value());
}

TEST(CheckinDecider, DecisionMessageWithoutReasonSaysWhatHappened) {
  auto out = decide(a_pending_checkin(), approve_by(alice));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(payload<message_posted>(out->at(1)).content, "Approved.");
}

TEST(CheckinDecider, RejectsAPendingCheckIn) {
  auto s = a_pending_checkin();
  auto out = decide(s, reject_by(bob, t0 + minute, "not on a Friday"));
  ASSERT_TRUE(yields(out, {"checkin.rejected", "checkin.message", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision, (decision_record{resolution::rejected,
                                                                     actor_ref::user(bob),
                                                                     t0 + minute,
                                                                     "not on a Friday",
                                                                     {},
                                                                     {}}));
  EXPECT_EQ(payload<message_posted>(out->at(1)).type, message_kind::decision);
  EXPECT_EQ(payload<message_posted>(out->at(1)).author, actor_ref::user(bob));
  EXPECT_EQ(payload<message_posted>(out->at(1)).metadata.at("outcome"), "rejected");
  EXPECT_EQ(payload<message_posted>(out->at(2)).type, message_kind::status_change);
  EXPECT_EQ(payload<message_posted>(out->at(2)).metadata.at("to"), "rejected");
  EXPECT_EQ(fold(s, out).status, checkin_status::rejected);
}

TEST(CheckinDecider, ModifiesAPendingCheckIn) {
  auto s = a_pending_checkin();
  auto out = decide(s, modify_by(alice, obj(R"({"replicas": 2})")));
  ASSERT_TRUE(yields(out, {"checkin.modified", "checkin.message", "checkin.message"}));
  const auto& r = payload<resolved>(out->at(0));
  EXPECT_EQ(r.decision.outcome, resolution::modified);
  EXPECT_EQ(r.decision.by, actor_ref::user(alice));
  EXPECT_EQ(r.modifications, obj(R"({"replicas": 2})"));
  const auto& m = payload<message_posted>(out->at(1));
  EXPECT_EQ(m.type, message_kind::decision);
  EXPECT_EQ(m.content, "Approved with modifications.");
  EXPECT_EQ(m.metadata.at("modifications"), json::parse(R"({"replicas": 2})"));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::modified);
  EXPECT_EQ(after.modifications, obj(R"({"replicas": 2})"));
}

TEST(CheckinDecider, RejectsApproveWhenAlreadyApproved) {
  auto s = a_resolved_checkin(resolution::approved);
  EXPECT_TRUE(fails_with(decide(s, approve_by(bob)), errc::conflict));
}

TEST(CheckinDecider, RejectsEveryDecisionOnATerminalCheckIn) {
  for (auto r : {resolution::approved, resolution::rejected, resolution::modified,
                 resolution::expired, resolution::withdrawn}) {
    SCOPED_TRACE(wire_name(r));
    auto s = a_resolved_checkin(r);
    EXPECT_TRUE(fails_with(decide(s, approve_by(bob)), errc::conflict));
    EXPECT_TRUE(fails_with(decide(s, reject_by(bob)), errc::conflict));
    EXPECT_TRUE(
        fails_with(decide(s, modify_by(bob, obj(R"({"a": 1})"))), errc::conflict));
  }
}

TEST(CheckinDecider, ForbidsAgentsToDecide) {
  auto s = a_pending_checkin();
  for (const auto& agent : {agent_id, other_agent_id}) {
    SCOPED_TRACE(agent);
    auto by = actor_ref::agent(agent);
    EXPECT_TRUE(fails_with(
        decide(s, approve{.by = by, .reason = {}, .now = t0, .message_ids = three_ids()}),
        errc::forbidden));
    EXPECT_TRUE(fails_with(
        decide(s, reject{.by = by, .reason = {}, .now = t0, .message_ids = three_ids()}),
        errc::forbidden));
    EXPECT_TRUE(fails_with(decide(s, modify{.by = by,
                                            .modifications = obj(R"({"a":1})"),
                                            .reason = {},
                                            .now = t0,
                                            .message_ids = three_ids()}),
                           errc::forbidden));
  }
}

TEST(CheckinDecider, RejectsDecisionReasonOver5000CodePoints) {
  auto s = a_pending_checkin();
  std::string long_reason(5001, 'x');
  EXPECT_TRUE(fails_with(decide(s, approve_by(alice, t0 + minute, long_reason)),
                         errc::validation, "reason"));
  EXPECT_TRUE(fails_with(decide(s, reject_by(alice, t0 + minute, long_reason)),
                         errc::validation, "reason"));
  EXPECT_TRUE(decide(s, approve_by(alice, t0 + minute, std::string(5000, 'x'))).ok());
}

TEST(CheckinDecider, DecisionOnAMissingCheckInIsNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, approve_by(alice)), errc::not_found));
  EXPECT_TRUE(fails_with(decide(state{}, expire_at(t0 + week)), errc::not_found));
}

TEST(CheckinDecider, DecisionWithTooFewMessageIdsIsAnInternalError) {
  auto cmd = approve_by(alice);
  cmd.message_ids = {"msg_0000000001"};
  EXPECT_TRUE(fails_with(decide(a_pending_checkin(), cmd), errc::internal));
}

// =============================================================================
// withdraw
// =============================================================================

TEST(CheckinDecider, WithdrawsAPendingCheckInOfItsAgent) {
  auto s = a_pending_checkin();
  auto out = decide(s, withdraw_by(actor_ref::agent(agent_id)));
  ASSERT_TRUE(yields(out, {"checkin.withdrawn", "checkin.message"}));
  const auto& r = payload<resolved>(out->at(0));
  EXPECT_EQ(r.decision.outcome, resolution::withdrawn);
  EXPECT_EQ(r.decision.by, actor_ref::agent(agent_id));
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::agent(agent_id));
  const auto& m = payload<message_posted>(out->at(1));
  EXPECT_EQ(m.type, message_kind::status_change);
  EXPECT_EQ(m.author, actor_ref::system());
  EXPECT_EQ(m.metadata.at("to"), "withdrawn");
  EXPECT_EQ(fold(s, out).status, checkin_status::withdrawn);
}

TEST(CheckinDecider, ForbidsWithdrawByAnotherAgent) {
  EXPECT_TRUE(fails_with(
      decide(a_pending_checkin(), withdraw_by(actor_ref::agent(other_agent_id))),
      errc::forbidden));
}

TEST(CheckinDecider, ForbidsWithdrawByAPerson) {
  EXPECT_TRUE(fails_with(decide(a_pending_checkin(), withdraw_by(actor_ref::user(alice))),
                         errc::forbidden));
}

TEST(CheckinDecider, RejectsWithdrawWhenNoLongerPending) {
  for (auto r : {resolution::approved, resolution::rejected, resolution::expired,
                 resolution::withdrawn}) {
    SCOPED_TRACE(wire_name(r));
    EXPECT_TRUE(
        fails_with(decide(a_resolved_checkin(r), withdraw_by(actor_ref::agent(agent_id))),
                   errc::conflict));
  }
}

// =============================================================================
// extend
// =============================================================================

TEST(CheckinDecider, ExtendMovesTheDeadlineLater) {
  auto s = a_pending_checkin();
  auto out = decide(s, extend_by(30 * minute, t0 + 50 * minute));
  ASSERT_TRUE(yields(out, {"checkin.extended"}));
  const auto& x = payload<extended>(out->at(0));
  EXPECT_EQ(x.by_ms, 30 * minute);
  EXPECT_EQ(x.expires_at, t0 + 90 * minute);
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::user(alice));
  auto after = fold(s, out);
  EXPECT_EQ(after.expires_at, t0 + 90 * minute);
  EXPECT_EQ(after.status, checkin_status::pending);
  EXPECT_EQ(after.live_deadline(), t0 + 90 * minute);
}

TEST(CheckinDecider, RejectsExtendOfAHoldCheckIn) {
  auto s = a_pending_checkin(hour, timeout_behavior::hold);
  EXPECT_TRUE(fails_with(decide(s, extend_by(minute)), errc::conflict));
}

TEST(CheckinDecider, RejectsExtendOutside1SecondTo7Days) {
  auto s = a_pending_checkin();
  for (duration_ms bad :
       {duration_ms{0}, duration_ms{999}, week + 1, duration_ms{-minute}}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(fails_with(decide(s, extend_by(bad)), errc::validation, "by_ms"));
  }
  EXPECT_TRUE(yields(decide(s, extend_by(1000)), {"checkin.extended"}));
  EXPECT_TRUE(yields(decide(s, extend_by(week)), {"checkin.extended"}));
}

TEST(CheckinDecider, RejectsExtendWhenNoLongerPending) {
  for (auto r : {resolution::approved, resolution::expired, resolution::withdrawn}) {
    SCOPED_TRACE(wire_name(r));
    EXPECT_TRUE(
        fails_with(decide(a_resolved_checkin(r), extend_by(minute)), errc::conflict));
  }
}

// =============================================================================
// expire (timer)
// =============================================================================

TEST(CheckinDecider, ExpiresACancelCheckInAtTheDeadline) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel);
  auto out = decide(s, expire_at(t0 + hour));
  ASSERT_TRUE(yields(out, {"checkin.expired", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision,
            (decision_record{
                resolution::expired, actor_ref::timeout(), t0 + hour, {}, {}, {}}));
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::timeout());
  const auto& m = payload<message_posted>(out->at(1));
  EXPECT_EQ(m.type, message_kind::status_change);
  EXPECT_EQ(m.author, actor_ref::system());
  EXPECT_EQ(json::value(m.metadata), json::parse(R"({"from":"pending","to":"expired"})"));
  EXPECT_EQ(fold(s, out).status, checkin_status::expired);
}

TEST(CheckinDecider, AutoApprovesAtTheDeadlineWithTimeoutAsTheDecider) {
  auto s = a_pending_checkin(hour, timeout_behavior::auto_approve);
  auto out = decide(s, expire_at(t0 + hour));
  ASSERT_TRUE(yields(out, {"checkin.approved", "checkin.message"}));
  const auto& d = payload<resolved>(out->at(0)).decision;
  EXPECT_EQ(d.outcome, resolution::approved);
  EXPECT_EQ(d.by.kind, actor_kind::timeout);
  EXPECT_TRUE(d.by.id.empty());
  EXPECT_EQ(fold(s, out).status, checkin_status::approved);
}

TEST(CheckinDecider, ExpireBeforeTheDeadlineDoesNothing) {
  auto s = a_pending_checkin();
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + hour - 1))));
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0))));
}

TEST(CheckinDecider, ExpireLongAfterTheDeadlineStillExpires) {
  // A deadline that passed while the server was down fires at start-up.
  auto s = a_pending_checkin();
  auto out = decide(s, expire_at(t0 + 3 * day));
  ASSERT_TRUE(yields(out, {"checkin.expired", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision.at, t0 + 3 * day);
}

TEST(CheckinDecider, OldDeadlineDoesNothingAfterExtend) {
  auto s = fold(a_pending_checkin(), decide(a_pending_checkin(), extend_by(30 * minute)));
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + hour))));
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + 90 * minute - 1))));
  EXPECT_TRUE(yields(decide(s, expire_at(t0 + 90 * minute)),
                     {"checkin.expired", "checkin.message"}));
}

TEST(CheckinDecider, HoldCheckInNeverExpires) {
  auto s = a_pending_checkin(hour, timeout_behavior::hold);
  EXPECT_FALSE(s.live_deadline().has_value());
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + 365 * day))));
}

// An event of the check-in was quarantined (unreadable, set aside): it may have been a
// person's decision, so a timeout must never decide it now.
state a_damaged_checkin(timeout_behavior action) {
  auto s = a_pending_checkin(hour, action);
  auto stand_in = on_checkin(log::quarantined{7, "checkin.approved", checkin_id, 3,
                                              "malformed", std::string(64, 'a'), "r"},
                             actor_ref::system(), t0 + minute);
  stand_in.meta.version = s.version + 1;
  return given(std::move(s), {stand_in});
}

TEST(CheckinDecider, ADamagedCheckInRunsNoDeadlineAndWaitsForAPerson) {
  for (auto action : {timeout_behavior::auto_approve, timeout_behavior::cancel}) {
    auto s = a_damaged_checkin(action);
    EXPECT_TRUE(s.damaged);
    EXPECT_EQ(s.status, checkin_status::pending);
    EXPECT_FALSE(s.live_deadline().has_value());
    EXPECT_FALSE(s.warn_at().has_value());
    EXPECT_FALSE(s.shown_deadline().has_value());
    EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + 3 * day))));
    EXPECT_TRUE(fails_with(decide(s, extend_by(30 * minute)), errc::conflict));
    EXPECT_TRUE(yields(decide(s, approve_by(alice)),
                       {"checkin.approved", "checkin.message", "checkin.message"}));
  }
}

TEST(CheckinDecider, ExpireIsIdempotentOnceResolved) {
  auto s = a_pending_checkin();
  s = fold(s, decide(s, expire_at(t0 + hour)));
  ASSERT_EQ(s.status, checkin_status::expired);
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + hour))));
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + 2 * hour))));
  EXPECT_TRUE(yields_nothing(
      decide(a_resolved_checkin(resolution::approved), expire_at(t0 + day))));
}

// =============================================================================
// announce_expiry (timer)
// =============================================================================

TEST(CheckinDecider, AnnouncesTheExpiryAtWarnTime) {
  auto s = a_pending_checkin(); // 1 h timeout, 5 min warning
  auto out = decide(s, announce_at(t0 + 55 * minute));
  ASSERT_TRUE(yields(out, {"checkin.expiring"}));
  EXPECT_EQ(payload<expiring>(out->at(0)).expires_at, t0 + hour);
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::timeout());
  auto after = fold(s, out);
  EXPECT_EQ(after.version, 2u);
  EXPECT_EQ(after.status, checkin_status::pending);
  EXPECT_EQ(after.expires_at, t0 + hour);
  EXPECT_TRUE(after.expiring_announced);
  EXPECT_FALSE(after.warn_at().has_value());
}

TEST(CheckinDecider, TheExpiryWarningMovesOnlyTheVersion) {
  auto s = a_pending_checkin();
  auto after = fold(s, decide(s, announce_at(t0 + 55 * minute)));
  EXPECT_EQ(after.version, s.version + 1);
  EXPECT_EQ(after.updated_at, s.updated_at);
  EXPECT_EQ(after.status, s.status);
  EXPECT_EQ(after.expires_at, s.expires_at);
  EXPECT_EQ(after.decision, s.decision);
}

TEST(CheckinDecider, AnnouncesTheExpiryOncePerDeadline) {
  auto s = a_pending_checkin();
  s = fold(s, decide(s, announce_at(t0 + 55 * minute)));
  EXPECT_TRUE(yields_nothing(decide(s, announce_at(t0 + 55 * minute))));
  EXPECT_TRUE(yields_nothing(decide(s, announce_at(t0 + 59 * minute))));
}

TEST(CheckinDecider, DoesNotAnnounceBeforeWarnTime) {
  auto s = a_pending_checkin();
  EXPECT_EQ(s.warn_at(), t0 + 55 * minute);
  EXPECT_TRUE(yields_nothing(decide(s, announce_at(t0 + 55 * minute - 1))));
  EXPECT_TRUE(yields_nothing(decide(s, announce_at(t0))));
}

TEST(CheckinDecider, DoesNotAnnounceOnceTheDeadlinePassed) {
  EXPECT_TRUE(yields_nothing(decide(a_pending_checkin(), announce_at(t0 + hour))));
}

TEST(CheckinDecider, ReArmsTheExpiryWarningAfterExtend) {
  auto s = a_pending_checkin();
  s = fold(s, decide(s, announce_at(t0 + 55 * minute)));
  s = fold(s, decide(s, extend_by(30 * minute, t0 + 56 * minute)));
  EXPECT_FALSE(s.expiring_announced);
  EXPECT_EQ(s.warn_at(), t0 + 85 * minute);
  EXPECT_TRUE(yields_nothing(decide(s, announce_at(t0 + 85 * minute - 1))));
  auto out = decide(s, announce_at(t0 + 85 * minute));
  ASSERT_TRUE(yields(out, {"checkin.expiring"}));
  EXPECT_EQ(payload<expiring>(out->at(0)).expires_at, t0 + 90 * minute);
}

TEST(CheckinDecider, WarnsATenthOfAShortTimeoutAhead) {
  auto cmd = a_create();
  cmd.timeout_ms = minute; // warning 6 s ahead, not 5 min
  auto s = fold(state{}, decide_create(cmd, a_room(), 15.0));
  EXPECT_TRUE(yields_nothing(decide(s, announce_at(t0 + 54 * second - 1))));
  EXPECT_TRUE(yields(decide(s, announce_at(t0 + 54 * second)), {"checkin.expiring"}));
}

TEST(CheckinDecider, NoExpiryWarningWithoutADeadline) {
  auto hold = a_pending_checkin(hour, timeout_behavior::hold);
  EXPECT_FALSE(hold.warn_at().has_value());
  EXPECT_TRUE(yields_nothing(decide(hold, announce_at(t0 + 59 * minute))));
  auto done = a_resolved_checkin(resolution::approved);
  EXPECT_TRUE(yields_nothing(decide(done, announce_at(t0 + 59 * minute))));
}

// =============================================================================
// several approvers
// =============================================================================

TEST(CheckinDecider, RecordsTheFirstOfTwoApprovalsAndStaysPending) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  auto out = decide(s, approve_by(alice, t0 + minute, "fine by me"));
  ASSERT_TRUE(yields(out, {"checkin.approval_recorded", "checkin.message"}));
  const auto& a = payload<approval_recorded>(out->at(0));
  EXPECT_EQ(a.by, actor_ref::user(alice));
  EXPECT_EQ(a.outcome, resolution::approved);
  EXPECT_FALSE(a.modifications.has_value());
  EXPECT_EQ(a.reason, "fine by me");
  const auto& m = payload<message_posted>(out->at(1));
  EXPECT_EQ(m.type, message_kind::decision);
  EXPECT_EQ(m.author, actor_ref::user(alice));
  EXPECT_EQ(m.metadata.at("approvals"), 1);
  EXPECT_EQ(m.metadata.at("required"), 2);
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::pending);
  ASSERT_EQ(after.approvals.size(), 1u);
  EXPECT_EQ(after.approvals[0].by, actor_ref::user(alice));
  EXPECT_EQ(after.approvals[0].at, t0 + minute);
  EXPECT_FALSE(after.decision.has_value());
  EXPECT_EQ(after.live_deadline(), t0 + hour);
}

TEST(CheckinDecider, RejectsTheSameApproverTwice) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  s = fold(s, decide(s, approve_by(alice)));
  EXPECT_TRUE(fails_with(decide(s, approve_by(alice, t0 + 2 * minute)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(s, modify_by(alice, obj(R"({"a":1})"))), errc::conflict));
}

TEST(CheckinDecider, ApprovesWhenTheSecondDistinctPersonApproves) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  s = fold(s, decide(s, approve_by(alice)));
  auto out = decide(s, approve_by(bob, t0 + 2 * minute));
  ASSERT_TRUE(yields(out, {"checkin.approval_recorded", "checkin.message",
                           "checkin.approved", "checkin.message"}));
  EXPECT_EQ(payload<message_posted>(out->at(1)).metadata.at("approvals"), 2);
  const auto& r = payload<resolved>(out->at(2));
  EXPECT_EQ(r.decision.outcome, resolution::approved);
  EXPECT_EQ(r.decision.by, actor_ref::user(bob));
  EXPECT_EQ(r.decision.at, t0 + 2 * minute);
  EXPECT_FALSE(r.modifications.has_value());
  const auto& change = payload<message_posted>(out->at(3));
  EXPECT_EQ(change.type, message_kind::status_change);
  EXPECT_EQ(json::value(change.metadata),
            json::parse(R"({"from":"pending","to":"approved"})"));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::approved);
  EXPECT_EQ(after.approvals.size(), 2u);
}

TEST(CheckinDecider, MergesAllModificationsInOrderWhenAnyApproverModified) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  s = fold(s, decide(s, modify_by(alice, obj(R"({"a": 1, "b": 1})"))));
  EXPECT_EQ(s.status, checkin_status::pending);
  auto out = decide(s, modify_by(bob, obj(R"({"b": 2, "c": 3})"), t0 + 2 * minute));
  ASSERT_TRUE(yields(out, {"checkin.approval_recorded", "checkin.message",
                           "checkin.modified", "checkin.message"}));
  const auto& r = payload<resolved>(out->at(2));
  EXPECT_EQ(r.decision.outcome, resolution::modified);
  EXPECT_EQ(r.modifications, obj(R"({"a": 1, "b": 2, "c": 3})"));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::modified);
  EXPECT_EQ(after.modifications, obj(R"({"a": 1, "b": 2, "c": 3})"));
}

TEST(CheckinDecider, OneModifyAmongApprovalsMakesTheOutcomeModified) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 3);
  s = fold(s, decide(s, approve_by(alice)));
  s = fold(s, decide(s, modify_by(bob, obj(R"({"replicas": 2})"), t0 + 2 * minute)));
  EXPECT_EQ(s.status, checkin_status::pending);
  auto out = decide(s, approve_by(carol, t0 + 3 * minute));
  ASSERT_TRUE(yields(out, {"checkin.approval_recorded", "checkin.message",
                           "checkin.modified", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(2)).modifications, obj(R"({"replicas": 2})"));
  EXPECT_EQ(payload<message_posted>(out->at(3)).metadata.at("to"), "modified");
}

TEST(CheckinDecider, ThreeRequiredApprovalsNeedThreeDistinctPeople) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 3);
  s = fold(s, decide(s, approve_by(alice)));
  auto second = decide(s, approve_by(bob));
  EXPECT_TRUE(yields(second, {"checkin.approval_recorded", "checkin.message"}));
  s = fold(s, second);
  EXPECT_EQ(s.status, checkin_status::pending);
  EXPECT_TRUE(fails_with(decide(s, approve_by(bob)), errc::conflict));
  EXPECT_TRUE(yields(decide(s, approve_by(carol)),
                     {"checkin.approval_recorded", "checkin.message", "checkin.approved",
                      "checkin.message"}));
}

TEST(CheckinDecider, ARejectAmongSeveralApproversEndsItAtOnce) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 3);
  s = fold(s, decide(s, approve_by(alice)));
  auto out = decide(s, reject_by(bob, t0 + 2 * minute, "no"));
  ASSERT_TRUE(yields(out, {"checkin.rejected", "checkin.message", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision.by, actor_ref::user(bob));
  EXPECT_EQ(fold(s, out).status, checkin_status::rejected);
}

TEST(CheckinDecider, ARejectAsTheFirstOfSeveralDecisionsEndsIt) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  EXPECT_TRUE(yields(decide(s, reject_by(alice)),
                     {"checkin.rejected", "checkin.message", "checkin.message"}));
}

TEST(CheckinDecider, ForbidsAgentsToCountAsApprovers) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  EXPECT_TRUE(fails_with(decide(s, approve{.by = actor_ref::agent(agent_id),
                                           .reason = {},
                                           .now = t0,
                                           .message_ids = three_ids()}),
                         errc::forbidden));
}

TEST(CheckinDecider, PendingApprovalsStillExpire) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  s = fold(s, decide(s, approve_by(alice)));
  EXPECT_TRUE(
      yields(decide(s, expire_at(t0 + hour)), {"checkin.expired", "checkin.message"}));
}

TEST(CheckinTerms, WaitingByWireNameIsTheWaitingRule) {
  for (auto name : {"pending", "open", "claimed", "in_review"})
    EXPECT_TRUE(is_waiting_status(name)) << name;
  for (auto name : {"approved", "rejected", "modified", "expired", "withdrawn", "", "nope"})
    EXPECT_FALSE(is_waiting_status(name)) << name;
}

TEST(CheckinDecider, RequiredApprovalsAre1To10AndNeverWrapAround) {
  for (std::int64_t n : {0LL, 11LL, 4294967297LL}) {
    SCOPED_TRACE(n);
    auto c = a_create();
    c.required_approvals = n;
    EXPECT_TRUE(fails_with(decide_create(c, a_room(), 50), errc::validation,
                           "required_approvals"));
  }
  auto c = a_create();
  c.required_approvals = 10;
  EXPECT_TRUE(decide_create(c, a_room(), 50).ok());
}

// --- how many message ids a decision takes (message_ids_needed) -----------------

TEST(CheckinMessageIds, EachDecisionTakesExactlyTheIdsItSaysItNeeds) {
  const auto pending = a_pending_checkin();
  EXPECT_TRUE(takes_exactly_its_message_ids(pending, approve_by(alice)));
  EXPECT_TRUE(takes_exactly_its_message_ids(pending, reject_by(alice)));
  EXPECT_TRUE(takes_exactly_its_message_ids(pending,
                                            modify_by(alice, obj(R"({"replicas": 2})"))));
  EXPECT_TRUE(
      takes_exactly_its_message_ids(pending, withdraw_by(actor_ref::agent(agent_id))));
  EXPECT_TRUE(takes_exactly_its_message_ids(pending, expire_at(t0 + hour)));
  EXPECT_TRUE(takes_exactly_its_message_ids(
      pending,
      post_message{.by = actor_ref::user(alice), .content = "why now?", .now = t0}));
  EXPECT_TRUE(takes_exactly_its_message_ids(
      pending, extend{.by = actor_ref::user(alice), .by_ms = minute, .now = t0}));
}

TEST(CheckinMessageIds, TheFinalOfSeveralApprovalsTakesNoMoreThanOneApproval) {
  auto s = a_pending_checkin(hour, timeout_behavior::cancel, 2);
  // the first of two writes only its decision message: not the worst case
  EXPECT_TRUE(takes_exactly_its_message_ids(s, approve_by(alice), false));
  s = fold(s, decide(s, approve_by(alice)));
  EXPECT_TRUE(takes_exactly_its_message_ids(s, approve_by(bob)));
}

} // namespace
} // namespace waitroom::events::checkin
