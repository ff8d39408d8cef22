#include "http/json_body.hpp"

#include <simdjson.h>

namespace waitroom::http {

namespace json = boost::json;
namespace ev = waitroom::events;

namespace {

/// Converts a validated simdjson element into Boost.JSON; false on duplicate keys.
bool convert(simdjson::dom::element el, json::value& out, std::string& problem) {
  switch (el.type()) {
  case simdjson::dom::element_type::OBJECT: {
    auto& o = out.emplace_object();
    simdjson::dom::object obj;
    if (el.get_object().get(obj)) return false;
    o.reserve(obj.size());
    for (auto field : obj) {
      if (o.contains(field.key)) {
        problem = "duplicate key \"" + std::string(field.key) + "\"";
        return false;
      }
      json::value v;
      if (!convert(field.value, v, problem)) return false;
      o.emplace(field.key, std::move(v));
    }
    return true;
  }
  case simdjson::dom::element_type::ARRAY: {
    auto& a = out.emplace_array();
    simdjson::dom::array arr;
    if (el.get_array().get(arr)) return false;
    for (auto item : arr) {
      json::value v;
      if (!convert(item, v, problem)) return false;
      a.push_back(std::move(v));
    }
    return true;
  }
  case simdjson::dom::element_type::STRING:
    out = std::string_view(el.get_string().value_unsafe());
    return true;
  case simdjson::dom::element_type::INT64:
    out = el.get_int64().value_unsafe();
    return true;
  case simdjson::dom::element_type::UINT64:
    out = el.get_uint64().value_unsafe();
    return true;
  case simdjson::dom::element_type::DOUBLE:
    out = el.get_double().value_unsafe();
    return true;
  case simdjson::dom::element_type::BOOL:
    out = el.get_bool().value_unsafe();
    return true;
  case simdjson::dom::element_type::NULL_VALUE:
    out = nullptr;
    return true;
  }
  return false;
}

} // namespace

ev::outcome<json::value> parse_json(std::string_view text) {
  // One parser per thread, reused (simdjson's advice); it copies into its own padded
  // buffer, and validates the whole document including UTF-8.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(text.data(), text.size()).get(root))
    return ev::validation_error("body", std::string("malformed JSON: ") +
                                            simdjson::error_message(e));
  json::value out;
  std::string problem;
  if (!convert(root, out, problem))
    return ev::validation_error("body", "malformed JSON: " + problem);
  return out;
}

ev::outcome<json::object> parse_object_body(std::string_view body, bool empty_ok) {
  bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) {
    if (empty_ok) return json::object{};
    return ev::validation_error("body", "a JSON object is required");
  }
  auto v = parse_json(body);
  if (!v) return std::move(v).error();
  if (!v->is_object()) return ev::validation_error("body", "must be a JSON object");
  return std::move(v->get_object());
}

const json::value* body_reader::get(std::string_view name) const {
  return obj_.if_contains(name);
}

void body_reader::fail(std::string_view field, std::string message) {
  if (!err_) err_ = ev::validation_error(std::string(field), std::move(message));
}

std::optional<std::string> body_reader::string(std::string_view name, bool required) {
  const auto* v = get(name);
  if (v == nullptr || (v->is_null() && !required)) {
    if (required) fail(name, "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    fail(name, "must be a string");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<std::int64_t> body_reader::integer(std::string_view name, bool required) {
  const auto* v = get(name);
  if (v == nullptr || (v->is_null() && !required)) {
    if (required) fail(name, "is required");
    return std::nullopt;
  }
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    fail(name, "is out of range");
    return std::nullopt;
  }
  fail(name, "must be an integer");
  return std::nullopt;
}

std::optional<bool> body_reader::boolean(std::string_view name) {
  const auto* v = get(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    fail(name, "must be a boolean");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<json::object> body_reader::object(std::string_view name, bool required) {
  const auto* v = get(name);
  if (v == nullptr || (v->is_null() && !required)) {
    if (required) fail(name, "is required");
    return std::nullopt;
  }
  if (!v->is_object()) {
    fail(name, "must be an object");
    return std::nullopt;
  }
  return v->get_object();
}

std::string_view body_reader::alias(std::string_view canonical, std::string_view other) {
  const auto* a = get(canonical);
  const auto* b = get(other);
  if (a != nullptr && b != nullptr) {
    if (!ev::json_equal(*a, *b))
      fail(canonical, std::string("and its alias ") + std::string(other) +
                          " were both sent with different values");
    return canonical;
  }
  return b != nullptr ? other : canonical;
}

} // namespace waitroom::http
