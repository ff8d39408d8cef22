#include "http/outbound/supabase_publisher.hpp"

#include "http/live/event_hub.hpp"

#include "events/json_writer.hpp"

#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <future>
#include <memory>

namespace waitroom::http {

namespace ev = waitroom::events;

std::optional<std::string> broadcast_url_of(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || !u->has_authority() ||
      u->host().empty() || u->has_query() || u->has_fragment())
    return std::nullopt;
  std::string base(url);
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base + "/realtime/v1/api/broadcast";
}

supabase_publisher::supabase_publisher(supabase_options options,
                                       const projections::read_model& reads,
                                       outbound_client& client)
    : options_(std::move(options))
    , reads_(reads)
    , client_(client)
    , queue_(options_.max_queued)
    , thread_([this] { run(); }) {}

supabase_publisher::~supabase_publisher() {
  queue_.stop();
  thread_.join();
}

void supabase_publisher::on_committed(const std::vector<ev::recorded_event>& events) {
  std::vector<std::string> rendered;
  for (const auto& r : room_events_of(events, reads_)) {
    std::string m;
    ev::json_writer w(m);
    w.begin_object();
    w.member("topic", room_channel(r.room_id));
    w.member("event", r.type);
    w.key("payload");
    w.raw(*r.envelope);
    w.member("private", false);
    w.end_object();
    rendered.push_back(std::move(m));
  }
  queue_.push(std::move(rendered));
}

std::optional<outbound_result> supabase_publisher::send(const std::string& body) {
  outbound_request req;
  req.url = options_.broadcast_url;
  req.headers = {{"apikey", options_.key},
                 {"Authorization", "Bearer " + options_.key},
                 {"Content-Type", "application/json"}};
  req.body = body;
  req.timeout = options_.timeout;
  // the answer may come after this gives up waiting (at shutdown): it owns its promise
  auto answer = std::make_shared<std::promise<outbound_result>>();
  auto future = answer->get_future();
  client_.post(std::move(req),
               [answer](outbound_result r) { answer->set_value(std::move(r)); });
  const auto deadline =
      std::chrono::steady_clock::now() + options_.timeout + std::chrono::seconds(2);
  while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (queue_.stopping()) return std::nullopt;
    if (std::chrono::steady_clock::now() > deadline) {
      outbound_result none;
      none.error = "no answer in time";
      return none;
    }
  }
  return future.get();
}

void supabase_publisher::run() {
  bool failing = false;
  for (;;) {
    auto batch = queue_.take(options_.batch_max);
    if (batch.empty()) return; // stopping
    std::string body = "{\"messages\":[";
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i > 0) body += ',';
      body += batch[i];
    }
    body += "]}";
    auto backoff = options_.first_backoff;
    for (;;) {
      auto r = send(body);
      if (!r) return; // stopping
      const int status = r->status.value_or(0);
      if (status >= 200 && status < 300) {
        published_ += batch.size();
        if (failing) spdlog::info("supabase broadcast accepted again");
        failing = false;
        break;
      }
      if (status != 0 && status != 429 && status < 500) {
        spdlog::warn("supabase broadcast refused {} events with HTTP {}: dropped",
                     batch.size(), status);
        queue_.count_dropped(batch.size());
        break;
      }
      if (!failing)
        spdlog::warn("supabase broadcast failed ({}): retrying with backoff",
                     status != 0 ? "HTTP " + std::to_string(status) : r->error);
      failing = true;
      ++retries_;
      auto wait = backoff;
      if (r->retry_after_ms)
        wait = std::max(wait, std::chrono::milliseconds(*r->retry_after_ms));
      wait = std::min(wait, options_.max_backoff);
      if (queue_.pause(wait)) return;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }
}

} // namespace waitroom::http
