// The rules of agents: registration, and its idempotency.

#include "events/agent/decider.hpp"
#include "given_when_then.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace waitroom::events::agent {
namespace {

using namespace waitroom::events::testing;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");
const std::string agent_id = "ag_builder001";
const std::string org_id = "org_acme000001";

register_agent a_registration() {
  register_agent r;
  r.id = agent_id;
  r.org_id = org_id;
  r.name = "builder";
  r.description = "Builds and deploys";
  r.platform = "claude-code";
  r.key_hash = std::string(64, 'b');
  r.key_prefix = "wr_abcdefghi";
  r.by = actor_ref::user("us_member0001");
  r.now = t0;
  return r;
}

state a_registered_agent() {
  auto out = decide(state{}, a_registration());
  if (!out.ok()) throw std::runtime_error(describe(out.error()));
  return given<state>(*out);
}

TEST(AgentDecider, RegistersAnAgentClaimedIntoTheOrg) {
  auto out = decide(state{}, a_registration());
  ASSERT_TRUE(yields(out, {"agent.registered"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, agent_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, actor_ref::user("us_member0001"));
  EXPECT_EQ(e.meta.at, t0);
  const auto& r = payload<registered>(e);
  EXPECT_EQ(r.id, agent_id);
  EXPECT_EQ(r.org_id, org_id);
  EXPECT_EQ(r.name, "builder");
  EXPECT_EQ(r.description, "Builds and deploys");
  EXPECT_EQ(r.platform, "claude-code");
  EXPECT_EQ(r.key_hash, std::string(64, 'b'));
  EXPECT_EQ(r.key_prefix, "wr_abcdefghi");
  EXPECT_EQ(r.status, agent_status::active);

  auto s = given<state>(*out);
  EXPECT_TRUE(s.exists());
  EXPECT_TRUE(s.claimed());
  EXPECT_EQ(s.created_at, t0);
}

TEST(AgentDecider, SelfRegisteredAgentWaitsForAClaim) {
  auto cmd = a_registration();
  cmd.org_id.clear();
  cmd.by = actor_ref::system();
  auto out = decide(state{}, cmd);
  ASSERT_TRUE(yields(out, {"agent.registered"}));
  EXPECT_EQ(payload<registered>(out->at(0)).status, agent_status::pending_claim);
  auto s = given<state>(*out);
  EXPECT_TRUE(s.exists());
  EXPECT_FALSE(s.claimed());
}

TEST(AgentDecider, RegisteringAnExistingIdWithTheSameKeyAppendsNothing) {
  EXPECT_TRUE(yields_nothing(decide(a_registered_agent(), a_registration())));
}

TEST(AgentDecider, RejectsRegisteringAnExistingIdWithAnotherKey) {
  auto cmd = a_registration();
  cmd.key_hash = std::string(64, 'c');
  EXPECT_TRUE(fails_with(decide(a_registered_agent(), cmd), errc::conflict));
}

TEST(AgentDecider, RejectsNamesOutside1To200CodePoints) {
  auto cmd = a_registration();
  cmd.name = "";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
  cmd.name = std::string(201, 'n');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
  cmd.name.clear();
  for (int i = 0; i < 200; ++i)
    cmd.name += "\xE2\x82\xAC";
  EXPECT_TRUE(decide(state{}, cmd).ok());
}

TEST(AgentDecider, RejectsLongDescriptionsAndPlatforms) {
  auto cmd = a_registration();
  cmd.description = std::string(2001, 'd');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "description"));
  cmd.description = std::string(2000, 'd');
  EXPECT_TRUE(decide(state{}, cmd).ok());
  cmd.platform = std::string(101, 'p');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "platform"));
  cmd.platform = std::string(100, 'p');
  EXPECT_TRUE(decide(state{}, cmd).ok());
}

} // namespace
} // namespace waitroom::events::agent
