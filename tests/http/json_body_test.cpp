// Strict request bodies: null means absent for every field (API.md), so an optional
// field sent as null takes its default and a required one is 400 "is required" —
// never an unset value handed on to a command.
#include "http/wire/json_body.hpp"

#include "events/checkin/terms.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace waitroom::http {
namespace {

namespace json = boost::json;
namespace ck = waitroom::events::checkin;

json::object body(std::string_view text) {
  return json::parse(text).as_object();
}

TEST(BodyReader, TreatsNullAsAbsentForOptionalFields) {
  auto b = body(R"({"s":null,"i":null,"b":null,"o":null,"a":null,"e":null})");
  body_reader r(b);
  EXPECT_FALSE(r.string("s").has_value());
  EXPECT_FALSE(r.integer("i").has_value());
  EXPECT_FALSE(r.boolean("b").has_value());
  EXPECT_FALSE(r.object("o").has_value());
  EXPECT_FALSE(r.array("a").has_value());
  EXPECT_FALSE(r.enumeration<ck::risk>("e").has_value());
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.has("s"));
  EXPECT_EQ(r.value("s"), nullptr);
}

TEST(BodyReader, RefusesNullForEveryKindOfRequiredField) {
  for (auto name : {"s", "i", "o", "e"}) {
    SCOPED_TRACE(name);
    auto b = body(R"({"s":null,"i":null,"o":null,"e":null})");
    body_reader r(b);
    const std::string_view n = name;
    bool read = n == "s"   ? r.string("s", true).has_value()
                : n == "i" ? r.integer("i", true).has_value()
                : n == "o" ? r.object("o", true).has_value()
                           : r.enumeration<ck::message_kind>("e", true).has_value();
    EXPECT_FALSE(read);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error()->field, name);
    EXPECT_EQ(r.error()->message, "is required");
  }
}

TEST(BodyReader, ReadsARequiredEnumerationOnlyWhenItIsOneOfItsNames) {
  auto good = body(R"({"type":"question"})");
  body_reader r(good);
  EXPECT_EQ(r.enumeration<ck::message_kind>("type", true), ck::message_kind::question);
  EXPECT_TRUE(r.ok());
  for (auto text : {R"({})", R"({"type":"bogus"})", R"({"type":1})", R"({"type":""})",
                    R"({"type":[]})"}) {
    SCOPED_TRACE(text);
    auto b = body(text);
    body_reader bad(b);
    EXPECT_FALSE(bad.enumeration<ck::message_kind>("type", true).has_value());
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error()->field, "type");
  }
}

TEST(BodyReader, NamesFieldsOfANestedObjectWithItsPath) {
  auto b = body(R"({"owner":{"name":"x","email":null}})");
  body_reader r(b);
  auto owner = r.object("owner", true);
  ASSERT_TRUE(owner);
  body_reader o(*owner, "owner.");
  EXPECT_TRUE(o.string("name", true));
  EXPECT_FALSE(o.string("email", true));
  r.adopt(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error()->field, "owner.email");
}

TEST(BodyReader, AnAliasSentAsNullDefersToTheOther) {
  auto b = body(R"({"metadata":null,"context":{"k":1}})");
  body_reader r(b);
  EXPECT_EQ(r.alias("metadata", "context"), "context");
  EXPECT_TRUE(r.ok());
}

} // namespace
} // namespace waitroom::http
