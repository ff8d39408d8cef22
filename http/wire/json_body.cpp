#include "http/wire/json_body.hpp"

#include "events/json_reader.hpp"

namespace waitroom::http {

namespace json = boost::json;
namespace ev = waitroom::events;

ev::outcome<json::value> parse_json(std::string_view text) {
  return ev::parse_strict(text, "body");
}

ev::outcome<json::object> parse_object_body(std::string_view body, bool empty_ok) {
  if (ev::is_blank(body)) {
    if (empty_ok) return json::object{};
    return ev::validation_error("body", "a JSON object is required");
  }
  auto v = parse_json(body);
  if (!v) return std::move(v).error();
  if (!v->is_object()) return ev::validation_error("body", "must be a JSON object");
  return std::move(v->get_object());
}

const json::value* body_reader::value(std::string_view name) const {
  const auto* v = obj_.if_contains(name);
  return v == nullptr || v->is_null() ? nullptr : v;
}

const json::value* body_reader::present(std::string_view name, bool required) {
  const auto* v = value(name);
  if (v == nullptr && required) fail(name, "is required");
  return v;
}

void body_reader::fail(std::string_view field, std::string message) {
  if (!err_)
    err_ = ev::validation_error(prefix_ + std::string(field), std::move(message));
}

void body_reader::adopt(const body_reader& nested) {
  if (!err_ && nested.err_) err_ = nested.err_;
}

std::optional<std::string> body_reader::string(std::string_view name, bool required) {
  const auto* v = present(name, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    fail(name, "must be a string");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<std::int64_t> body_reader::integer(std::string_view name, bool required) {
  const auto* v = present(name, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    fail(name, "is out of range");
    return std::nullopt;
  }
  fail(name, "must be an integer");
  return std::nullopt;
}

std::optional<bool> body_reader::boolean(std::string_view name) {
  const auto* v = present(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    fail(name, "must be a boolean");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<json::object> body_reader::object(std::string_view name, bool required) {
  const auto* v = present(name, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    fail(name, "must be an object");
    return std::nullopt;
  }
  return v->get_object();
}

std::optional<json::array> body_reader::array(std::string_view name) {
  const auto* v = present(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    fail(name, "must be an array");
    return std::nullopt;
  }
  return v->get_array();
}

std::string_view body_reader::alias(std::string_view canonical, std::string_view other) {
  const auto* a = value(canonical);
  const auto* b = value(other);
  if (a != nullptr && b != nullptr) {
    if (!ev::json_equal(*a, *b))
      fail(canonical, std::string("and its alias ") + std::string(other) +
                          " were both sent with different values");
    return canonical;
  }
  return b != nullptr ? other : canonical;
}

} // namespace waitroom::http
