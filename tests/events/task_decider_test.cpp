// The rules of tasks (API.md "Check-ins: human -> room tasks"): a person posts a task,
// an agent claims it, may ask for help, and submits; people decide the result.
// given(events) / when(command) / then(events or error).

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
const std::string task_id = "ci_task000001";
const std::string poster = "us_poster0001"; // the person who posts the task
const std::string admin = "us_admin00001";
const std::string bob = "us_bob0000001";
const std::string worker = "ag_worker0001"; // claims the task
const std::string helper = "ag_helper0001";
const std::string other = "ag_other00001";

// --- givens ------------------------------------------------------------------

room::state a_room(room::policy policy = {}) {
  return a_deployments_room(room_id, org_id, t0 - day, std::move(policy));
}

fresh_ids three_ids() {
  return {"msg_0000000001", "msg_0000000002", "msg_0000000003"};
}

create_task a_create_task() {
  create_task c;
  c.id = task_id;
  c.room_id = room_id;
  c.org_id = org_id;
  c.by = actor_ref::user(poster);
  c.action = "rotate the staging certificates";
  c.reason = "they expire on Friday";
  c.now = t0;
  c.message_ids = three_ids();
  return c;
}

/// The state after the events of a successful decision.
state fold(state s, const outcome<event_list>& out) {
  if (!out.ok())
    throw std::runtime_error("expected events, got " + describe(out.error()));
  return given(std::move(s), out.value());
}

// --- commands ----------------------------------------------------------------

claim claim_by(const std::string& agent, timestamp now = t0 + minute) {
  return claim{.by = actor_ref::agent(agent), .now = now, .message_ids = three_ids()};
}

release release_by(const std::string& agent, timestamp now = t0 + 2 * minute) {
  return release{.by = actor_ref::agent(agent), .now = now, .message_ids = three_ids()};
}

request_help help_by(const std::string& agent,
                     std::string description = "need a reviewer") {
  return request_help{.by = actor_ref::agent(agent),
                      .description = std::move(description),
                      .now = t0 + 2 * minute};
}

join join_by(const std::string& agent, timestamp now = t0 + 3 * minute) {
  return join{.by = actor_ref::agent(agent), .now = now};
}

submit submit_by(const std::string& agent, std::string content = "certificates rotated",
                 json::object metadata = {}) {
  return submit{.by = actor_ref::agent(agent),
                .content = std::move(content),
                .metadata = std::move(metadata),
                .now = t0 + 4 * minute,
                .message_ids = three_ids()};
}

approve approve_by(const std::string& user) {
  return approve{.by = actor_ref::user(user),
                 .reason = std::nullopt,
                 .now = t0 + 5 * minute,
                 .message_ids = three_ids()};
}

reject reject_by(const std::string& user) {
  return reject{.by = actor_ref::user(user),
                .reason = "the old ones are still served",
                .now = t0 + 5 * minute,
                .message_ids = three_ids()};
}

modify modify_by(const std::string& user) {
  return modify{.by = actor_ref::user(user),
                .modifications = json::object{{"followup", "restart nginx"}},
                .reason = std::nullopt,
                .now = t0 + 5 * minute,
                .message_ids = three_ids()};
}

withdraw withdraw_by(actor_ref by, bool by_admin = false) {
  return withdraw{.by = std::move(by),
                  .reason = std::nullopt,
                  .now = t0 + 5 * minute,
                  .message_ids = three_ids(),
                  .by_admin = by_admin};
}

expire expire_at(timestamp now) {
  return expire{.now = now, .message_ids = three_ids()};
}

extend extend_by(duration_ms by_ms, timestamp now = t0 + 10 * minute) {
  return extend{.by = actor_ref::user(poster), .by_ms = by_ms, .now = now};
}

// --- task states ---------------------------------------------------------------

state an_open_task(std::optional<timeout_behavior> action = std::nullopt) {
  auto cmd = a_create_task();
  cmd.timeout_action = action;
  return fold(state{}, decide_create_task(cmd, a_room()));
}

state a_claimed_task() {
  auto s = an_open_task();
  return fold(s, decide(s, claim_by(worker)));
}

state a_claimed_task_with_a_helper() {
  auto s = a_claimed_task();
  return fold(s, decide(s, join_by(helper)));
}

