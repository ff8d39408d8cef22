// Rooms, policies, members, queues, trust, watchers and signals.
#include "http/address_policy.hpp"
#include "http/api_support.hpp"
#include "http/webhook_worker.hpp"

#include "events/org/commands.hpp"
#include "events/room/commands.hpp"
#include "events/watcher/commands.hpp"
#include "events/watcher/decider.hpp"

#include <boost/url/parse.hpp>

namespace waitroom::http {

namespace {

/// The settings fields of POST and PATCH /v1/rooms, type-checked.
struct settings_fields {
  std::optional<std::int64_t> default_timeout_ms;
  std::optional<ev::checkin::timeout_behavior> default_timeout_action;
  std::optional<int> default_required_approvals;
  std::optional<std::int64_t> expiry_warning_ms;
};

settings_fields read_settings(body_reader& r) {
  settings_fields f;
  f.default_timeout_ms = r.integer("default_timeout_ms");
  f.default_timeout_action =
      r.enumeration<ev::checkin::timeout_behavior>("default_timeout_action");
  if (auto n = r.integer("default_required_approvals")) {
    if (*n < 1 || *n > 10)
      r.fail("default_required_approvals", "must be 1-10");
    else
      f.default_required_approvals = static_cast<int>(*n);
  }
  f.expiry_warning_ms = r.integer("expiry_warning_ms");
  return f;
}

/// The room `:room` the caller may see, as its id (empty: not found).
std::string visible_room_id(const api::call& c, const projections::read_model& reads) {
  return reads.read([&](const projections::projection_set& p) {
    const auto* room = visible_room(c, p, c.params[0]);
    return room ? room->id : std::string();
  });
}

} // namespace

void api::list_rooms(call& c) {
  answer_list(
      c, rt_.reads(), 'r',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        std::vector<const ev::room::state*> visible;
        for (const auto* r : ps.rooms.of_org(c.who.org_id))
          if (ev::room::can_see(*r, c.as_caller())) visible.push_back(r);
        return index_page(visible, start, p, 'r',
                          [&](json_writer& w, const ev::room::state& r) {
                            write_room(w, r, ps.checkins.queue_size(r.id));
                          });
      });
}

void api::create_room(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  ev::org::create_room cmd;
  auto name = r.string("name", true);
  auto slug = r.string("slug", true);
  auto description = r.string("description");
  auto settings = read_settings(r);
  if (!r.ok()) return c.fail(*r.error());
  if (const auto* pv = r.value("policy")) {
    auto policy = ev::room::parse_policy(*pv, "policy");
    if (!policy) return c.fail(policy.error());
    cmd.policy = std::move(*policy);
  }
  cmd.room_id = rt_.ids().make_id(ev::room_prefix);
  cmd.slug = *slug;
  cmd.name = *name;
  cmd.description = description.value_or("");
  cmd.default_timeout_ms = settings.default_timeout_ms;
  cmd.default_timeout_action = settings.default_timeout_action;
  cmd.default_required_approvals = settings.default_required_approvals;
  cmd.expiry_warning_ms = settings.expiry_warning_ms;
  cmd.by = c.who.actor();
  cmd.now = rt_.time().now();
  auto room_id = cmd.room_id;
  auto& reads = rt_.reads();
  rt_.send(c.who.org_id, ev::org::command{std::move(cmd)},
           answer<ev::event_list>(c.respond, [&reads, room_id](const ev::event_list&) {
             return reads.read([&](const projections::projection_set& p) {
               return data_response_from(
                   [&](json_writer& w) { write_room(w, *p.rooms.by_id(room_id), 0); },
                   201);
             });
           }));
}

