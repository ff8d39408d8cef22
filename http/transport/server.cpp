#include "http/transport/server.hpp"

#include "http/transport/outbox.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

namespace waitroom::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

std::string_view request::header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

const std::string* request::query_value(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? nullptr : &it->second;
}

namespace {

/// A producer's handle on a long-lived connection (an SSE session or a WebSocket):
/// holds it weakly, so a producer never keeps a closed connection alive. `Session`
/// has `queue(bytes)`, `when_drained(fn)`, `end_from_producer()` and an `out` outbox.
template <class Session>
struct owner_sink final : stream_sink {
  explicit owner_sink(const std::shared_ptr<Session>& s)
      : owner(s)
      , capacity_(s->out.capacity()) {}
  bool write(std::shared_ptr<const std::string> bytes) override {
    auto s = owner.lock();
    return s && s->queue(std::move(bytes));
  }
  void close() override {
    if (auto s = owner.lock()) s->end_from_producer();
  }
  std::size_t capacity() const override { return capacity_; }
  void when_drained(std::function<void()> fn) override {
    if (auto s = owner.lock()) s->when_drained(std::move(fn));
  }
  std::weak_ptr<Session> owner;
  std::size_t capacity_ = 0;
};

} // namespace

struct server::impl {
  /// Anything the server tracks for a shutdown: HTTP sessions and WebSockets.
  struct connection {
    virtual ~connection() = default;
    /// Close when idle between requests; end streams (WebSockets close with 1001).
    virtual void shut_down() = 0;
  };
  struct session;
  struct ws_session;

  server_options options;
  request_handler& handler;
  asio::io_context ioc;
  /// Long-lived connections (SSE streams, WebSockets) move here once their answer is
  /// known, so writing events to thousands of them never queues API answers behind it.
  asio::io_context streams;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mu;
  std::list<std::weak_ptr<connection>> sessions;
  bool started = false;
  bool stopped = false;

  impl(server_options opts, request_handler& h)
      : options(std::move(opts))
      , handler(h)
      , ioc(std::max(1, options.io_threads))
      , streams(std::max(1, options.stream_threads))
      , acceptor(asio::make_strand(ioc)) {
    auto address = asio::ip::make_address(options.host);
    tcp::endpoint ep(address, options.port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep); // a port in use fails here, before anything else is done
  }

  void accept();

  /// The socket of a connection, moved onto a strand of the streams' io context; the
  /// old socket object is left closed. Nothing when the move is impossible.
  std::optional<tcp::socket> rehome(tcp::socket& socket) {
    beast::error_code ec;
    const auto protocol = socket.local_endpoint(ec).protocol();
    if (ec) return std::nullopt;
    auto native = socket.release(ec);
    if (ec) return std::nullopt;
    tcp::socket moved(asio::make_strand(streams));
    moved.assign(protocol, native, ec);
    if (ec) return std::nullopt;
    return moved;
  }

  void track(const std::shared_ptr<connection>& s) {
    std::lock_guard lock(sessions_mu);
    sessions.remove_if([](const auto& w) { return w.expired(); });
    sessions.push_back(s);
  }
};

