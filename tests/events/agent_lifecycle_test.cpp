// The life of an agent after registration (API.md "Identity, users, agents"):
// self-registration, the claim into an org, key rotation and deactivation.

#include "events/agent/decider.hpp"
#include "given_when_then.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace waitroom::events::agent {
namespace {

using namespace waitroom::events::testing;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string agent_id = "ag_selfmade01";
const std::string org_id = "org_acme000001";
const std::string other_org_id = "org_other00001";
const std::string member_id = "us_member0001";
const std::string admin_id = "us_admin00001";

const std::string key_hash(64, 'k');
const std::string claim_hash(64, 'c');

// --- commands ----------------------------------------------------------------

self_register a_self_registration() {
  self_register r;
  r.id = agent_id;
  r.name = "selfmade";
  r.description = "Registers itself";
  r.platform = "cursor";
  r.key_hash = key_hash;
  r.key_prefix = "wr_selfmade0";
  r.claim_token_hash = claim_hash;
  r.now = t0;
  return r;
}

claim claim_into(const std::string& org, const std::string& by = member_id) {
  return claim{.org_id = org, .by = actor_ref::user(by), .now = t0 + minute};
}

rotate_key a_rotation(std::string hash = std::string(64, 'n')) {
  return rotate_key{.key_hash = std::move(hash),
                    .key_prefix = "wr_newkey000",
                    .by = actor_ref::user(admin_id),
                    .now = t0 + 2 * minute};
}

deactivate a_deactivation() {
  return deactivate{.by = actor_ref::user(admin_id), .now = t0 + 3 * minute};
}

// --- givens ------------------------------------------------------------------

/// The state after the events of a successful decision.
state fold(state s, const outcome<event_list>& out) {
  if (!out.ok())
    throw std::runtime_error("expected events, got " + describe(out.error()));
  return given(std::move(s), out.value());
}

state a_pending_agent() {
  return fold(state{}, decide(state{}, a_self_registration()));
}

state a_claimed_agent() {
  auto s = a_pending_agent();
  return fold(s, decide(s, claim_into(org_id)));
}

state a_deactivated_agent() {
  auto s = a_claimed_agent();
  return fold(s, decide(s, a_deactivation()));
}

// =============================================================================
// self_register
// =============================================================================

TEST(AgentLifecycle, SelfRegistrationIsRecordedByTheAgentItselfWithoutAnOrg) {
  auto out = decide(state{}, a_self_registration());
  ASSERT_TRUE(yields(out, {"agent.self_registered"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, agent_id);
  EXPECT_TRUE(e.meta.org_id.empty());
  EXPECT_TRUE(e.meta.room_id.empty());
  EXPECT_EQ(e.meta.actor, actor_ref::agent(agent_id));
  EXPECT_EQ(e.meta.at, t0);
  const auto& r = payload<self_registered>(e);
  EXPECT_EQ(r.id, agent_id);
  EXPECT_EQ(r.name, "selfmade");
  EXPECT_EQ(r.description, "Registers itself");
  EXPECT_EQ(r.platform, "cursor");
  EXPECT_EQ(r.key_hash, key_hash);
  EXPECT_EQ(r.key_prefix, "wr_selfmade0");
  EXPECT_EQ(r.claim_token_hash, claim_hash);
}

TEST(AgentLifecycle, SelfRegisteredAgentIsPendingClaimWithAnEmptyOrg) {
  auto s = a_pending_agent();
  EXPECT_TRUE(s.exists());
  EXPECT_EQ(s.status, agent_status::pending_claim);
  EXPECT_TRUE(s.org_id.empty());
  EXPECT_FALSE(s.claimed());
  EXPECT_EQ(s.key_hash, key_hash);
  EXPECT_EQ(s.claim_token_hash, claim_hash);
  EXPECT_EQ(s.created_at, t0);
  EXPECT_EQ(s.version, 1u);
}

TEST(AgentLifecycle, RetriedSelfRegistrationWithTheSameKeyAppendsNothing) {
  EXPECT_TRUE(yields_nothing(decide(a_pending_agent(), a_self_registration())));
}

TEST(AgentLifecycle, RejectsSelfRegistrationOfAnExistingIdWithAnotherKey) {
  auto cmd = a_self_registration();
  cmd.key_hash = std::string(64, 'x');
  EXPECT_TRUE(fails_with(decide(a_pending_agent(), cmd), errc::conflict));
}

TEST(AgentLifecycle, SelfRegistrationValidatesTheProfile) {
  auto cmd = a_self_registration();
  cmd.name = "";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
  cmd = a_self_registration();
  cmd.description = std::string(2001, 'd');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "description"));
  cmd = a_self_registration();
  cmd.platform = std::string(101, 'p');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "platform"));
}

// =============================================================================
// claim
// =============================================================================

