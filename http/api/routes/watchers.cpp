// Watchers: webhooks on a room's events, their deliveries and redelivery.
#include "http/api/call.hpp"
#include "http/outbound/address_policy.hpp"
#include "http/outbound/webhook_worker.hpp"

#include "events/watcher/access.hpp"
#include "events/watcher/commands.hpp"
#include "events/watcher/decider.hpp"
#include "storage/side_records.hpp"

namespace waitroom::http {

// --- watchers ------------------------------------------------------------------------

namespace {

ev::error watcher_not_found() {
  return ev::not_found("watcher not found");
}

/// The watcher `id` if the caller sees it.
const ev::watcher::state* visible_watcher(const call& c,
                                          const projections::projection_set& p,
                                          std::string_view id) {
  const auto* w = p.watchers.find(id);
  if (w == nullptr) return nullptr;
  return ev::watcher::visible_to(*w, p.rooms.by_id(w->room_id), c.who.org_id,
                                 c.as_caller())
             ? w
             : nullptr;
}

/// What `POST /v1/rooms/:room/watch` asks for, each field checked.
struct watcher_request {
  std::string url;
  std::vector<std::string> event_types;
  json::object filter;
  std::optional<std::string> secret; ///< the caller's own; none: a fresh one
};

ev::outcome<watcher_request> read_watcher_request(const call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return std::move(body).error();
  body_reader r(*body);
  auto url = r.string("webhook_url", true);
  auto filter = r.object("filter");
  auto secret = r.string("secret");
  std::vector<std::string> event_types;
  if (auto arr = r.array("event_types"))
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto* t = (*arr)[i].if_string();
      if (t == nullptr) {
        r.fail("event_types[" + std::to_string(i) + "]", "must be a string");
        break;
      }
      event_types.emplace_back(*t);
    }
  if (url) {
    auto host = ev::watcher::check_webhook_url(*url);
    if (!host)
      r.fail(host.error().field, host.error().message);
    else if (c.s.options.webhook_deny_private && is_private_host(*host))
      r.fail("webhook_url", "loopback and private addresses are refused here "
                            "(--webhook-deny-private)");
  }
  // checked here: the decider only ever sees it sealed
  if (secret)
    if (auto ok = ev::watcher::check_webhook_secret(*secret); !ok)
      r.fail(ok.error().field, ok.error().message);
  if (!r.ok()) return *r.error();
  return watcher_request{*url, std::move(event_types), filter.value_or(json::object{}),
                         secret};
}

void create_watcher(call& c) {
  auto room = room_to_act_in(c, c.s.rt.reads());
  if (!room) return c.fail(room.error());
  auto asked = read_watcher_request(c);
  if (!asked) return c.fail(asked.error());
  auto plain =
      asked->secret ? *asked->secret : c.s.rt.ids().make_secret(ev::webhook_secret);
  ev::watcher::create cmd{c.s.rt.ids().make_id(ev::watcher_prefix),
                          room->id,
                          c.who.org_id,
                          std::move(asked->url),
                          std::move(asked->event_types),
                          std::move(asked->filter),
                          c.s.secrets.seal(plain),
                          c.who.actor(),
                          c.s.rt.time().now()};
  auto id = cmd.id;
  c.s.rt.send(id, ev::watcher::command{std::move(cmd)},
              answer<ev::watcher::state>(c.respond, [plain, slug = room->slug](
                                                        const ev::watcher::state& w) {
                return data_response_from(
                    [&](json_writer& out) { write_watcher(out, w, slug, &plain); }, 201);
              }));
}

void list_watchers(call& c) {
  answer_list(
      c, c.s.rt.reads(), 'w',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        const auto* room = visible_room(c, ps, c.params[0]);
        if (room == nullptr) return error_response(room_not_found());
        return index_page(ps.watchers.of_room(room->id), start, p, 'w',
                          [&](json_writer& w, const ev::watcher::state& x) {
                            write_watcher(w, x, room->slug);
                          });
      });
}

