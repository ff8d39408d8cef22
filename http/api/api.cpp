#include "http/api/api.hpp"

#include "events/json_reader.hpp"
#include "http/api/call.hpp"
#include "http/wire/responses.hpp"

#include <algorithm>
#include <cctype>

namespace waitroom::http {

namespace ev = waitroom::events;

api::api(actors::runtime& rt, status_waiters& waiters, secret_box secrets,
         api_options options)
    : rt_(rt)
    , waiters_(waiters)
    , secrets_(std::move(secrets))
    , options_(std::move(options))
    , cors_(options_.cors_origins)
    , principal_limits_(options_.rate_per_second, options_.rate_burst)
    , self_register_limits_(options_.self_register_per_minute / 60.0,
                            options_.self_register_burst)
    , services_{rt_,
                waiters_,
                secrets_,
                options_,
                cors_,
                activity_,
                self_register_limits_,
                counters_,
                ready_,
                options_.in_process != nullptr ? *options_.in_process : *this}
    , idempotency_(rt_, secrets_, counters_.idempotent_replays) {
  // In the order of docs/api.md; a path's methods come from one group, so the order of
  // the groups changes neither a match nor an `Allow`.
  add_operations_routes(routes_);
  add_people_routes(routes_);
  add_rooms_routes(routes_);
  add_watchers_routes(routes_);
  add_checkins_routes(routes_);
  add_streams_routes(routes_);
  add_socket_routes(routes_);
  add_realtime_routes(routes_);
  add_mcp_routes(routes_);
  add_push_routes(routes_);
  add_audit_routes(routes_);
}

api::~api() = default;

std::vector<api::route_info> api::routes() const {
  std::vector<route_info> out;
  for (const auto& r : routes_.rows())
    out.push_back({r.method, r.pattern, r.g});
  return out;
}

namespace {

/// `application/json` or `application/<anything>+json`, parameters aside.
bool is_json_media_type(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
    type.remove_suffix(1);
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return lower == "application/json" ||
         (lower.starts_with("application/") && lower.ends_with("+json"));
}

/// MCP clients that meet a 401 look for OAuth (RFC 9728, RFC 8414, dynamic client
/// registration) and show what the last of those paths answered: say there is none.
std::string no_route_message(const request& req) {
  std::string_view p = req.path;
  if (p.starts_with("/.well-known/oauth-") || p.starts_with("/.well-known/openid-") ||
      p == "/register" || p == "/authorize" || p == "/token")
    return "This server does not support OAuth: authenticate with a credential, sent as "
           "Authorization: Bearer <credential> (an MCP client uses an agent's API key, "
           "wr_...)";
  return "no route for " + req.method + " " + req.path;
}

} // namespace

void api::handle(const request& req, responder respond, std::shared_ptr<deferrer> later) {
  auto* stats = &counters_;
  // HEAD is GET without the body (docs/api.md), for every GET but the streams.
  const bool head = req.method == "HEAD";
  auto counted = [stats, cors = &cors_, origin = std::string(req.header("origin")), head,
                  respond = std::move(respond)](response r) {
    stats->by_class[std::min<std::size_t>(5, static_cast<std::size_t>(r.status / 100))]++;
    cors->decorate(origin, r);
    r.omit_body = r.omit_body || head;
    respond(std::move(r));
  };
  auto m = routes_.find(req.method, req.path);
  if (req.method == "OPTIONS" && !m.allowed.empty())
    return counted(cors_.options(req, m.allowed)); // before auth: preflights carry none
  if (m.found == nullptr) {
    if (!m.allowed.empty()) {
      auto res = error_response(
          edge_error{edge_code::method_not_allowed,
                     req.method + " is not allowed here; allowed: " + m.allowed,
                     {}});
      res.headers.emplace_back("Allow", m.allowed);
      return counted(std::move(res));
    }
    return counted(error_response(ev::not_found(no_route_message(req))));
  }
  call c{services_, req, counted, std::move(later), std::move(m.params), {}};
  if (m.found->g != guard::none) {
    auto who = authenticate(req, rt_.reads(), m.found->query_credential);
    if (!who) return c.respond(error_response(who.error()));
    if (auto ok = authorize(*who, m.found->g); !ok) return c.fail(ok.error());
    c.who = std::move(*who);
    activity_.seen(c.who.id, rt_.time().now());
    if (auto wait = principal_limits_.take(c.who.id); wait > 0) {
      stats->rate_limited++;
      return c.respond(rate_limited("too many requests", wait));
    }
  }
  // JSON in (API.md): a body of another media type is refused, not guessed at.
  if (!ev::is_blank(req.body) && !is_json_media_type(req.header("content-type")))
    return c.respond(error_response(edge_error{
        edge_code::unsupported_media_type,
        "a request body must be JSON, sent with Content-Type: application/json",
        {}}));
  dispatch(*m.found, c);
}

response api::refuse(const refusal& r) {
  switch (r.why) {
  case refusal::kind::body_too_large:
    return error_response(edge_error{edge_code::payload_too_large,
                                     "request body exceeds the limit of " +
                                         std::to_string(r.body_limit) + " bytes",
                                     {}});
  case refusal::kind::malformed_request:
    return error_response(ev::validation_error({}, "malformed HTTP request"));
  case refusal::kind::malformed_target:
    return error_response(ev::validation_error({}, "malformed request target"));
  case refusal::kind::not_an_upgrade:
    break;
  }
  return error_response(ev::internal_error("not a WebSocket upgrade request"));
}

void api::dispatch(const route& r, call& c) {
  // Errors are values on request paths; an exception here is a bug (or memory
  // exhaustion). Answer 500 rather than let it unwind into the io thread.
  auto run = [fn = r.fn](call& cc) {
    try {
      fn(cc);
    } catch (const std::exception& e) {
      cc.respond(
          error_response(ev::internal_error(std::string("internal error: ") + e.what())));
    }
  };
  idempotency_.run(c, std::move(run));
}

void api::purge_idempotency(std::function<void(ev::outcome<std::size_t>)> done) {
  idempotency_.purge(std::move(done));
}

} // namespace waitroom::http
