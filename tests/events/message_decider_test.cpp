// Thread messages (API.md "Thread messages and participants"): types, limits,
// attachments and who may write, as given(events) / when(post_message) / then.

#include "events/checkin/decider.hpp"
#include "events/json.hpp"
#include "events/room/decider.hpp"
#include "given_when_then.hpp"
#include "rooms.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace waitroom::events::checkin {
namespace {

using namespace waitroom::events::testing;
namespace json = boost::json;

const timestamp t0 = at("2026-11-24T10:00:00.000Z");

const std::string org_id = "org_acme000001";
const std::string room_id = "rm_deploy0001";
const std::string asker = "ag_asker00001";  // the agent of an agent check-in
const std::string worker = "ag_worker0001"; // primary of a task
const std::string helper = "ag_helper0001";
const std::string stranger = "ag_strange001";
const std::string poster = "us_poster0001";
const std::string bob = "us_bob0000001";

// --- givens ------------------------------------------------------------------

room::state a_room() {
  return a_deployments_room(room_id, org_id, t0);
}

fresh_ids three_ids() {
  return {"msg_0000000001", "msg_0000000002", "msg_0000000003"};
}

state fold(state s, const outcome<event_list>& out) {
  if (!out.ok())
    throw std::runtime_error("expected events, got " + describe(out.error()));
  return given(std::move(s), out.value());
}

state an_agent_checkin() {
  create c;
  c.id = "ci_agent00001";
  c.room_id = room_id;
  c.org_id = org_id;
  c.agent_id = asker;
  c.action = "deploy";
  c.now = t0;
  c.message_ids = three_ids();
  return fold(state{}, decide_create(c, a_room(), 15.0));
}

state an_open_task() {
  create_task c;
  c.id = "ci_task000001";
  c.room_id = room_id;
  c.org_id = org_id;
  c.by = actor_ref::user(poster);
  c.action = "rotate certificates";
  c.now = t0;
  c.message_ids = three_ids();
  return fold(state{}, decide_create_task(c, a_room()));
}

/// A task claimed by `worker` with `helper` helping.
state a_claimed_task() {
  auto s = an_open_task();
  s = fold(s, decide(s, claim{.by = actor_ref::agent(worker),
                              .now = t0 + minute,
                              .message_ids = three_ids()}));
  return fold(s, decide(s, join{.by = actor_ref::agent(helper), .now = t0 + minute}));
}

// --- commands ----------------------------------------------------------------

post_message post_by(actor_ref by, std::string content = "looks good",
                     message_kind type = message_kind::comment) {
  post_message m;
  m.by = std::move(by);
  m.type = type;
  m.content = std::move(content);
  m.now = t0 + 2 * minute;
  m.message_ids = three_ids();
  return m;
}

post_message by_person(std::string content = "looks good") {
  return post_by(actor_ref::user(bob), std::move(content));
}

post_message with_attachments(std::string_view json_array) {
  auto m = by_person();
  m.attachments = json::parse(json_array).as_array();
  return m;
}

json::value attachment(int i) {
  return json::object{{"name", "file" + std::to_string(i) + ".txt"},
                      {"url", "https://example.com/" + std::to_string(i)}};
}

// =============================================================================
// types
// =============================================================================

TEST(MessageDecider, PostsEveryClientTypeAsACheckInMessage) {
  auto s = an_agent_checkin();
  for (auto type : {message_kind::comment, message_kind::question,
                    message_kind::escalation, message_kind::result}) {
    SCOPED_TRACE(wire_name(type));
    auto cmd = post_by(actor_ref::user(bob), "hello", type);
    cmd.metadata = json::object{{"k", 1}};
    cmd.attachments = json::array{attachment(0)};
    auto out = decide(s, cmd);
    ASSERT_TRUE(yields(out, {"checkin.message"}));
    const auto& e = out->at(0);
    EXPECT_EQ(e.meta.stream, "ci_agent00001");
    EXPECT_EQ(e.meta.room_id, room_id);
    EXPECT_EQ(e.meta.org_id, org_id);
    EXPECT_EQ(e.meta.actor, actor_ref::user(bob));
    EXPECT_EQ(e.meta.at, t0 + 2 * minute);
    const auto& m = payload<message_posted>(e);
    EXPECT_EQ(m.id, "msg_0000000001");
    EXPECT_EQ(m.type, type);
    EXPECT_EQ(m.author, actor_ref::user(bob));
    EXPECT_EQ(m.content, "hello");
    EXPECT_EQ(m.metadata, (json::object{{"k", 1}}));
    EXPECT_EQ(m.attachments, json::array{attachment(0)});
  }
}

TEST(MessageDecider, RejectsTheTypesOnlyTheServerWrites) {
  auto s = an_agent_checkin();
  for (auto type : {message_kind::status_change, message_kind::decision}) {
    SCOPED_TRACE(wire_name(type));
    EXPECT_TRUE(fails_with(decide(s, post_by(actor_ref::user(bob), "x", type)),
                           errc::validation, "type"));
    EXPECT_TRUE(fails_with(decide(s, post_by(actor_ref::agent(asker), "x", type)),
                           errc::validation, "type"));
  }
}

TEST(MessageDecider, AMessageMovesTheVersionButNotTheStatus) {
  auto s = an_agent_checkin();
  auto after = fold(s, decide(s, by_person()));
  EXPECT_EQ(after.version, s.version + 1);
  EXPECT_EQ(after.status, s.status);
  EXPECT_EQ(after.decision, s.decision);
}

TEST(MessageDecider, MessageOnAMissingCheckInIsNotFound) {
  EXPECT_TRUE(fails_with(decide(state{}, by_person()), errc::not_found));
}

TEST(MessageDecider, MessageWithoutAFreshIdIsAnInternalError) {
  auto cmd = by_person();
  cmd.message_ids.clear();
  EXPECT_TRUE(fails_with(decide(an_agent_checkin(), cmd), errc::internal));
}

// =============================================================================
// content and metadata
// =============================================================================

TEST(MessageDecider, ContentHas1To10000CodePoints) {
  auto s = an_agent_checkin();
  EXPECT_TRUE(fails_with(decide(s, by_person("")), errc::validation, "content"));
  EXPECT_TRUE(fails_with(decide(s, by_person(std::string(10001, 'c'))), errc::validation,
                         "content"));
  EXPECT_TRUE(yields(decide(s, by_person("c")), {"checkin.message"}));
  EXPECT_TRUE(yields(decide(s, by_person(std::string(10000, 'c'))), {"checkin.message"}));
  std::string wide;
  for (int i = 0; i < 10000; ++i)
    wide += "\xF0\x9F\x9A\x80"; // U+1F680: 4 bytes, one code point
  EXPECT_TRUE(yields(decide(s, by_person(wide)), {"checkin.message"}));
  EXPECT_TRUE(
      fails_with(decide(s, by_person(wide + "\xC3\xA9")), errc::validation, "content"));
}

TEST(MessageDecider, MetadataSerializesToAtMost10KiB) {
  auto s = an_agent_checkin();
  auto cmd = by_person();
  cmd.metadata = json::object{{"k", std::string(10240 - 8, 'x')}};
  ASSERT_EQ(compact_size(json::value(cmd.metadata)), 10240u);
  EXPECT_TRUE(yields(decide(s, cmd), {"checkin.message"}));
  cmd.metadata = json::object{{"k", std::string(10240 - 7, 'x')}};
  EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, "metadata"));
}

