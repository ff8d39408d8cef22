#pragma once
/// The Beast HTTP/1.1 server: keep-alive sessions (one object per connection, kept
/// alive by `shared_from_this`), a 64 KiB body limit answered with 413, and graceful
/// shutdown that stops accepting and waits for in-flight requests.
///
/// The server never interprets a request: it hands each to a `request_handler`.

#include "http/wire/message.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace waitroom::http {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080; ///< 0 = any free port (see `server::port`)
  int io_threads = 1;        ///< answering requests
  int stream_threads = 1;    ///< writing to SSE streams and WebSockets
  std::size_t body_limit = 64 * 1024;
  std::chrono::seconds idle_timeout{120}; ///< keep-alive connections idle this long close
  std::size_t stream_buffer = 1 << 20; ///< bytes queued for one stream before it closes
  std::chrono::milliseconds stream_ping{15000}; ///< `: ping` comment on an idle stream
};

class server {
 public:
  /// Binds at once (listening starts with `start`); throws boost::system::system_error
  /// when the address is unusable or taken (start-up only). `handler` is first called
  /// after `start`.
  server(server_options options, request_handler& handler);
  ~server();

  /// The bound port (useful with port 0).
  std::uint16_t port() const;

  /// Listens and starts the io threads; returns at once.
  void start();

  /// Stops accepting, waits up to `grace` for requests in flight, then closes every
  /// connection and joins the io threads. Idempotent.
  void stop(std::chrono::milliseconds grace);

  /// Requests currently being handled (read, not yet answered).
  std::size_t in_flight() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace waitroom::http
