#pragma once
/// Cross-origin requests (docs/api.md "CORS"): off unless origins are configured
/// (`--cors-origin`, repeatable; `*` allows any origin). An answer to a request from an
/// allowed `Origin` carries `Access-Control-Allow-Origin` and exposes the headers
/// clients read (`Waitroom-Log-Id`, `Retry-After`, `Allow`, `WWW-Authenticate`,
/// `Idempotent-Replayed`); a
/// preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin is
/// answered 204 with the path's methods and the request headers the API takes.
/// Credentials are bearer tokens, never cookies, so no `Allow-Credentials`.
/// Immutable after construction: thread-safe.

#include "http/wire/message.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace waitroom::http {

class cors_policy {
 public:
  cors_policy() = default;
  explicit cors_policy(std::vector<std::string> origins);

  /// Whether requests from `origin` may be read by the page that sent them.
  bool allows(std::string_view origin) const;
  /// Whether `origin` is listed by name (`*` lists none): what may call `POST /mcp`,
  /// whose DNS-rebinding check a wildcard must not open.
  bool lists(std::string_view origin) const;

  /// Adds the CORS headers to an answer to a request from `origin` (only `Vary` when it
  /// is empty or not allowed; nothing while CORS is off).
  void decorate(std::string_view origin, response& res) const;

  /// The answer to `OPTIONS` on a path whose methods are `allowed` ("GET, POST"): 204
  /// with `Allow`, and the preflight headers when the origin is allowed.
  response options(const request& req, const std::string& allowed) const;

 private:
  std::vector<std::string> origins_;
  bool any_ = false; ///< `*` is among them
};

} // namespace waitroom::http
