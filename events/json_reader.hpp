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

/// Whether `text` holds nothing but JSON whitespace (a body that counts as absent).
constexpr bool is_blank(std::string_view text) noexcept {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace waitroom::events
