#include "events/json_writer.hpp"

#include <boost/json/serializer.hpp>

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

void json_writer::append_string(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out_ += '"';
  std::size_t run = 0; // start of the pending run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
    case '"':
      out_ += "\\\"";
      break;
    case '\\':
      out_ += "\\\\";
      break;
    case '\n':
      out_ += "\\n";
      break;
    case '\r':
      out_ += "\\r";
      break;
    case '\t':
      out_ += "\\t";
      break;
    case '\b':
      out_ += "\\b";
      break;
    case '\f':
      out_ += "\\f";
      break;
    default:
      out_ += "\\u00";
      out_ += hex[c >> 4];
      out_ += hex[c & 0xF];
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
}

} // namespace waitroom::events
