#include "http/wire/responses.hpp"

#include <boost/json/serialize.hpp>

namespace waitroom::http {

namespace json = boost::json;
namespace ev = waitroom::events;

response data_response(json::value data, int status) {
  response r;
  r.status = status;
  json::object o;
  o["data"] = std::move(data);
  r.body = json::serialize(o);
  return r;
}

wire_code wire_code_of(ev::errc code) noexcept {
  switch (code) {
  case ev::errc::validation:
    return {400, "VALIDATION_ERROR"};
  case ev::errc::forbidden:
    return {403, "FORBIDDEN"};
  case ev::errc::not_found:
    return {404, "NOT_FOUND"};
  case ev::errc::conflict:
  case ev::errc::aborted:
    return {409, "CONFLICT"};
  case ev::errc::policy_forbids:
    return {403, "POLICY_FORBIDS"};
  case ev::errc::unavailable:
    return {503, "UNAVAILABLE"};
  case ev::errc::internal:
    return {500, "INTERNAL"};
  }
  return {500, "INTERNAL"};
}

wire_code wire_code_of(edge_code code) noexcept {
  switch (code) {
  case edge_code::unauthorized:
    return {401, "UNAUTHORIZED"};
  case edge_code::method_not_allowed:
    return {405, "METHOD_NOT_ALLOWED"};
  case edge_code::payload_too_large:
    return {413, "PAYLOAD_TOO_LARGE"};
  case edge_code::unsupported_media_type:
    return {415, "UNSUPPORTED_MEDIA_TYPE"};
  case edge_code::rate_limited:
    return {429, "RATE_LIMITED"};
  }
  return {500, "INTERNAL"};
}

namespace {

response error_envelope(wire_code w, std::string message, json::object details) {
  response r;
  r.status = w.status;
  r.error_code = std::string(w.code);
  json::object err{{"code", w.code},
                   {"message", std::move(message)},
                   {"statusCode", w.status},
                   {"details", std::move(details)}};
  r.body = json::serialize(json::object{{"error", std::move(err)}});
  return r;
}

} // namespace

json::object error_object(const ev::error& e) {
  json::object details = e.details;
  if (!e.field.empty()) details["field"] = e.field;
  auto w = wire_code_of(e.code);
  return {{"code", w.code},
          {"message", e.message},
          {"statusCode", w.status},
          {"details", std::move(details)}};
}

response error_response(const ev::error& e) {
  response r;
  auto w = wire_code_of(e.code);
  r.status = w.status;
  r.error_code = std::string(w.code);
  r.recorded = ev::refusal_was_recorded(e.code);
  r.body = json::serialize(json::object{{"error", error_object(e)}});
  return r;
}

response error_response(const edge_error& e) {
  auto r = error_envelope(wire_code_of(e.code), e.message, e.details);
  // API.md: exactly `Bearer`, never OAuth metadata (`resource_metadata`): there is no
  // OAuth here, and MCP clients would go looking for it. What was wrong is in the body.
  if (e.code == edge_code::unauthorized)
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

} // namespace waitroom::http
