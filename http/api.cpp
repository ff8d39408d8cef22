#include "http/api.hpp"

#include "events/ids.hpp"
#include "http/json_body.hpp"
#include "http/render.hpp"
#include "http/responses.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>

namespace waitroom::http {

namespace json = boost::json;
namespace ev = waitroom::events;
using ev::checkin::checkin_status;

// --- plumbing ------------------------------------------------------------------

struct api::call {
  const request& req;
  responder respond;
  std::shared_ptr<deferrer> later;
  std::vector<std::string> params; ///< values of the `:name` segments, in order
  principal who;

  void ok(json::value data, int status = 200) const {
    respond(data_response(std::move(data), status));
  }
  void fail(const ev::error& e) const { respond(error_response(e)); }
};

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

/// `limit` (default 50, 1-500) and the opaque `cursor` of a list request.
struct page {
  std::size_t limit = 50;
  std::string cursor;
};

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

/// Cursors are opaque to clients: a letter and a position.
std::optional<std::uint64_t> decode_cursor(std::string_view cursor, char kind) {
  if (cursor.size() < 2 || cursor[0] != kind) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(cursor.data() + 1, cursor.data() + cursor.size(), v);
  if (ec != std::errc() || ptr != cursor.data() + cursor.size()) return std::nullopt;
  return v;
}

std::string encode_cursor(char kind, std::uint64_t v) {
  return kind + std::to_string(v);
}

/// The position a page starts from: 0 without a cursor; 400 for a cursor of another list.
ev::outcome<std::uint64_t> start_of(const page& p, char kind) {
  if (p.cursor.empty()) return std::uint64_t{0};
  auto pos = decode_cursor(p.cursor, kind);
  if (!pos) return ev::validation_error("cursor", "is not a cursor of this list");
  return *pos;
}

/// One page of `all` from index `start`, written by `write(json_writer&, item)`; the
/// cursor points past it.
template <class T, class Write>
response index_page(const std::vector<T>& all, std::uint64_t start, const page& p,
                    char kind, Write write) {
  std::optional<std::string> next;
  auto end = std::min<std::uint64_t>(all.size(), start + p.limit);
  if (end < all.size()) next = encode_cursor(kind, end);
  return list_response_from(
      [&](json_writer& w) {
        for (auto i = start; i < end; ++i)
          write(w, *all[i]);
      },
      next);
}

ev::error room_not_found() {
  return ev::not_found("room not found");
}
ev::error checkin_not_found() {
  return ev::not_found("check-in not found");
}

/// Renames the field of a domain error to the alias the client used.
ev::error with_alias(ev::error e, const std::map<std::string, std::string>& used) {
  if (auto it = used.find(e.field); it != used.end()) e.field = it->second;
  return e;
}

} // namespace

api::api(actors::runtime& rt, status_waiters& waiters)
    : rt_(rt)
    , waiters_(waiters) {
  add("GET", "/healthz", guard::none, &api::healthz);
  add("GET", "/readyz", guard::none, &api::readyz);
  add("GET", "/v1/me", guard::authenticated, &api::me);
  add("POST", "/v1/agents/register", guard::member, &api::register_agent);
  add("GET", "/v1/rooms", guard::any, &api::list_rooms);
  add("POST", "/v1/rooms", guard::admin, &api::create_room);
  add("GET", "/v1/rooms/:room", guard::any, &api::get_room);
  add("GET", "/v1/rooms/:room/policy", guard::any, &api::get_policy);
  add("PUT", "/v1/rooms/:room/policy", guard::admin, &api::put_policy);
  add("POST", "/v1/rooms/:room/check-in", guard::claimed_agent, &api::create_checkin);
  add("GET", "/v1/rooms/:room/pending", guard::any, &api::room_pending);
  add("GET", "/v1/rooms/:room/trust", guard::any, &api::room_trust);
  add("GET", "/v1/check-ins/:id", guard::any, &api::get_checkin);
  add("DELETE", "/v1/check-ins/:id", guard::any, &api::withdraw);
  add("GET", "/v1/check-ins/:id/status", guard::any, &api::checkin_status);
  add("POST", "/v1/check-ins/:id/approve", guard::member, &api::approve);
  add("POST", "/v1/check-ins/:id/reject", guard::member, &api::reject);
  add("POST", "/v1/check-ins/:id/modify", guard::member, &api::modify);
  add("POST", "/v1/check-ins/:id/withdraw", guard::any, &api::withdraw);
  add("POST", "/v1/check-ins/:id/extend", guard::member, &api::extend);
}

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

