#pragma once
/// JSON facts the domain rules need: value equality as the API defines it, dotted-path
/// lookup, shallow merge, code-point length, compact size, and wire names of enums.

#include <boost/describe/enum.hpp>
#include <boost/describe/enum_from_string.hpp>
#include <boost/describe/enum_to_string.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace waitroom::events {

/// JSON equality where numbers compare by value (1 == 1.0), objects ignore key order.
bool json_equal(const boost::json::value& a, const boost::json::value& b);

/// Looks up a dotted path ("deploy.env") in an object; nullptr when absent.
const boost::json::value* lookup_path(const boost::json::object& obj,
                                      std::string_view path);

/// Whether every dotted path of `expected` has an equal value in `actual` (policy
/// `metadata` and watcher `filter` matching); an empty `expected` matches anything, a
/// missing `actual` only that.
template <class Paths>
bool matches_paths(const Paths& expected, const boost::json::object* actual) {
  for (const auto& [path, value] : expected) {
    const boost::json::value* found = actual ? lookup_path(*actual, path) : nullptr;
    if (found == nullptr || !json_equal(*found, value)) return false;
  }
  return true;
}

/// Shallow merge: keys of `patch` replace keys of `base`.
void shallow_merge(boost::json::object& base, const boost::json::object& patch);

/// Number of Unicode code points of valid UTF-8 text.
std::size_t utf8_length(std::string_view text) noexcept;

/// Whether `text` is valid UTF-8.
bool utf8_valid(std::string_view text) noexcept;

/// Size in bytes of the compact serialization of `v`.
std::size_t compact_size(const boost::json::value& v);

/// Wire name of a described enum value ("auto_approve").
template <class E>
std::string_view wire_name(E e) {
  return boost::describe::enum_to_string(e, "?");
}

/// Parses the wire name of a described enum.
template <class E>
std::optional<E> parse_wire_name(std::string_view text) {
  E e{};
  std::string s(text);
  if (boost::describe::enum_from_string(s.c_str(), e)) return e;
  return std::nullopt;
}

/// The wire names of a described enum's values that pass `keep`, in declaration order.
template <class E, class Keep>
std::vector<std::string_view> wire_names_where(Keep keep) {
  std::vector<std::string_view> out;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (keep(d.value)) out.emplace_back(d.name);
  });
  return out;
}

/// Comma-separated wire names of a described enum, for error messages.
template <class E>
std::string wire_names() {
  std::string out;
  for (auto name : wire_names_where<E>([](E) { return true; })) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

} // namespace waitroom::events