/// One connection: read a request, hand it over, write the answer, repeat.
struct server::impl::session : std::enable_shared_from_this<session>,
                               deferrer,
                               connection {
  impl& srv;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  bool keep_alive = false;
  bool busy = false; ///< a request is being handled
  /// The request being handled, when it asks for a WebSocket (the handshake needs it).
  std::optional<bhttp::request<bhttp::string_body>> upgrade;
  std::list<std::shared_ptr<asio::steady_timer>> timers;

  // A streaming answer (server-sent events): chunks queued by any thread, written in
  // order on this session's executor; the queue is bounded in bytes.
  std::shared_ptr<stream_handlers> streaming;
  outbox out;
  std::atomic<bool> stream_closed{false};
  std::shared_ptr<asio::steady_timer> ping_timer;

  session(impl& s, tcp::socket&& socket)
      : srv(s)
      , stream(std::move(socket))
      , out(s.options.stream_buffer) {}

  void start() {
    asio::dispatch(stream.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  void read() {
    if (srv.stopping) return close();
    parser.emplace();
    parser->body_limit(srv.options.body_limit);
    stream.expires_after(srv.options.idle_timeout);
    bhttp::async_read(stream, buffer, *parser,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_read(ec);
                      });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted)
      return close();
    if (ec == bhttp::error::body_limit) {
      keep_alive = false;
      return write_error(
          srv.handler.refuse({refusal::kind::body_too_large, srv.options.body_limit}));
    }
    if (ec) {
      keep_alive = false;
      if (ec == bhttp::error::header_limit || ec == bhttp::error::bad_target ||
          ec == bhttp::error::bad_method || ec == bhttp::error::bad_version ||
          ec == bhttp::error::bad_field || ec == bhttp::error::bad_value ||
          ec == bhttp::error::bad_content_length || ec == bhttp::error::bad_chunk)
        return write_error(srv.handler.refuse({refusal::kind::malformed_request}));
      return close();
    }
    auto msg = parser->release();
    keep_alive = msg.keep_alive();
    request req;
    req.method = std::string(msg.method_string());
    auto target = boost::urls::parse_origin_form(msg.target());
    if (!target) {
      return write_error(srv.handler.refuse({refusal::kind::malformed_target}));
    }
    req.path = std::string(target->path());
    for (auto p : target->params())
      req.query.emplace(std::string(p.key), std::string(p.value));
    for (const auto& f : msg) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      req.headers[name] = std::string(f.value());
    }
    req.body = std::move(msg.body());
    req.websocket_upgrade = websocket::is_upgrade(msg);
    if (req.websocket_upgrade) {
      keep_alive = false; // an upgrade answered with anything but 101 ends here
      upgrade = std::move(msg);
    } else {
      upgrade.reset();
    }
    beast::error_code ignored;
    auto remote = stream.socket().remote_endpoint(ignored);
    req.remote_address = ignored ? std::string() : remote.address().to_string();
    busy = true;
    ++srv.in_flight;
    stream.expires_never();
    auto self = shared_from_this();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    srv.handler.handle(
        req,
        [self, answered](response res) {
          if (answered->exchange(true)) return;
          asio::post(self->stream.get_executor(), [self, res = std::move(res)]() mutable {
            self->respond(std::move(res));
          });
        },
        self);
  }

  void write_error(response res) {
    write_raw(res.status, std::move(res.body), std::move(res.headers), res.content_type);
  }

  void respond(response res) {
    cancel_timers();
    if (res.socket && upgrade) return start_websocket(std::move(res));
    if (res.socket) // a handler bug: a WebSocket answer to a plain request
      res = srv.handler.refuse({refusal::kind::not_an_upgrade});
    if (res.stream) return rehome_stream(std::move(res));
    write_raw(res.status, std::move(res.body), std::move(res.headers), res.content_type,
              /*finishes_request=*/true, res.omit_body);
  }

  // --- streams ------------------------------------------------------------------------

  /// A stream continues as a new session on the streams' io context (the request stays
  /// in flight until its head is written there).
  void rehome_stream(response res) {
    auto socket = srv.rehome(stream.socket());
    if (!socket) return start_stream(std::move(res)); // stays on this io thread
    auto moved = std::make_shared<session>(srv, std::move(*socket));
    moved->busy = true;
    srv.track(moved);
    asio::dispatch(moved->stream.get_executor(), [moved, res = std::move(res)]() mutable {
      moved->start_stream(std::move(res));
    });
  }

  /// Writes the head (close-delimited: no length, `Connection: close`), then hands the
  /// producer a sink. The request stops counting as in flight: a stream never holds up
  /// a shutdown.
  void start_stream(response res) {
    streaming = res.stream;
    keep_alive = false;
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>(
        static_cast<bhttp::status>(res.status), 11);
    head->set(bhttp::field::server, "waitroom");
    head->set(bhttp::field::content_type, res.content_type);
    head->set(bhttp::field::cache_control, "no-cache");
    head->set(bhttp::field::connection, "close");
    for (auto& [k, v] : res.headers)
      head->set(k, v);
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    stream.expires_never();
    // The kernel's send buffer is bounded like the stream's own queue, so a client that
    // stops reading is noticed after about twice the budget, not after megabytes of
    // autotuned buffer (and memory per stream stays bounded).
    beast::error_code ignored;
    stream.socket().set_option(
        asio::socket_base::send_buffer_size(static_cast<int>(srv.options.stream_buffer)),
        ignored);
    bhttp::async_write_header(
        stream, *sr,
        [self = shared_from_this(), head, sr](beast::error_code ec, std::size_t) {
          self->busy = false;
          --self->srv.in_flight;
          if (ec || self->srv.stopping) return self->end_stream();
          self->schedule_ping();
          self->open_stream();
        });
  }

  void open_stream();                 // hands the producer its sink
  void start_websocket(response res); // hands the socket over to a ws_session

  /// Called on any thread through the sink.
  bool queue(std::shared_ptr<const std::string> bytes) {
    if (stream_closed) return false;
    if (!out.reserve(bytes->size())) {
      asio::post(stream.get_executor(),
                 [self = shared_from_this()] { self->end_stream(); });
      return false;
    }
    asio::post(stream.get_executor(),
               [self = shared_from_this(), bytes = std::move(bytes)] {
                 if (self->stream_closed) return;
                 self->out.push(bytes);
                 self->write_next();
               });
    return true;
  }

  void write_next() {
    if (stream_closed) return;
    auto chunk = out.start_write();
    if (!chunk) return;
    asio::async_write(
        stream.socket(), asio::buffer(*chunk),
        [self = shared_from_this(), chunk](beast::error_code ec, std::size_t) {
          auto drained = self->out.written();
          if (ec) return self->end_stream();
          for (auto& fn : drained)
            fn();
          self->write_next();
        });
  }

  void when_drained(std::function<void()> fn) {
    asio::dispatch(stream.get_executor(),
                   [self = shared_from_this(), fn = std::move(fn)] {
                     if (self->stream_closed) return;
                     for (auto& now : self->out.when_drained(fn))
                       now();
                   });
  }

  void schedule_ping() {
    ping_timer = std::make_shared<asio::steady_timer>(stream.get_executor(),
                                                      srv.options.stream_ping);
    ping_timer->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->stream_closed) return;
      static const auto ping = std::make_shared<const std::string>(": ping\n\n");
      if (self->out.empty()) self->queue(ping);
      self->schedule_ping();
    });
  }

  /// The producer ends the stream (any thread).
  void end_from_producer() {
    asio::post(stream.get_executor(),
               [self = shared_from_this()] { self->end_stream(); });
  }

  /// Ends a stream once: closes the socket and tells the producer.
  void end_stream() {
    if (stream_closed.exchange(true)) return;
    if (ping_timer) ping_timer->cancel();
    close();
    if (streaming && streaming->closed) streaming->closed();
  }

  /// Writes an answer. `finishes_request`: the answer of a handled request, which stays
  /// in flight (and the session busy) until it is written.
  /// `omit_body`: the answer to a HEAD request (the same head, no body).
  void write_raw(int status, std::string body,
                 std::vector<std::pair<std::string, std::string>> headers,
                 const std::string& content_type = "application/json; charset=utf-8",
                 bool finishes_request = false, bool omit_body = false) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(status), 11);
    msg->set(bhttp::field::server, "waitroom");
    if (!content_type.empty()) msg->set(bhttp::field::content_type, content_type);
    for (auto& [k, v] : headers)
      msg->set(k, v);
    msg->keep_alive(keep_alive && !srv.stopping);
    // A JSON answer ends with a newline, so that answers printed one after another
    // (curl in a shell) do not run together.
    if (!body.empty() && body.back() != '\n' &&
        content_type.starts_with("application/json"))
      body.push_back('\n');
    const auto length = body.size();
    if (status == 204 || status == 304) body.clear(); // they have none (Beast throws)
    if (!omit_body) msg->body() = std::move(body);
    msg->prepare_payload();
    if (status == 204 || status == 304)
      msg->erase(bhttp::field::content_length); // RFC 9110 8.6: none on 204
    else if (omit_body)
      msg->content_length(length);
    stream.expires_after(std::chrono::seconds(30));
    bhttp::async_write(stream, *msg,
                       [self = shared_from_this(), msg,
                        finishes_request](beast::error_code ec, std::size_t) {
                         if (finishes_request) {
                           self->busy = false;
                           --self->srv.in_flight;
                         }
                         if (ec || !msg->keep_alive()) return self->close();
                         self->read();
                       });
  }

  void close() {
    cancel_timers();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.socket().close(ec);
  }

  void cancel_timers() {
    for (auto& t : timers)
      t->cancel();
    timers.clear();
  }

  // deferrer
  void after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    auto timer = std::make_shared<asio::steady_timer>(stream.get_executor(), delay);
    asio::dispatch(stream.get_executor(),
                   [self = shared_from_this(), timer] { self->timers.push_back(timer); });
    timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
      if (!ec) fn();
    });
  }

  /// Shutdown: close the connection if it is idle between requests; end streams.
  void shut_down() override {
    asio::dispatch(stream.get_executor(), [self = shared_from_this()] {
      if (self->streaming) return self->end_stream();
      if (!self->busy) self->close();
    });
  }
};