void api::get_room(call& c) {
  c.respond(rt_.reads().read([&](const projections::projection_set& p) {
    const auto* room = visible_room(c, p, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    return data_response_from(
        [&](json_writer& w) { write_room(w, *room, p.checkins.queue_size(room->id)); });
  }));
}

void api::patch_room(call& c) {
  auto room_id = visible_room_id(c, rt_.reads());
  if (room_id.empty()) return c.fail(room_not_found());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  ev::room::update cmd;
  if (r.has("slug")) r.fail("slug", "cannot be changed (ids and slugs are stable)");
  cmd.name = r.string("name");
  cmd.description = r.string("description");
  auto settings = read_settings(r);
  if (!r.ok()) return c.fail(*r.error());
  cmd.default_timeout_ms = settings.default_timeout_ms;
  cmd.default_timeout_action = settings.default_timeout_action;
  cmd.default_required_approvals = settings.default_required_approvals;
  cmd.expiry_warning_ms = settings.expiry_warning_ms;
  cmd.by = c.who.actor();
  cmd.now = rt_.time().now();
  auto& reads = rt_.reads();
  rt_.send(room_id, ev::room::command{std::move(cmd)},
           answer<ev::room::state>(c.respond, [&reads](const ev::room::state& room) {
             auto pending = reads.read([&](const projections::projection_set& p) {
               return p.checkins.queue_size(room.id);
             });
             return data_response_from(
                 [&](json_writer& w) { write_room(w, room, pending); });
           }));
}

void api::get_policy(call& c) {
  c.respond(rt_.reads().read([&](const projections::projection_set& p) {
    const auto* room = visible_room(c, p, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    return data_response(ev::room::to_json(room->policy));
  }));
}

void api::put_policy(call& c) {
  auto room_id = visible_room_id(c, rt_.reads());
  if (room_id.empty()) return c.fail(room_not_found());
  auto body = parse_json(c.req.body);
  if (!body) return c.fail(body.error());
  auto policy = ev::room::parse_policy(*body, "");
  if (!policy) return c.fail(policy.error());
  rt_.send(room_id,
           ev::room::command{
               ev::room::set_policy{std::move(*policy), c.who.actor(), rt_.time().now()}},
           answer<ev::room::state>(c.respond, [](const ev::room::state& room) {
             return data_response(ev::room::to_json(room.policy));
           }));
}

// --- members ---------------------------------------------------------------------

void api::list_members(call& c) {
  answer_list(
      c, rt_.reads(), 'b',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        const auto* room = visible_room(c, ps, c.params[0]);
        if (room == nullptr) return error_response(room_not_found());
        std::vector<const ev::room::member*> members; // by principal id
        members.reserve(room->members.size());
        for (const auto& [id, m] : room->members)
          members.push_back(&m);
        return index_page(members, start, p, 'b', write_member);
      });
}

void api::put_member(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto role = r.enumeration<ev::room::member_role>("role", true);
  if (!r.ok()) return c.fail(*r.error());
  const std::string principal_id = c.params[1];
  std::optional<ev::actor_kind> kind;
  auto room_id = rt_.reads().read([&](const projections::projection_set& p) {
    const auto* room = visible_room(c, p, c.params[0]);
    if (const auto* u = p.dir.user(principal_id); u && u->org_id == c.who.org_id)
      kind = ev::actor_kind::user;
    else if (const auto* a = p.dir.agent(principal_id); a && a->org_id == c.who.org_id)
      kind = ev::actor_kind::agent;
    return room ? room->id : std::string();
  });
  if (room_id.empty()) return c.fail(room_not_found());
  if (!kind) return c.fail(ev::not_found("no such user or agent in this organization"));
  rt_.send(
      room_id,
      ev::room::command{ev::room::set_member{principal_id, *kind, *role, c.who.actor(),
                                             rt_.time().now()}},
      answer<ev::room::state>(c.respond, [principal_id](const ev::room::state& room) {
        return data_response_from(
            [&](json_writer& w) { write_member(w, room.members.at(principal_id)); });
      }));
}

void api::delete_member(call& c) {
  auto room_id = visible_room_id(c, rt_.reads());
  if (room_id.empty()) return c.fail(room_not_found());
  const std::string principal_id = c.params[1];
  auto member = rt_.reads().read([&](const projections::projection_set& p) {
    const auto* room = p.rooms.by_id(room_id);
    auto it = room->members.find(principal_id);
    return it == room->members.end() ? std::optional<ev::room::member>() : it->second;
  });
  if (!member) return c.fail(ev::not_found("not a member of this room"));
  rt_.send(room_id,
           ev::room::command{
               ev::room::remove_member{principal_id, c.who.actor(), rt_.time().now()}},
           answer<ev::room::state>(c.respond, [member](const ev::room::state&) {
             return data_response_from([&](json_writer& w) { write_member(w, *member); });
           }));
}

// --- queue and trust ---------------------------------------------------------------

void api::room_pending(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto after = start_of(*p, 's');
  if (!after) return c.fail(after.error());
  c.respond(rt_.reads().read([&](const projections::projection_set& ps) {
    const auto* room = visible_room(c, ps, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    auto queue = ps.checkins.queue(room->id, *after, p->limit + 1);
    std::optional<std::string> next;
    if (queue.size() > p->limit) {
      queue.pop_back();
      next = encode_cursor('s', queue.back()->created_seq);
    }
    return list_response_from(
        [&](json_writer& w) {
          for (const auto* s : queue)
            write_checkin(w, *s, room->slug);
        },
        next);
  }));
}

void api::room_trust(call& c) {
  answer_list(
      c, rt_.reads(), 't',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        const auto* room = visible_room(c, ps, c.params[0]);
        if (room == nullptr) return error_response(room_not_found());
        return index_page(ps.trust.of_room(room->id), start, p, 't',
                          [](json_writer& w, const ev::trust::score_card& card) {
                            write_trust(w, card);
                          });
      });
}

// --- watchers ------------------------------------------------------------------------

void api::create_watcher(call& c) {
  auto room = room_to_act_in(c, rt_.reads());
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
    else if (options_.webhook_deny_private && is_private_host(parsed->host()))
      r.fail("webhook_url", "loopback and private addresses are refused here "
                            "(--webhook-deny-private)");
  }
  if (secret && (secret->size() < 16 || secret->size() > 256))
    r.fail("secret", "must have 16-256 characters");
  if (!r.ok()) return c.fail(*r.error());
  auto plain = secret ? *secret : rt_.ids().make_secret("whsec_", 32);
  ev::watcher::create cmd{rt_.ids().make_id(ev::watcher_prefix),
                          room->id,
                          c.who.org_id,
                          *url,
                          std::move(event_types),
                          filter.value_or(json::object{}),
                          secrets_.seal(plain),
                          c.who.actor(),
                          rt_.time().now()};
  auto id = cmd.id;
  rt_.send(id, ev::watcher::command{std::move(cmd)},
           answer<ev::watcher::state>(
               c.respond, [plain, slug = room->slug](const ev::watcher::state& w) {
                 return data_response_from(
                     [&](json_writer& out) { write_watcher(out, w, slug, &plain); }, 201);
               }));
}

