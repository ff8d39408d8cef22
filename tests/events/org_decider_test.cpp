// The rules of organizations: bootstrap, and room creation with unique slugs.

#include "events/org/decider.hpp"
#include "events/room/decider.hpp"
#include "events/user/state.hpp"
#include "given_when_then.hpp"
#include "org_expectations.hpp"

#include <gtest/gtest.h>

#include <string>

namespace waitroom::events::org {
namespace {

using namespace waitroom::events::testing;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string org_id = "org_acme000001";
const std::string owner_id = "us_owner00001";
const std::string general_id = "rm_general001";
const std::string admin_id = "us_admin00001";

bootstrap a_bootstrap() {
  return bootstrap{.org_id = org_id,
                   .org_name = "Acme",
                   .owner_id = owner_id,
                   .owner_name = "Olivia Owner",
                   .owner_email = "olivia@example.com",
                   .owner_token_hash = std::string(64, 'a'),
                   .room_id = general_id,
                   .now = t0};
}

/// The organization right after bootstrap (its own stream plus its rooms' creations).
state a_bootstrapped_org() {
  state s;
  std::uint32_t version = 0;
  for (auto e : decide_bootstrap(a_bootstrap())) {
    e.meta.version = ++version;
    evolve(s, e);
  }
  return s;
}

create_room a_create_room(std::string slug = "deployments") {
  create_room c;
  c.room_id = "rm_deploy0001";
  c.slug = std::move(slug);
  c.name = "Deployments";
  c.description = "Production deploys";
  c.by = actor_ref::user(admin_id);
  c.now = t0 + 1000;
  return c;
}

// --- bootstrap -------------------------------------------------------------------

TEST(OrgDecider, BootstrapCreatesOrgOwnerAndGeneralRoom) {
  auto events = decide_bootstrap(a_bootstrap());
  ASSERT_EQ(types_of(events),
            (std::vector<std::string>{"org.created", "user.created", "room.created"}));
  for (const auto& e : events) {
    EXPECT_EQ(e.meta.org_id, org_id);
    EXPECT_EQ(e.meta.at, t0);
    EXPECT_EQ(e.meta.actor, actor_ref::system());
  }

  EXPECT_EQ(events[0].meta.stream, org_id);
  const auto& org = payload<created>(events[0]);
  EXPECT_EQ(org.id, org_id);
  EXPECT_EQ(org.name, "Acme");

  EXPECT_EQ(events[1].meta.stream, owner_id);
  const auto& owner = payload<user::created>(events[1]);
  EXPECT_EQ(owner.id, owner_id);
  EXPECT_EQ(owner.org_id, org_id);
  EXPECT_EQ(owner.name, "Olivia Owner");
  EXPECT_EQ(owner.email, "olivia@example.com");
  EXPECT_EQ(owner.role, user::user_role::owner);
  EXPECT_EQ(owner.token_hash, std::string(64, 'a'));
  EXPECT_TRUE(owner.instance_admin);

  expect_a_fresh_general_room(events[2], org_id, general_id);
}

TEST(OrgDecider, BootstrapOwnerFoldsIntoAnInstanceAdminUser) {
  auto events = decide_bootstrap(a_bootstrap());
  auto owner = given<user::state>({events[1]});
  EXPECT_TRUE(owner.exists());
  EXPECT_EQ(owner.role, user::user_role::owner);
  EXPECT_TRUE(owner.instance_admin);
  EXPECT_TRUE(owner.active);
  EXPECT_EQ(owner.created_at, t0);
}

TEST(OrgDecider, BootstrapTakesTheGeneralSlug) {
  auto s = a_bootstrapped_org();
  EXPECT_TRUE(s.exists());
  EXPECT_EQ(s.name, "Acme");
  EXPECT_EQ(s.room_slugs.count("general"), 1u);
  EXPECT_TRUE(fails_with(decide(s, a_create_room("general")), errc::conflict));
}

// --- create_room -----------------------------------------------------------------

TEST(OrgDecider, CreatesARoomWithTheProductDefaults) {
  auto out = decide(a_bootstrapped_org(), a_create_room());
  ASSERT_TRUE(yields(out, {"room.created"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, "rm_deploy0001");
  EXPECT_EQ(e.meta.room_id, "rm_deploy0001");
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, actor_ref::user(admin_id));
  EXPECT_EQ(e.meta.at, t0 + 1000);
  const auto& r = payload<room::created>(e);
  EXPECT_EQ(r.id, "rm_deploy0001");
  EXPECT_EQ(r.org_id, org_id);
  EXPECT_EQ(r.slug, "deployments");
  EXPECT_EQ(r.name, "Deployments");
  EXPECT_EQ(r.description, "Production deploys");
  EXPECT_EQ(r.settings.default_timeout_ms, 3'600'000);
  EXPECT_EQ(r.settings.default_timeout_action, checkin::timeout_behavior::cancel);
  EXPECT_EQ(r.settings.default_required_approvals, 1);
  EXPECT_EQ(r.settings.expiry_warning_ms, 300'000);
  EXPECT_TRUE(r.policy.rules.empty());
  EXPECT_EQ(r.policy.default_action, room::default_decision::require_approval);
}

TEST(OrgDecider, CreatesARoomWithGivenSettingsAndPolicy) {
  auto cmd = a_create_room();
  cmd.settings.default_timeout_ms = 1000;
  cmd.settings.default_timeout_action = checkin::timeout_behavior::hold;
  cmd.settings.default_required_approvals = 10;
  cmd.settings.expiry_warning_ms = 0;
  room::policy p;
  p.default_action = room::default_decision::auto_approve;
  cmd.policy = p;
  auto out = decide(a_bootstrapped_org(), cmd);
  ASSERT_TRUE(yields(out, {"room.created"}));
  const auto& r = payload<room::created>(out->at(0));
  EXPECT_EQ(r.settings.default_timeout_ms, 1000);
  EXPECT_EQ(r.settings.default_timeout_action, checkin::timeout_behavior::hold);
  EXPECT_EQ(r.settings.default_required_approvals, 10);
  EXPECT_EQ(r.settings.expiry_warning_ms, 0);
  EXPECT_EQ(r.policy.default_action, room::default_decision::auto_approve);
}

TEST(OrgDecider, AcceptsSlugsOfTheDocumentedShape) {
  auto s = a_bootstrapped_org();
  const std::vector<std::string> slugs{
      "a",  "0",      "deployments",        "prod-eu-1",
      "a-", "9lives", std::string(63, 'x'), "a" + std::string(62, '-')};
  for (const auto& slug : slugs) {
    SCOPED_TRACE(slug);
    EXPECT_TRUE(yields(decide(s, a_create_room(slug)), {"room.created"}));
  }
}

TEST(OrgDecider, RejectsSlugsOutsideTheDocumentedShape) {
  auto s = a_bootstrapped_org();
  const std::vector<std::string> slugs{"",
                                       "-deploy",
                                       "Deploy",
                                       "deploy_prod",
                                       "deploy prod",
                                       "d\xC3\xA9ploy",
                                       "deploy.prod",
                                       "a/b",
                                       std::string(64, 'x')};
  for (const auto& slug : slugs) {
    SCOPED_TRACE(slug);
    EXPECT_TRUE(fails_with(decide(s, a_create_room(slug)), errc::validation, "slug"));
  }
}

TEST(OrgDecider, RejectsADuplicateSlug) {
  auto s = a_bootstrapped_org();
  auto first = decide(s, a_create_room("deployments"));
  ASSERT_TRUE(first.ok());
  for (const auto& e : *first)
    evolve(s, e);
  auto again = a_create_room("deployments");
  again.room_id = "rm_deploy0002";
  EXPECT_TRUE(fails_with(decide(s, again), errc::conflict));
  EXPECT_TRUE(yields(decide(s, a_create_room("deployments-2")), {"room.created"}));
}

TEST(OrgDecider, RetriedCreateRoomAppendsNoSecondRoom) {
  // The idempotency of room creation: the same command again appends nothing (the HTTP
  // layer replays the first answer for an Idempotency-Key retry).
  auto s = a_bootstrapped_org();
  auto first = decide(s, a_create_room());
  ASSERT_TRUE(first.ok());
  for (const auto& e : *first)
    evolve(s, e);
  auto retry = decide(s, a_create_room());
  EXPECT_TRUE(fails_with(retry, errc::conflict));
}

TEST(OrgDecider, RejectsNamesOutside1To200CodePoints) {
  auto s = a_bootstrapped_org();
  auto cmd = a_create_room();
  cmd.name = "";
  EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, "name"));
  cmd.name = std::string(201, 'n');
  EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, "name"));
  cmd.name.clear();
  for (int i = 0; i < 200; ++i)
    cmd.name += "\xC3\xA9";
  EXPECT_TRUE(decide(s, cmd).ok());
}

