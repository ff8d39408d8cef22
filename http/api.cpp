#include "http/api.hpp"

#include "events/json_reader.hpp"
#include "http/api_support.hpp"
#include "http/dashboard.hpp"
#include "http/event_hub.hpp"
#include "http/openapi_document.hpp"
#include "http/push_worker.hpp"
#include "http/redis_publisher.hpp"
#include "http/webhook_worker.hpp"
#include "storage/writer_stats.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace waitroom::http {

// --- shared helpers (api_support.hpp) ----------------------------------------------

ev::outcome<page> read_page(const request& req) {
  page p;
  if (const auto* l = req.query_value("limit")) {
    long v = 0;
    auto [ptr, ec] = std::from_chars(l->data(), l->data() + l->size(), v);
    if (ec != std::errc() || ptr != l->data() + l->size() || v < 1 || v > 500)
      return ev::validation_error("limit", "must be an integer 1-500");
    p.limit = static_cast<std::size_t>(v);
  }
  if (const auto* c = req.query_value("cursor")) p.cursor = *c;
  return p;
}

std::string encode_cursor(char kind, std::uint64_t position) {
  return kind + std::to_string(position);
}

ev::outcome<std::uint64_t> start_of(const page& p, char kind, std::uint64_t fallback) {
  if (p.cursor.empty()) return fallback;
  std::string_view c = p.cursor;
  std::uint64_t v = 0;
  if (c.size() >= 2 && c[0] == kind) {
    auto [ptr, ec] = std::from_chars(c.data() + 1, c.data() + c.size(), v);
    if (ec == std::errc() && ptr == c.data() + c.size()) return v;
  }
  return ev::validation_error("cursor", "is not a cursor of this list");
}

ev::error room_not_found() {
  return ev::not_found("room not found");
}
ev::error checkin_not_found() {
  return ev::not_found("check-in not found");
}
ev::error may_not_act() {
  return ev::forbidden("this room has members: you need the role approver (people) or "
                       "agent (agents) to act in it");
}

const ev::room::state* visible_room(const std::string& org_id,
                                    const ev::room::caller& who,
                                    const projections::projection_set& p,
                                    std::string_view slug_or_id) {
  const auto* room = p.rooms.resolve(org_id, slug_or_id);
  if (room == nullptr || !ev::room::can_see(*room, who)) return nullptr;
  return room;
}

const ev::room::state* visible_room(const api::call& c,
                                    const projections::projection_set& p,
                                    std::string_view slug_or_id) {
  return visible_room(c.who.org_id, c.as_caller(), p, slug_or_id);
}

ev::outcome<room_ref> room_to_act_in(const api::call& c,
                                     const projections::read_model& reads) {
  return reads.read([&](const projections::projection_set& p) -> ev::outcome<room_ref> {
    const auto* room = visible_room(c, p, c.params[0]);
    if (room == nullptr) return room_not_found();
    if (!ev::room::can_act(*room, c.as_caller())) return may_not_act();
    return room_ref{room->id, room->slug};
  });
}

const ev::checkin::state* visible_checkin(const api::call& c,
                                          const projections::projection_set& p,
                                          std::string_view id) {
  const auto* s = p.checkins.find(id);
  if (s == nullptr || s->org_id != c.who.org_id) return nullptr;
  const auto* room = p.rooms.by_id(s->room_id);
  if (room == nullptr || !ev::room::can_see(*room, c.as_caller())) return nullptr;
  return s;
}

ev::error with_alias(ev::error e, const std::map<std::string, std::string>& used) {
  if (auto it = used.find(e.field); it != used.end()) e.field = it->second;
  return e;
}

ev::outcome<std::optional<std::int64_t>> query_integer(const request& req,
                                                       std::string_view name,
                                                       std::int64_t lo, std::int64_t hi) {
  const auto* v = req.query_value(name);
  if (v == nullptr) return std::optional<std::int64_t>();
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < lo || n > hi)
    return ev::validation_error(std::string(name), "must be an integer " +
                                                       std::to_string(lo) + "-" +
                                                       std::to_string(hi));
  return std::optional<std::int64_t>(n);
}

