#pragma once
/// Internal to the route groups (routes/*.cpp): the per-request context and the helpers
/// every handler shares (paging, cursors, room access, common errors).

#include "events/checkin/access.hpp"
#include "events/ids.hpp"
#include "events/room/access.hpp"
#include "http/api/auth.hpp"
#include "http/api/router.hpp"
#include "http/api/services.hpp"
#include "http/live/event_hub.hpp"
#include "http/live/subscriptions.hpp"
#include "http/wire/json_body.hpp"
#include "http/wire/render.hpp"
#include "http/wire/responses.hpp"

#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::http {

namespace ev = waitroom::events;
namespace json = boost::json;

/// The reply to a command sent to an actor: the command's error as the answer, or
/// `render(result)` (a `response`) once its events are committed.
template <class T, class Render>
std::function<void(ev::outcome<T>)> answer(responder respond, Render render) {
  return [respond = std::move(respond), render = std::move(render)](ev::outcome<T> r) {
    if (!r) return respond(error_response(r.error()));
    respond(render(*r));
  };
}

/// `429 RATE_LIMITED` with `Retry-After: wait` (seconds).
inline response rate_limited(const std::string& what, std::int64_t wait) {
  auto res =
      error_response(edge_error{edge_code::rate_limited,
                                what + "; retry after " + std::to_string(wait) + " s",
                                {}});
  res.headers.emplace_back("Retry-After", std::to_string(wait));
  return res;
}

/// One request being handled.
struct call {
  services& s;
  const request& req;
  responder respond;
  std::shared_ptr<deferrer> later;
  std::vector<std::string> params; ///< values of the `:name` segments, in order
  principal who;

  void ok(json::value data, int status = 200) const {
    respond(data_response(std::move(data), status));
  }
  void fail(const ev::error& e) const { respond(error_response(e)); }
  /// The caller as room access rules see it.
  ev::room::caller as_caller() const { return who.caller(); }
  bool is_admin() const {
    return who.is_user() && who.role &&
           ev::user::at_least(*who.role, ev::user::user_role::admin);
  }
};

/// `limit` (default 50, 1-500) and the opaque `cursor` of a list request.
struct page {
  std::size_t limit = 50;
  std::string cursor;
};

ev::outcome<page> read_page(const request& req);

/// Cursors are opaque to clients: a letter and a position.
std::string encode_cursor(char kind, std::uint64_t position);
/// The position a page starts from: `fallback` without a cursor; 400 for a cursor of
/// another list.
ev::outcome<std::uint64_t> start_of(const page& p, char kind, std::uint64_t fallback = 0);

/// One page of `all` from index `start`, written by `write(json_writer&, item)`; the
/// cursor points past it.
template <class T, class Write>
response index_page(const std::vector<T>& all, std::uint64_t start, const page& p,
                    char kind, Write write) {
  std::optional<std::string> next;
  auto end = std::min<std::uint64_t>(all.size(), start + p.limit);
  if (end < all.size()) next = encode_cursor(kind, end);
  return list_response_from(
      [&](json_writer& w) {
        for (auto i = start; i < end; ++i)
          write(w, *all[i]);
      },
      next);
}

/// Answers a list request: reads `limit` and `cursor` (of list `kind`, starting at
/// `fallback` without one), then `list(projections, page, start)` makes the answer
/// (usually an `index_page`) under one consistent read of the projections.
template <class List>
void answer_list(const call& c, const projections::read_model& reads, char kind,
                 List list, std::uint64_t fallback = 0) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto start = start_of(*p, kind, fallback);
  if (!start) return c.fail(start.error());
  c.respond(reads.read(
      [&](const projections::projection_set& ps) { return list(ps, *p, *start); }));
}

/// Pointers to the items of `all`, in order (what `index_page` pages over).
template <class T>
std::vector<const T*> pointers_to(const std::vector<T>& all) {
  std::vector<const T*> out;
  out.reserve(all.size());
  for (const auto& x : all)
    out.push_back(&x);
  return out;
}

ev::error room_not_found();
using ev::checkin::checkin_not_found;

/// The room `:room` if the caller may see it (else nullptr: answer 404).
/// The room `:room` the caller acts in (to check in, post a task, watch, signal).
struct room_ref {
  std::string id;
  std::string slug;
};
/// NOT_FOUND when the caller cannot see it, FORBIDDEN when it may only read it.
ev::outcome<room_ref> room_to_act_in(const call& c, const projections::read_model& reads);

const ev::room::state* visible_room(const call& c, const projections::projection_set& p,
                                    std::string_view slug_or_id);
/// The id of the room `slug_or_id` if the caller may see it, else NOT_FOUND.
ev::outcome<std::string> visible_room_id(const call& c, std::string_view slug_or_id);
/// The same for a caller of `org_id` outside a request (a WebSocket's subscribe).
const ev::room::state* visible_room(const std::string& org_id,
                                    const ev::room::caller& who,
                                    const projections::projection_set& p,
                                    std::string_view slug_or_id);

/// The check-in `:id` if the caller may see it (its org, and its room visible).
const ev::checkin::state*
visible_checkin(const call& c, const projections::projection_set& p, std::string_view id);

/// When a principal last used its credential (docs/api.md, agents' `last_used_at`): the
/// later of its last authenticated request this process saw and the last event it wrote
/// (what survives a restart). Every answer that shows an agent uses this.
std::optional<ev::timestamp> last_used(const activity_log& activity,
                                       const projections::projection_set& p,
                                       const std::string& id);
/// The same, reading the projections.
std::optional<ev::timestamp> last_used(const services& s, const std::string& id);

/// Renames the field of a domain error to the alias the client used.
ev::error with_alias(ev::error e, const std::map<std::string, std::string>& used);

/// Parses an integer query parameter (`name`) within [lo, hi]; nullopt when absent.
ev::outcome<std::optional<std::int64_t>> query_integer(const request& req,
                                                       std::string_view name,
                                                       std::int64_t lo, std::int64_t hi);

} // namespace waitroom::http
