#include "events/json_writer.hpp"

#include <boost/json/serializer.hpp>

#include <array>
#include <charconv>

namespace waitroom::events {

void json_writer::value(std::int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  raw(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void json_writer::value(std::uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  raw(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void json_writer::value(double d) {
  // Shortest representation that reads back to the same double; JSON has no NaN or
  // infinity (the domain never produces them; write null rather than invalid JSON).
  if (d != d || d - d != 0) return null();
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  raw(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void json_writer::value(const boost::json::value& v) {
  separate();
  boost::json::serializer sr;
  sr.reset(&v);
  char buf[4096];
  while (!sr.done())
    out_ += sr.read(buf, sizeof buf);
  comma_ = true;
}

void json_writer::value(const boost::json::object& o) {
  separate();
  boost::json::serializer sr;
  sr.reset(&o);
  char buf[4096];
  while (!sr.done())
    out_ += sr.read(buf, sizeof buf);
  comma_ = true;
}

namespace {

/// Bytes that JSON strings must escape: control characters, '"' and '\\'.
constexpr std::array<bool, 256> escape_table = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c)
    t[static_cast<std::size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

} // namespace

void json_writer::append_string(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out_.reserve(out_.size() + s.size() + 2);
  out_ += '"';
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    // Copy the longest run that needs no escaping in one go.
    const char* run = p;
    while (p < end && !escape_table[static_cast<unsigned char>(*p)])
      ++p;
    out_.append(run, static_cast<std::size_t>(p - run));
    if (p == end)
      break;
    auto c = static_cast<unsigned char>(*p++);
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      default:
        out_ += "\\u00";
        out_ += hex[c >> 4];
        out_ += hex[c & 0xF];
    }
  }
  out_ += '"';
}

} // namespace waitroom::events