void api::handle(const request& req, responder respond, std::shared_ptr<deferrer> later) {
  auto segments = split_path(req.path);
  const route* match = nullptr;
  std::vector<std::string> params;
  std::string allowed;
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
    if (r.method != req.method) {
      allowed += allowed.empty() ? r.method : ", " + r.method;
      continue;
    }
    match = &r;
    params = std::move(p);
    break;
  }
  if (match == nullptr) {
    if (!allowed.empty()) {
      auto res = error_response(405, "METHOD_NOT_ALLOWED",
                                req.method + " is not allowed here; allowed: " + allowed);
      res.headers.emplace_back("Allow", allowed);
      return respond(std::move(res));
    }
    return respond(
        error_response(ev::not_found("no route for " + req.method + " " + req.path)));
  }
  call c{req, respond, std::move(later), std::move(params), {}};
  if (match->g != guard::none) {
    auto who = authenticate(req, rt_.reads(), false);
    if (!who) return c.fail(who.error());
    if (auto allowed_ok = authorize(*who, match->g); !allowed_ok)
      return c.fail(allowed_ok.error());
    c.who = std::move(*who);
  }
  // Errors are values on request paths; an exception here is a bug (or memory
  // exhaustion). Answer 500 rather than let it unwind into the io thread.
  try {
    (this->*(match->fn))(c);
  } catch (const std::exception& e) {
    respond(
        error_response(ev::internal_error(std::string("internal error: ") + e.what())));
  }
}

// --- operations ----------------------------------------------------------------

void api::healthz(call& c) {
  response r;
  r.body = R"({"status":"ok"})";
  c.respond(std::move(r));
}

