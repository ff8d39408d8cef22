#pragma once
/// A streaming JSON writer that appends compact JSON to a string. The hot paths (the
/// log codec, rendering check-ins) use it instead of building a Boost.JSON tree and
/// serializing it, which cost several times more (bench/RESULTS.md, "profile").
/// Free-form values (metadata, modifications) are still Boost.JSON values and are
/// serialized by Boost.JSON into the same output.
///
/// Commas are automatic: call `key` before each member value, nothing between array
/// elements. Strings must be valid UTF-8 (every string in the domain is).

#include "events/json.hpp"
#include "events/time.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace waitroom::events {

class json_writer {
 public:
  explicit json_writer(std::string& out)
      : out_(out) {}

  void begin_object() {
    separate();
    out_ += '{';
    comma_ = false;
  }
  void end_object() {
    out_ += '}';
    comma_ = true;
  }
  void begin_array() {
    separate();
    out_ += '[';
    comma_ = false;
  }
  void end_array() {
    out_ += ']';
    comma_ = true;
  }

  /// A member name; the next call writes its value.
  void key(std::string_view k) {
    separate();
    append_string(k);
    out_ += ':';
    comma_ = false;
  }

  void value(std::string_view s) {
    separate();
    append_string(s);
    comma_ = true;
  }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(const char* s) { value(std::string_view(s)); }
  void value(bool b) { raw(b ? "true" : "false"); }
  void value(std::int64_t n);
  void value(std::uint64_t n);
  void value(int n) { value(static_cast<std::int64_t>(n)); }
  void value(unsigned n) { value(static_cast<std::uint64_t>(n)); }
  void value(double d);
  void value(timestamp t) { value(format_rfc3339(t)); }
  void value(const boost::json::value& v);
  void value(const boost::json::object& o);
  void null() { raw("null"); }

  template <class E>
  requires std::is_enum_v<E>
  void value(E e) { value(wire_name(e)); }

  template <class T>
  void value(const std::optional<T>& o) {
    if (o)
      value(*o);
    else
      null();
  }

  /// `key` then `value`.
  template <class T>
  void member(std::string_view k, const T& v) {
    key(k);
    value(v);
  }

  /// Writes pre-serialized JSON as one value.
  void raw(std::string_view json) {
    separate();
    out_ += json;
    comma_ = true;
  }

 private:
  void separate() {
    if (comma_) out_ += ',';
  }
  void append_string(std::string_view s);

  std::string& out_;
  bool comma_ = false;
};

} // namespace waitroom::events