void server::impl::session::open_stream() {
  if (streaming->open)
    streaming->open(std::make_shared<owner_sink<session>>(shared_from_this()));
}

/// A WebSocket (RFC 6455) after a `101`: text messages from the client go to the
/// handlers in order; messages for the client are queued by any thread, bounded in bytes
/// like a stream, and written in order on this connection's executor. Beast answers
/// pings and pings an idle client; a client that does not answer is dropped.
struct server::impl::ws_session : std::enable_shared_from_this<ws_session>, connection {
  impl& srv;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::shared_ptr<socket_handlers> handlers;
  std::vector<std::pair<std::string, std::string>> headers; ///< of the 101
  outbox out;
  std::atomic<bool> ended{false};
  bool opened = false;
  bool closing = false;
  std::shared_ptr<asio::steady_timer> close_timer;
  std::shared_ptr<asio::steady_timer> idle_timer; ///< `handlers->message_idle`
  std::chrono::steady_clock::time_point last_message = std::chrono::steady_clock::now();

  ws_session(impl& s, tcp::socket&& socket, std::shared_ptr<socket_handlers> h,
             std::vector<std::pair<std::string, std::string>> head)
      : srv(s)
      , ws(std::move(socket))
      , handlers(std::move(h))
      , headers(std::move(head))
      , out(s.options.stream_buffer) {}

