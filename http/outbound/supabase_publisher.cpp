#include "http/outbound/supabase_publisher.hpp"

#include "http/live/event_hub.hpp"

#include "events/json_writer.hpp"
#include "events/watcher/decider.hpp"

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
    , thread_([this] { run(); }) {}

supabase_publisher::~supabase_publisher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void supabase_publisher::on_committed(const std::vector<ev::recorded_event>& events) {
  std::vector<std::string> rendered;
  reads_.read([&](const projections::projection_set& p) {
    for (const auto& e : events) {
      if (!ev::watcher::is_room_event(e)) continue;
      std::string m;
      ev::json_writer w(m);
      w.begin_object();
      w.member("topic", "room:" + e.meta.room_id + ":events");
      w.member("event", ev::event_type(e.data));
      w.key("payload");
      w.raw(stream_envelope(e, p));
      w.member("private", false);
      w.end_object();
      rendered.push_back(std::move(m));
    }
  });
  if (rendered.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (auto& m : rendered) {
      if (queue_.size() >= options_.max_queued) {
        queue_.pop_front();
        ++dropped_;
      }
      queue_.push_back(std::move(m));
    }
  }
  wake_.notify_one();
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
    std::lock_guard lock(mu_);
    if (stopping_) return std::nullopt;
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
    std::vector<std::string> batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      while (!queue_.empty() && batch.size() < options_.batch_max) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
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
        dropped_ += batch.size();
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
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, wait, [&] { return stopping_; })) return;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }
}

} // namespace waitroom::http
