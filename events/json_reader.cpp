#include "events/json_reader.hpp"

#include "events/simdjson_boost.hpp"

namespace waitroom::events {

namespace json = boost::json;

namespace detail {

bool to_boost(simdjson::dom::element el, json::value& out, std::string& problem) {
  switch (el.type()) {
    case simdjson::dom::element_type::OBJECT: {
      auto& o = out.emplace_object();
      simdjson::dom::object obj;
      if (el.get_object().get(obj))
        return false;
      o.reserve(obj.size());
      for (auto field : obj) {
        if (o.contains(field.key)) {
          problem = "duplicate key \"" + std::string(field.key) + "\"";
          return false;
        }
        json::value v;
        if (!to_boost(field.value, v, problem))
          return false;
        o.emplace(field.key, std::move(v));
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      auto& a = out.emplace_array();
      simdjson::dom::array arr;
      if (el.get_array().get(arr))
        return false;
      for (auto item : arr) {
        json::value v;
        if (!to_boost(item, v, problem))
          return false;
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

} // namespace detail

outcome<json::value> parse_strict(std::string_view text, std::string_view field_name) {
  // One parser per thread, reused (simdjson's advice); it copies into its own padded
  // buffer and validates the whole document, UTF-8 included.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(text.data(), text.size()).get(root))
    return validation_error(std::string(field_name),
                            std::string("malformed JSON: ") + simdjson::error_message(e));
  json::value out;
  std::string problem;
  if (!detail::to_boost(root, out, problem))
    return validation_error(std::string(field_name), "malformed JSON: " + problem);
  return out;
}

} // namespace waitroom::events
