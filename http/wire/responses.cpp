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

namespace {

response error_envelope(int status, std::string_view code, std::string message,
                        json::object details) {
  response r;
  r.status = status;
  r.error_code = std::string(code);
  json::object err{{"code", code},
                   {"message", std::move(message)},
                   {"statusCode", status},
                   {"details", std::move(details)}};
  r.body = json::serialize(json::object{{"error", std::move(err)}});
  return r;
}

} // namespace

json::object error_object(const ev::error& e) {
  json::object details = e.details;
  if (!e.field.empty()) details["field"] = e.field;
  return {{"code", ev::error_code_name(e.code)},
          {"message", e.message},
          {"statusCode", ev::http_status(e.code)},
          {"details", std::move(details)}};
}

response error_response(const ev::error& e) {
  response r;
  r.status = ev::http_status(e.code);
  r.error_code = std::string(ev::error_code_name(e.code));
  r.body = json::serialize(json::object{{"error", error_object(e)}});
  // API.md: exactly `Bearer`, never OAuth metadata (`resource_metadata`): there is no
  // OAuth here, and MCP clients would go looking for it. What was wrong is in the body.
  if (e.code == ev::errc::unauthorized)
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

response error_response(int status, std::string_view code, std::string message) {
  return error_envelope(status, code, std::move(message), {});
}

} // namespace waitroom::http
