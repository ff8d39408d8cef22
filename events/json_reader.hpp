#pragma once
/// Strict JSON parsing for untrusted input: simdjson validates the whole document
/// (malformed JSON, invalid UTF-8, trailing content) and the result becomes a Boost.JSON
/// value; duplicate object keys are rejected too.

#include "events/outcome.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace waitroom::events {

/// The parsed document, or VALIDATION_ERROR with `field` = `field_name` and a message
/// saying what is wrong.
outcome<boost::json::value> parse_strict(std::string_view text, std::string_view field_name);

} // namespace waitroom::events