state a_task_in_review() {
  auto s = a_claimed_task_with_a_helper();
  return fold(s, decide(s, submit_by(worker)));
}

/// A task in review that needs two approvals.
state a_task_in_review_needing(int approvals) {
  auto cmd = a_create_task();
  cmd.required_approvals = approvals;
  auto s = fold(state{}, decide_create_task(cmd, a_room()));
  s = fold(s, decide(s, claim_by(worker)));
  return fold(s, decide(s, submit_by(worker)));
}

state an_approved_task() {
  auto s = a_task_in_review();
  return fold(s, decide(s, approve_by(bob)));
}

state a_withdrawn_task() {
  auto s = an_open_task();
  return fold(s, decide(s, withdraw_by(actor_ref::user(poster))));
}

/// An agent check-in (not a task) of `worker`, pending.
state an_agent_checkin() {
  create c;
  c.id = "ci_agent00001";
  c.room_id = room_id;
  c.org_id = org_id;
  c.agent_id = worker;
  c.action = "deploy";
  c.now = t0;
  c.message_ids = three_ids();
  return fold(state{}, decide_create(c, a_room(), 15.0));
}

json::value status_change(std::string_view from, std::string_view to) {
  return json::object{{"from", from}, {"to", to}};
}

// =============================================================================
// create_task
// =============================================================================

TEST(TaskDecider, CreatesAnOpenTaskPostedByAPerson) {
  auto out = decide_create_task(a_create_task(), a_room());
  ASSERT_TRUE(yields(out, {"checkin.created", "checkin.message"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, task_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, actor_ref::user(poster));
  EXPECT_EQ(e.meta.at, t0);
  const auto& c = payload<created>(e);
  EXPECT_EQ(c.id, task_id);
  EXPECT_EQ(c.direction, checkin_direction::human_to_agent);
  EXPECT_EQ(c.status, checkin_status::open);
  EXPECT_EQ(c.created_by, actor_ref::user(poster));
  EXPECT_TRUE(c.agent_id.empty());
  EXPECT_EQ(c.action, "rotate the staging certificates");
  EXPECT_EQ(c.reason, "they expire on Friday");
  EXPECT_EQ(c.timeout_ms, hour);
  EXPECT_EQ(c.timeout_action, timeout_behavior::cancel);
  EXPECT_EQ(c.expires_at, t0 + hour);
  EXPECT_FALSE(c.decision.has_value());

  const auto& m = payload<message_posted>(out->at(1));
  EXPECT_EQ(m.type, message_kind::status_change);
  EXPECT_EQ(m.author, actor_ref::system());
  EXPECT_EQ(json::value(m.metadata), json::parse(R"({"from": null, "to": "open"})"));
}

TEST(TaskDecider, FoldingTheCreatedTaskGivesAnOpenTaskWithADeadline) {
  auto s = an_open_task();
  EXPECT_EQ(s.status, checkin_status::open);
  EXPECT_EQ(s.direction, checkin_direction::human_to_agent);
  EXPECT_FALSE(s.primary_agent_id.has_value());
  EXPECT_TRUE(s.helpers.empty());
  EXPECT_EQ(s.live_deadline(), t0 + hour);
  EXPECT_EQ(s.version, 2u);
}

TEST(TaskDecider, TasksSkipThePolicyEvenWhenItWouldForbid) {
  auto forbidding = room::parse_policy(json::parse(R"({
      "rules": [{"id": "nothing", "effect": "forbid"}], "default_action": "forbid"})"));
  ASSERT_TRUE(forbidding.ok());
  auto out = decide_create_task(a_create_task(), a_room(*forbidding));
  ASSERT_TRUE(yields(out, {"checkin.created", "checkin.message"}));
  const auto& c = payload<created>(out->at(0));
  EXPECT_EQ(c.status, checkin_status::open);
  EXPECT_FALSE(c.decision.has_value());
  EXPECT_EQ(c.expires_at, t0 + hour);
  EXPECT_FALSE(answer_error(fold(state{}, out)).has_value());

  auto approving =
      room::parse_policy(json::parse(R"({"default_action": "auto_approve"})"));
  ASSERT_TRUE(approving.ok());
  auto auto_out = decide_create_task(a_create_task(), a_room(*approving));
  ASSERT_TRUE(auto_out.ok());
  EXPECT_EQ(payload<created>(auto_out->at(0)).status, checkin_status::open);
}

TEST(TaskDecider, ForbidsAgentsToPostTasks) {
  auto cmd = a_create_task();
  cmd.by = actor_ref::agent(worker);
  EXPECT_TRUE(fails_with(decide_create_task(cmd, a_room()), errc::forbidden));
}

TEST(TaskDecider, HoldTaskHasNoDeadline) {
  auto out = decide_create_task(
      [] {
        auto c = a_create_task();
        c.timeout_action = timeout_behavior::hold;
        return c;
      }(),
      a_room());
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(payload<created>(out->at(0)).expires_at.has_value());
  auto s = fold(state{}, out);
  EXPECT_FALSE(s.live_deadline().has_value());
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + 30 * day))));
  EXPECT_TRUE(fails_with(decide(s, extend_by(minute)), errc::conflict));
}