// --- the route table -----------------------------------------------------------------

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

} // namespace

/// Counters for /metrics (process lifetime).
struct api::counters {
  std::array<std::atomic<std::uint64_t>, 6>
      by_class{}; ///< 1xx..5xx, index = status / 100
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> idempotent_replays{0};
};

api::api(actors::runtime& rt, status_waiters& waiters, secret_box secrets,
         api_options options)
    : rt_(rt)
    , waiters_(waiters)
    , secrets_(std::move(secrets))
    , options_(options)
    , cors_(options.cors_origins)
    , principal_limits_(options.rate_per_second, options.rate_burst)
    , self_register_limits_(options.self_register_per_minute / 60.0,
                            options.self_register_burst)
    , counters_(std::make_unique<counters>()) {
  // Operations
  add("GET", "/healthz", guard::none, &api::healthz);
  add("GET", "/readyz", guard::none, &api::readyz);
  add("GET", "/metrics", guard::none, &api::metrics);
  add("GET", "/v1/openapi.json", guard::none, &api::openapi);
  add("GET", "/", guard::none, &api::dashboard);
  // Identity, users, agents
  add("GET", "/v1/me", guard::authenticated, &api::me);
  add("POST", "/v1/orgs", guard::instance_admin, &api::create_org);
  add("POST", "/v1/users", guard::admin, &api::create_user);
  add("GET", "/v1/users", guard::human, &api::list_users);
  add("POST", "/v1/users/:id/rotate-token", guard::human, &api::rotate_user_token);
  add("DELETE", "/v1/users/:id", guard::admin, &api::deactivate_user);
  add("POST", "/v1/agents/register", guard::member, &api::register_agent);
  add("POST", "/v1/agents/self-register", guard::none, &api::self_register_agent);
  add("POST", "/v1/agents/claim", guard::member, &api::claim_agent);
  add("GET", "/v1/agents", guard::human, &api::list_agents);
  add("GET", "/v1/agents/:id", guard::human, &api::get_agent);
  add("POST", "/v1/agents/:id/rotate-key", guard::admin, &api::rotate_agent_key);
  add("POST", "/v1/agents/:id/deactivate", guard::admin, &api::deactivate_agent);
  add("GET", "/v1/agents/:id/trust", guard::any, &api::agent_trust);
  // Rooms and policy
  add("GET", "/v1/rooms", guard::any, &api::list_rooms);
  add("POST", "/v1/rooms", guard::admin, &api::create_room);
  add("GET", "/v1/rooms/:room", guard::any, &api::get_room);
  add("PATCH", "/v1/rooms/:room", guard::admin, &api::patch_room);
  add("GET", "/v1/rooms/:room/policy", guard::any, &api::get_policy);
  add("PUT", "/v1/rooms/:room/policy", guard::admin, &api::put_policy);
  add("GET", "/v1/rooms/:room/members", guard::human, &api::list_members);
  add("PUT", "/v1/rooms/:room/members/:principal_id", guard::admin, &api::put_member);
  add("DELETE", "/v1/rooms/:room/members/:principal_id", guard::admin,
      &api::delete_member);
  add("POST", "/v1/rooms/:room/check-in", guard::claimed_agent, &api::create_checkin);
  add("POST", "/v1/rooms/:room/tasks", guard::member, &api::create_task);
  add("GET", "/v1/rooms/:room/pending", guard::any, &api::room_pending);
  add("GET", "/v1/rooms/:room/trust", guard::any, &api::room_trust);
  add("POST", "/v1/rooms/:room/watch", guard::member_or_agent, &api::create_watcher);
  add("GET", "/v1/rooms/:room/watchers", guard::any, &api::list_watchers);
  add("POST", "/v1/rooms/:room/signal", guard::member, &api::create_signal);
  add("GET", "/v1/rooms/:room/signals", guard::any, &api::list_signals);
  add("GET", "/v1/rooms/:room/audit", guard::human, &api::room_audit);
  add("DELETE", "/v1/watchers/:id", guard::any, &api::delete_watcher);
  add("GET", "/v1/watchers/:id/deliveries", guard::any, &api::list_deliveries);
  add("POST", "/v1/watchers/:id/deliveries/:delivery_id/redeliver", guard::any,
      &api::redeliver);
  // Check-ins and tasks
  add("GET", "/v1/check-ins", guard::any, &api::list_checkins);
  add("GET", "/v1/check-ins/:id", guard::any, &api::get_checkin);
  add("DELETE", "/v1/check-ins/:id", guard::any, &api::withdraw);
  add("GET", "/v1/check-ins/:id/status", guard::any, &api::checkin_status);
  add("POST", "/v1/check-ins/:id/approve", guard::member, &api::approve);
  add("POST", "/v1/check-ins/:id/reject", guard::member, &api::reject);
  add("POST", "/v1/check-ins/:id/modify", guard::member, &api::modify);
  add("POST", "/v1/check-ins/:id/withdraw", guard::any, &api::withdraw);
  add("POST", "/v1/check-ins/:id/extend", guard::member, &api::extend);
  add("POST", "/v1/check-ins/:id/claim", guard::claimed_agent, &api::claim_task);
  add("POST", "/v1/check-ins/:id/release", guard::claimed_agent, &api::release_task);
  add("POST", "/v1/check-ins/:id/help", guard::claimed_agent, &api::help_task);
  add("POST", "/v1/check-ins/:id/join", guard::claimed_agent, &api::join_task);
  add("POST", "/v1/check-ins/:id/submit", guard::claimed_agent, &api::submit_task);
  add("POST", "/v1/check-ins/:id/messages", guard::any, &api::post_message);
  add("GET", "/v1/check-ins/:id/messages", guard::any, &api::list_messages);
  add("GET", "/v1/check-ins/:id/participants", guard::any, &api::list_participants);
  // Real-time events: streams (the query token is accepted here only)
  for (auto [pattern, fn] : {std::pair{"/v1/rooms/:room/events", &api::room_events},
                             std::pair{"/v1/events", &api::all_events},
                             std::pair{"/v1/ws", &api::websocket}}) {
    add("GET", pattern, guard::any, fn);
    routes_.back().query_token = true;
    routes_.back().streams = true;
  }
  // Agent integrations
  add("POST", "/mcp", guard::claimed_agent, &api::mcp);
  // Web Push
  add("GET", "/v1/push/vapid-public-key", guard::human, &api::vapid_public_key);
  add("POST", "/v1/push/subscriptions", guard::human, &api::push_subscribe);
  add("DELETE", "/v1/push/subscriptions", guard::human, &api::push_unsubscribe);
  // Audit
  add("GET", "/v1/audit", guard::admin, &api::audit);
  add("GET", "/v1/audit/verify", guard::admin, &api::audit_verify);
}

