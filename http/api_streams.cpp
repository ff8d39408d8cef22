// Server-sent events: `GET /v1/rooms/:room/events` and `GET /v1/events` (API.md
// "Real-time events"). Each stream is one hub subscription (subscriptions.hpp).
#include "http/api_support.hpp"
#include "http/event_hub.hpp"

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

} // namespace

void api::room_events(call& c) {
  stream_events(c, c.params[0]);
}
void api::all_events(call& c) {
  stream_events(c, std::nullopt);
}

void api::stream_events(call& c, std::optional<std::string> room_param) {
  if (options_.hub == nullptr)
    return c.fail(ev::unavailable("live events are not enabled"));
  auto since = resume_point(c.req);
  if (!since) return c.fail(since.error());
  event_hub::subscription sub;
  sub.org_id = c.who.org_id;
  sub.who = c.as_caller();
  if (room_param) {
    auto id = rt_.reads().read([&](const projections::projection_set& p) {
      const auto* room = visible_room(c, p, *room_param);
      return room ? room->id : std::string();
    });
    if (id.empty()) return c.fail(room_not_found());
    sub.rooms = std::set<std::string>{id};
  }

  response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.emplace_back("Waitroom-Log-Id", rt_.log_id());
  r.headers.emplace_back("X-Accel-Buffering", "no");
  auto id = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto* hub = options_.hub;
  auto& rt = rt_;
  r.stream = std::make_shared<stream_handlers>();
  r.stream->open = [hub, &rt, sub, id,
                    since = *since](std::shared_ptr<stream_sink> sink) mutable {
    sub.sink = sink;
    static const auto hello = std::make_shared<const std::string>("retry: 2000\n\n");
    sink->write(hello);
    id->store(start_subscription(*hub, rt, std::move(sub), since));
  };
  r.stream->closed = [hub, id] {
    if (auto sid = id->load()) hub->unsubscribe(sid);
  };
  c.respond(std::move(r));
}

} // namespace waitroom::http