TEST(OrgDecider, RejectsDescriptionsOver5000CodePoints) {
  auto s = a_bootstrapped_org();
  auto cmd = a_create_room();
  cmd.description = std::string(5001, 'd');
  EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, "description"));
  cmd.description = std::string(5000, 'd');
  EXPECT_TRUE(decide(s, cmd).ok());
}

TEST(OrgDecider, RejectsDefaultTimeoutOutside1SecondTo7Days) {
  auto s = a_bootstrapped_org();
  for (duration_ms bad : {duration_ms{0}, duration_ms{999}, week + 1}) {
    SCOPED_TRACE(bad);
    auto cmd = a_create_room();
    cmd.settings.default_timeout_ms = bad;
    EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, "default_timeout_ms"));
  }
  auto cmd = a_create_room();
  cmd.settings.default_timeout_ms = week;
  EXPECT_TRUE(decide(s, cmd).ok());
}

TEST(OrgDecider, RejectsDefaultRequiredApprovalsOutside1To10) {
  auto s = a_bootstrapped_org();
  for (int bad : {0, 11}) {
    SCOPED_TRACE(bad);
    auto cmd = a_create_room();
    cmd.settings.default_required_approvals = bad;
    EXPECT_TRUE(
        fails_with(decide(s, cmd), errc::validation, "default_required_approvals"));
  }
}

TEST(OrgDecider, RejectsExpiryWarningOutside0To7Days) {
  auto s = a_bootstrapped_org();
  for (duration_ms bad : {duration_ms{-1}, week + 1}) {
    SCOPED_TRACE(bad);
    auto cmd = a_create_room();
    cmd.settings.expiry_warning_ms = bad;
    EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, "expiry_warning_ms"));
  }
}

TEST(OrgDecider, CreateRoomInAMissingOrgIsNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, a_create_room()), errc::not_found));
}

TEST(OrgDecider, FoldingTheRoomCreatedGivesTheRoomState) {
  auto out = decide(a_bootstrapped_org(), a_create_room());
  ASSERT_TRUE(out.ok());
  auto r = given<room::state>(*out);
  EXPECT_TRUE(r.exists());
  EXPECT_EQ(r.id, "rm_deploy0001");
  EXPECT_EQ(r.slug, "deployments");
  EXPECT_EQ(r.created_at, t0 + 1000);
  EXPECT_EQ(r.version, 1u);
}

} // namespace
} // namespace waitroom::events::org
