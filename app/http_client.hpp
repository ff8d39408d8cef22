#pragma once
/// The blocking HTTP/1.1 client of the client subcommands (`checkin`, `status`,
/// `approve|reject|modify`, `tail`): one connection per request, a time limit on every
/// step (resolve, connect, write, each read), plain `http://` only. Blocking is fine
/// here: it runs in the client process, never in the server. Not thread-safe; each call
/// owns its own io context.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waitroom::app {

/// One server.
struct server_endpoint {
  std::string host;        ///< name or address, IPv6 without brackets
  std::string port;        ///< "80" when the URL names none
  std::string host_header; ///< as the URL spells it, port included
  std::string base_path;   ///< what comes before `/v1`, without a trailing slash
};

/// Where the server is, from `--server` / `WAITROOM_URL`: one, or the nodes of a
/// cluster (comma-separated). Requests go to the current one; a connection that cannot
/// be made moves to the next at once (each is tried once per request), and any other
/// failure moves the next request there, so a wait carries on when a node dies.
struct server_address {
  std::vector<server_endpoint> servers;
  mutable std::size_t current = 0;
  const server_endpoint& now() const { return servers[current % servers.size()]; }
  void next() const { current = (current + 1) % servers.size(); }
};

/// `http://host[:port][/prefix]`, or several separated by commas; nothing for any other
/// scheme or a URL without a host.
std::optional<server_address> parse_server_url(std::string_view url);

/// One request. `target` is the path and query after `base_path`, e.g.
/// `/v1/check-ins/ci_x/status?wait_ms=60000`.
struct http_request {
  std::string method = "GET";
  std::string target;
  std::string credential; ///< sent as `Authorization: Bearer`; empty: none
  std::optional<std::string> json_body;
  std::string idempotency_key; ///< empty: none
  std::string accept = "application/json";
  std::vector<std::pair<std::string, std::string>> headers; ///< any others
  /// Whole exchange for `exchange`; the gap between two reads for `stream`.
  std::chrono::milliseconds timeout{30000};
};

struct http_response {
  int status = 0;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after; ///< `Retry-After` seconds
};

/// What one exchange produced: an answer, or why there was none.
struct http_result {
  std::optional<http_response> response; ///< none: connect, write or read failed
  std::string error;                     ///< why, when there is no response
};

/// Sends `req` on a fresh connection and reads the whole answer (at most 8 MiB).
http_result exchange(const server_address& to, const http_request& req);

/// Sends `req` and hands the answer over as it arrives: `on_head(status)` once, then
/// `on_bytes` for each piece of the body (of any status) until the server ends the
/// body, a read waits longer than `req.timeout`, or `on_bytes` answers false. Returns why
/// it ended: empty when the body ended or `on_bytes` stopped it, else the error.
std::string stream(const server_address& to, const http_request& req,
                   const std::function<void(int status)>& on_head,
                   const std::function<bool(std::string_view bytes)>& on_bytes);

/// A fresh random `Idempotency-Key` (128 bits, hex) for one logical request.
std::string new_idempotency_key();

/// A POST that must happen exactly once: sent with one `Idempotency-Key` (a fresh one
/// when `req` has none) and sent again, after a backoff (0.25 s doubling to 5 s, or
/// `Retry-After` up to 5 s), on a connection error, 429, 503, and the 502/504 of a proxy
/// in front of a restarting server, until another answer comes or the next attempt would
/// start after `give_up_at` (then the last result). `on_retry(why, delay)` runs before
/// each wait (for progress on stderr).
http_result post_once(
    const server_address& to, http_request req,
    std::chrono::steady_clock::time_point give_up_at,
    const std::function<void(const std::string& why, std::chrono::milliseconds delay)>&
        on_retry);

/// The next delay of a retry loop: twice `previous`, from 250 ms up to 5 s.
std::chrono::milliseconds next_backoff(std::chrono::milliseconds previous);

} // namespace waitroom::app
