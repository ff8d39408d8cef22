// The audit trail, served from the log itself (on a reader thread: never on io threads).
#include "http/api/call.hpp"

#include "actors/replay.hpp"
#include "storage/audit_query.hpp"

namespace waitroom::http {

namespace {

/// Events looked at per request before answering a partial page with a cursor: an
/// audit query never holds a reader for long, whatever its filters.
constexpr std::uint64_t scan_budget = 20000;

} // namespace

namespace {

void serve_audit(call& c, std::string room_id);

void audit(call& c) {
  serve_audit(c, {});
}

void room_audit(call& c) {
  auto room_id = visible_room_id(c, c.params[0]);
  if (!room_id) return c.fail(room_id.error());
  serve_audit(c, std::move(*room_id));
}

/// The filters of an audit request; `room_id` is the room of the path (if any), which a
/// `room` parameter may only repeat.
ev::outcome<storage::audit_filter> read_audit_filter(const call& c, std::string room_id) {
  storage::audit_filter f;
  f.org_id = c.who.org_id;
  f.room_id = std::move(room_id);
  if (const auto* v = c.req.query_value("type")) f.type_prefix = *v;
  if (const auto* v = c.req.query_value("actor")) f.actor = *v;
  if (const auto* v = c.req.query_value("stream")) f.stream = *v;
  if (const auto* v = c.req.query_value("room")) {
    auto id = visible_room_id(c, *v);
    if (!id) return std::move(id).error();
    if (!f.room_id.empty() && *id != f.room_id) return room_not_found();
    f.room_id = std::move(*id);
  }
  if (const auto* v = c.req.query_value("until")) {
    f.until = ev::parse_rfc3339(*v);
    if (!f.until) return ev::validation_error("until", "must be an RFC 3339 time");
  }
  return f;
}

void serve_audit(call& c, std::string room_id) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto since =
      query_integer(c.req, "since_seq", 0, std::numeric_limits<std::int64_t>::max());
  if (!since) return c.fail(since.error());
  auto after = start_of(*p, 'q', static_cast<std::uint64_t>(since->value_or(0)));
  if (!after) return c.fail(after.error());
  auto f = read_audit_filter(c, std::move(room_id));
  if (!f) return c.fail(f.error());
  auto respond = c.respond;
  c.s.rt.read_log(actors::runtime::read_lane::bulk,
                  [respond, f = std::move(*f), after = *after,
                   limit = p->limit](const storage::event_log& log) {
                    auto page = storage::audit_query(log, f, after, limit, scan_budget);
                    if (!page) return respond(error_response(page.error()));
                    std::optional<std::string> next;
                    if (page->next_after) next = encode_cursor('q', *page->next_after);
                    respond(list_response_from(
                        [&](json_writer& w) {
                          for (const auto& s : page->events)
                            w.raw(storage::audit_json(s));
                        },
                        next));
                  });
}

void audit_verify(call& c) {
  auto respond = c.respond;
  c.s.rt.read_log(actors::runtime::read_lane::bulk,
                  [respond](const storage::event_log& log) {
                    auto out = storage::to_json(log.verify());
                    respond(data_response(std::move(out)));
                  });
}

/// Time travel: the room as the log left it at a seq or a time (`until`; the head when
/// absent), folded from seq 1 on a reader thread, exactly as `waitroom replay --until
/// ... --room` reports it.
void room_replay(call& c) {
  auto room_id = visible_room_id(c, c.params[0]);
  if (!room_id) return c.fail(room_id.error());
  actors::replay_limits limits;
  if (const auto* v = c.req.query_value("until")) {
    auto point = actors::replay_limits_from(*v);
    if (!point)
      return c.fail(ev::validation_error("until", "must be a seq or an RFC 3339 time"));
    limits = *point;
  }
  auto respond = c.respond;
  c.s.rt.read_log(
      actors::runtime::read_lane::bulk,
      [respond, limits, room_id = std::move(*room_id)](const storage::event_log& log) {
        projections::projection_set p;
        auto stats = actors::replay(log, p, limits);
        if (!stats) return respond(error_response(stats.error()));
        const auto* room = p.rooms.by_id(room_id);
        if (room == nullptr)
          return respond(error_response(
              ev::not_found("the room did not exist yet at that point of the log")));
        respond(data_response_from(
            [&](json_writer& w) { write_room_as_of(w, p, *room, stats->last_seq); }));
      });
}

} // namespace

void add_audit_routes(route_table& t) {
  t.add("GET", "/v1/rooms/:room/audit", guard::human, room_audit);
  t.add("GET", "/v1/rooms/:room/replay", guard::human, room_replay);
  t.add("GET", "/v1/audit", guard::admin, audit);
  t.add("GET", "/v1/audit/verify", guard::admin, audit_verify);
}

} // namespace waitroom::http