TEST(TaskDecider, TaskTimeoutComesFromTheCommandOrTheRoom) {
  auto cmd = a_create_task();
  cmd.timeout_ms = 5 * minute;
  auto out = decide_create_task(cmd, a_room());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(payload<created>(out->at(0)).expires_at, t0 + 5 * minute);
}

TEST(TaskDecider, TaskFieldsAreValidatedLikeACheckIn) {
  auto cmd = a_create_task();
  cmd.action = "";
  EXPECT_TRUE(fails_with(decide_create_task(cmd, a_room()), errc::validation, "action"));
  cmd = a_create_task();
  cmd.reason = std::string(5001, 'r');
  EXPECT_TRUE(fails_with(decide_create_task(cmd, a_room()), errc::validation, "reason"));
  cmd = a_create_task();
  cmd.timeout_ms = 999;
  EXPECT_TRUE(
      fails_with(decide_create_task(cmd, a_room()), errc::validation, "timeout_ms"));
  cmd = a_create_task();
  cmd.required_approvals = 11;
  EXPECT_TRUE(fails_with(decide_create_task(cmd, a_room()), errc::validation,
                         "required_approvals"));
}

TEST(TaskDecider, TaskInAMissingRoomIsNotFound) {
  EXPECT_TRUE(
      fails_with(decide_create_task(a_create_task(), room::state{}), errc::not_found));
}

// =============================================================================
// claim
// =============================================================================

TEST(TaskDecider, AgentClaimsAnOpenTask) {
  auto s = an_open_task();
  auto out = decide(s, claim_by(worker));
  ASSERT_TRUE(yields(out, {"checkin.claimed", "checkin.message"}));
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::agent(worker));
  EXPECT_EQ(out->at(0).meta.stream, task_id);
  EXPECT_EQ(payload<claimed>(out->at(0)).agent_id, worker);
  const auto& m = payload<message_posted>(out->at(1));
  EXPECT_EQ(m.type, message_kind::status_change);
  EXPECT_EQ(m.author, actor_ref::system());
  EXPECT_EQ(json::value(m.metadata), status_change("open", "claimed"));

  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::claimed);
  EXPECT_EQ(after.primary_agent_id, worker);
  EXPECT_EQ(after.updated_at, t0 + minute);
  // claimed: no deadline runs, and none shows
  EXPECT_FALSE(after.live_deadline().has_value());
  EXPECT_FALSE(after.shown_deadline().has_value());
  EXPECT_TRUE(after.expires_at.has_value()) << "kept for a release";
}

TEST(TaskDecider, RejectsSecondClaim) {
  auto s = a_claimed_task();
  for (const auto& agent : {other, worker}) {
    SCOPED_TRACE(agent);
    auto out = decide(s, claim_by(agent));
    ASSERT_TRUE(fails_with(out, errc::conflict));
    EXPECT_NE(out.error().message.find("already claimed"), std::string::npos)
        << out.error().message;
  }
}

TEST(TaskDecider, RejectsClaimingATaskInReview) {
  auto out = decide(a_task_in_review(), claim_by(other));
  ASSERT_TRUE(fails_with(out, errc::conflict));
  EXPECT_NE(out.error().message.find("already claimed"), std::string::npos);
}

