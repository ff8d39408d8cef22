// The rules of users (API.md "Identity, users, agents"): who creates, rotates and
// deactivates whom, as given(events) / when(command) / then(events or error).

#include "events/user/decider.hpp"
#include "given_when_then.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace waitroom::events::user {
namespace {

using namespace waitroom::events::testing;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string org_id = "org_acme000001";
const std::string owner_id = "us_owner00001";
const std::string other_owner_id = "us_owner00002";
const std::string admin_id = "us_admin00001";
const std::string other_admin_id = "us_admin00002";
const std::string member_id = "us_member0001";
const std::string viewer_id = "us_viewer0001";
const std::string new_id = "us_newbie0001";

const std::string old_hash(64, 'a');
const std::string new_hash(64, 'f');

// --- givens ------------------------------------------------------------------

recorded_event user_created(const std::string& id, user_role role) {
  return make_event(
      id, org_id, {}, actor_ref::user(owner_id), t0,
      created{id, org_id, "Someone", "someone@example.com", role, old_hash, false});
}

/// A user with `role`, folded from its `user.created`.
state a_user(const std::string& id, user_role role) {
  return given<state>({user_created(id, role)});
}

/// A user with `role` that has been deactivated.
state a_deactivated_user(const std::string& id, user_role role) {
  return given<state>(
      {user_created(id, role), make_event(id, org_id, {}, actor_ref::user(owner_id),
                                          t0 + minute, deactivated{id})});
}

/// The state after the events of a successful decision.
state fold(state s, const outcome<event_list>& out) {
  if (!out.ok())
    throw std::runtime_error("expected events, got " + describe(out.error()));
  return given(std::move(s), out.value());
}

// --- commands ----------------------------------------------------------------

create_user create_by(const std::string& by, user_role by_role,
                      user_role role = user_role::member) {
  create_user c;
  c.id = new_id;
  c.org_id = org_id;
  c.name = "Nora Newbie";
  c.email = "nora@example.com";
  c.role = role;
  c.token_hash = new_hash;
  c.by = actor_ref::user(by);
  c.by_role = by_role;
  c.now = t0 + minute;
  return c;
}

rotate_token rotate_by(const std::string& by, user_role by_role) {
  return rotate_token{.token_hash = new_hash,
                      .by = actor_ref::user(by),
                      .by_role = by_role,
                      .now = t0 + minute};
}

deactivate deactivate_by(const std::string& by, user_role by_role) {
  return deactivate{.by = actor_ref::user(by), .by_role = by_role, .now = t0 + minute};
}

// =============================================================================
// create_user
// =============================================================================

TEST(UserDecider, AdminCreatesAMember) {
  auto out = decide(state{}, create_by(admin_id, user_role::admin, user_role::member));
  ASSERT_TRUE(yields(out, {"user.created"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, new_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_TRUE(e.meta.room_id.empty());
  EXPECT_EQ(e.meta.actor, actor_ref::user(admin_id));
  EXPECT_EQ(e.meta.at, t0 + minute);
  const auto& c = payload<created>(e);
  EXPECT_EQ(c.id, new_id);
  EXPECT_EQ(c.org_id, org_id);
  EXPECT_EQ(c.name, "Nora Newbie");
  EXPECT_EQ(c.email, "nora@example.com");
  EXPECT_EQ(c.role, user_role::member);
  EXPECT_EQ(c.token_hash, new_hash);
  EXPECT_FALSE(c.instance_admin);
}

TEST(UserDecider, AdminCreatesMembersViewersAndAdmins) {
  for (auto role : {user_role::member, user_role::viewer, user_role::admin}) {
    SCOPED_TRACE(wire_name(role));
    auto out = decide(state{}, create_by(admin_id, user_role::admin, role));
    ASSERT_TRUE(yields(out, {"user.created"}));
    EXPECT_EQ(payload<created>(out->at(0)).role, role);
  }
}

TEST(UserDecider, OwnerCreatesEveryRoleIncludingAnotherOwner) {
  for (auto role :
       {user_role::owner, user_role::admin, user_role::member, user_role::viewer}) {
    SCOPED_TRACE(wire_name(role));
    auto out = decide(state{}, create_by(owner_id, user_role::owner, role));
    ASSERT_TRUE(yields(out, {"user.created"}));
    EXPECT_EQ(payload<created>(out->at(0)).role, role);
    EXPECT_FALSE(payload<created>(out->at(0)).instance_admin);
  }
}

TEST(UserDecider, ForbidsAnAdminToCreateAnOwner) {
  EXPECT_TRUE(
      fails_with(decide(state{}, create_by(admin_id, user_role::admin, user_role::owner)),
                 errc::forbidden));
}

TEST(UserDecider, ForbidsMembersAndViewersToCreateUsers) {
  for (auto [by, by_role] : {std::pair{member_id, user_role::member},
                             std::pair{viewer_id, user_role::viewer}}) {
    SCOPED_TRACE(wire_name(by_role));
    for (auto role :
         {user_role::viewer, user_role::member, user_role::admin, user_role::owner}) {
      SCOPED_TRACE(wire_name(role));
      EXPECT_TRUE(
          fails_with(decide(state{}, create_by(by, by_role, role)), errc::forbidden));
    }
  }
}

TEST(UserDecider, ChecksTheCallersRoleBeforeTheFields) {
  auto cmd = create_by(member_id, user_role::member);
  cmd.name = "";
  cmd.email = "nope";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::forbidden));
}

TEST(UserDecider, RejectsNamesOutside1To200CodePoints) {
  auto cmd = create_by(admin_id, user_role::admin);
  cmd.name = "";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
  cmd.name = std::string(201, 'n');
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
  cmd.name.clear();
  for (int i = 0; i < 200; ++i)
    cmd.name += "\xC3\xA9"; // 200 x "é": 400 bytes
  EXPECT_TRUE(yields(decide(state{}, cmd), {"user.created"}));
  cmd.name = "N";
  EXPECT_TRUE(yields(decide(state{}, cmd), {"user.created"}));
}

TEST(UserDecider, RejectsEmailsThatAreNoAddresses) {
  for (const std::string& bad : std::vector<std::string>{
           "", "ab", "nora", "@example.com", "nora@", "nora example@x.y",
           "nora@exa\tmple.com", "nora@example.com\n", "n@" + std::string(319, 'x')}) {
    SCOPED_TRACE(bad);
    auto cmd = create_by(admin_id, user_role::admin);
    cmd.email = bad;
    EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "email"));
  }
  for (const std::string& good : std::vector<std::string>{"a@b", "nora@example.com",
                                                          "n@" + std::string(318, 'x')}) {
    SCOPED_TRACE(good);
    auto cmd = create_by(admin_id, user_role::admin);
    cmd.email = good;
    EXPECT_TRUE(yields(decide(state{}, cmd), {"user.created"}));
  }
}