void api::readyz(call& c) {
  auto seq = rt_.reads().read([](const projections::projection_set& p) { return p.applied_seq; });
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

// --- identity ------------------------------------------------------------------

void api::me(call& c) {
  json::object o;
  o["kind"] = c.who.is_user() ? "user" : "agent";
  o["id"] = c.who.id;
  o["org_id"] = c.who.org_id.empty() ? json::value(nullptr) : json::value(c.who.org_id);
  o["name"] = c.who.name;
  if (c.who.is_user()) {
    o["role"] = ev::wire_name(*c.who.role);
    o["instance_admin"] = c.who.instance_admin;
  } else {
    o["status"] = c.who.claimed ? "active" : "pending_claim";
  }
  c.ok(std::move(o));
}

void api::register_agent(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto name = r.string("name", true);
  auto description = r.string("description");
  auto platform = r.string("platform");
  if (!r.ok()) return c.fail(*r.error());
  auto key = rt_.ids().make_secret("wr_", 32);
  ev::agent::register_agent cmd{rt_.ids().make_id(ev::agent_prefix),
                                c.who.org_id,
                                *name,
                                description.value_or(""),
                                platform.value_or(""),
                                actors::credential_hash(key),
                                key.substr(0, 12),
                                c.who.actor(),
                                rt_.time().now()};
  auto id = cmd.id;
  auto respond = c.respond;
  rt_.send(id, ev::agent::command{std::move(cmd)},
           [respond, key](ev::outcome<ev::agent::state> a) {
             if (!a) return respond(error_response(a.error()));
             respond(data_response_from(
                 [&](json_writer& w) {
                   w.begin_object();
                   w.key("agent");
                   write_agent(w, *a);
                   w.member("api_key", key);
                   w.member("key_prefix", a->key_prefix);
                   w.end_object();
                 },
                 201));
           });
}

// --- rooms ---------------------------------------------------------------------

void api::list_rooms(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto start = start_of(*p, 'r');
  if (!start) return c.fail(start.error());
  c.respond(rt_.reads().read([&](const projections::projection_set& ps) {
    return index_page(ps.rooms.of_org(c.who.org_id), *start, *p, 'r',
                      [&](json_writer& w, const ev::room::state& r) {
                        write_room(w, r, ps.checkins.queue_size(r.id));
                      });
  }));
}

void api::create_room(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  ev::org::create_room cmd;
  auto name = r.string("name", true);
  auto slug = r.string("slug", true);
  auto description = r.string("description");
  cmd.default_timeout_ms = r.integer("default_timeout_ms");
  cmd.default_timeout_action =
      r.enumeration<ev::checkin::timeout_behavior>("default_timeout_action");
  if (auto n = r.integer("default_required_approvals")) {
    if (*n < 1 || *n > 10)
      r.fail("default_required_approvals", "must be 1-10");
    else
      cmd.default_required_approvals = static_cast<int>(*n);
  }
  cmd.expiry_warning_ms = r.integer("expiry_warning_ms");
  if (!r.ok()) return c.fail(*r.error());
  if (const auto* pv = body->if_contains("policy"); pv != nullptr && !pv->is_null()) {
    auto policy = ev::room::parse_policy(*pv, "policy");
    if (!policy) return c.fail(policy.error());
    cmd.policy = std::move(*policy);
  }
  cmd.room_id = rt_.ids().make_id(ev::room_prefix);
  cmd.slug = *slug;
  cmd.name = *name;
  cmd.description = description.value_or("");
  cmd.by = c.who.actor();
  cmd.now = rt_.time().now();
  auto respond = c.respond;
  rt_.send(c.who.org_id, ev::org::command{std::move(cmd)},
           [respond](ev::outcome<ev::room::state> room) {
             if (!room) return respond(error_response(room.error()));
             respond(data_response_from([&](json_writer& w) { write_room(w, *room, 0); },
                                        201));
           });
}

void api::get_room(call& c) {
  auto answer = rt_.reads().read([&](const projections::projection_set& p) {
    const auto* room = p.rooms.resolve(c.who.org_id, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    return data_response_from(
        [&](json_writer& w) { write_room(w, *room, p.checkins.queue_size(room->id)); });
  });
  c.respond(std::move(answer));
}

void api::get_policy(call& c) {
  std::optional<json::value> out;
  rt_.reads().read([&](const projections::projection_set& p) {
    if (const auto* room = p.rooms.resolve(c.who.org_id, c.params[0]))
      out = ev::room::to_json(room->policy);
  });
  if (!out) return c.fail(room_not_found());
  c.ok(std::move(*out));
}

void api::put_policy(call& c) {
  auto room_id = rt_.reads().read([&](const projections::projection_set& p) {
    const auto* room = p.rooms.resolve(c.who.org_id, c.params[0]);
    return room ? room->id : std::string();
  });
  if (room_id.empty()) return c.fail(room_not_found());
  auto body = parse_json(c.req.body);
  if (!body) return c.fail(body.error());
  auto policy = ev::room::parse_policy(*body, "");
  if (!policy) return c.fail(policy.error());
  auto respond = c.respond;
  rt_.send(room_id,
           ev::room::command{
               ev::room::set_policy{std::move(*policy), c.who.actor(), rt_.time().now()}},
           [respond](ev::outcome<ev::room::state> room) {
             if (!room) return respond(error_response(room.error()));
             respond(data_response(ev::room::to_json(room->policy)));
           });
}

void api::room_pending(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto after = start_of(*p, 's');
  if (!after) return c.fail(after.error());
  c.respond(rt_.reads().read([&](const projections::projection_set& ps) {
    const auto* room = ps.rooms.resolve(c.who.org_id, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    auto queue = ps.checkins.queue(room->id, *after, p->limit + 1);
    std::optional<std::string> next;
    if (queue.size() > p->limit) {
      queue.pop_back();
      next = encode_cursor('s', queue.back()->created_seq);
    }
    return list_response_from(
        [&](json_writer& w) {
          for (const auto* s : queue)
            write_checkin(w, *s, room->slug);
        },
        next);
  }));
}

void api::room_trust(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto start = start_of(*p, 't');
  if (!start) return c.fail(start.error());
  auto answer = rt_.reads().read(
      [&](const projections::projection_set& ps) -> std::optional<response> {
        const auto* room = ps.rooms.resolve(c.who.org_id, c.params[0]);
        if (room == nullptr) return std::nullopt;
        return index_page(ps.trust.of_room(room->id), *start, *p, 't', write_trust);
      });
  if (!answer) return c.fail(room_not_found());
  c.respond(std::move(*answer));
}

// --- check-ins -----------------------------------------------------------------

void api::create_checkin(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  std::map<std::string, std::string> used; // canonical -> alias the client sent
  ev::checkin::create cmd;
  auto action = r.string("action", true);
  auto reason_field = r.alias("reason", "description");
  auto reason = r.string(reason_field);
  auto risk = r.enumeration<ev::checkin::risk>("risk_level");
  auto urgency = r.enumeration<ev::checkin::urgency_level>("urgency");
  auto metadata_field = r.alias("metadata", "context");
  auto metadata = r.object(metadata_field);
  auto timeout_ms = r.integer("timeout_ms");
  auto timeout_minutes = r.integer("timeout_minutes");
  cmd.timeout_action = r.enumeration<ev::checkin::timeout_behavior>("timeout_action");
  auto required = r.integer("required_approvals");
  if (timeout_minutes) {
    constexpr std::int64_t max_minutes = 7 * 24 * 60;
    if (*timeout_minutes < 1 || *timeout_minutes > max_minutes)
      r.fail("timeout_minutes", "must be 1-10080 (1 minute to 7 days)");
    else if (timeout_ms && *timeout_ms != *timeout_minutes * 60000)
      r.fail("timeout_ms",
             "and its alias timeout_minutes were both sent with different values");
    else if (!timeout_ms) {
      timeout_ms = *timeout_minutes * 60000;
      used["timeout_ms"] = "timeout_minutes";
    }
  }
  if (required && (*required < 1 || *required > ev::checkin::max_required_approvals))
    r.fail("required_approvals", "must be 1-10");
  if (!r.ok()) return c.fail(*r.error());
  if (reason_field != "reason") used["reason"] = std::string(reason_field);
  if (metadata_field != "metadata") used["metadata"] = std::string(metadata_field);

  auto room_id = rt_.reads().read([&](const projections::projection_set& p) {
    const auto* room = p.rooms.resolve(c.who.org_id, c.params[0]);
    return room ? room->id : std::string();
  });
  if (room_id.empty()) return c.fail(room_not_found());
  cmd.id = rt_.ids().make_id(ev::checkin_prefix);
  cmd.room_id = room_id;
  cmd.org_id = c.who.org_id;
  cmd.agent_id = c.who.id;
  cmd.action = std::move(*action);
  cmd.reason = reason.value_or("");
  cmd.risk_level = risk.value_or(ev::checkin::risk::medium);
  cmd.urgency = urgency.value_or(ev::checkin::urgency_level::normal);
  cmd.metadata = metadata.value_or(json::object{});
  cmd.timeout_ms = timeout_ms;
  if (required) cmd.required_approvals = static_cast<int>(*required);
  cmd.now = rt_.time().now();
  cmd.message_ids = rt_.ids().message_ids(1);
  auto respond = c.respond;
  auto& reads = rt_.reads();
  rt_.create_checkin(std::move(cmd), [respond, used,
                                      &reads](ev::outcome<ev::checkin::state> s) {
    if (!s) return respond(error_response(with_alias(s.error(), used)));
    respond(reads.read([&](const projections::projection_set& p) {
      return data_response_from([&](json_writer& w) { write_checkin(w, *s, p); }, 201);
    }));
  });
}

void api::get_checkin(call& c) {
  c.respond(rt_.reads().read([&](const projections::projection_set& p) {
    const auto* s = p.checkins.find(c.params[0]);
    if (s == nullptr || s->org_id != c.who.org_id)
      return error_response(checkin_not_found());
    return data_response_from([&](json_writer& w) { write_checkin(w, *s, p); });
  }));
}

void api::checkin_status(call& c) {
  std::int64_t wait_ms = 0;
  if (const auto* w = c.req.query_value("wait_ms")) {
    auto [ptr, ec] = std::from_chars(w->data(), w->data() + w->size(), wait_ms);
    if (ec != std::errc() || ptr != w->data() + w->size() || wait_ms < 0 ||
        wait_ms > 60000)
      return c.fail(ev::validation_error("wait_ms", "must be an integer 0-60000"));
  }
  const std::string id = c.params[0];
  const std::string org = c.who.org_id;
  auto& reads = rt_.reads();
  // The current status as an answer, or nothing while it is still waiting (`final_only`).
  auto current = [&reads, id, org](bool final_only) -> std::optional<response> {
    return reads.read(
        [&](const projections::projection_set& p) -> std::optional<response> {
          const auto* s = p.checkins.find(id);
          if (s == nullptr || s->org_id != org)
            return error_response(checkin_not_found());
          if (final_only && ev::checkin::is_waiting(s->status)) return std::nullopt;
          return data_response_from([&](json_writer& w) { write_status(w, *s); });
        });
  };
  if (wait_ms == 0) return c.respond(*current(false));
  // Register first, then look: a commit between the two cannot be missed.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  auto respond = c.respond;
  auto finish = [answered, respond](response r) {
    if (!answered->exchange(true)) respond(std::move(r));
  };
  auto handle = waiters_.wait(id, [current, finish, answered](bool releasing) {
    if (*answered) return true;
    auto r = current(!releasing);
    if (!r) return false;
    finish(std::move(*r));
    return true;
  });
  if (auto r = current(true)) {
    waiters_.cancel(id, handle);
    return finish(std::move(*r));
  }
  auto& waiters = waiters_;
  c.later->after(std::chrono::milliseconds(wait_ms),
                 [&waiters, id, handle, current, finish] {
                   waiters.cancel(id, handle);
                   finish(*current(false));
                 });
}

void api::checkin_command(call& c, ev::checkin::command cmd) {
  const std::string id = c.params[0];
  bool visible = rt_.reads().read([&](const projections::projection_set& p) {
    const auto* s = p.checkins.find(id);
    return s != nullptr && s->org_id == c.who.org_id;
  });
  if (!visible) return c.fail(checkin_not_found());
  auto respond = c.respond;
  auto& reads = rt_.reads();
  rt_.send(id, std::move(cmd), [respond, &reads](ev::outcome<ev::checkin::state> s) {
    if (!s) return respond(error_response(s.error()));
    respond(reads.read([&](const projections::projection_set& p) {
      return data_response_from([&](json_writer& w) { write_checkin(w, *s, p); });
    }));
  });
}

std::optional<std::optional<std::string>> api::read_reason(call& c) {
  auto body = parse_object_body(c.req.body, true);
  if (!body) {
    c.fail(body.error());
    return std::nullopt;
  }
  body_reader r(*body);
  auto reason = r.string("reason");
  if (!r.ok()) {
    c.fail(*r.error());
    return std::nullopt;
  }
  return reason;
}

void api::approve(call& c) {
  if (auto reason = read_reason(c))
    checkin_command(c, ev::checkin::approve{c.who.actor(), *reason, rt_.time().now(),
                                            rt_.ids().message_ids()});
}

void api::reject(call& c) {
  if (auto reason = read_reason(c))
    checkin_command(c, ev::checkin::reject{c.who.actor(), *reason, rt_.time().now(),
                                           rt_.ids().message_ids()});
}

void api::modify(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto modifications = r.object("modifications", true);
  auto reason = r.string("reason");
  if (!r.ok()) return c.fail(*r.error());
  checkin_command(c, ev::checkin::modify{c.who.actor(), std::move(*modifications), reason,
                                         rt_.time().now(), rt_.ids().message_ids()});
}

void api::withdraw(call& c) {
  if (auto reason = read_reason(c))
    checkin_command(c, ev::checkin::withdraw{c.who.actor(), *reason, rt_.time().now(),
                                             rt_.ids().message_ids()});
}

void api::extend(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto by_ms = r.integer("by_ms", true);
  if (!r.ok()) return c.fail(*r.error());
  checkin_command(c, ev::checkin::extend{c.who.actor(), *by_ms, rt_.time().now()});
}

} // namespace waitroom::http