api::~api() = default;

void api::add(std::string method, std::string pattern, guard g, handler_fn fn) {
  auto segments = split_path(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), g, fn});
}

std::vector<api::route_info> api::routes() const {
  std::vector<route_info> out;
  for (const auto& r : routes_)
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
  auto* stats = counters_.get();
  // HEAD is GET without the body (docs/api.md), for every GET but the streams.
  const bool head = req.method == "HEAD";
  auto counted = [stats, cors = &cors_, origin = std::string(req.header("origin")), head,
                  respond = std::move(respond)](response r) {
    stats->by_class[std::min<std::size_t>(5, static_cast<std::size_t>(r.status / 100))]++;
    cors->decorate(origin, r);
    r.omit_body = r.omit_body || head;
    respond(std::move(r));
  };
  const std::string_view method = head ? std::string_view("GET") : req.method;
  auto segments = split_path(req.path);
  const route* match = nullptr;
  std::vector<std::string> params;
  std::string allowed;
  auto allow = [&](std::string_view m) {
    if (allowed.find(m) == std::string::npos)
      allowed += allowed.empty() ? std::string(m) : ", " + std::string(m);
  };
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    std::vector<std::string> p;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (!r.segments[i].empty() && r.segments[i][0] == ':')
        p.push_back(segments[i]);
      else
        same = r.segments[i] == segments[i];
    }
    if (!same) continue;
    allow(r.method);
    if (r.method == "GET" && !r.streams) allow("HEAD");
    if (match != nullptr || r.method != method || (head && r.streams)) continue;
    match = &r;
    params = std::move(p);
  }
  if (!allowed.empty()) allow("OPTIONS");
  if (req.method == "OPTIONS" && !allowed.empty())
    return counted(cors_.options(req, allowed)); // before auth: preflights carry none
  if (match == nullptr) {
    if (!allowed.empty()) {
      auto res = error_response(405, "METHOD_NOT_ALLOWED",
                                req.method + " is not allowed here; allowed: " + allowed);
      res.headers.emplace_back("Allow", allowed);
      return counted(std::move(res));
    }
    return counted(error_response(ev::not_found(no_route_message(req))));
  }
  call c{req, counted, std::move(later), std::move(params), {}};
  if (match->g != guard::none) {
    auto who = authenticate(req, rt_.reads(), match->query_token);
    if (!who) return c.fail(who.error());
    if (auto ok = authorize(*who, match->g); !ok) return c.fail(ok.error());
    c.who = std::move(*who);
    activity_.seen(c.who.id, rt_.time().now());
    if (auto wait = principal_limits_.take(c.who.id); wait > 0) {
      stats->rate_limited++;
      return c.respond(rate_limited("too many requests", wait));
    }
  }
  // JSON in (API.md): a body of another media type is refused, not guessed at.
  if (!ev::is_blank(req.body) && !is_json_media_type(req.header("content-type")))
    return c.respond(error_response(
        415, "UNSUPPORTED_MEDIA_TYPE",
        "a request body must be JSON, sent with Content-Type: application/json"));
  dispatch(*match, c);
}