TEST(UserDecider, NameIsCheckedBeforeEmail) {
  auto cmd = create_by(admin_id, user_role::admin);
  cmd.name = "";
  cmd.email = "";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::validation, "name"));
}

TEST(UserDecider, RejectsCreatingAnIdThatExists) {
  // Also the idempotency of creation: a retried create appends no second user (the
  // HTTP layer replays the first answer for an Idempotency-Key retry).
  auto s = fold(state{}, decide(state{}, create_by(admin_id, user_role::admin)));
  EXPECT_TRUE(
      fails_with(decide(s, create_by(admin_id, user_role::admin)), errc::conflict));
  EXPECT_TRUE(fails_with(decide(a_user(new_id, user_role::viewer),
                                create_by(owner_id, user_role::owner, user_role::admin)),
                         errc::conflict));
}

TEST(UserDecider, FoldingTheCreatedEventGivesAnActiveUser) {
  auto s = fold(
      state{}, decide(state{}, create_by(admin_id, user_role::admin, user_role::viewer)));
  EXPECT_TRUE(s.exists());
  EXPECT_EQ(s.id, new_id);
  EXPECT_EQ(s.org_id, org_id);
  EXPECT_EQ(s.name, "Nora Newbie");
  EXPECT_EQ(s.email, "nora@example.com");
  EXPECT_EQ(s.role, user_role::viewer);
  EXPECT_EQ(s.token_hash, new_hash);
  EXPECT_FALSE(s.instance_admin);
  EXPECT_TRUE(s.active);
  EXPECT_EQ(s.created_at, t0 + minute);
  EXPECT_EQ(s.version, 1u);
}

