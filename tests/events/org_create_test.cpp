// Another tenant (API.md `POST /v1/orgs`): an organization, its owner (not an instance
// admin) and a room `general`, as at bootstrap.

#include "events/org/decider.hpp"
#include "events/room/decider.hpp"
#include "events/user/state.hpp"
#include "given_when_then.hpp"
#include "org_expectations.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace waitroom::events::org {
namespace {

using namespace waitroom::events::testing;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string org_id = "org_second0001";
const std::string owner_id = "us_second0001";
const std::string general_id = "rm_second0001";
const actor_ref instance_admin = actor_ref::user("us_owner00001");

create_org a_create_org() {
  return create_org{.org_id = org_id,
                    .name = "Second Tenant",
                    .owner_id = owner_id,
                    .owner_name = "Sam Second",
                    .owner_email = "sam@second.example",
                    .owner_token_hash = std::string(64, 's'),
                    .room_id = general_id,
                    .by = instance_admin,
                    .now = t0};
}

state an_existing_org() {
  return given<state>({make_event(org_id, org_id, {}, actor_ref::system(), t0,
                                  created{org_id, "Second Tenant"})});
}

TEST(OrgCreate, CreatesOrgOwnerAndGeneralRoomEachInItsOwnStream) {
  auto out = decide(state{}, a_create_org());
  ASSERT_TRUE(yields(out, {"org.created", "user.created", "room.created"}));
  for (const auto& e : *out) {
    EXPECT_EQ(e.meta.org_id, org_id);
    EXPECT_EQ(e.meta.actor, instance_admin);
    EXPECT_EQ(e.meta.at, t0);
  }

  EXPECT_EQ(out->at(0).meta.stream, org_id);
  EXPECT_TRUE(out->at(0).meta.room_id.empty());
  const auto& org = payload<created>(out->at(0));
  EXPECT_EQ(org.id, org_id);
  EXPECT_EQ(org.name, "Second Tenant");

  EXPECT_EQ(out->at(1).meta.stream, owner_id);
  EXPECT_TRUE(out->at(1).meta.room_id.empty());
  const auto& owner = payload<user::created>(out->at(1));
  EXPECT_EQ(owner.id, owner_id);
  EXPECT_EQ(owner.org_id, org_id);
  EXPECT_EQ(owner.name, "Sam Second");
  EXPECT_EQ(owner.email, "sam@second.example");
  EXPECT_EQ(owner.role, user::user_role::owner);
  EXPECT_EQ(owner.token_hash, std::string(64, 's'));
  EXPECT_FALSE(owner.instance_admin);

  expect_a_fresh_general_room(out->at(2), org_id, general_id);
}

TEST(OrgCreate, TheNewOwnerIsAnOwnerButNotAnInstanceAdmin) {
  auto out = decide(state{}, a_create_org());
  ASSERT_TRUE(out.ok());
  auto owner = given<user::state>({out->at(1)});
  EXPECT_TRUE(owner.exists());
  EXPECT_EQ(owner.role, user::user_role::owner);
  EXPECT_FALSE(owner.instance_admin);
  EXPECT_TRUE(owner.active);
}

TEST(OrgCreate, TheNewOrgHasTakenTheGeneralSlug) {
  auto out = decide(state{}, a_create_org());
  ASSERT_TRUE(out.ok());
  state s;
  std::uint32_t version = 0;
  for (auto e : *out) {
    e.meta.version = ++version;
    evolve(s, e);
  }
  EXPECT_TRUE(s.exists());
  EXPECT_EQ(s.id, org_id);
  EXPECT_EQ(s.name, "Second Tenant");
  EXPECT_EQ(s.room_slugs.count("general"), 1u);
  auto general = given<room::state>({out->at(2)});
  EXPECT_TRUE(general.exists());
  EXPECT_TRUE(general.members.empty());
}

TEST(OrgCreate, RejectsOrgNamesOutside1To200CodePoints) {
  auto cmd = a_create_org();
  cmd.name = "";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
  cmd.name = std::string(201, 'n');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
  cmd.name.clear();
  for (int i = 0; i < 200; ++i)
    cmd.name += "\xE2\x82\xAC";
  EXPECT_TRUE(decide(state{}, cmd).ok());
}

TEST(OrgCreate, NamesTheOwnersFieldsUnderOwner) {
  auto cmd = a_create_org();
  cmd.owner_name = "";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "owner.name"));
  cmd = a_create_org();
  cmd.owner_name = std::string(201, 'n');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "owner.name"));
  for (std::string bad : {"", "sam", "@second.example", "sam@", "sam @x.y"}) {
    SCOPED_TRACE(bad);
    cmd = a_create_org();
    cmd.owner_email = bad;
    EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "owner.email"));
  }
}

TEST(OrgCreate, ChecksTheOrgNameBeforeTheOwner) {
  auto cmd = a_create_org();
  cmd.name = "";
  cmd.owner_name = "";
  cmd.owner_email = "";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
}

TEST(OrgCreate, RejectsCreatingAnOrgThatExists) {
  // The idempotency of org creation: a retry on the folded state appends nothing.
  EXPECT_TRUE(fails_with(decide(an_existing_org(), a_create_org()), errc::conflict));
  auto cmd = a_create_org();
  cmd.name = "";
  EXPECT_TRUE(fails_with(decide(an_existing_org(), cmd), errc::conflict));
}

TEST(OrgCreate, RoomCreationStillNeedsAnExistingOrg) {
  // `create_org` works on an empty state; every other command needs the org.
  create_room c;
  c.room_id = "rm_deploy0001";
  c.slug = "deployments";
  c.name = "Deployments";
  c.by = instance_admin;
  c.now = t0;
  EXPECT_TRUE(fails_with(decide(state{}, c), errc::not_found));
  EXPECT_TRUE(yields(decide(an_existing_org(), c), {"room.created"}));
}

} // namespace
} // namespace waitroom::events::org