TEST(AgentLifecycle, ClaimTakesTheAgentIntoTheCallersOrg) {
  auto out = decide(a_pending_agent(), claim_into(org_id));
  ASSERT_TRUE(yields(out, {"agent.claimed"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, agent_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, actor_ref::user(member_id));
  EXPECT_EQ(e.meta.at, t0 + minute);
  EXPECT_EQ(payload<claimed>(e).org_id, org_id);
}

TEST(AgentLifecycle, ClaimedAgentIsActiveInTheOrg) {
  auto s = a_claimed_agent();
  EXPECT_EQ(s.status, agent_status::active);
  EXPECT_EQ(s.org_id, org_id);
  EXPECT_TRUE(s.claimed());
  EXPECT_EQ(s.key_hash, key_hash); // the self-registered key keeps working
  EXPECT_EQ(s.created_at, t0);
  EXPECT_EQ(s.version, 2u);
}

TEST(AgentLifecycle, RejectsASecondClaim) {
  auto s = a_claimed_agent();
  EXPECT_TRUE(fails_with(decide(s, claim_into(org_id)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(s, claim_into(other_org_id, admin_id)), errc::conflict));
}

TEST(AgentLifecycle, RejectsClaimingAnAgentRegisteredByAMember) {
  register_agent r;
  r.id = agent_id;
  r.org_id = org_id;
  r.name = "builder";
  r.key_hash = key_hash;
  r.key_prefix = "wr_builder00";
  r.by = actor_ref::user(member_id);
  r.now = t0;
  auto s = fold(state{}, decide(state{}, r));
  ASSERT_TRUE(s.claimed());
  EXPECT_TRUE(fails_with(decide(s, claim_into(other_org_id)), errc::conflict));
}

TEST(AgentLifecycle, RejectsClaimingADeactivatedAgent) {
  auto s = a_pending_agent();
  s = fold(s, decide(s, a_deactivation()));
  EXPECT_TRUE(fails_with(decide(s, claim_into(org_id)), errc::conflict));
}

// =============================================================================
// rotate_key
// =============================================================================

TEST(AgentLifecycle, RotatesTheKeyOfAClaimedAgent) {
  auto s = a_claimed_agent();
  auto out = decide(s, a_rotation());
  ASSERT_TRUE(yields(out, {"agent.key_rotated"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, agent_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, actor_ref::user(admin_id));
  const auto& k = payload<key_rotated>(e);
  EXPECT_EQ(k.key_hash, std::string(64, 'n'));
  EXPECT_EQ(k.key_prefix, "wr_newkey000");
  auto after = fold(s, out);
  EXPECT_EQ(after.key_hash, std::string(64, 'n'));
  EXPECT_EQ(after.key_prefix, "wr_newkey000");
  EXPECT_TRUE(after.claimed());
}

TEST(AgentLifecycle, RejectsRotatingTheKeyOfAnAgentPendingClaim) {
  EXPECT_TRUE(fails_with(decide(a_pending_agent(), a_rotation()), errc::conflict));
}

TEST(AgentLifecycle, RejectsRotatingTheKeyOfADeactivatedAgent) {
  EXPECT_TRUE(fails_with(decide(a_deactivated_agent(), a_rotation()), errc::conflict));
}

// =============================================================================
// deactivate
// =============================================================================

TEST(AgentLifecycle, DeactivatesAClaimedAgent) {
  auto s = a_claimed_agent();
  auto out = decide(s, a_deactivation());
  ASSERT_TRUE(yields(out, {"agent.deactivated"}));
  EXPECT_EQ(out->at(0).meta.org_id, org_id);
  EXPECT_EQ(out->at(0).meta.actor, actor_ref::user(admin_id));
  EXPECT_EQ(payload<deactivated>(out->at(0)).id, agent_id);
  auto after = fold(s, out);
  EXPECT_EQ(after.status, agent_status::inactive);
  EXPECT_FALSE(after.claimed());
  EXPECT_EQ(after.org_id, org_id);
}

TEST(AgentLifecycle, DeactivatesAnAgentPendingClaim) {
  auto s = a_pending_agent();
  auto out = decide(s, a_deactivation());
  ASSERT_TRUE(yields(out, {"agent.deactivated"}));
  EXPECT_EQ(fold(s, out).status, agent_status::inactive);
}

TEST(AgentLifecycle, DeactivatingTwiceAppendsNothing) {
  EXPECT_TRUE(yields_nothing(decide(a_deactivated_agent(), a_deactivation())));
}

// =============================================================================
// a missing agent
// =============================================================================

TEST(AgentLifecycle, CommandsOnAMissingAgentAreNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, claim_into(org_id)), errc::not_found));
  EXPECT_TRUE(fails_with(decide(state{}, a_rotation()), errc::not_found));
  EXPECT_TRUE(fails_with(decide(state{}, a_deactivation()), errc::not_found));
}

} // namespace
} // namespace waitroom::events::agent
