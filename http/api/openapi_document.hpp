#pragma once
/// The OpenAPI 3.1 document of the API (`http/api/openapi.json`, embedded at build time).
/// One source of truth: a test checks it against the route table.

#include <string_view>

namespace waitroom::http {

std::string_view openapi_document();

} // namespace waitroom::http
