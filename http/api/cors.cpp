#include "http/api/cors.hpp"

#include <algorithm>

namespace waitroom::http {

cors_policy::cors_policy(std::vector<std::string> origins)
    : origins_(std::move(origins))
    , any_(std::find(origins_.begin(), origins_.end(), "*") != origins_.end()) {}

bool cors_policy::allows(std::string_view origin) const {
  return !origin.empty() && (any_ || lists(origin));
}

bool cors_policy::lists(std::string_view origin) const {
  return !origin.empty() &&
         std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void cors_policy::decorate(std::string_view origin, response& res) const {
  if (origins_.empty()) return;
  // The answer depends on Origin whenever origins are listed one by one, for requests
  // from other origins (and none) too: a shared cache must not hand one to another.
  if (!any_) res.headers.emplace_back("Vary", "Origin");
  if (!allows(origin)) return;
  res.headers.emplace_back("Access-Control-Allow-Origin",
                           any_ ? "*" : std::string(origin));
  res.headers.emplace_back("Access-Control-Expose-Headers",
                           "Waitroom-Log-Id, Retry-After, Allow, WWW-Authenticate, "
                           "Idempotent-Replayed");
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