// =============================================================================
// rotate_token
// =============================================================================

TEST(UserDecider, UserRotatesTheirOwnToken) {
  for (auto role :
       {user_role::viewer, user_role::member, user_role::admin, user_role::owner}) {
    SCOPED_TRACE(wire_name(role));
    auto s = a_user(member_id, role);
    auto out = decide(s, rotate_by(member_id, role));
    ASSERT_TRUE(yields(out, {"user.token_rotated"}));
    const auto& e = out->at(0);
    EXPECT_EQ(e.meta.stream, member_id);
    EXPECT_EQ(e.meta.org_id, org_id);
    EXPECT_EQ(e.meta.actor, actor_ref::user(member_id));
    EXPECT_EQ(e.meta.at, t0 + minute);
    EXPECT_EQ(payload<token_rotated>(e).token_hash, new_hash);
  }
}

TEST(UserDecider, RotatingTheTokenReplacesTheHash) {
  auto s = a_user(member_id, user_role::member);
  ASSERT_EQ(s.token_hash, old_hash);
  auto after = fold(s, decide(s, rotate_by(member_id, user_role::member)));
  EXPECT_EQ(after.token_hash, new_hash);
  EXPECT_TRUE(after.active);
  EXPECT_EQ(after.role, user_role::member);
  EXPECT_EQ(after.version, 2u);
}

TEST(UserDecider, AdminRotatesTheTokenOfNonOwners) {
  for (auto role : {user_role::viewer, user_role::member, user_role::admin}) {
    SCOPED_TRACE(wire_name(role));
    EXPECT_TRUE(yields(
        decide(a_user(other_admin_id, role), rotate_by(admin_id, user_role::admin)),
        {"user.token_rotated"}));
  }
}

TEST(UserDecider, ForbidsAnAdminToRotateAnOwnersToken) {
  EXPECT_TRUE(fails_with(
      decide(a_user(owner_id, user_role::owner), rotate_by(admin_id, user_role::admin)),
      errc::forbidden));
}

TEST(UserDecider, OwnerRotatesAnotherOwnersToken) {
  EXPECT_TRUE(yields(decide(a_user(other_owner_id, user_role::owner),
                            rotate_by(owner_id, user_role::owner)),
                     {"user.token_rotated"}));
}

TEST(UserDecider, ForbidsMembersAndViewersToRotateSomeoneElsesToken) {
  for (auto by_role : {user_role::member, user_role::viewer}) {
    SCOPED_TRACE(wire_name(by_role));
    for (auto role : {user_role::viewer, user_role::member, user_role::admin}) {
      SCOPED_TRACE(wire_name(role));
      EXPECT_TRUE(
          fails_with(decide(a_user(viewer_id, role), rotate_by(member_id, by_role)),
                     errc::forbidden));
    }
  }
}

TEST(UserDecider, RejectsRotatingTheTokenOfADeactivatedUser) {
  auto s = a_deactivated_user(member_id, user_role::member);
  EXPECT_TRUE(
      fails_with(decide(s, rotate_by(admin_id, user_role::admin)), errc::conflict));
  EXPECT_TRUE(
      fails_with(decide(s, rotate_by(owner_id, user_role::owner)), errc::conflict));
}

TEST(UserDecider, RotateOfAMissingUserIsNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, rotate_by(admin_id, user_role::admin)),
                         errc::not_found));
}

// =============================================================================
// deactivate
// =============================================================================

