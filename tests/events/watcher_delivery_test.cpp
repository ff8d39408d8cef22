// The rules of webhook delivery: which events a watcher wants, and what follows each
// attempt (API.md "Watchers and signals" and "Stream details").
#include "events/watcher/decider.hpp"
#include "events/watcher/delivery.hpp"
#include "given_when_then.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace waitroom::events::watcher {
namespace {

using namespace waitroom::events::testing;
namespace json = boost::json;

state a_watcher(std::vector<std::string> types = {}, json::object filter = {}) {
  state w;
  w.id = "w_watcher0001";
  w.room_id = "rm_deploy0001";
  w.event_types = std::move(types);
  w.filter = std::move(filter);
  w.version = 1;
  return w;
}

const json::object approved = json::parse(R"({"id": "ci_a1b2c3d4e5", "status": "approved",
  "metadata": {"env": "production", "service": {"name": "api"}}, "risk_level": "high"})")
                                  .as_object();

TEST(WatcherWants, EveryRoomEventWithoutTypesOrFilter) {
  EXPECT_TRUE(wants(a_watcher(), "checkin.approved", approved));
  EXPECT_TRUE(wants(a_watcher(), "signal.broadcast", json::object{}));
}

TEST(WatcherWants, OnlyTheListedTypes) {
  auto w = a_watcher({"checkin.approved", "checkin.rejected"});
  EXPECT_TRUE(wants(w, "checkin.approved", approved));
  EXPECT_FALSE(wants(w, "checkin.created", approved));
}

TEST(WatcherWants, OnlyDataMatchingEveryDottedPathOfTheFilter) {
  auto w = a_watcher({}, json::parse(R"({"metadata.env": "production",
                                         "metadata.service.name": "api"})")
                             .as_object());
  EXPECT_TRUE(wants(w, "checkin.approved", approved));
  auto staging = approved;
  staging["metadata"].as_object()["env"] = "staging";
  EXPECT_FALSE(wants(w, "checkin.approved", staging));
  EXPECT_FALSE(wants(w, "signal.broadcast", json::object{})) << "a path that is absent";
  auto typed = a_watcher({}, json::parse(R"({"risk_level": ["high"]})").as_object());
  EXPECT_FALSE(wants(typed, "checkin.approved", approved)) << "values compare as JSON";
}

TEST(WatcherWants, NothingOnceDeleted) {
  auto w = a_watcher();
  w.deleted = true;
  EXPECT_FALSE(wants(w, "checkin.approved", approved));
  EXPECT_FALSE(wants(state{}, "checkin.approved", approved));
}

attempt_result status(int s) {
  return {s, std::nullopt};
}
const attempt_result no_answer{std::nullopt, std::nullopt};

TEST(DeliveryAttempts, TwoHundredsDeliver) {
  for (int s : {200, 201, 202, 204, 299}) {
    EXPECT_EQ(after_attempt(1, status(s)).what, verdict::delivered) << s;
    EXPECT_EQ(after_attempt(4, status(s)).what, verdict::delivered) << s;
  }
}

TEST(DeliveryAttempts, ServerErrorsTimeoutsAnd408Or429RetryAfter1s5s25s) {
  for (const auto& r : {status(500), status(503), status(408), status(429), no_answer}) {
    auto first = after_attempt(1, r), next = after_attempt(2, r),
         third = after_attempt(3, r);
    EXPECT_EQ(first.what, verdict::retry);
    EXPECT_EQ(first.delay, 1 * second);
    EXPECT_EQ(next.delay, 5 * second);
    EXPECT_EQ(third.delay, 25 * second);
    EXPECT_EQ(after_attempt(4, r).what, verdict::failed) << "3 more attempts, not 4";
  }
}

TEST(DeliveryAttempts, RedirectsAndOtherClientErrorsFailAtOnce) {
  for (int s : {301, 302, 307, 400, 401, 403, 404, 410, 422})
    EXPECT_EQ(after_attempt(1, status(s)).what, verdict::failed) << s;
}

TEST(DeliveryAttempts, ATargetTheServerRefusesFailsAtOnce) {
  EXPECT_EQ(after_attempt(1, {std::nullopt, std::nullopt, true}).what, verdict::failed);
}

TEST(DeliveryAttempts, A429sRetryAfterIsHonouredUpTo25s) {
  EXPECT_EQ(after_attempt(1, {429, 3000}).delay, 3000);
  EXPECT_EQ(after_attempt(2, {429, 120000}).delay, 25000);
  EXPECT_EQ(after_attempt(1, {503, 3000}).delay, 1000)
      << "only a 429's Retry-After counts";
}

TEST(DeliveryAttempts, JitterIsAtMostTwentyPercent) {
  EXPECT_EQ(after_attempt(2, status(500), 0.2).delay, 6000);
  EXPECT_EQ(after_attempt(2, status(500), -0.2).delay, 4000);
  EXPECT_EQ(after_attempt(2, status(500), 5.0).delay, 6000) << "clamped";
}

TEST(DeliveryAttempts, TwentyConsecutiveFailedDeliveriesDisable) {
  EXPECT_FALSE(should_disable(19));
  EXPECT_TRUE(should_disable(20));
}

} // namespace
} // namespace waitroom::events::watcher

namespace waitroom::events::watcher {
namespace {

TEST(RoomEvents, AreApiMdsListAndAllAWatcherMayName) {
  EXPECT_EQ(room_event_types().size(), 18u);
  EXPECT_TRUE(is_room_event_type("checkin.approved"));
  EXPECT_TRUE(is_room_event_type("room.policy_updated"));
  EXPECT_FALSE(is_room_event_type("room.member_set"));
  EXPECT_FALSE(is_room_event_type("room.created"));
  state s;
  create c{"w_1",
           "rm_1",
           "org_1",
           "https://example.com/h",
           {"room.member_set"},
           {},
           "",
           actor_ref::user("us_1"),
           1};
  auto refused = decide(s, c);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "event_types[0]");
}

state a_created_watcher() {
  state s;
  create c{"w_1", "rm_1", "org_1", "https://example.com/h",
           {},    {},     "",      actor_ref::user("us_1"),
           1};
  auto out = decide(s, c);
  EXPECT_TRUE(out);
  recorded_event e = (*out)[0];
  e.meta.seq = 41;
  e.meta.version = 1;
  evolve(s, e);
  return s;
}

TEST(WatcherDisable, OnlyAfterTwentyFailedDeliveriesInARowAndOnce) {
  auto s = a_created_watcher();
  EXPECT_EQ(s.created_seq, 41u);
  EXPECT_TRUE(s.active());
  auto early = decide(s, disable{19, 2});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, errc::validation);
  auto out = decide(s, disable{20, 2});
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 1u);
  const auto& e = (*out)[0];
  EXPECT_EQ(e.meta.actor, actor_ref::system());
  ASSERT_TRUE(std::holds_alternative<disabled>(e.data));
  EXPECT_EQ(std::get<disabled>(e.data).consecutive_failures, 20);
  auto d = e;
  d.meta.version = 2;
  evolve(s, d);
  EXPECT_TRUE(s.disabled);
  EXPECT_FALSE(s.active());
  EXPECT_EQ(decide(s, disable{25, 3}).error().code, errc::conflict);
  // a disabled watcher can still be deleted by its creator
  EXPECT_TRUE(decide(s, remove{actor_ref::user("us_1"), false, 3}));
}

} // namespace
} // namespace waitroom::events::watcher
