// Who is told of a check-in, and how urgently (events/checkin/notify.hpp): the rules the
// Web Push worker applies to committed events.

#include "events/checkin/events.hpp"
#include "events/checkin/notify.hpp"
#include "events/room/events.hpp"
#include "events/room/state.hpp"
#include "given_when_then.hpp"
#include "rooms.hpp"

#include <gtest/gtest.h>

#include <string>

namespace waitroom::events::checkin {
namespace {

using namespace waitroom::events::testing;
using user::user_role;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");
const std::string org_id = "org_acme000001";
const std::string room_id = "rm_deploy0001";
const std::string checkin_id = "ci_deploy0001";

recorded_event on_checkin(event_data data) {
  return make_event(checkin_id, org_id, room_id, actor_ref::agent("ag_builder001"), t0,
                    std::move(data));
}

state a_checkin(checkin_status status, risk r) {
  state s;
  s.id = checkin_id;
  s.org_id = org_id;
  s.room_id = room_id;
  s.status = status;
  s.risk_level = r;
  return s;
}

room::state a_room(event_list members = {}) {
  return a_deployments_room(room_id, org_id, t0, {}, {}, std::move(members));
}

recorded_event listing(const std::string& id, room::member_role role) {
  return make_event(room_id, org_id, room_id, actor_ref::system(), t0,
                    room::member_set{id, actor_kind::user, role});
}

user::state a_person(const std::string& id, user_role role, bool active = true) {
  user::state u;
  u.id = id;
  u.org_id = org_id;
  u.role = role;
  u.active = active;
  return u;
}

TEST(CheckinNotify, APendingCheckinIsToldUrgentlyOnlyAtHighRisk) {
  const auto e = on_checkin(created{});
  for (auto [r, urgent] :
       {std::pair{risk::low, false}, std::pair{risk::medium, false},
        std::pair{risk::high, true}, std::pair{risk::critical, true}}) {
    SCOPED_TRACE(wire_name(r));
    auto n = notice_of(e, a_checkin(checkin_status::pending, r));
    ASSERT_TRUE(n);
    EXPECT_EQ(n->kind, notice_kind::pending);
    EXPECT_EQ(n->urgent, urgent);
  }
}

TEST(CheckinNotify, NothingWhenItIsNoLongerPending) {
  const auto e = on_checkin(created{});
  // decided by the policy at once, a task (open), or decided before the notice went out
  for (auto s :
       {checkin_status::approved, checkin_status::open, checkin_status::rejected})
    EXPECT_FALSE(notice_of(e, a_checkin(s, risk::critical))) << wire_name(s);
}

TEST(CheckinNotify, AnExpiryWarningIsAlwaysUrgent) {
  const auto e = on_checkin(expiring{t0});
  for (auto s : {checkin_status::pending, checkin_status::open}) {
    auto n = notice_of(e, a_checkin(s, risk::low));
    ASSERT_TRUE(n) << wire_name(s);
    EXPECT_EQ(n->kind, notice_kind::expiring);
    EXPECT_TRUE(n->urgent);
  }
  EXPECT_EQ(notice_type(notice_kind::expiring), "checkin.expiring");
  EXPECT_EQ(notice_type(notice_kind::pending), "checkin.pending");
}

TEST(CheckinNotify, OtherEventsTellNobody) {
  EXPECT_FALSE(notice_of(on_checkin(extended{1000, t0}),
                         a_checkin(checkin_status::pending, risk::critical)));
}

TEST(CheckinNotify, ThoseWhoMayDecideInTheRoomAreTold) {
  const auto open = a_room();
  EXPECT_TRUE(is_told(open, a_person("us_member0001", user_role::member)));
  EXPECT_FALSE(is_told(open, a_person("us_viewer0001", user_role::viewer)));
  EXPECT_FALSE(is_told(open, a_person("us_gone000001", user_role::member, false)));
  const auto closed = a_room({listing("us_alice00001", room::member_role::approver),
                              listing("us_vera000001", room::member_role::viewer)});
  EXPECT_TRUE(is_told(closed, a_person("us_alice00001", user_role::member)));
  EXPECT_FALSE(is_told(closed, a_person("us_vera000001", user_role::member)));
  EXPECT_FALSE(is_told(closed, a_person("us_mike000001", user_role::member)));
  EXPECT_TRUE(is_told(closed, a_person("us_admin00001", user_role::admin)));
}

} // namespace
} // namespace waitroom::events::checkin
