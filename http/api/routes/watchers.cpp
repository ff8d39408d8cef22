// Watchers: webhooks on a room's events, their deliveries and redelivery.
#include "http/api/call.hpp"
#include "http/outbound/address_policy.hpp"
#include "http/outbound/webhook_worker.hpp"

#include "events/watcher/commands.hpp"
#include "events/watcher/decider.hpp"
#include "storage/side_records.hpp"

#include <boost/url/parse.hpp>

namespace waitroom::http {

// --- watchers ------------------------------------------------------------------------

namespace {

void create_watcher(call& c) {
  auto room = room_to_act_in(c, c.s.rt.reads());
  if (!room) return c.fail(room.error());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
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
    auto parsed = boost::urls::parse_absolute_uri(*url);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
        parsed->host().empty())
      r.fail("webhook_url", "must be an absolute http or https URL");
    else if (c.s.options.webhook_deny_private && is_private_host(parsed->host()))
      r.fail("webhook_url", "loopback and private addresses are refused here "
                            "(--webhook-deny-private)");
  }
  if (secret && (secret->size() < 16 || secret->size() > 256))
    r.fail("secret", "must have 16-256 characters");
  if (!r.ok()) return c.fail(*r.error());
  auto plain = secret ? *secret : c.s.rt.ids().make_secret("whsec_", 32);
  ev::watcher::create cmd{c.s.rt.ids().make_id(ev::watcher_prefix),
                          room->id,
                          c.who.org_id,
                          *url,
                          std::move(event_types),
                          filter.value_or(json::object{}),
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
    const auto* w = p.watchers.find(id);
    if (w == nullptr || w->deleted || w->org_id != c.who.org_id) return false;
    const auto* room = p.rooms.by_id(w->room_id);
    return room != nullptr && ev::room::can_see(*room, c.as_caller());
  });
  if (!visible) return c.fail(ev::not_found("watcher not found"));
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

std::optional<ev::watcher::state> managed_watcher(call& c) {
  auto w = c.s.rt.reads().read(
      [&](const projections::projection_set& p) -> std::optional<ev::watcher::state> {
        const auto* w = p.watchers.find(c.params[0]);
        if (w == nullptr || w->deleted || w->org_id != c.who.org_id) return std::nullopt;
        const auto* room = p.rooms.by_id(w->room_id);
        if (room == nullptr || !ev::room::can_see(*room, c.as_caller()))
          return std::nullopt;
        return *w;
      });
  if (!w) {
    c.fail(ev::not_found("watcher not found"));
    return std::nullopt;
  }
  if (!ev::watcher::may_manage(*w, c.who.actor(), c.is_admin())) {
    c.fail(ev::forbidden("only its creator or an admin can see a watcher's deliveries"));
    return std::nullopt;
  }
  return w;
}

void list_deliveries(call& c) {
  auto w = managed_watcher(c);
  if (!w) return;
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto before = start_of(*p, 'd', std::numeric_limits<std::uint64_t>::max());
  if (!before) return c.fail(before.error());
  c.s.rt.read_log(actors::runtime::read_lane::quick,
                  [respond = c.respond, id = w->id, page = *p,
                   before = *before](const storage::event_log& log) {
                    std::vector<std::string> rows;
                    std::optional<std::string> next;
                    std::uint64_t last = 0;
                    auto scanned = log.scan_records(
                        storage::webhook_records::rows_prefix(id), true,
                        [&](std::string_view key, std::string_view value) {
                          auto pos = storage::webhook_records::row_position(key, id);
                          if (!pos || *pos >= before) return true;
                          if (rows.size() == page.limit) {
                            next = encode_cursor('d', last);
                            return false;
                          }
                          rows.emplace_back(value);
                          last = *pos;
                          return true;
                        });
                    if (!scanned) return respond(error_response(scanned.error()));
                    respond(list_response_from(
                        [&](json_writer& out) {
                          for (const auto& r : rows) {
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
  auto w = managed_watcher(c);
  if (!w) return;
  if (w->disabled)
    return c.fail(ev::conflict("the watcher is disabled: it delivers nothing"));
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
