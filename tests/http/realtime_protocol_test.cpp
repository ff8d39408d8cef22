// The Supabase Realtime frames (http/live/realtime_protocol.hpp) without a socket: both
// serializers in and out, the client's binary broadcast, topics, and what is refused.
#include "http/live/realtime_protocol.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace waitroom::http::realtime {
namespace {

namespace json = boost::json;

/// A binary frame laid out as realtime-js 2.119.1's serializer writes a broadcast.
std::string client_broadcast(std::string_view join_ref, std::string_view ref,
                             std::string_view topic, std::string_view event,
                             std::string_view meta, unsigned char encoding,
                             std::string_view payload) {
  std::string out;
  out += static_cast<char>(3);
  for (auto f : {join_ref, ref, topic, event, meta})
    out += static_cast<char>(f.size());
  out += static_cast<char>(encoding);
  for (auto f : {join_ref, ref, topic, event, meta, payload})
    out += f;
  return out;
}

TEST(RealtimeProtocol, KnowsBothSerializers) {
  EXPECT_EQ(vsn_of("1.0.0"), vsn::v1);
  EXPECT_EQ(vsn_of("2.0.0"), vsn::v2);
  EXPECT_FALSE(vsn_of("2.0"));
  EXPECT_FALSE(vsn_of(""));
  EXPECT_FALSE(vsn_of("3.0.0"));
}

TEST(RealtimeProtocol, ReadsObjectsIn1AndArraysIn2) {
  auto v1 =
      decode_text(vsn::v1, R"({"topic":"realtime:room:rm_a:events","event":"phx_join",)"
                           R"("payload":{"config":{}},"ref":"1","join_ref":"1"})");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v1->topic, "realtime:room:rm_a:events");
  EXPECT_EQ(v1->event, "phx_join");
  EXPECT_EQ(v1->ref, json::value("1"));
  EXPECT_EQ(v1->join_ref, json::value("1"));
  EXPECT_TRUE(v1->payload.contains("config"));

  auto v2 = decode_text(vsn::v2, R"([null,"5","phoenix","heartbeat",{}])");
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_TRUE(v2->join_ref.is_null());
  EXPECT_EQ(v2->ref, json::value("5"));
  EXPECT_EQ(v2->topic, "phoenix");
  EXPECT_EQ(v2->event, "heartbeat");

  // absent refs and payload are null and {}; integer refs are kept as sent
  auto bare = decode_text(vsn::v1, R"({"topic":"phoenix","event":"heartbeat","ref":7})");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->join_ref.is_null());
  EXPECT_EQ(bare->ref, json::value(7));
  EXPECT_TRUE(bare->payload.empty());
}

TEST(RealtimeProtocol, RefusesWhatIsNotAFrame) {
  struct bad_case {
    vsn v;
    const char* text;
    const char* field;
  };
  for (const auto& c : {
           bad_case{vsn::v1, "not json", "frame"},
           bad_case{vsn::v1, R"(["1","1","phoenix","heartbeat",{}])", "frame"},
           bad_case{vsn::v2, R"({"topic":"phoenix","event":"heartbeat"})", "frame"},
           bad_case{vsn::v2, R"(["1","1","phoenix","heartbeat"])", "frame"},
           bad_case{vsn::v2, R"(["1","1","phoenix","heartbeat",{},1])", "frame"},
           bad_case{vsn::v2, R"(["1","1","","heartbeat",{}])", "topic"},
           bad_case{vsn::v2, R"(["1","1",5,"heartbeat",{}])", "topic"},
           bad_case{vsn::v2, R"(["1","1","phoenix",null,{}])", "event"},
           bad_case{vsn::v2, R"(["1","1","phoenix","heartbeat",[]])", "payload"},
           bad_case{vsn::v2, R"(["1",{"a":1},"phoenix","heartbeat",{}])", "ref"},
           bad_case{vsn::v2, R"([true,"1","phoenix","heartbeat",{}])", "join_ref"},
           bad_case{vsn::v1, R"({"topic":"phoenix","event":"heartbeat","ref":1.5})",
                    "ref"},
       }) {
    SCOPED_TRACE(c.text);
    auto f = decode_text(c.v, c.text);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().field, c.field);
  }
  const std::string long_topic(256, 't');
  EXPECT_FALSE(decode_text(vsn::v2, R"(["1","1",")" + long_topic + R"(","e",{}])"));
  EXPECT_TRUE(
      decode_text(vsn::v2, R"(["1","1",")" + long_topic.substr(1) + R"(","e",{}])"));
}

