#pragma once
/// Internal to events/: converts a simdjson DOM element (already validated by simdjson)
/// into a Boost.JSON value. Include only from .cpp files at the JSON edge; simdjson
/// types do not travel further.

#include <boost/json/value.hpp>
#include <simdjson.h>

#include <string>

namespace waitroom::events::detail {

/// Fills `out` from `el`; false (with `problem` set) on a duplicate object key.
bool to_boost(simdjson::dom::element el, boost::json::value& out, std::string& problem);

} // namespace waitroom::events::detail
