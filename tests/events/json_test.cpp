// JSON facts the domain rules rely on: equality, dotted paths, merge, lengths, wire
// names.

#include "events/checkin/terms.hpp"
#include "events/json.hpp"
#include "events/json_writer.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <string>

namespace waitroom::events {
namespace {

namespace json = boost::json;

bool equal(std::string_view a, std::string_view b) {
  return json_equal(json::parse(a), json::parse(b));
}

TEST(Json, NumbersCompareByValue) {
  EXPECT_TRUE(equal("1", "1.0"));
  EXPECT_TRUE(equal("1.0", "1"));
  EXPECT_TRUE(equal("0", "-0.0"));
  EXPECT_TRUE(equal("1e2", "100"));
  EXPECT_TRUE(equal("18446744073709551615", "18446744073709551615"));
  EXPECT_FALSE(equal("1", "2"));
  EXPECT_FALSE(equal("1", "1.5"));
  EXPECT_FALSE(equal("1", "\"1\""));
  EXPECT_FALSE(equal("1", "true"));
}

TEST(Json, SignedAndUnsignedIntegersCompareByValue) {
  EXPECT_TRUE(json_equal(json::value(std::int64_t{5}), json::value(std::uint64_t{5})));
  EXPECT_TRUE(json_equal(json::value(std::uint64_t{5}), json::value(std::int64_t{5})));
  EXPECT_FALSE(json_equal(json::value(std::int64_t{-1}), json::value(std::uint64_t(-1))));
}

TEST(Json, ObjectsIgnoreKeyOrderArraysDoNot) {
  EXPECT_TRUE(
      equal(R"({"a": 1, "b": {"c": [1, 2]}})", R"({"b": {"c": [1.0, 2]}, "a": 1.0})"));
  EXPECT_FALSE(equal(R"({"a": 1})", R"({"a": 1, "b": null})"));
  EXPECT_FALSE(equal(R"({"a": 1})", R"({"b": 1})"));
  EXPECT_FALSE(equal("[1, 2]", "[2, 1]"));
  EXPECT_FALSE(equal("[1]", "[1, 1]"));
  EXPECT_TRUE(equal("[]", "[]"));
  EXPECT_FALSE(equal("[]", "{}"));
}

TEST(Json, ScalarsCompareByKindAndValue) {
  EXPECT_TRUE(equal("null", "null"));
  EXPECT_TRUE(equal("true", "true"));
  EXPECT_FALSE(equal("true", "false"));
  EXPECT_TRUE(equal(R"("x")", R"("x")"));
  EXPECT_FALSE(equal(R"("x")", R"("X")"));
  EXPECT_FALSE(equal("null", "false"));
  EXPECT_FALSE(equal("null", "0"));
}

TEST(Json, LooksUpDottedPaths) {
  auto o = json::parse(R"({"a": {"b": {"c": 3}}, "x": 1, "s": "str", "a.b": "exact"})")
               .as_object();
  ASSERT_NE(lookup_path(o, "a.b.c"), nullptr);
  EXPECT_EQ(*lookup_path(o, "a.b.c"), 3);
  EXPECT_EQ(*lookup_path(o, "x"), 1);
  EXPECT_TRUE(lookup_path(o, "a.b")->is_string())
      << "an exact key wins over a dotted path";
  EXPECT_EQ(lookup_path(o, "a.z"), nullptr);
  EXPECT_EQ(lookup_path(o, "s.length"), nullptr);
  EXPECT_EQ(lookup_path(o, "missing"), nullptr);
  EXPECT_EQ(lookup_path(o, "a.b.c.d"), nullptr);
  auto nested = json::parse(R"({"a": {"b": {"c": 3}}})").as_object();
  EXPECT_TRUE(lookup_path(nested, "a.b")->is_object());
}

TEST(Json, ShallowMergeReplacesTopLevelKeys) {
  auto base = json::parse(R"({"a": 1, "b": {"x": 1, "y": 2}})").as_object();
  shallow_merge(base, json::parse(R"({"b": {"x": 9}, "c": 3})").as_object());
  EXPECT_EQ(json::value(base), json::parse(R"({"a": 1, "b": {"x": 9}, "c": 3})"));
}

TEST(Json, CountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("\xC3\xA9"), 1u);
  EXPECT_EQ(utf8_length("\xE2\x82\xAC"), 1u);
  EXPECT_EQ(utf8_length("\xF0\x9F\x9A\x80"), 1u);
  EXPECT_EQ(utf8_length("d\xC3\xA9ploy \xF0\x9F\x9A\x80"), 8u);
}

TEST(Json, ValidatesUtf8) {
  EXPECT_TRUE(utf8_valid(""));
  EXPECT_TRUE(utf8_valid("plain ascii"));
  EXPECT_TRUE(utf8_valid("d\xC3\xA9ploy \xE2\x82\xAC \xF0\x9F\x9A\x80"));
  EXPECT_TRUE(utf8_valid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_FALSE(utf8_valid("\xC3"));             // truncated
  EXPECT_FALSE(utf8_valid("\x80"));             // lone continuation byte
  EXPECT_FALSE(utf8_valid("\xC0\xAF"));         // overlong '/'
  EXPECT_FALSE(utf8_valid("\xE0\x80\xAF"));     // overlong
  EXPECT_FALSE(utf8_valid("\xED\xA0\x80"));     // surrogate U+D800
  EXPECT_FALSE(utf8_valid("\xF4\x90\x80\x80")); // above U+10FFFF
  EXPECT_FALSE(utf8_valid("\xFF"));
  EXPECT_FALSE(utf8_valid("\xE2\x82x")); // bad continuation
}

TEST(Json, MeasuresTheCompactSerialization) {
  EXPECT_EQ(compact_size(json::parse(R"({ "a" : [ 1 , 2 ] })")),
            std::string(R"({"a":[1,2]})").size());
  EXPECT_EQ(compact_size(json::value("\xC3\xA9")), 4u); // quotes + two UTF-8 bytes
  json::object big{{"k", std::string(20000, 'x')}};
  EXPECT_EQ(compact_size(json::value(big)), 20008u);
}

TEST(Json, EnumWireNamesRoundTrip) {
  using checkin::timeout_behavior;
  EXPECT_EQ(wire_name(timeout_behavior::auto_approve), "auto_approve");
  EXPECT_EQ(parse_wire_name<timeout_behavior>("hold"), timeout_behavior::hold);
  EXPECT_FALSE(parse_wire_name<timeout_behavior>("Hold").has_value());
  EXPECT_FALSE(parse_wire_name<timeout_behavior>("").has_value());
  EXPECT_EQ(wire_names<timeout_behavior>(), "auto_approve, cancel, hold");
}

} // namespace
} // namespace waitroom::events

