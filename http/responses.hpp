#pragma once
/// The response envelopes of the contract, in one place:
///   success `{"data": ...}`, lists `{"data": [...], "cursor", "has_more"}`,
///   errors `{"error": {"code", "message", "statusCode", "details"}}`.

#include "events/outcome.hpp"
#include "http/message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace waitroom::http {

/// `{"data": data}` with `status`.
response data_response(boost::json::value data, int status = 200);

/// A page of a list; `next_cursor` empty on the last page.
response list_response(boost::json::array items, std::optional<std::string> next_cursor);

/// The error envelope of a domain error (`details.field` when the error names one;
/// 401 carries `WWW-Authenticate: Bearer`).
response error_response(const events::error& e);

/// An error outside the domain vocabulary's HTTP mapping (405, transport-level 400/413).
response error_response(int status, std::string_view code, std::string message);

} // namespace waitroom::http
