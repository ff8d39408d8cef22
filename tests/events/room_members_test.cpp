// Room settings and membership (API.md "Rooms and policy", "Room membership"): the
// update and member commands, and who may see and act in a room (room/access.hpp),
// on its check-ins (checkin/access.hpp) and in its trust (trust/access.hpp).

#include "events/checkin/access.hpp"
#include "events/room/access.hpp"
#include "events/room/decider.hpp"
#include "events/trust/access.hpp"
#include "given_when_then.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace waitroom::events::room {
namespace {

using namespace waitroom::events::testing;
using user::user_role;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string org_id = "org_acme000001";
const std::string room_id = "rm_deploy0001";
const actor_ref admin = actor_ref::user("us_admin00001");

const std::string builder = "ag_builder001";
const std::string stranger_agent = "ag_stranger01";
const std::string alice = "us_alice00001"; // listed approver
const std::string vera = "us_vera000001";  // listed viewer
const std::string mike = "us_mike000001";  // not listed

// --- givens ------------------------------------------------------------------

recorded_event on_room(event_data data, timestamp when = t0) {
  return make_event(room_id, org_id, room_id, admin, when, std::move(data));
}

created room_created() {
  created c;
  c.id = room_id;
  c.org_id = org_id;
  c.slug = "deployments";
  c.name = "Deployments";
  c.description = "Production deploys";
  return c;
}

state an_open_room() {
  return given<state>({on_room(room_created())});
}

/// A room listing `builder` (agent), `alice` (approver) and `vera` (viewer).
state a_closed_room() {
  return given<state>(
      {on_room(room_created()),
       on_room(member_set{builder, actor_kind::agent, member_role::agent}, t0 + 1),
       on_room(member_set{alice, actor_kind::user, member_role::approver}, t0 + 2),
       on_room(member_set{vera, actor_kind::user, member_role::viewer}, t0 + 3)});
}

state fold(state s, const outcome<event_list>& out) {
  if (!out.ok())
    throw std::runtime_error("expected events, got " + describe(out.error()));
  return given(std::move(s), out.value());
}

// --- commands ----------------------------------------------------------------

update an_update() {
  return update{.by = admin, .now = t0 + minute};
}

set_member list(const std::string& id, actor_kind kind, member_role role,
                timestamp now = t0 + minute) {
  return set_member{
      .principal_id = id, .principal_kind = kind, .role = role, .by = admin, .now = now};
}

remove_member unlist(const std::string& id) {
  return remove_member{.principal_id = id, .by = admin, .now = t0 + minute};
}

caller person(const std::string& id, user_role role) {
  return caller{actor_kind::user, id, role};
}

caller agent(const std::string& id) {
  return caller{actor_kind::agent, id, std::nullopt};
}

// =============================================================================
// update
// =============================================================================

TEST(RoomUpdate, ChangesOnlyTheGivenFields) {
  auto s = an_open_room();
  auto cmd = an_update();
  cmd.name = "Prod deploys";
  auto out = decide(s, cmd);
  ASSERT_TRUE(yields(out, {"room.updated"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, room_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, admin);
  EXPECT_EQ(e.meta.at, t0 + minute);
  const auto& u = payload<updated>(e);
  EXPECT_EQ(u.name, "Prod deploys");
  EXPECT_EQ(u.description, "Production deploys");
  EXPECT_EQ(u.settings, room_settings{});

  auto after = fold(s, out);
  EXPECT_EQ(after.name, "Prod deploys");
  EXPECT_EQ(after.description, "Production deploys");
  EXPECT_EQ(after.slug, "deployments");
  EXPECT_EQ(after.settings, room_settings{});
  EXPECT_EQ(after.updated_at, t0 + minute);
  EXPECT_EQ(after.version, 2u);
}

TEST(RoomUpdate, ChangesTheDefaultsKeepingTheOthers) {
  auto s = an_open_room();
  auto cmd = an_update();
  cmd.settings.default_timeout_ms = 2 * hour;
  cmd.settings.default_timeout_action = checkin::timeout_behavior::hold;
  auto out = decide(s, cmd);
  ASSERT_TRUE(yields(out, {"room.updated"}));
  auto after = fold(s, out);
  EXPECT_EQ(after.settings.default_timeout_ms, 2 * hour);
  EXPECT_EQ(after.settings.default_timeout_action, checkin::timeout_behavior::hold);
  EXPECT_EQ(after.settings.default_required_approvals, 1);
  EXPECT_EQ(after.settings.expiry_warning_ms, 300'000);
  EXPECT_EQ(after.name, "Deployments");

  cmd = an_update();
  cmd.settings.default_required_approvals = 3;
  cmd.settings.expiry_warning_ms = 0;
  after = fold(after, decide(after, cmd));
  EXPECT_EQ(after.settings.default_timeout_ms, 2 * hour);
  EXPECT_EQ(after.settings.default_timeout_action, checkin::timeout_behavior::hold);
  EXPECT_EQ(after.settings.default_required_approvals, 3);
  EXPECT_EQ(after.settings.expiry_warning_ms, 0);
}

TEST(RoomUpdate, SameValuesAppendNothing) {
  auto s = an_open_room();
  EXPECT_TRUE(yields_nothing(decide(s, an_update())));
  auto cmd = an_update();
  cmd.name = "Deployments";
  cmd.description = "Production deploys";
  cmd.settings.default_timeout_ms = hour;
  cmd.settings.default_timeout_action = checkin::timeout_behavior::cancel;
  cmd.settings.default_required_approvals = 1;
  cmd.settings.expiry_warning_ms = 300'000;
  EXPECT_TRUE(yields_nothing(decide(s, cmd)));
}

TEST(RoomUpdate, RepeatedUpdateAppendsNothing) {
  auto s = an_open_room();
  auto cmd = an_update();
  cmd.description = "";
  s = fold(s, decide(s, cmd));
  EXPECT_EQ(s.description, "");
  EXPECT_TRUE(yields_nothing(decide(s, cmd)));
}

TEST(RoomUpdate, NamesTheInvalidField) {
  auto s = an_open_room();
  struct example {
    update cmd;
    std::string field;
  };
  auto with = [](auto set) {
    auto c = an_update();
    set(c);
    return c;
  };
  for (const auto& [cmd, field] : {
           example{with([](update& c) { c.name = ""; }), "name"},
           example{with([](update& c) { c.name = std::string(201, 'n'); }), "name"},
           example{with([](update& c) { c.description = std::string(5001, 'd'); }),
                   "description"},
           example{with([](update& c) { c.settings.default_timeout_ms = 999; }),
                   "default_timeout_ms"},
           example{with([](update& c) { c.settings.default_timeout_ms = week + 1; }),
                   "default_timeout_ms"},
           example{with([](update& c) { c.settings.default_required_approvals = 0; }),
                   "default_required_approvals"},
           example{with([](update& c) { c.settings.default_required_approvals = 11; }),
                   "default_required_approvals"},
           example{with([](update& c) { c.settings.expiry_warning_ms = -1; }),
                   "expiry_warning_ms"},
           example{with([](update& c) { c.settings.expiry_warning_ms = week + 1; }),
                   "expiry_warning_ms"},
       }) {
    SCOPED_TRACE(field);
    EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, field));
  }
}

TEST(RoomUpdate, AcceptsTheBoundaries) {
  auto s = an_open_room();
  auto cmd = an_update();
  cmd.settings.default_timeout_ms = second;
  cmd.settings.default_required_approvals = 10;
  cmd.settings.expiry_warning_ms = week;
  EXPECT_TRUE(yields(decide(s, cmd), {"room.updated"}));
  cmd.settings.default_timeout_ms = week;
  EXPECT_TRUE(yields(decide(s, cmd), {"room.updated"}));
}

TEST(RoomUpdate, UpdateOfAMissingRoomIsNotFound) {
  auto cmd = an_update();
  cmd.name = "x";
  EXPECT_TRUE(fails_with(decide(state{}, cmd), errc::not_found));
  EXPECT_TRUE(
      fails_with(decide(state{}, list(alice, actor_kind::user, member_role::viewer)),
                 errc::not_found));
  EXPECT_TRUE(fails_with(decide(state{}, unlist(alice)), errc::not_found));
}

// =============================================================================
// set_member / remove_member
// =============================================================================

TEST(RoomMembers, ListsAnAgentWithRoleAgent) {
  auto s = an_open_room();
  auto out = decide(s, list(builder, actor_kind::agent, member_role::agent));
  ASSERT_TRUE(yields(out, {"room.member_set"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, room_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.actor, admin);
  const auto& m = payload<member_set>(e);
  EXPECT_EQ(m.principal_id, builder);
  EXPECT_EQ(m.principal_kind, actor_kind::agent);
  EXPECT_EQ(m.role, member_role::agent);

  auto after = fold(s, out);
  ASSERT_EQ(after.members.count(builder), 1u);
  EXPECT_EQ(after.members.at(builder).role, member_role::agent);
  EXPECT_EQ(after.members.at(builder).principal_kind, actor_kind::agent);
  EXPECT_EQ(after.members.at(builder).since, t0 + minute);
  EXPECT_FALSE(is_open(after));
}

TEST(RoomMembers, ListsPeopleAsApproversOrViewers) {
  auto s = an_open_room();
  for (auto role : {member_role::approver, member_role::viewer}) {
    SCOPED_TRACE(wire_name(role));
    auto out = decide(s, list(alice, actor_kind::user, role));
    ASSERT_TRUE(yields(out, {"room.member_set"}));
    EXPECT_EQ(fold(s, out).members.at(alice).role, role);
  }
}

TEST(RoomMembers, RejectsAnAgentWithAPersonsRole) {
  auto s = an_open_room();
  for (auto role : {member_role::approver, member_role::viewer}) {
    SCOPED_TRACE(wire_name(role));
    EXPECT_TRUE(fails_with(decide(s, list(builder, actor_kind::agent, role)),
                           errc::validation, "role"));
  }
}

TEST(RoomMembers, RejectsAPersonWithRoleAgent) {
  EXPECT_TRUE(fails_with(
      decide(an_open_room(), list(alice, actor_kind::user, member_role::agent)),
      errc::validation, "role"));
}

TEST(RoomMembers, ListingWithTheSameRoleTwiceAppendsNothing) {
  auto s = a_closed_room();
  EXPECT_TRUE(
      yields_nothing(decide(s, list(alice, actor_kind::user, member_role::approver))));
  EXPECT_TRUE(
      yields_nothing(decide(s, list(builder, actor_kind::agent, member_role::agent))));
}

TEST(RoomMembers, ChangesARoleAndKeepsWhenTheMemberWasFirstListed) {
  auto s = a_closed_room();
  auto out = decide(s, list(vera, actor_kind::user, member_role::approver, t0 + hour));
  ASSERT_TRUE(yields(out, {"room.member_set"}));
  auto after = fold(s, out);
  EXPECT_EQ(after.members.at(vera).role, member_role::approver);
  EXPECT_EQ(after.members.at(vera).since, t0 + 3);
}

TEST(RoomMembers, RemovesAListedMember) {
  auto s = a_closed_room();
  auto out = decide(s, unlist(vera));
  ASSERT_TRUE(yields(out, {"room.member_removed"}));
  EXPECT_EQ(payload<member_removed>(out->at(0)).principal_id, vera);
  EXPECT_EQ(out->at(0).meta.room_id, room_id);
  auto after = fold(s, out);
  EXPECT_EQ(after.members.count(vera), 0u);
  EXPECT_EQ(after.members.size(), 2u);
}

TEST(RoomMembers, RemovingSomeoneNotListedIsNotFound) {
  EXPECT_TRUE(fails_with(decide(a_closed_room(), unlist(mike)), errc::not_found));
  EXPECT_TRUE(fails_with(decide(an_open_room(), unlist(alice)), errc::not_found));
}

TEST(RoomMembers, RemovingTheLastMemberOpensTheRoom) {
  auto s =
      given<state>({on_room(room_created()),
                    on_room(member_set{alice, actor_kind::user, member_role::approver})});
  EXPECT_FALSE(is_open(s));
  s = fold(s, decide(s, unlist(alice)));
  EXPECT_TRUE(is_open(s));
  EXPECT_TRUE(can_act(s, person(mike, user_role::member)));
  // Removing again: nothing left to remove.
  EXPECT_TRUE(fails_with(decide(s, unlist(alice)), errc::not_found));
}

// =============================================================================
// access: an open room
// =============================================================================

TEST(RoomAccess, OpenRoomLetsEveryoneInTheOrgSee) {
  auto r = an_open_room();
  EXPECT_TRUE(is_open(r));
  for (auto role :
       {user_role::owner, user_role::admin, user_role::member, user_role::viewer}) {
    SCOPED_TRACE(wire_name(role));
    EXPECT_TRUE(can_see(r, person(mike, role)));
  }
  EXPECT_TRUE(can_see(r, agent(stranger_agent)));
}

TEST(RoomAccess, OpenRoomLetsAgentsAndMembersAndStrongerAct) {
  auto r = an_open_room();
  EXPECT_TRUE(can_act(r, agent(stranger_agent)));
  for (auto role : {user_role::owner, user_role::admin, user_role::member}) {
    SCOPED_TRACE(wire_name(role));
    EXPECT_TRUE(can_act(r, person(mike, role)));
  }
}

TEST(RoomAccess, AViewerNeverActs) {
  EXPECT_FALSE(can_act(an_open_room(), person(mike, user_role::viewer)));
  auto closed = a_closed_room();
  EXPECT_FALSE(can_act(closed, person(mike, user_role::viewer)));
  // Even listed as an approver, an org viewer stays a reader.
  EXPECT_FALSE(can_act(closed, person(alice, user_role::viewer)));
  EXPECT_TRUE(can_see(closed, person(alice, user_role::viewer)));
}

TEST(RoomAccess, APersonWithoutARoleNeverActs) {
  EXPECT_FALSE(can_act(an_open_room(), caller{actor_kind::user, mike, std::nullopt}));
}

// =============================================================================
// access: a room with members
// =============================================================================

TEST(RoomAccess, ListedViewerSeesButCannotAct) {
  auto r = a_closed_room();
  EXPECT_TRUE(can_see(r, person(vera, user_role::member)));
  EXPECT_FALSE(can_act(r, person(vera, user_role::member)));
}

TEST(RoomAccess, ListedApproverSeesAndActs) {
  auto r = a_closed_room();
  EXPECT_TRUE(can_see(r, person(alice, user_role::member)));
  EXPECT_TRUE(can_act(r, person(alice, user_role::member)));
}

TEST(RoomAccess, UnlistedMemberNeitherSeesNorActs) {
  auto r = a_closed_room();
  EXPECT_FALSE(can_see(r, person(mike, user_role::member)));
  EXPECT_FALSE(can_act(r, person(mike, user_role::member)));
  EXPECT_FALSE(can_see(r, person(mike, user_role::viewer)));
}

TEST(RoomAccess, AdminsAndOwnersSeeAndActEvenUnlisted) {
  auto r = a_closed_room();
  for (auto role : {user_role::owner, user_role::admin}) {
    SCOPED_TRACE(wire_name(role));
    EXPECT_TRUE(can_see(r, person(mike, role)));
    EXPECT_TRUE(can_act(r, person(mike, role)));
  }
}

TEST(RoomAccess, ListedAgentSeesAndActs) {
  auto r = a_closed_room();
  EXPECT_TRUE(can_see(r, agent(builder)));
  EXPECT_TRUE(can_act(r, agent(builder)));
}

TEST(RoomAccess, UnlistedAgentNeitherSeesNorActs) {
  auto r = a_closed_room();
  EXPECT_FALSE(can_see(r, agent(stranger_agent)));
  EXPECT_FALSE(can_act(r, agent(stranger_agent)));
}

TEST(RoomAccess, AnAgentActsOnlyWithRoleAgent) {
  // The decider never lists an agent with another role, but an entry for its id with
  // a person's role (e.g. written by hand) must not let it act.
  auto r = given<state>(
      {on_room(room_created()),
       on_room(member_set{builder, actor_kind::agent, member_role::viewer})});
  EXPECT_TRUE(can_see(r, agent(builder)));
  EXPECT_FALSE(can_act(r, agent(builder)));
  r = given<state>(
      {on_room(room_created()),
       on_room(member_set{builder, actor_kind::agent, member_role::approver})});
  EXPECT_FALSE(can_act(r, agent(builder)));
}

TEST(RoomAccess, AnAgentDoesNotTakeAPersonsListing) {
  // A listed approver's id, presented by an agent, is not an agent member.
  auto r = a_closed_room();
  EXPECT_FALSE(can_act(r, agent(alice)));
}

TEST(RoomAccess, APersonDoesNotTakeAnAgentsListing) {
  auto r = a_closed_room();
  EXPECT_FALSE(can_act(r, person(builder, user_role::member)));
}

TEST(RoomUpdate, RequiredApprovalsAre1To10AndNeverWrapAround) {
  auto s = an_open_room();
  for (std::int64_t n : {0LL, 11LL, 4294967297LL, -4294967295LL}) {
    SCOPED_TRACE(n);
    auto u = an_update();
    u.settings.default_required_approvals = n;
    EXPECT_TRUE(fails_with(decide(s, u), errc::validation, "default_required_approvals"));
  }
  auto u = an_update();
  u.settings.default_required_approvals = 10;
  EXPECT_TRUE(yields(decide(s, u), {"room.updated"}));
}

// --- commands on a check-in of the room (checkin/access.hpp) ------------------------

namespace ci = waitroom::events::checkin;

const ci::approve an_approve{};
const ci::withdraw a_withdraw{};
const ci::post_message a_post{};
const ci::claim a_claim{};
const ci::expire an_expire{};

TEST(CheckinAccess, EachCommandNeedsToSeeOrToActInTheRoom) {
  EXPECT_EQ(ci::room_need_of(an_approve), ci::room_need::act);
  EXPECT_EQ(ci::room_need_of(a_claim), ci::room_need::act);
  EXPECT_EQ(ci::room_need_of(ci::extend{}), ci::room_need::act);
  EXPECT_EQ(ci::room_need_of(ci::submit{}), ci::room_need::act);
  EXPECT_EQ(ci::room_need_of(a_withdraw), ci::room_need::see);
  EXPECT_EQ(ci::room_need_of(a_post), ci::room_need::see);
  EXPECT_EQ(ci::room_need_of(an_expire), ci::room_need::none);
  EXPECT_EQ(ci::room_need_of(ci::announce_expiry{}), ci::room_need::none);
}

TEST(CheckinAccess, AViewerWritesInTheThreadButDoesNotDecide) {
  auto r = a_closed_room();
  EXPECT_TRUE(
      fails_with(ci::check_room_access(an_approve, r, person(vera, user_role::member)),
                 errc::forbidden));
  EXPECT_TRUE(ci::check_room_access(a_post, r, person(vera, user_role::member)).ok());
  EXPECT_TRUE(
      ci::check_room_access(an_approve, r, person(alice, user_role::member)).ok());
}

TEST(CheckinAccess, WhoDoesNotSeeTheRoomDoesNotSeeTheCheckin) {
  auto r = a_closed_room();
  EXPECT_TRUE(
      fails_with(ci::check_room_access(an_approve, r, person(mike, user_role::member)),
                 errc::not_found));
  EXPECT_TRUE(
      fails_with(ci::check_room_access(a_post, r, person(mike, user_role::member)),
                 errc::not_found));
  EXPECT_TRUE(fails_with(ci::check_room_access(a_claim, r, agent(stranger_agent)),
                         errc::not_found));
  EXPECT_TRUE(ci::check_room_access(a_claim, r, agent(builder)).ok());
  EXPECT_TRUE(ci::check_room_access(an_expire, r, person(mike, user_role::member)).ok());
}

TEST(CheckinAccess, AViewerOfTheOrganizationDoesNotActInAnOpenRoom) {
  auto r = an_open_room();
  EXPECT_TRUE(
      fails_with(ci::check_room_access(an_approve, r, person(mike, user_role::viewer)),
                 errc::forbidden));
  EXPECT_TRUE(ci::check_room_access(a_withdraw, r, person(mike, user_role::viewer)).ok());
}

// --- trust (trust/access.hpp) --------------------------------------------------------

trust::score_card card_of(const std::string& agent_id) {
  trust::score_card c;
  c.agent_id = agent_id;
  c.room_id = room_id;
  return c;
}

TEST(TrustAccess, AnAgentReadsOnlyItsOwnTrust) {
  EXPECT_TRUE(trust::check_reader(builder, agent(builder)).ok());
  EXPECT_TRUE(
      fails_with(trust::check_reader(builder, agent(stranger_agent)), errc::forbidden));
  EXPECT_TRUE(trust::check_reader(builder, person(mike, user_role::viewer)).ok());
}

TEST(TrustAccess, AnAgentSeesItsCardsEvenWherePeopleCannot) {
  auto r = a_closed_room();
  EXPECT_TRUE(trust::shows(card_of(builder), r, agent(builder)));
  EXPECT_TRUE(trust::shows(card_of(builder), r, person(alice, user_role::member)));
  EXPECT_FALSE(trust::shows(card_of(builder), r, person(mike, user_role::member)));
  EXPECT_TRUE(trust::shows(card_of(builder), r, person(mike, user_role::admin)));
}

} // namespace
} // namespace waitroom::events::room
