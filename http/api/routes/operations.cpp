// Operations: health, readiness, metrics, the OpenAPI document, the dashboard.
#include "http/api/call.hpp"
#include "http/api/dashboard.hpp"
#include "http/api/openapi_document.hpp"
#include "http/live/event_hub.hpp"
#include "http/outbound/push_worker.hpp"
#include "http/outbound/redis_publisher.hpp"
#include "http/outbound/supabase_publisher.hpp"
#include "http/outbound/webhook_worker.hpp"

#include <boost/json/serialize.hpp>

namespace waitroom::http {

// --- operations ----------------------------------------------------------------------

namespace {

void healthz(call& c) {
  response r;
  r.body = R"({"status":"ok"})";
  c.respond(std::move(r));
}

void readyz(call& c) {
  auto seq = c.s.rt.reads().read(
      [](const projections::projection_set& p) { return p.applied_seq; });
  auto failure = c.s.rt.write_failure();
  const auto* cluster = c.s.options.cluster;
  auto behind = cluster != nullptr ? cluster->not_ready() : std::nullopt;
  bool ready = c.s.ready && !failure && !behind;
  response r;
  r.status = ready ? 200 : 503;
  json::object body{{"status", ready ? "ready" : "not_ready"}, {"seq", seq}};
  if (cluster != nullptr) {
    body["node"] = cluster->node();
    body["role"] = cluster->role();
  }
  if (failure)
    body["reason"] = "the event log refuses writes: " + *failure;
  else if (!c.s.ready)
    body["reason"] = "starting or shutting down";
  else if (behind)
    body["reason"] = *behind;
  r.body = json::serialize(body);
  c.respond(std::move(r));
}

void metrics(call& c) {
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
  for (std::size_t i = 1; i < c.s.counters.by_class.size(); ++i)
    value("waitroom_http_responses_total{class=\"" + std::to_string(i) + "xx\"}",
          c.s.counters.by_class[i].load());
  line("waitroom_rate_limited_total", "Requests answered 429", "counter");
  value("waitroom_rate_limited_total", c.s.counters.rate_limited.load());
  line("waitroom_idempotent_replays_total", "First answers replayed for Idempotency-Key",
       "counter");
  value("waitroom_idempotent_replays_total", c.s.counters.idempotent_replays.load());
  c.s.rt.reads().read([&](const projections::projection_set& p) {
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
  if (const auto* cluster = c.s.options.cluster) {
    const auto applied = c.s.rt.reads().read(
        [](const projections::projection_set& p) { return p.applied_seq; });
    const auto head = std::max(cluster->head_seq(), applied);
    line("waitroom_cluster_role",
         "This node's role in its cluster (1 for the role it has)", "gauge");
    for (const auto* role : {"writer", "replica"})
      value(std::string("waitroom_cluster_role{node=\"") + cluster->node() +
                "\",role=\"" + role + "\"}",
            cluster->role() == role ? 1 : 0);
    line("waitroom_cluster_head_seq", "The log's last seq as this node last heard it",
         "gauge");
    value("waitroom_cluster_head_seq", head);
    line("waitroom_cluster_lag_events", "Events of the log this node has yet to fold",
         "gauge");
    value("waitroom_cluster_lag_events", head - applied);
  }
  line("waitroom_live_actors", "Aggregate actors in memory", "gauge");
  value("waitroom_live_actors", c.s.rt.live_actors());
  line("waitroom_status_waiters", "Open long-polls", "gauge");
  value("waitroom_status_waiters", c.s.waiters.size());
  if (c.s.options.hub != nullptr) {
    line("waitroom_event_streams", "Open event streams", "gauge");
    value("waitroom_event_streams", c.s.options.hub->size());
  }
  if (c.s.options.redis != nullptr) {
    line("waitroom_redis_published_total", "Room events published to Redis", "counter");
    value("waitroom_redis_published_total", c.s.options.redis->published());
    line("waitroom_redis_dropped_total", "Room events not published while Redis was away",
         "counter");
    value("waitroom_redis_dropped_total", c.s.options.redis->dropped());
  }
  if (c.s.options.supabase != nullptr) {
    const auto& s = *c.s.options.supabase;
    line("waitroom_supabase_published_total",
         "Room events a Supabase project's broadcast endpoint accepted", "counter");
    value("waitroom_supabase_published_total", s.published());
    line("waitroom_supabase_dropped_total",
         "Room events dropped for Supabase (refused with a 4xx, or the queue was full)",
         "counter");
    value("waitroom_supabase_dropped_total", s.dropped());
    line("waitroom_supabase_retries_total",
         "Broadcast POSTs retried after a 5xx, a 429 or no answer", "counter");
    value("waitroom_supabase_retries_total", s.retries());
  }
  if (c.s.options.push != nullptr) {
    line("waitroom_push_subscriptions", "Stored Web Push subscriptions", "gauge");
    value("waitroom_push_subscriptions", c.s.options.push->subscriptions());
    line("waitroom_push_sent_total", "Web Push messages a push service accepted",
         "counter");
    value("waitroom_push_sent_total", c.s.options.push->sent());
    line("waitroom_push_failed_total", "Web Push messages that failed", "counter");
    value("waitroom_push_failed_total", c.s.options.push->failed());
    line("waitroom_push_removed_total",
         "Web Push subscriptions removed after a 404 or 410 from the push service",
         "counter");
    value("waitroom_push_removed_total", c.s.options.push->removed());
  }
  if (c.s.options.webhooks != nullptr) {
    line("waitroom_webhook_deliveries_delivered_total",
         "Webhook deliveries that got a 2xx (redeliveries included)", "counter");
    value("waitroom_webhook_deliveries_delivered_total",
          c.s.options.webhooks->delivered());
    line("waitroom_webhook_deliveries_failed_total",
         "Webhook deliveries that failed for good (after their retries)", "counter");
    value("waitroom_webhook_deliveries_failed_total", c.s.options.webhooks->failed());
  }
  response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(out);
  c.respond(std::move(r));
}

/// `GET /v1/cluster` (docs/cluster.md): the nodes and the writer; one node when this is
/// not a cluster.
void cluster(call& c) {
  if (const auto* view = c.s.options.cluster)
    return c.respond(data_response(view->describe()));
  auto seq = c.s.rt.reads().read(
      [](const projections::projection_set& p) { return p.applied_seq; });
  json::object node{{"name", "local"},
                    {"url", nullptr},
                    {"role", "writer"},
                    {"applied_seq", seq},
                    {"last_seen", ev::format_rfc3339(c.s.rt.time().now())}};
  c.respond(data_response(json::object{
      {"nodes", json::array{node}}, {"head_seq", seq}, {"writer", "local"}}));
}

void dashboard(call& c) {
  c.respond(dashboard_response());
}

void serve_dashboard_file(call& c) {
  auto file = dashboard_file_response(c.params[0]);
  if (!file) return c.fail(ev::not_found("no such file of the dashboard"));
  c.respond(std::move(*file));
}

void openapi(call& c) {
  response r;
  r.body = std::string(openapi_document());
  c.respond(std::move(r));
}

} // namespace

void add_operations_routes(route_table& t) {
  t.add("GET", "/healthz", guard::none, healthz);
  t.add("GET", "/readyz", guard::none, readyz);
  t.add("GET", "/metrics", guard::none, metrics);
  t.add("GET", "/v1/cluster", guard::admin, cluster);
  t.add("GET", "/v1/openapi.json", guard::none, openapi);
  t.add("GET", "/", guard::none, dashboard);
  t.add("GET", "/dashboard/:file", guard::none, serve_dashboard_file);
}

} // namespace waitroom::http