void api::list_watchers(call& c) {
  answer_list(
      c, rt_.reads(), 'w',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        const auto* room = visible_room(c, ps, c.params[0]);
        if (room == nullptr) return error_response(room_not_found());
        return index_page(ps.watchers.of_room(room->id), start, p, 'w',
                          [&](json_writer& w, const ev::watcher::state& x) {
                            write_watcher(w, x, room->slug);
                          });
      });
}

void api::delete_watcher(call& c) {
  const std::string id = c.params[0];
  bool visible = rt_.reads().read([&](const projections::projection_set& p) {
    const auto* w = p.watchers.find(id);
    if (w == nullptr || w->deleted || w->org_id != c.who.org_id) return false;
    const auto* room = p.rooms.by_id(w->room_id);
    return room != nullptr && ev::room::can_see(*room, c.as_caller());
  });
  if (!visible) return c.fail(ev::not_found("watcher not found"));
  auto& reads = rt_.reads();
  rt_.send(id,
           ev::watcher::command{
               ev::watcher::remove{c.who.actor(), c.is_admin(), rt_.time().now()}},
           answer<ev::watcher::state>(c.respond, [&reads](const ev::watcher::state& w) {
             return reads.read([&](const projections::projection_set& p) {
               const auto* room = p.rooms.by_id(w.room_id);
               return data_response_from([&](json_writer& out) {
                 write_watcher(out, w, room ? std::string_view(room->slug) : "");
               });
             });
           }));
}

