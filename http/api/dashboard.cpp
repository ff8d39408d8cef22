#include "http/api/dashboard.hpp"

#include "http/wire/responses.hpp"

#include <string>

namespace waitroom::http {

namespace {

/// The page's whole policy: nothing but this server's own files and API.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; manifest-src 'self'; worker-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

std::string_view media_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "text/plain; charset=utf-8"; // no other kind is in DASHBOARD_FILES
}

response file_response(const dashboard_file& f) {
  response r;
  r.content_type = std::string(media_type(f.name));
  r.body = std::string(f.text);
  r.headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

} // namespace

std::optional<response> dashboard_file_response(std::string_view name) {
  for (const auto& f : dashboard_files())
    if (f.name == name) return file_response(f);
  return std::nullopt;
}

response dashboard_response() {
  static const auto index = dashboard_file_response("index.html");
  if (!index)
    return error_response(events::internal_error("the dashboard has no index.html"));
  return *index;
}

} // namespace waitroom::http