TEST(TaskDecider, RejectsClaimingAFinishedTask) {
  EXPECT_TRUE(fails_with(decide(an_approved_task(), claim_by(other)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(a_withdrawn_task(), claim_by(other)), errc::conflict));
}

TEST(TaskDecider, RejectsClaimingAnAgentCheckIn) {
  EXPECT_TRUE(fails_with(decide(an_agent_checkin(), claim_by(other)), errc::conflict));
}

TEST(TaskDecider, ForbidsPeopleToClaim) {
  EXPECT_TRUE(fails_with(
      decide(an_open_task(),
             claim{.by = actor_ref::user(poster), .now = t0, .message_ids = three_ids()}),
      errc::forbidden));
}

TEST(TaskDecider, AHelperThatClaimsIsNoLongerAHelper) {
  auto s = an_open_task();
  s = fold(s, decide(s, join_by(helper)));
  ASSERT_EQ(s.helpers, std::vector<std::string>{helper});
  s = fold(s, decide(s, claim_by(helper)));
  EXPECT_EQ(s.primary_agent_id, helper);
  EXPECT_TRUE(s.helpers.empty());
}

TEST(TaskDecider, ClaimOfAMissingTaskIsNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, claim_by(worker)), errc::not_found));
}

// =============================================================================
// release
// =============================================================================

TEST(TaskDecider, PrimaryReleasesTheTaskKeepingTheHelpers) {
  auto s = a_claimed_task_with_a_helper();
  auto out = decide(s, release_by(worker));
  ASSERT_TRUE(yields(out, {"checkin.released", "checkin.message"}));
  EXPECT_EQ(payload<released>(out->at(0)).agent_id, worker);
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::agent(worker));
  EXPECT_EQ(json::value(payload<message_posted>(out->at(1)).metadata),
            status_change("claimed", "open"));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::open);
  EXPECT_FALSE(after.primary_agent_id.has_value());
  EXPECT_EQ(after.helpers, std::vector<std::string>{helper});
  // open again: the original deadline runs and shows again
  EXPECT_TRUE(after.live_deadline().has_value());
  EXPECT_EQ(after.shown_deadline(), after.expires_at);
}

TEST(TaskDecider, ForbidsReleaseByAnyoneButThePrimary) {
  auto s = a_claimed_task_with_a_helper();
  EXPECT_TRUE(fails_with(decide(s, release_by(helper)), errc::forbidden));
  EXPECT_TRUE(fails_with(decide(s, release_by(other)), errc::forbidden));
  EXPECT_TRUE(fails_with(decide(s, release{.by = actor_ref::user(poster),
                                           .now = t0,
                                           .message_ids = three_ids()}),
                         errc::forbidden));
}

TEST(TaskDecider, ReleaseOfAnOpenTaskIsForbiddenForLackOfAPrimary) {
  EXPECT_TRUE(fails_with(decide(an_open_task(), release_by(worker)), errc::forbidden));
}

TEST(TaskDecider, RejectsReleaseOfATaskInReview) {
  EXPECT_TRUE(fails_with(decide(a_task_in_review(), release_by(worker)), errc::conflict));
}

TEST(TaskDecider, AReleasedTaskCanBeClaimedByAnotherAgent) {
  auto s = a_claimed_task();
  s = fold(s, decide(s, release_by(worker)));
  auto out = decide(s, claim_by(other, t0 + 3 * minute));
  ASSERT_TRUE(yields(out, {"checkin.claimed", "checkin.message"}));
  EXPECT_EQ(fold(s, out).primary_agent_id, other);
}

// =============================================================================
// request_help
// =============================================================================

TEST(TaskDecider, PrimaryAsksForHelpWithoutChangingTheStatus) {
  auto s = a_claimed_task();
  auto out = decide(s, help_by(worker, "who knows the CDN?"));
  ASSERT_TRUE(yields(out, {"checkin.help_requested"}));
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::agent(worker));
  const auto& h = payload<help_requested>(out->at(0));
  EXPECT_EQ(h.agent_id, worker);
  EXPECT_EQ(h.description, "who knows the CDN?");
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::claimed);
  EXPECT_EQ(after.primary_agent_id, worker);
  EXPECT_EQ(after.version, s.version + 1);
}

TEST(TaskDecider, AsksForHelpWithoutADescription) {
  EXPECT_TRUE(
      yields(decide(a_claimed_task(), help_by(worker, "")), {"checkin.help_requested"}));
}

