// `waitroom tail ROOM [--since SEQ]`: follows a room's server-sent events and prints one
// readable line per event. Reconnects with `Last-Event-ID` when the connection drops,
// so nothing is missed or printed twice; gives up on 400/401/403/404. With `--json`
// each line is the event envelope itself.
#include "app/commands.hpp"
#include "app/http_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

namespace waitroom::app {

namespace {

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
ended follow(const tail_options& o, const server_address& to,
             std::optional<std::uint64_t>& after) {
  http_request req;
  req.target = "/v1/rooms/" +
               std::string(boost::urls::encode(o.room, boost::urls::pchars)) + "/events";
  req.credential = o.client.credential();
  req.accept = "text/event-stream";
  // The server pings an idle stream every 15 s by default: silence this long means the
  // connection is gone.
  req.timeout = std::chrono::seconds(75);
  if (after) req.headers.emplace_back("Last-Event-ID", std::to_string(*after));
  int status = 0;
  std::string pending, data;
  auto why = stream(
      to, req, [&](int s) { status = s; },
      [&](std::string_view bytes) {
        pending.append(bytes);
        if (status != 200) return true;
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
            const auto text = o.json ? json::serialize(env) : describe(env.get_object());
            std::printf("%s\n", text.c_str());
            std::fflush(stdout);
          }
        }
        return true;
      });
  if (status != 0 && status != 200) {
    std::fprintf(stderr, "waitroom tail: HTTP %d %s\n", status, pending.c_str());
    return status == 401 || status == 403 || status == 404 || status == 400
               ? ended::refused
               : ended::dropped;
  }
  if (!why.empty()) std::fprintf(stderr, "waitroom tail: %s\n", why.c_str());
  return ended::dropped;
}

} // namespace

int tail(const tail_options& o) {
  auto to = parse_server_url(o.client.server);
  if (!to) {
    std::fprintf(stderr, "waitroom tail: --server must be an http:// URL, got '%s'\n",
                 o.client.server.c_str());
    return 2;
  }
  if (o.client.credential().empty()) {
    std::fprintf(stderr, "waitroom tail: no credential: --token, WAITROOM_TOKEN, --key "
                         "or WAITROOM_API_KEY\n");
    return 2;
  }
  std::optional<std::uint64_t> after = o.since;
  auto backoff = std::chrono::milliseconds(250);
  for (;;) {
    const auto before = after;
    if (follow(o, *to, after) == ended::refused) return 1;
    backoff = after != before ? std::chrono::milliseconds(250)
                              : std::min(backoff * 2, std::chrono::milliseconds(5000));
    std::fprintf(stderr, "waitroom tail: reconnecting\n");
    std::this_thread::sleep_for(backoff);
  }
}

} // namespace waitroom::app
