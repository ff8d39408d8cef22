#include "events/json.hpp"

#include <boost/json/serializer.hpp>

namespace waitroom::events {

namespace json = boost::json;

namespace {

bool is_number(const json::value& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}

bool numbers_equal(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double())
    return a.to_number<double>() == b.to_number<double>();
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  // one signed, one unsigned
  const auto& s = a.is_int64() ? a : b;
  const auto& u = a.is_int64() ? b : a;
  return s.get_int64() >= 0 &&
         static_cast<std::uint64_t>(s.get_int64()) == u.get_uint64();
}

} // namespace

bool json_equal(const json::value& a, const json::value& b) {
  if (is_number(a) && is_number(b)) return numbers_equal(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
  case json::kind::null:
    return true;
  case json::kind::bool_:
    return a.get_bool() == b.get_bool();
  case json::kind::string:
    return a.get_string() == b.get_string();
  case json::kind::array: {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!json_equal(x[i], y[i])) return false;
    return true;
  }
  case json::kind::object: {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      auto it = y.find(kv.key());
      if (it == y.end() || !json_equal(kv.value(), it->value())) return false;
    }
    return true;
  }
  default:
    return false; // numbers handled above
  }
}

const json::value* lookup_path(const json::object& obj, std::string_view path) {
  // An exact key wins over a dotted interpretation ({"a.b": 1} matches "a.b").
  if (auto it = obj.find(path); it != obj.end()) return &it->value();
  const json::object* cur = &obj;
  while (true) {
    auto dot = path.find('.');
    auto head = path.substr(0, dot);
    auto it = cur->find(head);
    if (it == cur->end()) return nullptr;
    if (dot == std::string_view::npos) return &it->value();
    cur = it->value().if_object();
    if (cur == nullptr) return nullptr;
    path.remove_prefix(dot + 1);
  }
}

void shallow_merge(json::object& base, const json::object& patch) {
  for (const auto& kv : patch)
    base[kv.key()] = kv.value();
}

std::size_t utf8_length(std::string_view text) noexcept {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool utf8_valid(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::size_t compact_size(const json::value& v) {
  json::serializer sr;
  sr.reset(&v);
  char buf[4096];
  std::size_t total = 0;
  while (!sr.done())
    total += sr.read(buf, sizeof buf).size();
  return total;
}

} // namespace waitroom::events