TEST(TaskDecider, ForbidsHelpRequestsByAnyoneButThePrimary) {
  auto s = a_claimed_task_with_a_helper();
  EXPECT_TRUE(fails_with(decide(s, help_by(helper)), errc::forbidden));
  EXPECT_TRUE(fails_with(decide(s, help_by(other)), errc::forbidden));
  EXPECT_TRUE(fails_with(
      decide(s,
             request_help{.by = actor_ref::user(poster), .description = "", .now = t0}),
      errc::forbidden));
}

TEST(TaskDecider, HelpIsRequestedOnlyWhileClaimed) {
  EXPECT_TRUE(fails_with(decide(a_task_in_review(), help_by(worker)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(an_approved_task(), help_by(worker)), errc::conflict));
}

TEST(TaskDecider, RejectsAHelpDescriptionOver5000CodePoints) {
  auto s = a_claimed_task();
  EXPECT_TRUE(fails_with(decide(s, help_by(worker, std::string(5001, 'h'))),
                         errc::validation, "description"));
  std::string longest;
  for (int i = 0; i < 5000; ++i)
    longest += "\xC3\xA9";
  EXPECT_TRUE(yields(decide(s, help_by(worker, longest)), {"checkin.help_requested"}));
}

// =============================================================================
// join
// =============================================================================

TEST(TaskDecider, AnotherAgentJoinsAsAHelper) {
  auto s = a_claimed_task();
  auto out = decide(s, join_by(helper));
  ASSERT_TRUE(yields(out, {"checkin.helper_joined"}));
  EXPECT_EQ(payload<helper_joined>(out->at(0)).agent_id, helper);
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::agent(helper));
  auto after = fold(s, out);
  EXPECT_EQ(after.helpers, std::vector<std::string>{helper});
  EXPECT_EQ(after.status, checkin_status::claimed);
  EXPECT_EQ(after.primary_agent_id, worker);
}

TEST(TaskDecider, AgentsJoinOpenTasksAndTasksInReview) {
  EXPECT_TRUE(yields(decide(an_open_task(), join_by(helper)), {"checkin.helper_joined"}));
  EXPECT_TRUE(
      yields(decide(a_task_in_review(), join_by(other)), {"checkin.helper_joined"}));
}

TEST(TaskDecider, ThePrimaryCannotJoinAsAHelper) {
  EXPECT_TRUE(fails_with(decide(a_claimed_task(), join_by(worker)), errc::conflict));
}

TEST(TaskDecider, JoiningTwiceAppendsNothing) {
  auto s = a_claimed_task_with_a_helper();
  EXPECT_TRUE(yields_nothing(decide(s, join_by(helper, t0 + hour))));
}

TEST(TaskDecider, RejectsJoiningAFinishedTask) {
  EXPECT_TRUE(fails_with(decide(an_approved_task(), join_by(other)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(a_withdrawn_task(), join_by(other)), errc::conflict));
  // Not even a former helper gets "nothing to do": the task is over.
  auto done = an_approved_task();
  ASSERT_EQ(done.helpers, std::vector<std::string>{helper});
  EXPECT_TRUE(fails_with(decide(done, join_by(helper)), errc::conflict));
}

TEST(TaskDecider, ForbidsPeopleToJoin) {
  EXPECT_TRUE(
      fails_with(decide(a_claimed_task(), join{.by = actor_ref::user(bob), .now = t0}),
                 errc::forbidden));
}

TEST(TaskDecider, RejectsJoiningAnAgentCheckIn) {
  EXPECT_TRUE(fails_with(decide(an_agent_checkin(), join_by(other)), errc::conflict));
}

// =============================================================================
// submit
// =============================================================================

TEST(TaskDecider, PrimarySubmitsAResultForReview) {
  auto s = a_claimed_task_with_a_helper();
  auto out = decide(s, submit_by(worker, "done, see the diff",
                                 json::object{{"diff", "https://example.com/d/1"}}));
  ASSERT_TRUE(yields(out, {"checkin.message", "checkin.submitted", "checkin.message"}));
  for (const auto& e : *out) {
    EXPECT_EQ(e.meta.stream, task_id);
    EXPECT_EQ(e.meta.room_id, room_id);
    EXPECT_EQ(e.meta.at, t0 + 4 * minute);
    EXPECT_EQ(e.meta.actor, actor_ref::agent(worker));
  }
  const auto& result = payload<message_posted>(out->at(0));
  EXPECT_EQ(result.type, message_kind::result);
  EXPECT_EQ(result.author, actor_ref::agent(worker));
  EXPECT_EQ(result.content, "done, see the diff");
  EXPECT_EQ(result.metadata, (json::object{{"diff", "https://example.com/d/1"}}));
  const auto& sub = payload<submitted>(out->at(1));
  EXPECT_EQ(sub.agent_id, worker);
  EXPECT_EQ(sub.message_id, result.id);
  EXPECT_FALSE(sub.message_id.empty());
  const auto& change = payload<message_posted>(out->at(2));
  EXPECT_EQ(change.type, message_kind::status_change);
  EXPECT_EQ(change.author, actor_ref::system());
  EXPECT_NE(change.id, result.id);
  EXPECT_EQ(json::value(change.metadata), status_change("claimed", "in_review"));

  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::in_review);
  EXPECT_EQ(after.primary_agent_id, worker);
  EXPECT_EQ(after.helpers, std::vector<std::string>{helper});
  EXPECT_FALSE(after.live_deadline().has_value());
}