void api::dispatch(const route& r, call& c) {
  // Errors are values on request paths; an exception here is a bug (or memory
  // exhaustion). Answer 500 rather than let it unwind into the io thread.
  auto run = [this, fn = r.fn](call& cc) {
    try {
      (this->*fn)(cc);
    } catch (const std::exception& e) {
      cc.respond(
          error_response(ev::internal_error(std::string("internal error: ") + e.what())));
    }
  };
  auto key = c.req.header("idempotency-key");
  if (c.req.method != "POST" || key.empty()) return run(c);

  if (key.size() > 255 || key.find_first_of(" \t\r\n") != std::string_view::npos)
    return c.fail(
        ev::validation_error("Idempotency-Key", "must have 1-255 visible characters"));
  auto owner = c.who.id.empty() ? "ip:" + c.req.remote_address : c.who.id;
  auto storage_key = idempotency_storage_key(owner, key);
  if (!idempotency_in_flight_.begin(storage_key))
    return c.fail(
        ev::conflict("a request with this Idempotency-Key is still being handled"));
  // The request must outlive this call: the handler continues on a reader thread.
  auto req = std::make_shared<request>(c.req);
  auto fingerprint = request_fingerprint(req->method, req->path, req->body);
  auto continued =
      std::make_shared<call>(call{*req, c.respond, c.later, c.params, c.who});
  auto* stats = counters_.get();
  rt_.read_log(actors::runtime::read_lane::quick, [this, req, continued, storage_key,
                                                   fingerprint, run,
                                                   stats](const storage::event_log& log) {
    auto& cc = *continued;
    auto finish = [this, storage_key](const responder& respond, response r) {
      idempotency_in_flight_.end(storage_key);
      respond(std::move(r));
    };
    auto stored = log.read_record(storage_key);
    if (!stored) return finish(cc.respond, error_response(stored.error()));
    auto now = rt_.time().now();
    if (*stored) {
      auto rec = decode_record(**stored, secrets_);
      if (rec && now - rec->created_at < idempotency_ttl_ms) {
        if (rec->fingerprint != fingerprint)
          return finish(cc.respond,
                        error_response(ev::conflict("this Idempotency-Key was used with "
                                                    "another request")));
        stats->idempotent_replays++;
        rec->answer.headers.emplace_back("Idempotent-Replayed", "true");
        return finish(cc.respond, std::move(rec->answer));
      }
    }
    // First time (or expired): run it, and keep the answer if it wrote events.
    auto respond = cc.respond;
    cc.respond = [this, req, storage_key, fingerprint, respond, finish, now](response r) {
      if (!answer_is_kept(r)) return finish(respond, std::move(r));
      idempotency_record rec{fingerprint, r, now};
      std::vector<storage::record_write> writes{
          {storage_key, encode_record(rec, secrets_)}};
      rt_.write_records(std::move(writes), [respond, finish,
                                            r](ev::outcome<void> done) mutable {
        if (!done)
          spdlog::warn("could not store an idempotent answer: {}", done.error().message);
        finish(respond, std::move(r));
      });
    };
    run(cc);
  });
}

