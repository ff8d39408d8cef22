#include "http/api/call.hpp"

#include "events/checkin/access.hpp"

namespace waitroom::http {

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

std::string encode_cursor(char kind, std::uint64_t position) {
  return kind + std::to_string(position);
}

ev::outcome<std::uint64_t> start_of(const page& p, char kind, std::uint64_t fallback) {
  if (p.cursor.empty()) return fallback;
  std::string_view c = p.cursor;
  std::uint64_t v = 0;
  if (c.size() >= 2 && c[0] == kind) {
    auto [ptr, ec] = std::from_chars(c.data() + 1, c.data() + c.size(), v);
    if (ec == std::errc() && ptr == c.data() + c.size()) return v;
  }
  return ev::validation_error("cursor", "is not a cursor of this list");
}

ev::error room_not_found() {
  return ev::not_found("room not found");
}
const ev::room::state* visible_room(const std::string& org_id,
                                    const ev::room::caller& who,
                                    const projections::projection_set& p,
                                    std::string_view slug_or_id) {
  const auto* room = p.rooms.resolve(org_id, slug_or_id);
  if (room == nullptr || !ev::room::can_see(*room, who)) return nullptr;
  return room;
}

const ev::room::state* visible_room(const call& c, const projections::projection_set& p,
                                    std::string_view slug_or_id) {
  return visible_room(c.who.org_id, c.as_caller(), p, slug_or_id);
}

ev::outcome<std::string> visible_room_id(const call& c, std::string_view slug_or_id) {
  auto id = c.s.rt.reads().read([&](const projections::projection_set& p) {
    const auto* room = visible_room(c, p, slug_or_id);
    return room ? room->id : std::string();
  });
  if (id.empty()) return room_not_found();
  return id;
}

ev::outcome<room_ref> room_to_act_in(const call& c,
                                     const projections::read_model& reads) {
  return reads.read([&](const projections::projection_set& p) -> ev::outcome<room_ref> {
    const auto* room = visible_room(c, p, c.params[0]);
    if (room == nullptr) return room_not_found();
    if (!ev::room::can_act(*room, c.as_caller())) return ev::checkin::may_not_act();
    return room_ref{room->id, room->slug};
  });
}

const ev::checkin::state* visible_checkin(const call& c,
                                          const projections::projection_set& p,
                                          std::string_view id) {
  const auto* s = p.checkins.find(id);
  if (s == nullptr || s->org_id != c.who.org_id) return nullptr;
  const auto* room = p.rooms.by_id(s->room_id);
  if (room == nullptr || !ev::room::can_see(*room, c.as_caller())) return nullptr;
  return s;
}

std::optional<ev::timestamp> last_used(const activity_log& activity,
                                       const projections::projection_set& p,
                                       const std::string& id) {
  auto seen = activity.last(id);
  auto wrote = p.dir.last_active(id);
  if (wrote && (!seen || *wrote > *seen)) return wrote;
  return seen;
}

std::optional<ev::timestamp> last_used(const services& s, const std::string& id) {
  return s.rt.reads().read(
      [&](const projections::projection_set& p) { return last_used(s.activity, p, id); });
}

ev::error with_alias(ev::error e, const std::map<std::string, std::string>& used) {
  if (auto it = used.find(e.field); it != used.end()) e.field = it->second;
  return e;
}

ev::outcome<std::optional<std::int64_t>> query_integer(const request& req,
                                                       std::string_view name,
                                                       std::int64_t lo, std::int64_t hi) {
  const auto* v = req.query_value(name);
  if (v == nullptr) return std::optional<std::int64_t>();
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < lo || n > hi)
    return ev::validation_error(std::string(name), "must be an integer " +
                                                       std::to_string(lo) + "-" +
                                                       std::to_string(hi));
  return std::optional<std::int64_t>(n);
}

} // namespace waitroom::http