TEST(TaskDecider, ForbidsSubmitByAnyoneButThePrimary) {
  auto s = a_claimed_task_with_a_helper();
  EXPECT_TRUE(fails_with(decide(s, submit_by(helper)), errc::forbidden));
  EXPECT_TRUE(fails_with(decide(s, submit_by(other)), errc::forbidden));
  EXPECT_TRUE(fails_with(decide(an_open_task(), submit_by(worker)), errc::forbidden));
}

TEST(TaskDecider, SubmitsOnlyAClaimedTask) {
  EXPECT_TRUE(fails_with(decide(a_task_in_review(), submit_by(worker)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(an_approved_task(), submit_by(worker)), errc::conflict));
}

TEST(TaskDecider, ValidatesTheSubmittedResult) {
  auto s = a_claimed_task();
  EXPECT_TRUE(fails_with(decide(s, submit_by(worker, "")), errc::validation, "content"));
  EXPECT_TRUE(fails_with(decide(s, submit_by(worker, std::string(10001, 'c'))),
                         errc::validation, "content"));
  EXPECT_TRUE(decide(s, submit_by(worker, std::string(10000, 'c'))).ok());
  EXPECT_TRUE(
      fails_with(decide(s, submit_by(worker, "ok",
                                     json::object{{"k", std::string(10240 - 7, 'x')}})),
                 errc::validation, "metadata"));
}

TEST(TaskDecider, SubmitWithTooFewMessageIdsIsAnInternalError) {
  auto cmd = submit_by(worker);
  cmd.message_ids = {"msg_0000000001"};
  EXPECT_TRUE(fails_with(decide(a_claimed_task(), cmd), errc::internal));
}

// =============================================================================
// decisions on tasks
// =============================================================================

TEST(TaskDecider, ApprovesATaskInReview) {
  auto s = a_task_in_review();
  auto out = decide(s, approve_by(bob));
  ASSERT_TRUE(yields(out, {"checkin.approved", "checkin.message", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision.by, actor_ref::user(bob));
  EXPECT_EQ(payload<message_posted>(out->at(1)).type, message_kind::decision);
  EXPECT_EQ(json::value(payload<message_posted>(out->at(2)).metadata),
            status_change("in_review", "approved"));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::approved);
  EXPECT_EQ(after.primary_agent_id, worker); // who did the work stays on record
  EXPECT_FALSE(after.live_deadline().has_value());
}

TEST(TaskDecider, RejectsATaskInReview) {
  auto s = a_task_in_review();
  auto out = decide(s, reject_by(bob));
  ASSERT_TRUE(yields(out, {"checkin.rejected", "checkin.message", "checkin.message"}));
  EXPECT_EQ(fold(s, out).status, checkin_status::rejected);
}

TEST(TaskDecider, ModifiesATaskInReview) {
  auto s = a_task_in_review();
  auto out = decide(s, modify_by(bob));
  ASSERT_TRUE(yields(out, {"checkin.modified", "checkin.message", "checkin.message"}));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::modified);
  EXPECT_EQ(after.modifications, (json::object{{"followup", "restart nginx"}}));
}

TEST(TaskDecider, RejectsDecisionsOnOpenOrClaimedTasks) {
  for (const auto& s : {an_open_task(), a_claimed_task()}) {
    SCOPED_TRACE(wire_name(s.status));
    EXPECT_TRUE(fails_with(decide(s, approve_by(bob)), errc::conflict));
    EXPECT_TRUE(fails_with(decide(s, reject_by(bob)), errc::conflict));
    EXPECT_TRUE(fails_with(decide(s, modify_by(bob)), errc::conflict));
  }
}

TEST(TaskDecider, RejectsDecisionsOnFinishedTasks) {
  for (const auto& s : {an_approved_task(), a_withdrawn_task()}) {
    SCOPED_TRACE(wire_name(s.status));
    EXPECT_TRUE(fails_with(decide(s, approve_by(bob)), errc::conflict));
    EXPECT_TRUE(fails_with(decide(s, reject_by(bob)), errc::conflict));
    EXPECT_TRUE(fails_with(decide(s, modify_by(bob)), errc::conflict));
  }
}

TEST(TaskDecider, ForbidsAgentsToDecideTheirOwnWork) {
  auto s = a_task_in_review();
  EXPECT_TRUE(fails_with(decide(s, approve{.by = actor_ref::agent(worker),
                                           .reason = {},
                                           .now = t0 + 5 * minute,
                                           .message_ids = three_ids()}),
                         errc::forbidden));
}

TEST(TaskDecider, ATaskNeedingTwoApprovalsStaysInReviewAfterTheFirst) {
  auto s = a_task_in_review_needing(2);
  auto first = decide(s, approve_by(bob));
  ASSERT_TRUE(yields(first, {"checkin.approval_recorded", "checkin.message"}));
  s = fold(s, first);
  EXPECT_EQ(s.status, checkin_status::in_review);
  EXPECT_TRUE(fails_with(decide(s, approve_by(bob)), errc::conflict));
  auto second = decide(s, approve_by(admin));
  ASSERT_TRUE(yields(second, {"checkin.approval_recorded", "checkin.message",
                              "checkin.approved", "checkin.message"}));
  EXPECT_EQ(json::value(payload<message_posted>(second->at(3)).metadata),
            status_change("in_review", "approved"));
  EXPECT_EQ(fold(s, second).status, checkin_status::approved);
}

// =============================================================================
// withdraw
// =============================================================================

TEST(TaskDecider, ThePosterWithdrawsAnOpenTask) {
  auto s = an_open_task();
  auto out = decide(s, withdraw_by(actor_ref::user(poster)));
  ASSERT_TRUE(yields(out, {"checkin.withdrawn", "checkin.message"}));
  const auto& d = payload<resolved>(out->at(0)).decision;
  EXPECT_EQ(d.outcome, resolution::withdrawn);
  EXPECT_EQ(d.by, actor_ref::user(poster));
  EXPECT_EQ(json::value(payload<message_posted>(out->at(1)).metadata),
            status_change("open", "withdrawn"));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::withdrawn);
  EXPECT_FALSE(after.live_deadline().has_value());
}