void api::purge_idempotency(std::function<void(ev::outcome<std::size_t>)> done) {
  auto now = rt_.time().now();
  rt_.read_log(actors::runtime::read_lane::bulk, [this, now, done = std::move(done)](
                                                     const storage::event_log& log) {
    auto keys = expired_idempotency_keys(log, now);
    if (!keys) return done(keys.error());
    if (keys->empty()) return done(std::size_t{0});
    const auto count = keys->size();
    std::vector<storage::record_write> deletions;
    deletions.reserve(count);
    for (auto& k : *keys)
      deletions.push_back({std::move(k), std::nullopt});
    rt_.write_records(std::move(deletions), [done, count](ev::outcome<void> written) {
      if (!written) return done(written.error());
      done(count);
    });
  });
}

// --- operations ----------------------------------------------------------------------

void api::healthz(call& c) {
  response r;
  r.body = R"({"status":"ok"})";
  c.respond(std::move(r));
}

void api::readyz(call& c) {
  auto seq = rt_.reads().read(
      [](const projections::projection_set& p) { return p.applied_seq; });
  auto failure = rt_.write_failure();
  bool ready = ready_ && !failure;
  response r;
  r.status = ready ? 200 : 503;
  json::object body{{"status", ready ? "ready" : "not_ready"}, {"seq", seq}};
  if (failure)
    body["reason"] = "the event log refuses writes: " + *failure;
  else if (!ready_)
    body["reason"] = "starting or shutting down";
  r.body = json::serialize(body);
  c.respond(std::move(r));
}

