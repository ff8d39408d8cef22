#include "app/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <random>
#include <thread>

namespace waitroom::app {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// One client connection. Every step starts one asynchronous operation and runs the io
/// context until it completes or its time runs out (then the operation is cancelled and
/// the step answers `timed_out`), so a blocking caller never waits without a bound.
class connection {
 public:
  /// Resolves and connects; the error, or empty.
  std::string open(const server_endpoint& to, milliseconds limit) {
    tcp::resolver::results_type endpoints;
    auto ec = step(limit, [&](auto done) {
      resolver_.async_resolve(
          to.host, to.port,
          [&endpoints, done](beast::error_code e, tcp::resolver::results_type r) {
            endpoints = std::move(r);
            done(e);
          });
    });
    if (ec) return "resolve " + to.host + ": " + ec.message();
    ec = step(limit, [&](auto done) {
      stream_.async_connect(endpoints,
                            [done](beast::error_code e, const auto&) { done(e); });
    });
    if (ec) return "connect to " + to.host_header + ": " + ec.message();
    return {};
  }

  /// Runs `start(done)`, whose operation must call `done(error_code)` once.
  template <class Start>
  beast::error_code step(milliseconds limit, Start&& start) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run_for(std::max(limit, milliseconds(1)));
    if (result) return *result;
    beast::error_code ignored;
    resolver_.cancel();
    stream_.socket().close(ignored);
    ioc_.restart();
    ioc_.run();
    return asio::error::timed_out;
  }

  beast::tcp_stream& socket() { return stream_; }

 private:
  asio::io_context ioc_;
  tcp::resolver resolver_{ioc_};
  beast::tcp_stream stream_{ioc_};
};

bhttp::request<bhttp::string_body> message_of(const server_endpoint& to,
                                              const http_request& req) {
  bhttp::request<bhttp::string_body> m{bhttp::string_to_verb(req.method),
                                       to.base_path + req.target, 11};
  m.set(bhttp::field::host, to.host_header);
  m.set(bhttp::field::user_agent, "waitroom-cli");
  m.set(bhttp::field::accept, req.accept);
  if (!req.credential.empty())
    m.set(bhttp::field::authorization, "Bearer " + req.credential);
  if (!req.idempotency_key.empty()) m.set("Idempotency-Key", req.idempotency_key);
  for (const auto& [name, value] : req.headers)
    m.set(name, value);
  if (req.json_body) {
    m.set(bhttp::field::content_type, "application/json");
    m.body() = *req.json_body;
  }
  m.keep_alive(false);
  m.prepare_payload();
  return m;
}

std::optional<milliseconds> retry_after_of(std::string_view header) {
  long long seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc{} || end != header.data() + header.size() || seconds < 0)
    return std::nullopt;
  return milliseconds(std::min(seconds, 86400LL) * 1000);
}

} // namespace

namespace {

std::optional<server_endpoint> parse_one(std::string_view text) {
  auto url = boost::urls::parse_uri(text);
  if (!url || url->scheme() != "http" || url->host().empty()) return std::nullopt;
  server_endpoint a;
  a.host = url->host_address();
  if (a.host.size() > 2 && a.host.front() == '[')
    a.host = a.host.substr(1, a.host.size() - 2);
  a.port = url->has_port() ? std::string(url->port()) : "80";
  a.host_header = url->encoded_host_and_port();
  a.base_path = url->encoded_path();
  while (!a.base_path.empty() && a.base_path.back() == '/')
    a.base_path.pop_back();
  return a;
}

/// One exchange with one server; `connected` says whether a connection was made.
http_result exchange_with(const server_endpoint& to, const http_request& req,
                          bool& connected);

} // namespace

