// Watchers and signals (API.md "Watchers and signals"): webhook subscriptions of a room
// and broadcasts to it.

#include "events/room/decider.hpp"
#include "events/signal/decider.hpp"
#include "events/watcher/access.hpp"
#include "events/watcher/decider.hpp"
#include "given_when_then.hpp"
#include "rooms.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace waitroom::events {
namespace {

using namespace waitroom::events::testing;
namespace json = boost::json;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string org_id = "org_acme000001";
const std::string room_id = "rm_deploy0001";
const std::string watcher_id = "w_hook000001";
const std::string signal_id = "sig_ping00001";
const actor_ref creator = actor_ref::agent("ag_watcher001");
const actor_ref someone_else = actor_ref::user("us_member0001");
const actor_ref admin = actor_ref::user("us_admin00001");

// --- watchers ----------------------------------------------------------------

watcher::create a_watch() {
  watcher::create c;
  c.id = watcher_id;
  c.room_id = room_id;
  c.org_id = org_id;
  c.webhook_url = "https://hooks.example.com/waitroom";
  c.event_types = {"checkin.created", "checkin.approved"};
  c.filter = json::object{{"risk_level", "high"}};
  c.sealed_secret = "00aa11bb";
  c.by = creator;
  c.now = t0;
  return c;
}

watcher::remove remove_by(actor_ref by, bool by_admin = false) {
  return watcher::remove{.by = std::move(by), .by_admin = by_admin, .now = t0 + minute};
}

watcher::state fold(watcher::state s, const outcome<event_list>& out) {
  if (!out.ok())
    throw std::runtime_error("expected events, got " + describe(out.error()));
  return given(std::move(s), out.value());
}

watcher::state a_watcher() {
  return fold(watcher::state{}, watcher::decide(watcher::state{}, a_watch()));
}

TEST(WatcherDecider, CreatesAWatcherInItsOwnStream) {
  auto out = watcher::decide(watcher::state{}, a_watch());
  ASSERT_TRUE(yields(out, {"watcher.created"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, watcher_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.actor, creator);
  EXPECT_EQ(e.meta.at, t0);
  const auto& w = payload<watcher::created>(e);
  EXPECT_EQ(w.id, watcher_id);
  EXPECT_EQ(w.room_id, room_id);
  EXPECT_EQ(w.webhook_url, "https://hooks.example.com/waitroom");
  EXPECT_EQ(w.event_types,
            (std::vector<std::string>{"checkin.created", "checkin.approved"}));
  EXPECT_EQ(w.filter, (json::object{{"risk_level", "high"}}));
  EXPECT_EQ(w.sealed_secret, "00aa11bb");
  EXPECT_EQ(w.created_by, creator);

  auto s = fold(watcher::state{}, out);
  EXPECT_TRUE(s.exists());
  EXPECT_FALSE(s.deleted);
  EXPECT_EQ(s.org_id, org_id);
  EXPECT_EQ(s.room_id, room_id);
  EXPECT_EQ(s.created_by, creator);
  EXPECT_EQ(s.created_at, t0);
}

TEST(WatcherDecider, AcceptsHttpAndHttpsUrlsIncludingPrivateOnes) {
  for (std::string url : {"http://localhost:8080/hook", "https://10.0.0.7/x",
                          "http://127.0.0.1/", "https://example.com"}) {
    SCOPED_TRACE(url);
    auto cmd = a_watch();
    cmd.webhook_url = url;
    EXPECT_TRUE(yields(watcher::decide(watcher::state{}, cmd), {"watcher.created"}));
  }
}

TEST(WatcherDecider, RejectsUrlsThatAreNotHttpOrHttps) {
  for (const std::string& url : std::vector<std::string>{
           "", "ftp://example.com", "example.com/hook", "file:///etc/passwd",
           "ws://example.com", "https:/example.com", "http://", "https:// x", "http:/h",
           "https://example.com/" + std::string(2048, 'x')}) {
    SCOPED_TRACE(url);
    auto cmd = a_watch();
    cmd.webhook_url = url;
    EXPECT_TRUE(fails_with(watcher::decide(watcher::state{}, cmd), errc::validation,
                           "webhook_url"));
  }
}

TEST(WatcherAccess, AUrlIsAbsoluteHttpOrHttpsWithAHostOfAtMost2048Bytes) {
  auto host = watcher::check_webhook_url("https://hooks.example.com:8443/w?x=1");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(*host, "hooks.example.com");
  const std::string base = "https://example.com/";
  EXPECT_TRUE(
      watcher::check_webhook_url(base + std::string(2048 - base.size(), 'x')).ok());
  EXPECT_TRUE(
      fails_with(watcher::check_webhook_url(base + std::string(2049 - base.size(), 'x')),
                 errc::validation, "webhook_url"));
}

TEST(WatcherAccess, AChosenSecretHas16To256Characters) {
  EXPECT_TRUE(fails_with(watcher::check_webhook_secret(std::string(15, 's')),
                         errc::validation, "secret"));
  EXPECT_TRUE(watcher::check_webhook_secret(std::string(16, 's')).ok());
  EXPECT_TRUE(watcher::check_webhook_secret(std::string(256, 's')).ok());
  EXPECT_TRUE(fails_with(watcher::check_webhook_secret(std::string(257, 's')),
                         errc::validation, "secret"));
}

room::state a_room() {
  return a_deployments_room(room_id, org_id, t0);
}

room::state a_room_with_a_viewer_only() {
  return given(a_room(), {make_event(room_id, org_id, room_id, admin, t0,
                                     room::member_set{"us_viewer0001", actor_kind::user,
                                                      room::member_role::viewer})});
}

TEST(WatcherAccess, AWatcherIsSeenInItsOrganizationWhereItsRoomIsSeen) {
  const auto w = a_watcher();
  const auto room = a_room_with_a_viewer_only();
  const room::caller viewer{actor_kind::user, "us_viewer0001", user::user_role::member};
  const room::caller unlisted{actor_kind::user, "us_other00001", user::user_role::member};
  EXPECT_TRUE(watcher::visible_to(w, &room, org_id, viewer));
  EXPECT_FALSE(watcher::visible_to(w, &room, "org_other00001", viewer));
  EXPECT_FALSE(watcher::visible_to(w, &room, org_id, unlisted));
  EXPECT_FALSE(watcher::visible_to(w, nullptr, org_id, viewer));
  auto deleted = fold(w, watcher::decide(w, remove_by(creator)));
  EXPECT_FALSE(watcher::visible_to(deleted, &room, org_id, viewer));
}

TEST(WatcherAccess, ItsManagersRedeliverWhileItDelivers) {
  const auto w = a_watcher();
  EXPECT_TRUE(watcher::check_redelivery(w, creator, false).ok());
  EXPECT_TRUE(watcher::check_redelivery(w, someone_else, true).ok());
  EXPECT_TRUE(
      fails_with(watcher::check_redelivery(w, someone_else, false), errc::forbidden));
  EXPECT_TRUE(
      fails_with(watcher::check_manager(w, someone_else, false), errc::forbidden));
  auto disabled = fold(w, watcher::decide(w, watcher::disable{20, t0 + minute}));
  EXPECT_TRUE(watcher::check_manager(disabled, creator, false).ok());
  EXPECT_TRUE(
      fails_with(watcher::check_redelivery(disabled, creator, false), errc::conflict));
}

TEST(WatcherDecider, NamesTheUnknownEventTypeByIndex) {
  auto cmd = a_watch();
  cmd.event_types = {"checkin.created", "checkin.approved", "checkin.exploded"};
  EXPECT_TRUE(fails_with(watcher::decide(watcher::state{}, cmd), errc::validation,
                         "event_types[2]"));
  cmd.event_types = {"user.created"};
  EXPECT_TRUE(fails_with(watcher::decide(watcher::state{}, cmd), errc::validation,
                         "event_types[0]"));
  cmd.event_types = {""};
  EXPECT_TRUE(fails_with(watcher::decide(watcher::state{}, cmd), errc::validation,
                         "event_types[0]"));
}

TEST(WatcherDecider, AcceptsEveryRoomEventTypeAndNoneMeaningAll) {
  auto cmd = a_watch();
  cmd.event_types.clear();
  EXPECT_TRUE(yields(watcher::decide(watcher::state{}, cmd), {"watcher.created"}));
  for (auto t : watcher::room_event_types())
    cmd.event_types.emplace_back(t);
  EXPECT_TRUE(yields(watcher::decide(watcher::state{}, cmd), {"watcher.created"}));
}

TEST(WatcherDecider, KnowsEveryRoomEventTypeOfTheApi) {
  for (std::string_view t :
       {"checkin.created", "checkin.approved", "checkin.rejected", "checkin.modified",
        "checkin.expired", "checkin.withdrawn", "checkin.claimed", "checkin.released",
        "checkin.message", "checkin.help_requested", "checkin.helper_joined",
        "checkin.submitted", "checkin.approval_recorded", "checkin.extended",
        "checkin.expiring", "signal.broadcast", "room.updated", "room.policy_updated"}) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(watcher::is_room_event_type(t));
  }
  EXPECT_FALSE(watcher::is_room_event_type("checkin"));
  EXPECT_FALSE(watcher::is_room_event_type("org.created"));
}

TEST(WatcherDecider, FilterSerializesToAtMost10KiB) {
  auto cmd = a_watch();
  cmd.filter = json::object{{"k", std::string(10240 - 8, 'x')}};
  EXPECT_TRUE(yields(watcher::decide(watcher::state{}, cmd), {"watcher.created"}));
  cmd.filter = json::object{{"k", std::string(10240 - 7, 'x')}};
  EXPECT_TRUE(
      fails_with(watcher::decide(watcher::state{}, cmd), errc::validation, "filter"));
}

TEST(WatcherDecider, RejectsCreatingAnIdThatExists) {
  EXPECT_TRUE(fails_with(watcher::decide(a_watcher(), a_watch()), errc::conflict));
}

TEST(WatcherDecider, ItsCreatorDeletesAWatcher) {
  auto s = a_watcher();
  auto out = watcher::decide(s, remove_by(creator));
  ASSERT_TRUE(yields(out, {"watcher.deleted"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, watcher_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, creator);
  EXPECT_EQ(payload<watcher::deleted>(e).id, watcher_id);
  auto after = fold(s, out);
  EXPECT_TRUE(after.deleted);
  EXPECT_EQ(after.version, 2u);
}

TEST(WatcherDecider, AnAdminDeletesSomeoneElsesWatcher) {
  EXPECT_TRUE(
      yields(watcher::decide(a_watcher(), remove_by(admin, true)), {"watcher.deleted"}));
}

TEST(WatcherDecider, ForbidsOthersToDeleteAWatcher) {
  auto s = a_watcher();
  EXPECT_TRUE(fails_with(watcher::decide(s, remove_by(someone_else)), errc::forbidden));
  EXPECT_TRUE(fails_with(watcher::decide(s, remove_by(actor_ref::agent("ag_other00001"))),
                         errc::forbidden));
  // Same id, other kind: not the creator.
  EXPECT_TRUE(fails_with(watcher::decide(s, remove_by(actor_ref::user(creator.id))),
                         errc::forbidden));
}

TEST(WatcherDecider, ADeletedWatcherIsGone) {
  // The idempotency of delete: a second delete appends nothing; the watcher is gone.
  auto s = a_watcher();
  s = fold(s, watcher::decide(s, remove_by(creator)));
  EXPECT_TRUE(fails_with(watcher::decide(s, remove_by(creator)), errc::not_found));
  EXPECT_TRUE(fails_with(watcher::decide(s, remove_by(admin, true)), errc::not_found));
}

TEST(WatcherDecider, DeletingAMissingWatcherIsNotFound) {
  EXPECT_TRUE(fails_with(watcher::decide(watcher::state{}, remove_by(admin, true)),
                         errc::not_found));
}

// --- signals -----------------------------------------------------------------

signal::broadcast_signal a_signal(std::string type = "deploy.freeze",
                                  json::object payload = {{"until", "friday"}}) {
  return signal::broadcast_signal{.id = signal_id,
                                  .type = std::move(type),
                                  .payload = std::move(payload),
                                  .by = someone_else,
                                  .now = t0 + minute};
}

TEST(SignalDecider, BroadcastsInTheSignalsOwnStreamWithTheRoomSet) {
  auto out = signal::decide(a_room(), a_signal());
  ASSERT_TRUE(yields(out, {"signal.broadcast"}));
  const auto& e = out->at(0);
  EXPECT_EQ(e.meta.stream, signal_id);
  EXPECT_EQ(e.meta.room_id, room_id);
  EXPECT_EQ(e.meta.org_id, org_id);
  EXPECT_EQ(e.meta.actor, someone_else);
  EXPECT_EQ(e.meta.at, t0 + minute);
  const auto& b = payload<signal::broadcast>(e);
  EXPECT_EQ(b.id, signal_id);
  EXPECT_EQ(b.room_id, room_id);
  EXPECT_EQ(b.type, "deploy.freeze");
  EXPECT_EQ(b.payload, (json::object{{"until", "friday"}}));
}

TEST(SignalDecider, TypeHas1To100CodePoints) {
  auto r = a_room();
  EXPECT_TRUE(fails_with(signal::decide(r, a_signal("")), errc::validation, "type"));
  EXPECT_TRUE(fails_with(signal::decide(r, a_signal(std::string(101, 't'))),
                         errc::validation, "type"));
  EXPECT_TRUE(yields(signal::decide(r, a_signal("t")), {"signal.broadcast"}));
  std::string longest;
  for (int i = 0; i < 100; ++i)
    longest += "\xC3\xA9";
  EXPECT_TRUE(yields(signal::decide(r, a_signal(longest)), {"signal.broadcast"}));
}

TEST(SignalDecider, PayloadSerializesToAtMost10KiB) {
  auto r = a_room();
  EXPECT_TRUE(yields(signal::decide(r, a_signal("t", {})), {"signal.broadcast"}));
  EXPECT_TRUE(
      yields(signal::decide(r, a_signal("t", {{"k", std::string(10240 - 8, 'x')}})),
             {"signal.broadcast"}));
  EXPECT_TRUE(
      fails_with(signal::decide(r, a_signal("t", {{"k", std::string(10240 - 7, 'x')}})),
                 errc::validation, "payload"));
}

TEST(SignalDecider, SignalToAMissingRoomIsNotFound) {
  EXPECT_TRUE(fails_with(signal::decide(room::state{}, a_signal()), errc::not_found));
}

TEST(SignalDecider, EverySignalIsItsOwnFact) {
  // Signals have no state to hold an intent: the same command twice broadcasts twice
  // (the HTTP layer deduplicates retries with the Idempotency-Key).
  auto r = a_room();
  EXPECT_TRUE(yields(signal::decide(r, a_signal()), {"signal.broadcast"}));
  EXPECT_TRUE(yields(signal::decide(r, a_signal()), {"signal.broadcast"}));
}

} // namespace
} // namespace waitroom::events