void api::metrics(call& c) {
  std::string out;
  auto line = [&](std::string_view name, std::string_view help, std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
  };
  auto value = [&](std::string_view series, auto v) {
    out += series;
    out += ' ';
    out += std::to_string(v);
    out += '\n';
  };
  line("waitroom_http_responses_total", "HTTP answers by status class", "counter");
  for (std::size_t i = 1; i < counters_->by_class.size(); ++i)
    value("waitroom_http_responses_total{class=\"" + std::to_string(i) + "xx\"}",
          counters_->by_class[i].load());
  line("waitroom_rate_limited_total", "Requests answered 429", "counter");
  value("waitroom_rate_limited_total", counters_->rate_limited.load());
  line("waitroom_idempotent_replays_total", "First answers replayed for Idempotency-Key",
       "counter");
  value("waitroom_idempotent_replays_total", counters_->idempotent_replays.load());
  rt_.reads().read([&](const projections::projection_set& p) {
    line("waitroom_log_applied_seq", "Last seq folded into the read models", "gauge");
    value("waitroom_log_applied_seq", p.applied_seq);
    line("waitroom_check_ins", "Check-ins by status", "gauge");
    const auto& counts = p.checkins.status_counts();
    for (std::size_t i = 0; i < counts.size(); ++i)
      value("waitroom_check_ins{status=\"" +
                std::string(ev::wire_name(static_cast<ev::checkin::checkin_status>(i))) +
                "\"}",
            counts[i]);
    line("waitroom_open_deadlines", "Deadlines the timer service watches", "gauge");
    value("waitroom_open_deadlines", p.deadlines.size());
  });
  line("waitroom_live_actors", "Aggregate actors in memory", "gauge");
  value("waitroom_live_actors", rt_.live_actors());
  line("waitroom_status_waiters", "Open long-polls", "gauge");
  value("waitroom_status_waiters", waiters_.size());
  if (options_.hub != nullptr) {
    line("waitroom_event_streams", "Open event streams", "gauge");
    value("waitroom_event_streams", options_.hub->size());
  }
  if (options_.redis != nullptr) {
    line("waitroom_redis_published_total", "Room events published to Redis", "counter");
    value("waitroom_redis_published_total", options_.redis->published());
    line("waitroom_redis_dropped_total", "Room events not published while Redis was away",
         "counter");
    value("waitroom_redis_dropped_total", options_.redis->dropped());
  }
  if (options_.push != nullptr) {
    line("waitroom_push_subscriptions", "Stored Web Push subscriptions", "gauge");
    value("waitroom_push_subscriptions", options_.push->subscriptions());
    line("waitroom_push_sent_total", "Web Push messages a push service accepted",
         "counter");
    value("waitroom_push_sent_total", options_.push->sent());
    line("waitroom_push_failed_total", "Web Push messages that failed", "counter");
    value("waitroom_push_failed_total", options_.push->failed());
    line("waitroom_push_removed_total",
         "Web Push subscriptions removed after a 404 or 410 from the push service",
         "counter");
    value("waitroom_push_removed_total", options_.push->removed());
  }
  if (options_.webhooks != nullptr) {
    line("waitroom_webhook_deliveries_delivered_total",
         "Webhook deliveries that got a 2xx (redeliveries included)", "counter");
    value("waitroom_webhook_deliveries_delivered_total", options_.webhooks->delivered());
    line("waitroom_webhook_deliveries_failed_total",
         "Webhook deliveries that failed for good (after their retries)", "counter");
    value("waitroom_webhook_deliveries_failed_total", options_.webhooks->failed());
  }
  response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(out);
  c.respond(std::move(r));
}

void api::dashboard(call& c) {
  c.respond(dashboard_response());
}

namespace {
ev::error push_not_configured() {
  return ev::unavailable("Web Push is not configured on this server (--vapid-public-key, "
                         "--vapid-private-key)");
}
} // namespace

void api::vapid_public_key(call& c) {
  if (!options_.vapid_public_key) return c.fail(push_not_configured());
  c.ok(json::object{{"public_key", *options_.vapid_public_key}});
}

void api::push_subscribe(call& c) {
  if (options_.push == nullptr) return c.fail(push_not_configured());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto endpoint = r.string("endpoint", true);
  auto keys = r.object("keys", true);
  if (!r.ok()) return c.fail(*r.error());
  body_reader k(*keys, "keys.");
  auto p256dh = k.string("p256dh", true);
  auto auth = k.string("auth", true);
  if (!k.ok()) return c.fail(*k.error());
  push_subscription s{c.who.id, *endpoint, *p256dh, *auth, rt_.time().now()};
  auto answer = json::object{{"endpoint", s.endpoint},
                             {"created_at", ev::format_rfc3339(s.created_at)}};
  options_.push->subscribe(
      std::move(s),
      [respond = c.respond, answer = std::move(answer)](ev::outcome<void> stored) {
        if (!stored) return respond(error_response(stored.error()));
        respond(data_response(answer, 201));
      });
}

void api::push_unsubscribe(call& c) {
  if (options_.push == nullptr) return c.fail(push_not_configured());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto endpoint = r.string("endpoint", true);
  if (!r.ok()) return c.fail(*r.error());
  options_.push->unsubscribe(
      c.who.id, *endpoint,
      [respond = c.respond, endpoint = *endpoint](ev::outcome<void> gone) {
        if (!gone) return respond(error_response(gone.error()));
        respond(
            data_response(json::object{{"endpoint", endpoint}, {"status", "deleted"}}));
      });
}

void api::openapi(call& c) {
  response r;
  r.body = std::string(openapi_document());
  c.respond(std::move(r));
}

} // namespace waitroom::http
