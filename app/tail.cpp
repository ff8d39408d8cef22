// `waitroom tail ROOM [--since SEQ]`: follows a room's server-sent events and prints one
// readable line per event. Reconnects with `Last-Event-ID` when the connection drops,
// so nothing is missed or printed twice; gives up on 401/403/404.
#include "app/commands.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

namespace waitroom::app {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

std::string str(const json::value* v) {
  if (v == nullptr) return {};
  if (const auto* s = v->if_string()) return std::string(*s);
  return json::serialize(*v);
}

/// One line for an event envelope: time, seq, type, stream, and what happened.
std::string describe(const json::object& env) {
  const auto type = str(env.if_contains("type"));
  std::string what;
  if (const auto* d = env.if_contains("data"); d && d->is_object()) {
    const auto& data = d->get_object();
    if (type == "checkin.message")
      what = str(data.if_contains("type")) + ": " + str(data.if_contains("content"));
    else if (type == "signal.broadcast")
      what = str(data.if_contains("type"));
    else if (type.starts_with("checkin."))
      what = str(data.if_contains("status")) + "  " + str(data.if_contains("action"));
    else
      what = str(data.if_contains("name"));
  }
  std::string by;
  if (const auto* a = env.if_contains("actor"); a && a->is_object()) {
    by = str(a->get_object().if_contains("kind"));
    if (const auto* id = a->get_object().if_contains("id")) by += " " + str(id);
  }
  return str(env.if_contains("at")) + "  #" + str(env.if_contains("seq")) + "  " + type +
         "  " + str(env.if_contains("stream")) + "  " + what + "  (" + by + ")";
}

enum class ended { dropped, refused };

/// Streams until the connection ends, after the seq `after` when there is one (else
/// live); moves `after` to each printed seq.
ended follow(const tail_options& o, const boost::urls::url_view& url,
             std::optional<std::uint64_t>& after) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  try {
    asio::ip::tcp::resolver resolver(ioc);
    const std::string port = url.has_port() ? std::string(url.port()) : "80";
    stream.connect(resolver.resolve(std::string(url.host()), port));
    std::string base(url.path());
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    const std::string target = base + "/v1/rooms/" + o.room + "/events";
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, std::string(url.host()));
    req.set(bhttp::field::accept, "text/event-stream");
    req.set(bhttp::field::authorization, "Bearer " + o.token);
    if (after) req.set("Last-Event-ID", std::to_string(*after));
    bhttp::write(stream, req);

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);
    bhttp::read_header(stream, buffer, parser);
    const int status = static_cast<int>(parser.get().result_int());
    std::string pending, data;
    char chunk[8192];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      beast::error_code ec;
      bhttp::read_some(stream, buffer, parser, ec);
      if (ec == bhttp::error::need_buffer) ec = {};
      const std::size_t n = sizeof chunk - parser.get().body().size;
      pending.append(chunk, n);
      if (status != 200) {
        if (ec) break;
        continue;
      }
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line.starts_with("data: ")) {
          data = line.substr(6);
        } else if (line.empty() && !data.empty()) {
          std::error_code jec;
          auto env = json::parse(data, jec);
          data.clear();
          if (jec || !env.is_object()) continue;
          if (const auto* seq = env.get_object().if_contains("seq");
              seq && seq->is_int64())
            after = static_cast<std::uint64_t>(seq->get_int64());
          std::printf("%s\n", describe(env.get_object()).c_str());
          std::fflush(stdout);
        }
      }
      if (ec) break;
    }
    if (status != 200) {
      std::fprintf(stderr, "waitroom tail: HTTP %d %s\n", status, pending.c_str());
      return status == 401 || status == 403 || status == 404 || status == 400
                 ? ended::refused
                 : ended::dropped;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "waitroom tail: %s\n", e.what());
  }
  return ended::dropped;
}

} // namespace

int tail(const tail_options& o) {
  auto parsed = boost::urls::parse_uri(o.server);
  if (!parsed || parsed->scheme() != "http") {
    std::fprintf(stderr, "waitroom tail: --server must be an http:// URL, got '%s'\n",
                 o.server.c_str());
    return 2;
  }
  if (o.token.empty()) {
    std::fprintf(stderr, "waitroom tail: no credential: --token, WAITROOM_TOKEN or "
                         "WAITROOM_API_KEY\n");
    return 2;
  }
  std::optional<std::uint64_t> after = o.since;
  auto backoff = std::chrono::milliseconds(250);
  for (;;) {
    const auto before = after;
    if (follow(o, *parsed, after) == ended::refused) return 1;
    backoff = after != before ? std::chrono::milliseconds(250)
                              : std::min(backoff * 2, std::chrono::milliseconds(5000));
    std::fprintf(stderr, "waitroom tail: reconnecting\n");
    std::this_thread::sleep_for(backoff);
  }
}

} // namespace waitroom::app