namespace waitroom::events {
namespace {

TEST(JsonWriter, WritesCompactJsonThatBoostReadsBack) {
  std::string out;
  json_writer w(out);
  w.begin_object();
  w.member("text", std::string_view("quote \" back \\ nl \n tab \t ctl \x01 é 🚀"));
  w.member("n", std::int64_t{-42});
  w.member("u", std::uint64_t{18446744073709551615ull});
  w.member("d", 0.1);
  w.member("b", true);
  w.member("none", std::optional<std::string>());
  w.member("at", timestamp{0});
  w.key("list");
  w.begin_array();
  w.value(1);
  w.value("two");
  w.begin_object();
  w.end_object();
  w.end_array();
  w.member("raw", boost::json::value(boost::json::object{{"k", 1}}));
  w.end_object();
  EXPECT_EQ(out.find('\n'), std::string::npos);
  auto v = boost::json::parse(out);
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("text").as_string(), "quote \" back \\ nl \n tab \t ctl \x01 é 🚀");
  EXPECT_EQ(o.at("n").as_int64(), -42);
  EXPECT_EQ(o.at("u").as_uint64(), 18446744073709551615ull);
  EXPECT_DOUBLE_EQ(o.at("d").as_double(), 0.1);
  EXPECT_TRUE(o.at("b").as_bool());
  EXPECT_TRUE(o.at("none").is_null());
  EXPECT_EQ(o.at("at").as_string(), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(o.at("list").as_array().size(), 3u);
  EXPECT_EQ(o.at("raw").at("k").as_int64(), 1);
  EXPECT_NE(out.find(R"(\u0001)"), std::string::npos);
}

} // namespace
} // namespace waitroom::events
