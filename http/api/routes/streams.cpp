// Server-sent events: `GET /v1/rooms/:room/events` and `GET /v1/events` (API.md
// "Real-time events"). Each stream is one hub subscription (subscriptions.hpp).
#include "http/api/call.hpp"
#include "http/live/event_hub.hpp"

#include <charconv>

namespace waitroom::http {

namespace {

/// The seq to resume after: `Last-Event-ID` wins over `?since=`; none: live only.
ev::outcome<std::optional<std::uint64_t>> resume_point(const request& req) {
  auto parse = [](std::string_view text,
                  const char* field) -> ev::outcome<std::uint64_t> {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
      return ev::validation_error(field, "must be a non-negative integer (an event seq)");
    return v;
  };
  if (auto id = req.header("last-event-id"); !id.empty()) {
    auto v = parse(id, "Last-Event-ID");
    if (!v) return v.error();
    return std::optional<std::uint64_t>(*v);
  }
  if (const auto* since = req.query_value("since")) {
    auto v = parse(*since, "since");
    if (!v) return v.error();
    return std::optional<std::uint64_t>(*v);
  }
  return std::optional<std::uint64_t>();
}

/// The sink of a stream whose connection is not there yet: the hub registers the
/// subscription with it before the head is written, and sends nothing to it until the
/// stream starts, after `attach`.
class sink_to_be final : public stream_sink {
 public:
  void attach(std::shared_ptr<stream_sink> real) {
    bool closed = false;
    {
      std::lock_guard lock(mu_);
      real_ = real;
      closed = closed_;
    }
    if (closed) real->close(); // the hub gave up on it before the head went out
  }
  bool write(std::shared_ptr<const std::string> bytes) override {
    auto s = get();
    return s && s->write(std::move(bytes));
  }
  void close() override {
    std::shared_ptr<stream_sink> s;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      s = real_;
    }
    if (s) s->close();
  }
  std::size_t capacity() const override {
    auto s = get();
    return s ? s->capacity() : std::size_t{1} << 20;
  }
  void when_drained(std::function<void()> fn) override {
    if (auto s = get()) s->when_drained(std::move(fn));
  }

 private:
  std::shared_ptr<stream_sink> get() const {
    std::lock_guard lock(mu_);
    return real_;
  }
  mutable std::mutex mu_;
  std::shared_ptr<stream_sink> real_;
  bool closed_ = false;
};

} // namespace

namespace {

void stream_events(call& c, std::optional<std::string> room_param);

void room_events(call& c) {
  stream_events(c, c.params[0]);
}
void all_events(call& c) {
  stream_events(c, std::nullopt);
}

void stream_events(call& c, std::optional<std::string> room_param) {
  if (c.s.options.hub == nullptr)
    return c.fail(ev::unavailable("live events are not enabled"));
  auto since = resume_point(c.req);
  if (!since) return c.fail(since.error());
  event_hub::subscription sub;
  sub.org_id = c.who.org_id;
  sub.who = c.as_caller();
  sub.credential_hash = c.who.credential_hash;
  if (room_param) {
    auto id = visible_room_id(c, *room_param);
    if (!id) return c.fail(id.error());
    sub.rooms = std::set<std::string>{std::move(*id)};
  }

  // API.md: the subscription is in place before the head goes out. Until the
  // connection's sink exists the hub only holds events for it (it is not live).
  auto target = std::make_shared<sink_to_be>();
  sub.sink = target;
  auto* hub = c.s.options.hub;
  auto reg = register_subscription(*hub, c.s.rt, sub);

  response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.emplace_back("Waitroom-Log-Id", c.s.rt.log_id());
  r.headers.emplace_back("X-Accel-Buffering", "no");
  auto& rt = c.s.rt;
  r.stream = std::make_shared<stream_handlers>();
  r.stream->open = [hub, &rt, sub, reg, target,
                    since = *since](std::shared_ptr<stream_sink> sink) mutable {
    static const auto hello = std::make_shared<const std::string>("retry: 2000\n\n");
    sink->write(hello);
    target->attach(sink);
    start_subscription(*hub, rt, reg, std::move(sub), since);
  };
  r.stream->closed = [hub, id = reg.id] { hub->unsubscribe(id); };
  c.respond(std::move(r));
}

} // namespace

void add_streams_routes(route_table& t) {
  {
    auto& r = t.add("GET", "/v1/rooms/:room/events", guard::any, room_events);
    r.query_credential = "access_token"; // accepted on streams only
    r.streams = true;
  }
  {
    auto& r = t.add("GET", "/v1/events", guard::any, all_events);
    r.query_credential = "access_token"; // accepted on streams only
    r.streams = true;
  }
}

} // namespace waitroom::http
