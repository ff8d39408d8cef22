#include "http/cors.hpp"

#include <algorithm>

namespace waitroom::http {

bool cors_policy::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

void cors_policy::decorate(std::string_view origin, response& res) const {
  if (!allows(origin)) return;
  const bool any = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
  res.headers.emplace_back("Access-Control-Allow-Origin", any ? "*" : std::string(origin));
  if (!any) res.headers.emplace_back("Vary", "Origin");
  res.headers.emplace_back("Access-Control-Expose-Headers",
                           "Waitroom-Log-Id, Retry-After, Allow, WWW-Authenticate");
}

response cors_policy::options(const request& req, const std::string& allowed) const {
  response r;
  r.status = 204;
  r.content_type.clear();
  r.headers.emplace_back("Allow", allowed);
  if (allows(req.header("origin")) &&
      !req.header("access-control-request-method").empty()) {
    r.headers.emplace_back("Access-Control-Allow-Methods", allowed);
    r.headers.emplace_back("Access-Control-Allow-Headers",
                           "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, "
                           "MCP-Protocol-Version, Mcp-Session-Id");
    r.headers.emplace_back("Access-Control-Max-Age", "600");
  }
  return r;
}

} // namespace waitroom::http
