#include "events/time.hpp"

#include <boost/json/value.hpp>

#include <ctime>

namespace waitroom::events {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t y;
  unsigned m, d;
};

constexpr civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

} // namespace

std::string format_rfc3339(timestamp t) {
  std::int64_t ms = t.ms;
  std::int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  std::int64_t rem = ms - days * 86400000;
  auto c = civil_from_days(days);
  int h = static_cast<int>(rem / 3600000);
  int mi = static_cast<int>((rem / 60000) % 60);
  int s = static_cast<int>((rem / 1000) % 60);
  int milli = static_cast<int>(rem % 1000);
  if (c.y < 0 || c.y > 9999) { // outside RFC 3339's four-digit years: clamp visibly
    c.y = c.y < 0 ? 0 : 9999;
  }
  // Hand-rolled: this runs for every event and every rendered object.
  std::string out(24, '0');
  auto put = [&](std::size_t pos, long long v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10)
      out[pos + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, c.y, 4);
  out[4] = '-';
  put(5, c.m, 2);
  out[7] = '-';
  put(8, c.d, 2);
  out[10] = 'T';
  put(11, h, 2);
  out[13] = ':';
  put(14, mi, 2);
  out[16] = ':';
  put(17, s, 2);
  out[19] = '.';
  put(20, milli, 3);
  out[23] = 'Z';
  return out;
}

std::optional<timestamp> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_ms = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_ms = (oh * 60 + om) * 60000LL * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::int64_t days =
      days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (civil_from_days(days).d != static_cast<unsigned>(d))
    return std::nullopt; // e.g. February 30th
  std::int64_t ms = days * 86400000 + h * 3600000LL + mi * 60000LL +
                    std::min(sec, 59) * 1000LL + millis;
  return timestamp{ms - offset_ms};
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, timestamp t) {
  jv = format_rfc3339(t);
}

boost::json::result<timestamp> tag_invoke(const boost::json::try_value_to_tag<timestamp>&,
                                          const boost::json::value& jv) {
  if (const auto* s = jv.if_string()) {
    if (auto t = parse_rfc3339(*s)) return *t;
  }
  return make_error_code(boost::json::error::not_string);
}

} // namespace waitroom::events