  void accept(bhttp::request<bhttp::string_body> req) {
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = 2 * srv.options.stream_ping; // a ping after half of it
    t.keep_alive_pings = true;
    ws.set_option(t);
    ws.set_option(websocket::stream_base::decorator(
        [head = headers](websocket::response_type& res) {
          res.set(bhttp::field::server, "waitroom");
          for (const auto& [k, v] : head)
            res.set(k, v);
        }));
    ws.read_message_max(srv.options.body_limit);
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().set_option(
        asio::socket_base::send_buffer_size(static_cast<int>(srv.options.stream_buffer)),
        ignored);
    ws.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->srv.stopping) return self->finish();
      self->on_accepted();
    });
  }

  void on_accepted(); // hands the producer its sink

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::message_too_big)
          return self->close_with(websocket::close_code::too_big,
                                  "message exceeds " +
                                      std::to_string(self->srv.options.body_limit) +
                                      " bytes");
        return self->finish();
      }
      const bool text = self->ws.got_text();
      if (!text && !self->handlers->binary) {
        self->buffer.consume(self->buffer.size());
        return self->close_with(websocket::close_code::unknown_data,
                                "only text messages are understood");
      }
      auto data = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      self->last_message = std::chrono::steady_clock::now();
      const auto& to = text ? self->handlers->message : self->handlers->binary;
      if (to && !self->closing) to(std::move(data));
      self->read();
    });
  }

  /// Called on any thread through the sink.
  bool queue(std::shared_ptr<const std::string> msg) {
    if (ended) return false;
    if (!out.reserve(msg->size())) {
      asio::post(ws.get_executor(), [self = shared_from_this()] {
        self->close_with(websocket::close_code::policy_error,
                         "slow consumer: buffer full; resubscribe with since");
      });
      return false;
    }
    asio::post(ws.get_executor(), [self = shared_from_this(), msg = std::move(msg)] {
      if (self->ended || self->closing) return;
      self->out.push(msg);
      self->write_next();
    });
    return true;
  }

  void write_next() {
    if (ended || closing) return;
    auto msg = out.start_write();
    if (!msg) return;
    ws.text(true);
    ws.async_write(asio::buffer(*msg),
                   [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
                     auto drained = self->out.written();
                     if (ec) return self->finish();
                     for (auto& fn : drained)
                       fn();
                     self->write_next();
                   });
  }

  void when_drained(std::function<void()> fn) {
    asio::dispatch(ws.get_executor(), [self = shared_from_this(), fn = std::move(fn)] {
      if (self->ended || self->closing) return;
      for (auto& now : self->out.when_drained(fn))
        now();
    });
  }

  /// Starts the closing handshake once; a client that does not answer it (or is not
  /// reading at all) is cut off after 5 s.
  void close_with(websocket::close_code code, std::string reason) {
    if (ended || closing) return;
    closing = true;
    if (!opened) return finish();
    close_timer =
        std::make_shared<asio::steady_timer>(ws.get_executor(), std::chrono::seconds(5));
    close_timer->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->finish();
    });
    ws.async_close(websocket::close_reason(code, reason),
                   [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  /// Closes the socket once `handlers->message_idle` passes without a message.
  void watch_idle(std::chrono::steady_clock::time_point deadline) {
    idle_timer = std::make_shared<asio::steady_timer>(ws.get_executor(), deadline);
    idle_timer->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->ended || self->closing) return;
      const auto idle = self->handlers->message_idle;
      const auto due = self->last_message + idle;
      if (std::chrono::steady_clock::now() < due) return self->watch_idle(due);
      const auto ms = idle.count();
      self->close_with(websocket::close_code::normal,
                       "no message for " +
                           (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s"
                                           : std::to_string(ms) + " ms") +
                           ": send heartbeats");
    });
  }

  /// Ends the connection once and tells the handlers.
  void finish() {
    if (ended.exchange(true)) return;
    if (close_timer) close_timer->cancel();
    if (idle_timer) idle_timer->cancel();
    beast::error_code ec;
    beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws).socket().close(ec);
    if (opened && handlers->closed) handlers->closed();
  }

  void shut_down() override {
    asio::dispatch(ws.get_executor(), [self = shared_from_this()] {
      self->close_with(websocket::close_code::going_away, "server shutting down");
    });
  }

  /// The producer ends the subscription (any thread): the client is to resubscribe.
  void end_from_producer() {
    asio::post(ws.get_executor(), [self = shared_from_this()] {
      self->close_with(websocket::close_code::try_again_later,
                       "the server ended the subscription; resubscribe with since");
    });
  }
};

