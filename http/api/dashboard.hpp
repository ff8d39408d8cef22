#pragma once
/// The dashboard: static files in `http/api/dashboard/` (embedded at build time), which
/// people sign in to with their token and which speak the v1 API. `GET /` is
/// `index.html`; `GET /dashboard/<file>` is every other file.

#include "http/wire/message.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace waitroom::http {

/// One embedded file of the dashboard, as written in the repository.
struct dashboard_file {
  std::string_view name; ///< e.g. "main.js"
  std::string_view text;
};

/// Every file of the dashboard (generated from the list in http/api/CMakeLists.txt).
std::span<const dashboard_file> dashboard_files();

/// `index.html` with its headers: a Content-Security-Policy that allows scripts, styles
/// and requests from this server only (no inline script or style at all), no framing,
/// no referrer, no caching of a stale page.
response dashboard_response();

/// The file `name` with its media type and the same headers; nothing for another name.
std::optional<response> dashboard_file_response(std::string_view name);

} // namespace waitroom::http