TEST(RealtimeProtocol, ReadsTheClientsBinaryBroadcast) {
  const std::string topic = "realtime:room:rm_\xc3\xa9t\xc3\xa9:events"; // UTF-8 bytes
  auto f = decode_binary(client_broadcast("12", "13", topic, "hello",
                                          R"({"persist":true})", 1, R"({"a":[1,2]})"));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->join_ref, json::value("12"));
  EXPECT_EQ(f->ref, json::value("13"));
  EXPECT_EQ(f->topic, topic);
  EXPECT_EQ(f->event, "broadcast");
  EXPECT_EQ(json::value(f->payload), json::parse(R"({"type":"broadcast","event":"hello",)"
                                                 R"("payload":{"a":[1,2]},)"
                                                 R"("meta":{"persist":true}})"));
  // bytes as payload, no metadata, no refs
  auto raw = decode_binary(client_broadcast("", "", "t", "e", "", 0, "\x01\x02"));
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_TRUE(raw->join_ref.is_null());
  EXPECT_TRUE(raw->ref.is_null());
  EXPECT_TRUE(raw->payload.at("payload").is_null());
  EXPECT_FALSE(raw->payload.contains("meta"));
}

TEST(RealtimeProtocol, RefusesBadBinaryFrames) {
  auto good = client_broadcast("1", "2", "t", "e", "", 1, "{}");
  EXPECT_TRUE(decode_binary(good));
  EXPECT_FALSE(decode_binary(""));
  EXPECT_FALSE(
      decode_binary(std::string("\x04\x01\x01\x01\x01\x01", 6))); // kind 4 is ours
  EXPECT_FALSE(decode_binary(good.substr(0, 5)));                 // short header
  EXPECT_FALSE(decode_binary(good.substr(0, 9)));                 // short fields
  auto enc = good;
  enc[6] = 2;
  EXPECT_FALSE(decode_binary(enc)); // encoding
  EXPECT_FALSE(decode_binary(client_broadcast("1", "2", "t", "e", "", 1, "{"))); // JSON
  EXPECT_FALSE(
      decode_binary(client_broadcast("1", "2", "t", "e", "[1]", 1, "{}"))); // meta
  EXPECT_FALSE(
      decode_binary(client_broadcast("1", "2", "\xff", "e", "", 1, "{}")));      // UTF-8
  EXPECT_FALSE(decode_binary(client_broadcast("1", "2", "", "e", "", 1, "{}"))); // topic
  EXPECT_FALSE(decode_binary(client_broadcast("1", "2", "t", "", "", 1, "{}"))); // event
}

TEST(RealtimeProtocol, WritesRepliesWithTheRefsAsSent) {
  auto join =
      decode_text(vsn::v2, R"(["3","3","realtime:room:rm_a:events","phx_join",{}])");
  ASSERT_TRUE(join);
  EXPECT_EQ(reply(vsn::v2, *join, true, {{"postgres_changes", json::array()}}),
            R"(["3","3","realtime:room:rm_a:events","phx_reply",)"
            R"({"status":"ok","response":{"postgres_changes":[]}}])");
  EXPECT_EQ(
      json::parse(error_reply(vsn::v1, *join, "room not found")),
      json::parse(
          R"({"topic":"realtime:room:rm_a:events","event":"phx_reply",)"
          R"("ref":"3","join_ref":"3",)"
          R"("payload":{"status":"error","response":{"reason":"room not found"}}})"));
  EXPECT_EQ(close_channel(vsn::v2, "realtime:room:rm_a:events", json::value("3")),
            R"(["3","3","realtime:room:rm_a:events","phx_close",{}])");
}

TEST(RealtimeProtocol, BroadcastsCarryTheEnvelopeUnchanged) {
  const std::string envelope =
      R"({"seq":9,"type":"checkin.created","data":{"x":"\u00e9"}})";
  EXPECT_EQ(broadcast(vsn::v2, "rm_a", "checkin.created", envelope),
            R"([null,null,"realtime:room:rm_a:events","broadcast",)"
            R"({"type":"broadcast","event":"checkin.created","payload":)" +
                envelope + "}]");
  auto v1 = json::parse(broadcast(vsn::v1, "rm_a", "checkin.created", envelope));
  EXPECT_EQ(v1, json::parse(R"({"topic":"realtime:room:rm_a:events","event":"broadcast",)"
                            R"("ref":null,"join_ref":null,"payload":{"type":"broadcast",)"
                            R"("event":"checkin.created","payload":)" +
                            envelope + "}}"));
}

TEST(RealtimeProtocol, NamesRoomTopics) {
  EXPECT_EQ(room_topic("rm_abc"), "realtime:room:rm_abc:events");
  EXPECT_EQ(room_of_topic("realtime:room:rm_abc:events"), "rm_abc");
  EXPECT_EQ(room_of_topic(room_topic("general")), "general"); // the session checks ids
  for (auto t : {"room:rm_abc:events", "realtime:room::events", "realtime:room:rm_abc",
                 "realtime:room:a:b:events", "realtime:rooms:rm_abc:events", "phoenix"})
    EXPECT_FALSE(room_of_topic(t)) << t;
}

} // namespace
} // namespace waitroom::http::realtime