void server::impl::ws_session::on_accepted() {
  opened = true;
  if (handlers->message_idle.count() > 0) {
    last_message = std::chrono::steady_clock::now();
    watch_idle(last_message + handlers->message_idle);
  }
  if (handlers->open)
    handlers->open(std::make_shared<owner_sink<ws_session>>(shared_from_this()));
  read();
}

void server::impl::session::start_websocket(response res) {
  // The handshake is answered by the WebSocket itself; the request is done.
  busy = false;
  --srv.in_flight;
  auto socket = srv.rehome(stream.socket());
  auto ws = std::make_shared<ws_session>(
      srv, socket ? std::move(*socket) : stream.release_socket(), std::move(res.socket),
      std::move(res.headers));
  srv.track(ws);
  ws->accept(std::move(*upgrade));
  upgrade.reset();
}

void server::impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [this](beast::error_code ec, tcp::socket socket) {
                          if (ec) {
                            if (ec == asio::error::operation_aborted || stopping) return;
                          } else {
                            socket.set_option(tcp::no_delay(true), ec);
                            auto s = std::make_shared<session>(*this, std::move(socket));
                            track(s);
                            s->start();
                          }
                          if (!stopping) accept();
                        });
}

server::server(server_options options, request_handler& handler)
    : impl_(std::make_unique<impl>(std::move(options), handler)) {}

server::~server() {
  stop(std::chrono::milliseconds(0));
}

std::uint16_t server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void server::start() {
  if (impl_->started) return;
  impl_->started = true;
  // Listening only now: while the log replays, connections are refused, not queued.
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->accept();
  for (int i = 0; i < std::max(1, impl_->options.io_threads); ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  for (int i = 0; i < std::max(1, impl_->options.stream_threads); ++i)
    impl_->threads.emplace_back([this] {
      auto work = asio::make_work_guard(impl_->streams); // idle until a stream comes
      impl_->streams.run();
    });
}

std::size_t server::in_flight() const {
  return impl_->in_flight.load();
}

void server::stop(std::chrono::milliseconds grace) {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  asio::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->in_flight > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    std::lock_guard lock(impl_->sessions_mu);
    for (auto& w : impl_->sessions)
      if (auto s = w.lock()) s->shut_down();
  }
  // Let answers that are being written finish, then stop.
  auto flush_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (impl_->in_flight > 0 && std::chrono::steady_clock::now() < flush_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->ioc.stop();
  impl_->streams.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
}

} // namespace waitroom::http
