#pragma once
/// The dashboard at `GET /`: one self-contained page (`http/api/dashboard.html`, embedded
/// at build time) that people sign in to with their token and that speaks the v1 API.

#include "http/wire/message.hpp"

#include <string_view>

namespace waitroom::http {

/// The page as written in the repository.
std::string_view dashboard_page();

/// The page with its headers: a Content-Security-Policy that allows exactly its own
/// inline script and style (by SHA-256) and requests to this server, no framing, no
/// referrer, no caching of a stale page.
response dashboard_response();

} // namespace waitroom::http
