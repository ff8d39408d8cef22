// The audit trail, served from the log itself (on a reader thread: never on io threads).
#include "http/api/call.hpp"

#include "events/codec.hpp"

#include <boost/json/serialize.hpp>

namespace waitroom::http {

namespace {

/// Events looked at per request before answering a partial page with a cursor: an
/// audit query never holds a reader for long, whatever its filters.
constexpr std::uint64_t scan_budget = 20000;

struct audit_filter {
  std::string org_id;
  std::string room_id;
  std::string type_prefix;
  std::string actor;
  std::string stream;
  std::optional<ev::timestamp> until;

  bool matches(const ev::recorded_event& e) const {
    if (e.meta.org_id != org_id) return false;
    if (!room_id.empty() && e.meta.room_id != room_id) return false;
    if (!type_prefix.empty() && !ev::event_type(e.data).starts_with(type_prefix))
      return false;
    if (!actor.empty() && e.meta.actor.id != actor) return false;
    if (!stream.empty() && e.meta.stream != stream) return false;
    if (until && e.meta.at > *until) return false;
    return true;
  }
};

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

void serve_audit(call& c, std::string room_id) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto since =
      query_integer(c.req, "since_seq", 0, std::numeric_limits<std::int64_t>::max());
  if (!since) return c.fail(since.error());
  auto after = start_of(*p, 'q', static_cast<std::uint64_t>(since->value_or(0)));
  if (!after) return c.fail(after.error());
  audit_filter f;
  f.org_id = c.who.org_id;
  f.room_id = std::move(room_id);
  if (const auto* v = c.req.query_value("type")) f.type_prefix = *v;
  if (const auto* v = c.req.query_value("actor")) f.actor = *v;
  if (const auto* v = c.req.query_value("stream")) f.stream = *v;
  if (const auto* v = c.req.query_value("room")) {
    auto id = visible_room_id(c, *v);
    if (!id) return c.fail(id.error());
    if (!f.room_id.empty() && *id != f.room_id) return c.fail(room_not_found());
    f.room_id = std::move(*id);
  }
  if (const auto* v = c.req.query_value("until")) {
    f.until = ev::parse_rfc3339(*v);
    if (!f.until)
      return c.fail(ev::validation_error("until", "must be an RFC 3339 time"));
  }
  auto respond = c.respond;
  auto limit = p->limit;
  auto from = *after + 1;
  c.s.rt.read_log(actors::runtime::read_lane::bulk,
                  [respond, f, limit, from](const storage::event_log& log) {
                    std::vector<storage::stored_event> page;
                    std::uint64_t scanned = 0, last = from - 1;
                    bool more = false;
                    auto head = log.head().seq;
                    // an unreadable event ends the page with its error (seq and type)
                    auto scan = storage::scan_decoded(
                        log, from, head,
                        [&](const storage::stored_event& s, const ev::recorded_event& e) {
                          if (page.size() == limit || scanned == scan_budget) {
                            more = true;
                            return false;
                          }
                          ++scanned;
                          last = s.seq;
                          if (f.matches(e)) page.push_back(s);
                          return true;
                        });
                    if (!scan) return respond(error_response(scan.error()));
                    std::optional<std::string> next;
                    if (more) next = encode_cursor('q', last);
                    respond(list_response_from(
                        [&](json_writer& w) {
                          for (const auto& s : page)
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

} // namespace

void add_audit_routes(route_table& t) {
  t.add("GET", "/v1/rooms/:room/audit", guard::human, room_audit);
  t.add("GET", "/v1/audit", guard::admin, audit);
  t.add("GET", "/v1/audit/verify", guard::admin, audit_verify);
}

} // namespace waitroom::http
