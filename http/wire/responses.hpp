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

/// The error object of a domain error: `{code, message, statusCode, details}` with
/// `details.field` when the error names one (also what WebSocket and MCP errors carry).
boost::json::object error_object(const events::error& e);

/// The error envelope of a domain error (`details.field` when the error names one;
/// 401 carries `WWW-Authenticate: Bearer`).
response error_response(const events::error& e);

/// An error outside the domain vocabulary's HTTP mapping (405, transport-level 400/413).
response error_response(int status, std::string_view code, std::string message);

} // namespace waitroom::http
