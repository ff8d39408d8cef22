#include "http/outbound/redis_publisher.hpp"

#include "http/live/event_hub.hpp"

#include <boost/url/parse.hpp>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

namespace waitroom::http {

namespace ev = waitroom::events;

namespace {

constexpr std::size_t max_queued = 100000; // beyond this, Redis is too far behind: drop

struct context_free {
  void operator()(redisContext* c) const { redisFree(c); }
};
using context_ptr = std::unique_ptr<redisContext, context_free>;
struct reply_free {
  void operator()(void* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<void, reply_free>;

/// A reply that is not an error, or nothing (the connection is then unusable).
bool ok_reply(redisContext* c, void* raw) {
  reply_ptr r(raw);
  return r && c->err == 0 && static_cast<redisReply*>(r.get())->type != REDIS_REPLY_ERROR;
}

} // namespace

std::optional<redis_target> parse_redis_url(std::string_view text) {
  auto u = boost::urls::parse_uri(text);
  if (!u || u->scheme() != "redis" || !u->has_authority() || u->host().empty())
    return std::nullopt;
  redis_target t;
  t.host = std::string(u->host());
  if (u->has_port()) {
    unsigned v = 0;
    auto p = u->port();
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || v == 0 || v > 65535)
      return std::nullopt;
    t.port = static_cast<std::uint16_t>(v);
  }
  if (u->has_password()) t.password = std::string(u->password());
  std::string path(u->path());
  if (!path.empty() && path != "/") {
    auto digits = std::string_view(path).substr(1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t.db);
    if (ec != std::errc() || end != digits.data() + digits.size() || t.db < 0)
      return std::nullopt;
  }
  return t;
}

redis_publisher::redis_publisher(redis_target target,
                                 const projections::read_model& reads)
    : target_(std::move(target))
    , reads_(reads)
    , queue_(max_queued)
    , thread_([this] { run(); }) {}

redis_publisher::~redis_publisher() {
  queue_.stop();
  thread_.join();
}

void redis_publisher::on_committed(const std::vector<ev::recorded_event>& events) {
  std::vector<message> rendered;
  for (auto& r : room_events_of(events, reads_))
    rendered.push_back({room_channel(r.room_id), std::move(r.envelope)});
  queue_.push(std::move(rendered));
}

void redis_publisher::run() {
  context_ptr c;
  auto backoff = std::chrono::milliseconds(100);
  bool warned = false;
  for (;;) {
    auto next = queue_.take(1);
    if (next.empty()) return; // stopping
    auto& m = next.front();
    if (!c) {
      timeval timeout{1, 0};
      c.reset(redisConnectWithTimeout(target_.host.c_str(), target_.port, timeout));
      bool ready = c && c->err == 0;
      if (ready) redisSetTimeout(c.get(), timeval{2, 0});
      if (ready && !target_.password.empty())
        ready =
            ok_reply(c.get(), redisCommand(c.get(), "AUTH %b", target_.password.data(),
                                           target_.password.size()));
      if (ready && target_.db != 0)
        ready = ok_reply(c.get(), redisCommand(c.get(), "SELECT %d", target_.db));
      if (!ready) {
        if (!warned)
          spdlog::warn(
              "redis {}:{} unreachable ({}); dropping events for Redis until it is back",
              target_.host, target_.port, c ? c->errstr : "no memory");
        warned = true;
        c.reset();
        // drop it and what waits too, then wait before the next try (writes never wait)
        queue_.count_dropped(1);
        queue_.drop_waiting();
        if (queue_.pause(backoff)) return;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      if (warned) spdlog::info("redis {}:{} reachable again", target_.host, target_.port);
      warned = false;
      backoff = std::chrono::milliseconds(100);
    }
    if (ok_reply(c.get(),
                 redisCommand(c.get(), "PUBLISH %b %b", m.channel.data(),
                              m.channel.size(), m.payload->data(), m.payload->size()))) {
      ++published_;
    } else {
      queue_.count_dropped(1);
      c.reset(); // reconnect for the next one
    }
  }
}

} // namespace waitroom::http