TEST(UserDecider, AdminDeactivatesAMember) {
  auto s = a_user(member_id, user_role::member);
  auto out = decide(s, deactivate_by(admin_id, user_role::admin));
  ASSERT_TRUE(yields(out, {"user.deactivated"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, member_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, actor_ref::user(admin_id));
  EXPECT_EQ(e.meta.at, t0 + minute);
  EXPECT_EQ(payload<deactivated>(e).id, member_id);
}

TEST(UserDecider, DeactivatingSetsTheUserInactive) {
  auto s = a_user(member_id, user_role::member);
  auto after = fold(s, decide(s, deactivate_by(admin_id, user_role::admin)));
  EXPECT_FALSE(after.active);
  EXPECT_TRUE(after.exists());
  EXPECT_EQ(after.token_hash, old_hash);
  EXPECT_EQ(after.version, 2u);
}

TEST(UserDecider, AdminDeactivatesViewersMembersAndOtherAdmins) {
  for (auto role : {user_role::viewer, user_role::member, user_role::admin}) {
    SCOPED_TRACE(wire_name(role));
    EXPECT_TRUE(yields(
        decide(a_user(other_admin_id, role), deactivate_by(admin_id, user_role::admin)),
        {"user.deactivated"}));
  }
}

TEST(UserDecider, NobodyDeactivatesThemselves) {
  for (auto role :
       {user_role::owner, user_role::admin, user_role::member, user_role::viewer}) {
    SCOPED_TRACE(wire_name(role));
    EXPECT_TRUE(fails_with(decide(a_user(admin_id, role), deactivate_by(admin_id, role)),
                           errc::forbidden));
  }
}

TEST(UserDecider, ForbidsAnAdminToDeactivateAnOwner) {
  EXPECT_TRUE(fails_with(decide(a_user(owner_id, user_role::owner),
                                deactivate_by(admin_id, user_role::admin)),
                         errc::forbidden));
}

TEST(UserDecider, OwnerDeactivatesAnotherOwner) {
  auto s = a_user(other_owner_id, user_role::owner);
  auto out = decide(s, deactivate_by(owner_id, user_role::owner));
  ASSERT_TRUE(yields(out, {"user.deactivated"}));
  EXPECT_FALSE(fold(s, out).active);
}

TEST(UserDecider, ForbidsMembersAndViewersToDeactivateUsers) {
  for (auto by_role : {user_role::member, user_role::viewer}) {
    SCOPED_TRACE(wire_name(by_role));
    EXPECT_TRUE(fails_with(
        decide(a_user(viewer_id, user_role::viewer), deactivate_by(member_id, by_role)),
        errc::forbidden));
  }
}

TEST(UserDecider, DeactivatingTwiceAppendsNothing) {
  auto s = a_user(member_id, user_role::member);
  s = fold(s, decide(s, deactivate_by(admin_id, user_role::admin)));
  EXPECT_TRUE(yields_nothing(decide(s, deactivate_by(admin_id, user_role::admin))));
  EXPECT_TRUE(yields_nothing(decide(s, deactivate_by(owner_id, user_role::owner))));
}

TEST(UserDecider, DeactivateOfAMissingUserIsNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, deactivate_by(admin_id, user_role::admin)),
                         errc::not_found));
}

// =============================================================================
// validate_person (shared with organization creation)
// =============================================================================

TEST(UserDecider, ValidatePersonNamesTheOffendingField) {
  EXPECT_TRUE(validate_person("Nora", "nora@example.com").ok());
  auto no_name = validate_person("", "nora@example.com");
  ASSERT_FALSE(no_name.ok());
  EXPECT_EQ(no_name.error().code, errc::validation);
  EXPECT_EQ(no_name.error().field, "name");
  auto no_email = validate_person("Nora", "nora");
  ASSERT_FALSE(no_email.ok());
  EXPECT_EQ(no_email.error().code, errc::validation);
  EXPECT_EQ(no_email.error().field, "email");
}

} // namespace
} // namespace waitroom::events::user