TEST(TaskDecider, AnAdminWithdrawsSomeoneElsesTask) {
  auto out = decide(an_open_task(), withdraw_by(actor_ref::user(admin), true));
  ASSERT_TRUE(yields(out, {"checkin.withdrawn", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision.by, actor_ref::user(admin));
}

TEST(TaskDecider, ForbidsOtherPeopleToWithdrawATask) {
  EXPECT_TRUE(fails_with(decide(an_open_task(), withdraw_by(actor_ref::user(bob))),
                         errc::forbidden));
}

TEST(TaskDecider, ForbidsAgentsToWithdrawATask) {
  auto s = an_open_task();
  EXPECT_TRUE(
      fails_with(decide(s, withdraw_by(actor_ref::agent(worker))), errc::forbidden));
  EXPECT_TRUE(fails_with(decide(s, withdraw_by(actor_ref::agent(worker), true)),
                         errc::forbidden));
  EXPECT_TRUE(fails_with(decide(a_claimed_task(), withdraw_by(actor_ref::agent(worker))),
                         errc::forbidden));
}

TEST(TaskDecider, WithdrawsOnlyAnOpenTask) {
  for (const auto& s :
       {a_claimed_task(), a_task_in_review(), an_approved_task(), a_withdrawn_task()}) {
    SCOPED_TRACE(wire_name(s.status));
    EXPECT_TRUE(
        fails_with(decide(s, withdraw_by(actor_ref::user(poster))), errc::conflict));
    EXPECT_TRUE(
        fails_with(decide(s, withdraw_by(actor_ref::user(admin), true)), errc::conflict));
  }
}

// =============================================================================
// deadlines
// =============================================================================

TEST(TaskDecider, AnOpenTaskExpiresAtItsDeadline) {
  auto s = an_open_task();
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + hour - 1))));
  auto out = decide(s, expire_at(t0 + hour));
  ASSERT_TRUE(yields(out, {"checkin.expired", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision.by, actor_ref::timeout());
  EXPECT_EQ(json::value(payload<message_posted>(out->at(1)).metadata),
            status_change("open", "expired"));
  auto after = fold(s, out);
  EXPECT_EQ(after.status, checkin_status::expired);
  EXPECT_FALSE(after.primary_agent_id.has_value());
  EXPECT_TRUE(yields_nothing(decide(after, expire_at(t0 + 2 * hour))));
}

TEST(TaskDecider, AnOpenAutoApproveTaskIsApprovedByTheTimeout) {
  auto s = an_open_task(timeout_behavior::auto_approve);
  auto out = decide(s, expire_at(t0 + hour));
  ASSERT_TRUE(yields(out, {"checkin.approved", "checkin.message"}));
  EXPECT_EQ(payload<resolved>(out->at(0)).decision.by.kind, actor_kind::timeout);
}

TEST(TaskDecider, NoDeadlineRunsWhileClaimedOrInReview) {
  for (const auto& s : {a_claimed_task(), a_task_in_review()}) {
    SCOPED_TRACE(wire_name(s.status));
    EXPECT_EQ(s.expires_at, t0 + hour); // remembered, not running
    EXPECT_FALSE(s.live_deadline().has_value());
    EXPECT_FALSE(s.warn_at().has_value());
    EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + 30 * day))));
    EXPECT_TRUE(yields_nothing(decide(s, announce_expiry{.now = t0 + 59 * minute})));
    EXPECT_TRUE(fails_with(decide(s, extend_by(hour)), errc::conflict));
  }
}

