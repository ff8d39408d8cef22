#pragma once
/// The HTTP request and response as the API layer sees them: plain data, no Beast.
/// Handlers answer through a `responder` that may be called from any thread, once.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waitroom::http {

struct request {
  std::string method;                            ///< "GET", "POST", ...
  std::string path;                              ///< decoded path, without the query
  std::multimap<std::string, std::string> query; ///< decoded query parameters
  std::map<std::string, std::string> headers;    ///< lower-case names
  std::string body;
  std::string remote_address;
  bool websocket_upgrade = false; ///< a WebSocket opening handshake (RFC 6455)

  /// The header value, or empty.
  std::string_view header(std::string_view lower_name) const;
  /// The first value of a query parameter, if present.
  const std::string* query_value(std::string_view name) const;
};

/// The connection of a long-lived answer (server-sent events), as its producer sees
/// it. Thread-safe.
class stream_sink {
 public:
  virtual ~stream_sink() = default;
  /// Queues bytes for the client. False when the connection is gone, or when the
  /// client is too slow and its buffer is full: then the connection closes (the client
  /// resumes where it stopped).
  virtual bool write(std::shared_ptr<const std::string> bytes) = 0;
  /// Ends the answer and closes the connection.
  virtual void close() = 0;
  /// How many bytes may be queued for the client before it counts as too slow.
  virtual std::size_t capacity() const = 0;
  /// Calls `fn` once, on an io thread, as soon as at most half of `capacity` is queued
  /// (at once when that holds now): a producer with much to send (a replay) writes a
  /// part, then waits for this. Never called when the connection ends first.
  virtual void when_drained(std::function<void()> fn) = 0;
};

/// What turns an answer into a stream: after the head is written the server calls
/// `open` once (on an io thread; it must not block), and `closed` once when the
/// connection ends for any reason (client gone, slow client, shutdown).
struct stream_handlers {
  std::function<void(std::shared_ptr<stream_sink>)> open;
  std::function<void()> closed;
};

/// What turns an answer to a WebSocket upgrade into a WebSocket: after the `101` the
/// server calls `open` once with a sink whose `write` sends one text message and whose
/// `close` closes with 1000; `message` for every text message the client sends (in
/// order, on an io thread; it must not block); `closed` once when the connection ends.
struct socket_handlers {
  std::function<void(std::shared_ptr<stream_sink>)> open;
  std::function<void(std::string)> message;
  /// Every binary message, like `message`; unset: a binary message closes the socket
  /// with 1003 (unsupported data).
  std::function<void(std::string)> binary;
  std::function<void()> closed;
  /// Above zero: a client that sends no message (text or binary; control frames do not
  /// count) for this long is closed with 1000. Zero: only the transport's own idle rule
  /// (an unanswered ping) applies.
  std::chrono::milliseconds message_idle{0};
};

struct response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error_code; ///< the contract's error code of an error answer
  /// An error answer to a request that still wrote events (a check-in recorded, then
  /// refused by policy): an `Idempotency-Key` replays it, as it does a success.
  bool recorded = false;
  /// The answer to a HEAD request: the head of this answer (its `Content-Length`
  /// included), without the body.
  bool omit_body = false;
  /// Set: the head goes out at once and the connection stays open for the stream
  /// (close-delimited; `body` is ignored).
  std::shared_ptr<stream_handlers> stream;
  /// Set (on an upgrade request only): the answer is `101 Switching Protocols` with
  /// `headers`, and the connection becomes a WebSocket.
  std::shared_ptr<socket_handlers> socket;
};

/// Sends the answer; thread-safe; calling it more than once is ignored.
using responder = std::function<void(response)>;

/// Runs a callback later on the connection's executor (long-polls use it for their
/// deadline). Cancelled when the connection goes away.
class deferrer {
 public:
  virtual ~deferrer() = default;
  virtual void after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
};

/// A request the transport refuses before any route sees it.
struct refusal {
  enum class kind {
    body_too_large,    ///< the body is over `body_limit` bytes
    malformed_request, ///< HTTP/1.1 that does not parse
    malformed_target,  ///< a request target that is not origin-form
    not_an_upgrade,    ///< a WebSocket answer to a plain request (a handler bug)
  };
  kind why;
  std::size_t body_limit = 0;
};

/// What the server calls for every complete request.
class request_handler {
 public:
  virtual ~request_handler() = default;
  virtual void handle(const request& req, responder respond,
                      std::shared_ptr<deferrer> later) = 0;
  /// The answer to a request the transport refused: the transport knows no error
  /// format, the handler does.
  virtual response refuse(const refusal& r) = 0;
};

} // namespace waitroom::http
