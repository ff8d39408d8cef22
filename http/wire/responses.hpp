#pragma once
/// The response envelopes of the contract, in one place:
///   success `{"data": ...}`, lists `{"data": [...], "cursor", "has_more"}`,
///   errors `{"error": {"code", "message", "statusCode", "details"}}`.

#include "events/json_writer.hpp"
#include "events/outcome.hpp"
#include "http/wire/message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace waitroom::http {

/// `{"data": data}` with `status`.
response data_response(boost::json::value data, int status = 200);

/// `{"data": …}` where `write(json_writer&)` writes the data value.
template <class Write>
response data_response_from(Write&& write, int status = 200) {
  response r;
  r.status = status;
  r.body.reserve(1024);
  events::json_writer w(r.body);
  w.begin_object();
  w.key("data");
  write(w);
  w.end_object();
  return r;
}

/// A page of a list: `write_items(json_writer&)` writes the elements; `next_cursor`
/// empty on the last page.
template <class WriteItems>
response list_response_from(WriteItems&& write_items,
                            const std::optional<std::string>& next_cursor) {
  response r;
  events::json_writer w(r.body);
  w.begin_object();
  w.key("data");
  w.begin_array();
  write_items(w);
  w.end_array();
  w.member("cursor", next_cursor);
  w.member("has_more", next_cursor.has_value());
  w.end_object();
  return r;
}

/// How an error reads on the wire: the contract's code (API.md "Errors") and status.
struct wire_code {
  int status = 500;
  std::string_view code;
};

/// The wire code of a domain error. A stale version (`aborted`) that is still there
/// after the actor's retries reads as 409 CONFLICT, as a refused transition does: the
/// contract has one code for both, and a client retries either on fresh state.
wire_code wire_code_of(events::errc code) noexcept;

/// The errors only the HTTP edge gives; no decision ever returns one.
enum class edge_code {
  unauthorized,       ///< 401 UNAUTHORIZED: no, unknown or revoked credential
  method_not_allowed, ///< 405 METHOD_NOT_ALLOWED: the path has no route for the method
  payload_too_large,  ///< 413 PAYLOAD_TOO_LARGE: the body is over the limit
  unsupported_media_type, ///< 415 UNSUPPORTED_MEDIA_TYPE: a body that is not JSON
  rate_limited, ///< 429 RATE_LIMITED: too many requests; `Retry-After` says when
};

wire_code wire_code_of(edge_code code) noexcept;

/// An error of the HTTP edge: code, human message and `details`.
struct edge_error {
  edge_code code = edge_code::unauthorized;
  std::string message;
  boost::json::object details;
};

/// The error object of a domain error: `{code, message, statusCode, details}` with
/// `details.field` when the error names one (also what WebSocket and MCP errors carry).
boost::json::object error_object(const events::error& e);

/// The error envelope of a domain error (`details.field` when the error names one).
/// A refusal that was recorded (POLICY_FORBIDS) says so in `response::recorded`.
response error_response(const events::error& e);

/// The error envelope of an edge error (401 carries `WWW-Authenticate: Bearer`).
response error_response(const edge_error& e);

} // namespace waitroom::http
