#pragma once
/// Outgoing HTTP(S) POSTs for webhook and Web Push deliveries, on their own io thread
/// (never an API io thread or an actor thread): one connection per request, a hard
/// time limit over resolve, connect, TLS handshake, write and the answer's head, HTTPS
/// verified against the system trust store (OpenSSL's default paths, so `SSL_CERT_FILE`
/// and `SSL_CERT_DIR` apply) with the host name checked, and redirects never followed.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace waitroom::http {

struct outbound_request {
  std::string url; ///< http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{5000};
  /// Refuse loopback and private addresses, after resolving (`--webhook-deny-private`).
  bool deny_private = false;
};

struct outbound_result {
  std::optional<int> status; ///< none: no answer came
  std::string error;         ///< why, when there is no answer
  bool refused = false;      ///< not sent: a refused address or an unusable URL
  std::optional<std::int64_t> retry_after_ms; ///< `Retry-After` in seconds, as ms
  std::chrono::milliseconds latency{0};       ///< from start to the answer's head
};

class outbound_client {
 public:
  outbound_client();
  ~outbound_client();
  outbound_client(const outbound_client&) = delete;
  outbound_client& operator=(const outbound_client&) = delete;

  /// Sends `req`; `done` runs once, on the client's io thread.
  void post(outbound_request req, std::function<void(outbound_result)> done);

  /// The io context of the client's thread, for the timers of the deliveries.
  boost::asio::io_context& context();

  /// Stops the thread; requests in flight are abandoned. Idempotent.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace waitroom::http
