// RFC 3339 time: what the API and the log write, and what they accept.

#include "events/time.hpp"

#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include <string>

namespace waitroom::events {
namespace {

constexpr std::int64_t day_ms = 86'400'000;

std::optional<std::int64_t> ms_of(std::string_view text) {
  auto t = parse_rfc3339(text);
  if (!t) return std::nullopt;
  return t->ms;
}

TEST(Time, FormatsTheEpoch) {
  EXPECT_EQ(format_rfc3339(timestamp{0}), "1970-01-01T00:00:00.000Z");
}

TEST(Time, FormatsWithMillisecondsInUtc) {
  EXPECT_EQ(format_rfc3339(timestamp{1'795'514'400'000}), "2026-11-24T10:00:00.000Z");
  EXPECT_EQ(format_rfc3339(timestamp{1'795'514'400'007}), "2026-11-24T10:00:00.007Z");
  EXPECT_EQ(format_rfc3339(timestamp{951'782'400'000}), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(timestamp{253'402'300'799'999}), "9999-12-31T23:59:59.999Z");
}

TEST(Time, FormatsInstantsBeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339(timestamp{-1}), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(timestamp{-day_ms}), "1969-12-31T00:00:00.000Z");
}

TEST(Time, ParsesUtc) {
  EXPECT_EQ(ms_of("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(ms_of("2026-11-24T10:00:00.000Z"), 1'795'514'400'000);
  EXPECT_EQ(ms_of("2026-11-24t10:00:00z"), 1'795'514'400'000);
}

TEST(Time, ParsesNumericOffsets) {
  EXPECT_EQ(ms_of("2026-11-24T12:00:00+02:00"), 1'795'514'400'000);
  EXPECT_EQ(ms_of("2026-11-24T04:30:00-05:30"), 1'795'514'400'000);
  EXPECT_EQ(ms_of("2026-11-24T10:00:00+00:00"), 1'795'514'400'000);
  EXPECT_EQ(ms_of("2026-11-24T10:00:00-00:00"), 1'795'514'400'000);
  // The offset can move the instant to another day.
  EXPECT_EQ(ms_of("2026-11-25T00:30:00+01:00"), ms_of("2026-11-24T23:30:00Z"));
}

TEST(Time, ParsesFractionsTruncatedToMilliseconds) {
  EXPECT_EQ(ms_of("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ms_of("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(ms_of("1970-01-01T00:00:00.12Z"), 120);
  EXPECT_EQ(ms_of("1970-01-01T00:00:00.123Z"), 123);
  EXPECT_EQ(ms_of("1970-01-01T00:00:00.123999999Z"), 123);
  EXPECT_EQ(ms_of("1970-01-01T00:00:01.999+00:00"), 1999);
}

TEST(Time, RejectsImpossibleDates) {
  for (auto text :
       {"2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
        "2026-01-01T23:59:61Z", "1900-02-29T00:00:00Z"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(parse_rfc3339(text).has_value());
  }
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(parse_rfc3339("2000-02-29T00:00:00Z").has_value());
}

TEST(Time, RejectsMalformedText) {
  for (auto text :
       {"", "2026-11-24", "2026-11-24T10:00:00", "2026-11-24 10:00:00Z",
        "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00ZZ", "2026-11-24T10:00:00+0200",
        "2026-11-24T10:00:00+02", "2026-11-24T10:00:00+24:00",
        "2026-11-24T10:00:00+02:60", "26-11-24T10:00:00Z", "2026/11/24T10:00:00Z",
        "2026-11-24T1:00:00Z", "2026-1a-24T10:00:00Z", " 2026-11-24T10:00:00Z",
        "2026-11-24T10:00:00Z "}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(parse_rfc3339(text).has_value());
  }
}

TEST(Time, LeapSecondIsReadAsTheLastSecondOfTheMinute) {
  EXPECT_EQ(ms_of("2016-12-31T23:59:60Z"), ms_of("2016-12-31T23:59:59Z"));
}

TEST(Time, FormatThenParseRoundTrips) {
  for (std::int64_t ms :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{999},
        std::int64_t{1'795'514'400'123}, std::int64_t{951'868'799'999},
        std::int64_t{-62'135'596'800'000}, std::int64_t{253'402'300'799'999}}) {
    SCOPED_TRACE(ms);
    auto text = format_rfc3339(timestamp{ms});
    EXPECT_EQ(ms_of(text), ms);
    EXPECT_EQ(format_rfc3339(*parse_rfc3339(text)), text);
  }
}

TEST(Time, ParseThenFormatNormalisesToUtcMilliseconds) {
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-24T12:00:00.5+02:00")),
            "2026-11-24T10:00:00.500Z");
}

TEST(Time, ArithmeticInMilliseconds) {
  timestamp t{1000};
  EXPECT_EQ((t + 500).ms, 1500);
  EXPECT_EQ((t - 500).ms, 500);
  EXPECT_EQ(timestamp{3000} - t, 2000);
  EXPECT_LT(t, timestamp{1001});
}

TEST(Time, JsonConversionUsesRfc3339Strings) {
  auto v = boost::json::value_from(timestamp{1'795'514'400'000});
  EXPECT_EQ(v, "2026-11-24T10:00:00.000Z");
  auto back = boost::json::try_value_to<timestamp>(v);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->ms, 1'795'514'400'000);
  EXPECT_FALSE(boost::json::try_value_to<timestamp>(boost::json::value(42)).has_value());
  EXPECT_FALSE(
      boost::json::try_value_to<timestamp>(boost::json::value("2026-02-30T00:00:00Z"))
          .has_value());
}

} // namespace
} // namespace waitroom::events