std::optional<server_address> parse_server_url(std::string_view text) {
  server_address out;
  while (true) {
    auto comma = text.find(',');
    auto one = text.substr(0, comma);
    while (!one.empty() && one.front() == ' ')
      one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ')
      one.remove_suffix(1);
    auto parsed = parse_one(one);
    if (!parsed) return std::nullopt;
    out.servers.push_back(std::move(*parsed));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

http_result exchange(const server_address& to, const http_request& req) {
  http_result last;
  for (std::size_t tried = 0; tried < to.servers.size(); ++tried) {
    bool connected = false;
    last = exchange_with(to.now(), req, connected);
    if (last.response) return last;
    to.next();            // the next request goes to another node
    if (connected) break; // it may have been received: the caller decides on a retry
  }
  return last;
}

namespace {

http_result exchange_with(const server_endpoint& to, const http_request& req,
                          bool& connected) {
  const auto deadline = clock::now() + req.timeout;
  auto left = [&] {
    return std::chrono::duration_cast<milliseconds>(deadline - clock::now());
  };
  connection c;
  if (auto err = c.open(to, left()); !err.empty()) return {std::nullopt, err};
  connected = true;
  auto message = message_of(to, req);
  auto ec =
      c.step(left(), [&](auto done) { bhttp::async_write(c.socket(), message, done); });
  if (ec) return {std::nullopt, "send: " + ec.message()};
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(8u << 20);
  ec = c.step(left(),
              [&](auto done) { bhttp::async_read(c.socket(), buffer, parser, done); });
  if (ec) return {std::nullopt, "no answer: " + ec.message()};
  auto& res = parser.get();
  http_response out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  if (auto it = res.find(bhttp::field::retry_after); it != res.end())
    out.retry_after = retry_after_of(it->value());
  return {std::move(out), {}};
}

} // namespace

std::string stream(const server_address& servers, const http_request& req,
                   const std::function<void(int)>& on_head,
                   const std::function<bool(std::string_view)>& on_bytes) {
  connection c;
  std::string err;
  for (std::size_t tried = 0; tried < servers.servers.size(); ++tried) {
    err = c.open(servers.now(), req.timeout);
    if (err.empty()) break;
    servers.next();
  }
  if (!err.empty()) return err;
  const auto& to = servers.now();
  auto message = message_of(to, req);
  auto ec = c.step(req.timeout,
                   [&](auto done) { bhttp::async_write(c.socket(), message, done); });
  // a connection that broke: the next attempt goes to another node
  auto failed = [&](std::string why) {
    servers.next();
    return why;
  };
  if (ec) return failed("send: " + ec.message());
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(boost::none);
  ec = c.step(req.timeout, [&](auto done) {
    bhttp::async_read_header(c.socket(), buffer, parser, done);
  });
  if (ec) return failed("no answer: " + ec.message());
  on_head(static_cast<int>(parser.get().result_int()));
  std::array<char, 8192> chunk;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    ec = c.step(req.timeout, [&](auto done) {
      bhttp::async_read_some(c.socket(), buffer, parser, done);
    });
    if (ec == bhttp::error::need_buffer) ec = {};
    const std::size_t n = chunk.size() - parser.get().body().size;
    if (n > 0 && !on_bytes(std::string_view(chunk.data(), n))) return {};
    if (ec == asio::error::timed_out)
      return failed("nothing received for " + std::to_string(req.timeout.count() / 1000) +
                    " s");
    if (ec) return failed(ec.message());
  }
  return {};
}

std::string new_idempotency_key() {
  std::random_device rd;
  static constexpr char hex[] = "0123456789abcdef";
  std::string key;
  for (int i = 0; i < 8; ++i) {
    auto word = rd();
    for (int j = 0; j < 4; ++j, word >>= 4)
      key += hex[word & 0xf];
  }
  return key;
}

milliseconds next_backoff(milliseconds previous) {
  return std::clamp(previous * 2, milliseconds(250), milliseconds(5000));
}

http_result
post_once(const server_address& to, http_request req, clock::time_point give_up_at,
          const std::function<void(const std::string&, milliseconds)>& on_retry) {
  req.method = "POST";
  if (req.idempotency_key.empty()) req.idempotency_key = new_idempotency_key();
  milliseconds backoff{0};
  for (;;) {
    auto r = exchange(to, req);
    std::string why = r.error;
    std::optional<milliseconds> retry_after;
    if (r.response) {
      const int s = r.response->status;
      if (s != 429 && s != 502 && s != 503 && s != 504) return r;
      why = "HTTP " + std::to_string(s);
      retry_after = r.response->retry_after;
    }
    backoff = next_backoff(backoff);
    auto delay =
        retry_after ? std::clamp(*retry_after, backoff, milliseconds(5000)) : backoff;
    if (clock::now() + delay > give_up_at) return r;
    on_retry(why, delay);
    std::this_thread::sleep_for(delay);
  }
}

} // namespace waitroom::app
