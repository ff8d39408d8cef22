// Web Push: the VAPID key and people's browser subscriptions.
#include "http/api/call.hpp"
#include "http/outbound/push_worker.hpp"

namespace waitroom::http {

namespace {
ev::error push_not_configured() {
  return ev::unavailable("Web Push is not configured on this server (--vapid-public-key, "
                         "--vapid-private-key)");
}
} // namespace

namespace {

void vapid_public_key(call& c) {
  if (!c.s.options.vapid_public_key) return c.fail(push_not_configured());
  c.ok(json::object{{"public_key", *c.s.options.vapid_public_key}});
}

void push_subscribe(call& c) {
  if (c.s.options.push == nullptr) return c.fail(push_not_configured());
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
  push_subscription s{c.who.id, *endpoint, *p256dh, *auth, c.s.rt.time().now()};
  auto answer = json::object{{"endpoint", s.endpoint},
                             {"created_at", ev::format_rfc3339(s.created_at)}};
  c.s.options.push->subscribe(
      std::move(s),
      [respond = c.respond, answer = std::move(answer)](ev::outcome<void> stored) {
        if (!stored) return respond(error_response(stored.error()));
        respond(data_response(answer, 201));
      });
}

void push_unsubscribe(call& c) {
  if (c.s.options.push == nullptr) return c.fail(push_not_configured());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto endpoint = r.string("endpoint", true);
  if (!r.ok()) return c.fail(*r.error());
  c.s.options.push->unsubscribe(
      c.who.id, *endpoint,
      [respond = c.respond, endpoint = *endpoint](ev::outcome<void> gone) {
        if (!gone) return respond(error_response(gone.error()));
        respond(
            data_response(json::object{{"endpoint", endpoint}, {"status", "deleted"}}));
      });
}

} // namespace

void add_push_routes(route_table& t) {
  t.add("GET", "/v1/push/vapid-public-key", guard::human, vapid_public_key);
  t.add("POST", "/v1/push/subscriptions", guard::human, push_subscribe);
  t.add("DELETE", "/v1/push/subscriptions", guard::human, push_unsubscribe);
}

} // namespace waitroom::http
