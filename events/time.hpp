#pragma once
/// Time in the domain: a UTC instant with millisecond precision, and durations as
/// integer milliseconds. The domain never reads a clock; `now` arrives in commands.

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace waitroom::events {

/// Milliseconds, the unit of every duration in the API and in events.
using duration_ms = std::int64_t;

/// A UTC instant, milliseconds since the Unix epoch. On the wire (API and log) it is an
/// RFC 3339 string with milliseconds, e.g. "2026-11-24T10:00:00.000Z".
struct timestamp {
  std::int64_t ms = 0;
  auto operator<=>(const timestamp&) const = default;
  timestamp operator+(duration_ms d) const { return {ms + d}; }
  timestamp operator-(duration_ms d) const { return {ms - d}; }
  duration_ms operator-(timestamp o) const { return ms - o.ms; }
};

/// "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string format_rfc3339(timestamp t);

/// Parses RFC 3339 ("Z" or a numeric offset; fraction optional, truncated to ms).
std::optional<timestamp> parse_rfc3339(std::string_view text);

/// JSON conversion (RFC 3339 string), used by the event codec and the HTTP renderer.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, timestamp t);
boost::json::result<timestamp> tag_invoke(const boost::json::try_value_to_tag<timestamp>&,
                                          const boost::json::value& jv);

} // namespace waitroom::events
