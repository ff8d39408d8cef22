#pragma once
/// The `Waitroom-Signature` header of a webhook delivery (API.md "Watchers and
/// signals"): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, over the
/// exact bytes sent. Receivers recompute it with the watcher's secret.

#include <cstdint>
#include <string>
#include <string_view>

namespace waitroom::http {

/// Lower-case hex HMAC-SHA256 of `message` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// The header value for `body` sent at `unix_seconds`.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

} // namespace waitroom::http
