#pragma once
/// Strict reading of JSON request bodies. The whole document is validated by simdjson
/// (malformed JSON, invalid UTF-8, duplicate keys and trailing content are 400
/// VALIDATION_ERROR) and converted to Boost.JSON; `body_reader` then reads typed
/// fields, remembering the first error with the field named as the client sent it.
/// Unknown fields are ignored (documented in docs/api.md).
///
/// `null` means absent, for every field (API.md): an optional field sent as null takes
/// its default, a required one sent as null is 400 "is required". A reader returns a
/// value exactly when the field is present, non-null and valid, so once `ok()` holds
/// every required field read through it has a value.

#include "events/json.hpp"
#include "events/outcome.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace waitroom::http {

/// Parses `body` as a JSON object. An empty body is `{}` when `empty_ok`.
events::outcome<boost::json::object> parse_object_body(std::string_view body,
                                                       bool empty_ok);

/// Parses any JSON document strictly (used where the body is not an object).
events::outcome<boost::json::value> parse_json(std::string_view text);

class body_reader {
 public:
  /// Reads `obj`; `prefix` is put before every field name in errors (a nested
  /// object's reader: `"owner."`).
  explicit body_reader(const boost::json::object& obj, std::string prefix = {})
      : obj_(obj)
      , prefix_(std::move(prefix)) {}

  /// The first error met, if any.
  const std::optional<events::error>& error() const { return err_; }
  bool ok() const { return !err_.has_value(); }

  /// Whether the field is present with a value (null counts as absent).
  bool has(std::string_view name) const { return value(name) != nullptr; }

  std::optional<std::string> string(std::string_view name, bool required = false);
  std::optional<std::int64_t> integer(std::string_view name, bool required = false);
  std::optional<bool> boolean(std::string_view name);
  std::optional<boost::json::object> object(std::string_view name, bool required = false);
  std::optional<boost::json::array> array(std::string_view name);

  /// One of `E`'s wire names.
  template <class E>
  std::optional<E> enumeration(std::string_view name, bool required = false) {
    auto s = string(name, required);
    if (!s) return std::nullopt;
    auto e = events::parse_wire_name<E>(*s);
    if (!e) fail(name, "must be one of " + events::wire_names<E>());
    return e;
  }

  /// Resolves a field with an alias: the name the client used, or `canonical` when
  /// neither is present. Both present and different: 400 naming `canonical`.
  std::string_view alias(std::string_view canonical, std::string_view other);

  /// Records an error (the first one wins).
  void fail(std::string_view field, std::string message);

  /// Takes over the first error of a nested object's reader, if this one has none.
  void adopt(const body_reader& nested);

  /// The field's value; nullptr when it is absent or null.
  const boost::json::value* value(std::string_view name) const;

 private:
  /// `value`, recording "is required" for a missing required field.
  const boost::json::value* present(std::string_view name, bool required);
  const boost::json::object& obj_;
  std::string prefix_;
  std::optional<events::error> err_;
};

} // namespace waitroom::http