void delete_watcher(call& c) {
  const std::string id = c.params[0];
  bool visible = c.s.rt.reads().read([&](const projections::projection_set& p) {
    return visible_watcher(c, p, id) != nullptr;
  });
  if (!visible) return c.fail(watcher_not_found());
  auto& reads = c.s.rt.reads();
  c.s.rt.send(
      id,
      ev::watcher::command{
          ev::watcher::remove{c.who.actor(), c.is_admin(), c.s.rt.time().now()}},
      answer<ev::watcher::state>(c.respond, [&reads](const ev::watcher::state& w) {
        return reads.read([&](const projections::projection_set& p) {
          const auto* room = p.rooms.by_id(w.room_id);
          return data_response_from([&](json_writer& out) {
            write_watcher(out, w, room ? std::string_view(room->slug) : "");
          });
        });
      }));
}

/// The watcher `:id` as the caller sees it, or nothing (answer NOT_FOUND).
std::optional<ev::watcher::state> seen_watcher(const call& c) {
  return c.s.rt.reads().read(
      [&](const projections::projection_set& p) -> std::optional<ev::watcher::state> {
        if (const auto* w = visible_watcher(c, p, c.params[0])) return *w;
        return std::nullopt;
      });
}

void list_deliveries(call& c) {
  auto w = seen_watcher(c);
  if (!w) return c.fail(watcher_not_found());
  if (auto ok = ev::watcher::check_manager(*w, c.who.actor(), c.is_admin()); !ok)
    return c.fail(ok.error());
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto before = start_of(*p, 'd', std::numeric_limits<std::uint64_t>::max());
  if (!before) return c.fail(before.error());
  c.s.rt.read_log(actors::runtime::read_lane::quick,
                  [respond = c.respond, id = w->id, page = *p,
                   before = *before](const storage::event_log& log) {
                    auto found =
                        storage::webhook_records::attempts(log, id, before, page.limit);
                    if (!found) return respond(error_response(found.error()));
                    std::optional<std::string> next;
                    if (found->next_before)
                      next = encode_cursor('d', *found->next_before);
                    respond(list_response_from(
                        [&](json_writer& out) {
                          for (const auto& r : found->rows) {
                            // the stored row, without the retention stamp
                            std::error_code ec;
                            auto v = json::parse(r, ec);
                            if (ec || !v.is_object()) continue;
                            v.get_object().erase("created_at");
                            out.value(v);
                          }
                        },
                        next));
                  });
}

void redeliver(call& c) {
  if (c.s.options.webhooks == nullptr)
    return c.fail(ev::unavailable("webhook delivery is not running"));
  auto w = seen_watcher(c);
  if (!w) return c.fail(watcher_not_found());
  if (auto ok = ev::watcher::check_redelivery(*w, c.who.actor(), c.is_admin()); !ok)
    return c.fail(ok.error());
  const std::string delivery_id = c.params[1];
  c.s.options.webhooks->redeliver(
      w->id, delivery_id,
      [respond = c.respond, delivery_id, id = w->id](ev::outcome<void> queued) {
        if (!queued) return respond(error_response(queued.error()));
        respond(data_response(json::object{{"delivery_id", delivery_id},
                                           {"watcher_id", id},
                                           {"status", "queued"}},
                              202));
      });
}

} // namespace

void add_watchers_routes(route_table& t) {
  t.add("POST", "/v1/rooms/:room/watch", guard::member_or_agent, create_watcher);
  t.add("GET", "/v1/rooms/:room/watchers", guard::any, list_watchers);
  t.add("DELETE", "/v1/watchers/:id", guard::any, delete_watcher);
  t.add("GET", "/v1/watchers/:id/deliveries", guard::any, list_deliveries);
  t.add("POST", "/v1/watchers/:id/deliveries/:delivery_id/redeliver", guard::any,
        redeliver);
}

} // namespace waitroom::http