TEST(TaskDecider, AReleasedTaskHasItsDeadlineBack) {
  auto s = a_claimed_task();
  s = fold(s, decide(s, release_by(worker)));
  EXPECT_EQ(s.live_deadline(), t0 + hour);
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + hour - 1))));
  EXPECT_TRUE(
      yields(decide(s, expire_at(t0 + hour)), {"checkin.expired", "checkin.message"}));
}

TEST(TaskDecider, ExtendMovesTheDeadlineOfAnOpenTask) {
  auto s = an_open_task();
  auto out = decide(s, extend_by(hour));
  ASSERT_TRUE(yields(out, {"checkin.extended"}));
  s = fold(s, out);
  EXPECT_EQ(s.live_deadline(), t0 + 2 * hour);
  EXPECT_TRUE(yields_nothing(decide(s, expire_at(t0 + hour))));
}

// =============================================================================
// a thread on a task
// =============================================================================

TEST(TaskDecider, CommandsOnAnAgentCheckInThatAreOnlyForTasksAreConflicts) {
  auto s = an_agent_checkin();
  EXPECT_TRUE(fails_with(decide(s, release_by(worker)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(s, help_by(worker)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(s, submit_by(worker)), errc::conflict));
}

TEST(TaskMessageIds, EachTaskCommandTakesExactlyTheIdsItSaysItNeeds) {
  EXPECT_TRUE(takes_exactly_its_message_ids(an_open_task(), claim_by(worker)));
  EXPECT_TRUE(takes_exactly_its_message_ids(a_claimed_task(), release_by(worker)));
  EXPECT_TRUE(takes_exactly_its_message_ids(a_claimed_task(), submit_by(worker)));
  EXPECT_TRUE(takes_exactly_its_message_ids(a_claimed_task(), join_by(helper)));
  EXPECT_TRUE(takes_exactly_its_message_ids(a_task_in_review(), approve_by(bob)));
}

} // namespace
} // namespace waitroom::events::checkin