std::optional<ev::watcher::state> api::managed_watcher(call& c) {
  auto w = rt_.reads().read(
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

void api::list_deliveries(call& c) {
  auto w = managed_watcher(c);
  if (!w) return;
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto before = start_of(*p, 'd', std::numeric_limits<std::uint64_t>::max());
  if (!before) return c.fail(before.error());
  rt_.read_log(actors::runtime::read_lane::quick,
               [respond = c.respond, id = w->id, page = *p,
                before = *before](const storage::event_log& log) {
                 std::vector<std::string> rows;
                 std::optional<std::string> next;
                 std::uint64_t last = 0;
                 auto scanned =
                     log.scan_records(webhook_records::rows_prefix(id), true,
                                      [&](std::string_view key, std::string_view value) {
                                        auto pos = webhook_records::row_position(key, id);
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

void api::redeliver(call& c) {
  if (options_.webhooks == nullptr)
    return c.fail(ev::unavailable("webhook delivery is not running"));
  auto w = managed_watcher(c);
  if (!w) return;
  if (w->disabled)
    return c.fail(ev::conflict("the watcher is disabled: it delivers nothing"));
  const std::string delivery_id = c.params[1];
  options_.webhooks->redeliver(
      w->id, delivery_id,
      [respond = c.respond, delivery_id, id = w->id](ev::outcome<void> queued) {
        if (!queued) return respond(error_response(queued.error()));
        respond(data_response(json::object{{"delivery_id", delivery_id},
                                           {"watcher_id", id},
                                           {"status", "queued"}},
                              202));
      });
}

// --- signals -------------------------------------------------------------------------

void api::create_signal(call& c) {
  auto room = room_to_act_in(c, rt_.reads());
  if (!room) return c.fail(room.error());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto type = r.string("type", true);
  auto payload = r.object("payload");
  if (!r.ok()) return c.fail(*r.error());
  ev::signal::broadcast_signal cmd{rt_.ids().make_id(ev::signal_prefix), *type,
                                   payload.value_or(json::object{}), c.who.actor(),
                                   rt_.time().now()};
  rt_.signal(room->id, std::move(cmd),
             answer<ev::event_list>(c.respond, [](const ev::event_list& done) {
               const auto& e = done.front();
               const auto& b = std::get<ev::signal::broadcast>(e.data);
               projections::signal_view view{b.id,      b.room_id,    b.type,
                                             b.payload, e.meta.actor, e.meta.at};
               return data_response_from([&](json_writer& w) { write_signal(w, view); },
                                         202);
             }));
}

void api::list_signals(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  c.respond(rt_.reads().read([&](const projections::projection_set& ps) {
    const auto* room = visible_room(c, ps, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    const auto& all = ps.signals.of_room(room->id);
    // Newest first; the cursor is the index (in creation order) to continue below.
    auto from = start_of(*p, 'g', all.size());
    if (!from) return error_response(from.error());
    auto end = std::min<std::uint64_t>(*from, all.size());
    auto begin = end > p->limit ? end - p->limit : 0;
    std::optional<std::string> next;
    if (begin > 0) next = encode_cursor('g', begin);
    return list_response_from(
        [&](json_writer& w) {
          for (auto i = end; i > begin; --i)
            write_signal(w, all[i - 1]);
        },
        next);
  }));
}

} // namespace waitroom::http