TEST(MessageDecider, TypeIsCheckedBeforeContent) {
  EXPECT_TRUE(fails_with(decide(an_agent_checkin(), post_by(actor_ref::user(bob), "",
                                                            message_kind::decision)),
                         errc::validation, "type"));
}

// =============================================================================
// attachments
// =============================================================================

TEST(MessageDecider, AcceptsUpToTenAttachments) {
  auto s = an_agent_checkin();
  auto cmd = by_person();
  for (int i = 0; i < 10; ++i)
    cmd.attachments.push_back(attachment(i));
  EXPECT_TRUE(yields(decide(s, cmd), {"checkin.message"}));
  cmd.attachments.push_back(attachment(10));
  EXPECT_TRUE(fails_with(decide(s, cmd), errc::validation, "attachments"));
}

TEST(MessageDecider, AcceptsAllAttachmentFields) {
  EXPECT_TRUE(
      yields(decide(an_agent_checkin(),
                    with_attachments(R"([{"name": "log.txt", "url": "http://10.0.0.1/log",
                                   "content_type": "text/plain", "size": 0},
                                  {"name": "big.bin", "url": "https://example.com/b",
                                   "size": 18446744073709551615}])")),
             {"checkin.message"}));
}

TEST(MessageDecider, NamesTheOffendingAttachmentField) {
  auto s = an_agent_checkin();
  struct example {
    const char* attachments;
    const char* field;
  };
  for (auto [attachments, field] : {
           example{R"([{"name": "a", "url": "https://x"}, 7])", "attachments[1]"},
           example{R"([{"url": "https://x"}])", "attachments[0].name"},
           example{R"([{"name": "a"}])", "attachments[0].url"},
           example{R"([{"name": "a", "url": "https://x"},
                       {"name": "b", "url": "ftp://x"}])",
                   "attachments[1].url"},
           example{R"([{"name": "a", "url": "HTTPS//x"}])", "attachments[0].url"},
           example{R"j([{"name": "a", "url": "javascript:alert(1)"}])j",
                   "attachments[0].url"},
           example{R"([{"name": "a", "url": 5}])", "attachments[0].url"},
           example{R"([{"name": "", "url": "https://x"}])", "attachments[0].name"},
           example{R"([{"name": 1, "url": "https://x"}])", "attachments[0].name"},
           example{R"([{"name": "a", "url": "https://x", "owner": "me"}])",
                   "attachments[0].owner"},
           example{R"([{"name": "a", "url": "https://x", "size": -1}])",
                   "attachments[0].size"},
           example{R"([{"name": "a", "url": "https://x", "size": 1.5}])",
                   "attachments[0].size"},
           example{R"([{"name": "a", "url": "https://x", "size": "10"}])",
                   "attachments[0].size"},
           example{R"([{"name": "a", "url": "https://x", "content_type": 3}])",
                   "attachments[0].content_type"},
       }) {
    SCOPED_TRACE(attachments);
    EXPECT_TRUE(
        fails_with(decide(s, with_attachments(attachments)), errc::validation, field));
  }
}

TEST(MessageDecider, LimitsAttachmentNamesTo255CodePointsAndUrlsTo2048Bytes) {
  auto s = an_agent_checkin();
  auto one = [](std::string name, std::string url) {
    auto m = by_person();
    m.attachments = json::array{json::object{{"name", name}, {"url", url}}};
    return m;
  };
  EXPECT_TRUE(
      yields(decide(s, one(std::string(255, 'n'), "https://x")), {"checkin.message"}));
  EXPECT_TRUE(fails_with(decide(s, one(std::string(256, 'n'), "https://x")),
                         errc::validation, "attachments[0].name"));
  auto url = "https://example.com/" + std::string(2048 - 20, 'u');
  ASSERT_EQ(url.size(), 2048u);
  EXPECT_TRUE(yields(decide(s, one("a", url)), {"checkin.message"}));
  EXPECT_TRUE(
      fails_with(decide(s, one("a", url + "u")), errc::validation, "attachments[0].url"));
}

// =============================================================================
// who may write
// =============================================================================

TEST(MessageDecider, TheAskingAgentWritesInItsCheckIn) {
  EXPECT_TRUE(yields(decide(an_agent_checkin(), post_by(actor_ref::agent(asker))),
                     {"checkin.message"}));
}

TEST(MessageDecider, ForbidsOtherAgentsInAnAgentCheckIn) {
  EXPECT_TRUE(fails_with(decide(an_agent_checkin(), post_by(actor_ref::agent(stranger))),
                         errc::forbidden));
}

TEST(MessageDecider, ThePrimaryAndHelpersWriteInATask) {
  auto s = a_claimed_task();
  auto primary = decide(s, post_by(actor_ref::agent(worker), "on it"));
  ASSERT_TRUE(yields(primary, {"checkin.message"}));
  EXPECT_EQ(payload<message_posted>(primary->at(0)).author, actor_ref::agent(worker));
  EXPECT_TRUE(yields(
      decide(s, post_by(actor_ref::agent(helper), "me too", message_kind::question)),
      {"checkin.message"}));
}

TEST(MessageDecider, ForbidsAgentsThatDoNotTakePartInATask) {
  EXPECT_TRUE(fails_with(decide(a_claimed_task(), post_by(actor_ref::agent(stranger))),
                         errc::forbidden));
  // An open task has no primary yet: nobody but helpers.
  EXPECT_TRUE(fails_with(decide(an_open_task(), post_by(actor_ref::agent(worker))),
                         errc::forbidden));
}

TEST(MessageDecider, AReleasingAgentNoLongerWritesUnlessItHelps) {
  auto s = a_claimed_task();
  s = fold(s, decide(s, release{.by = actor_ref::agent(worker),
                                .now = t0 + 2 * minute,
                                .message_ids = three_ids()}));
  EXPECT_TRUE(fails_with(decide(s, post_by(actor_ref::agent(worker))), errc::forbidden));
  EXPECT_TRUE(yields(decide(s, post_by(actor_ref::agent(helper))), {"checkin.message"}));
}

TEST(MessageDecider, PeopleWriteInEveryThread) {
  // The room's visibility is checked at the HTTP edge, where the room is known.
  for (const auto& s : {an_agent_checkin(), an_open_task(), a_claimed_task()}) {
    SCOPED_TRACE(wire_name(s.status));
    EXPECT_TRUE(yields(decide(s, post_by(actor_ref::user(bob))), {"checkin.message"}));
    EXPECT_TRUE(yields(decide(s, post_by(actor_ref::user(poster))), {"checkin.message"}));
  }
}

TEST(MessageDecider, ValidationComesBeforeParticipation) {
  EXPECT_TRUE(
      fails_with(decide(an_agent_checkin(), post_by(actor_ref::agent(stranger), "")),
                 errc::validation, "content"));
}

} // namespace
} // namespace waitroom::events::checkin
