// Rooms, policies, members, queues, trust and signals.
#include "http/api/call.hpp"

#include "events/org/commands.hpp"
#include "events/room/commands.hpp"

namespace waitroom::http {

namespace {

/// The settings fields of POST and PATCH /v1/rooms, type-checked.
ev::room::settings_change read_settings(body_reader& r) {
  ev::room::settings_change f;
  f.default_timeout_ms = r.integer("default_timeout_ms");
  f.default_timeout_action =
      r.enumeration<ev::checkin::timeout_behavior>("default_timeout_action");
  f.default_required_approvals = r.integer("default_required_approvals");
  f.expiry_warning_ms = r.integer("expiry_warning_ms");
  return f;
}

} // namespace

namespace {

void list_rooms(call& c) {
  answer_list(
      c, c.s.rt.reads(), 'r',
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

void create_room(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  ev::org::create_room cmd;
  auto name = r.string("name", true);
  auto slug = r.string("slug", true);
  auto description = r.string("description");
  cmd.settings = read_settings(r);
  if (!r.ok()) return c.fail(*r.error());
  if (const auto* pv = r.value("policy")) {
    auto policy = ev::room::parse_policy(*pv, "policy");
    if (!policy) return c.fail(policy.error());
    cmd.policy = std::move(*policy);
  }
  cmd.room_id = c.s.rt.ids().make_id(ev::room_prefix);
  cmd.slug = *slug;
  cmd.name = *name;
  cmd.description = description.value_or("");
  cmd.by = c.who.actor();
  cmd.now = c.s.rt.time().now();
  auto room_id = cmd.room_id;
  auto& reads = c.s.rt.reads();
  c.s.rt.send(c.who.org_id, ev::org::command{std::move(cmd)},
              answer<ev::event_list>(c.respond, [&reads, room_id](const ev::event_list&) {
                return reads.read([&](const projections::projection_set& p) {
                  return data_response_from(
                      [&](json_writer& w) { write_room(w, *p.rooms.by_id(room_id), 0); },
                      201);
                });
              }));
}

void get_room(call& c) {
  c.respond(c.s.rt.reads().read([&](const projections::projection_set& p) {
    const auto* room = visible_room(c, p, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    return data_response_from(
        [&](json_writer& w) { write_room(w, *room, p.checkins.queue_size(room->id)); });
  }));
}

void patch_room(call& c) {
  auto room_id = visible_room_id(c, c.params[0]);
  if (!room_id) return c.fail(room_id.error());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  ev::room::update cmd;
  if (r.has("slug")) r.fail("slug", "cannot be changed (ids and slugs are stable)");
  cmd.name = r.string("name");
  cmd.description = r.string("description");
  cmd.settings = read_settings(r);
  if (!r.ok()) return c.fail(*r.error());
  cmd.by = c.who.actor();
  cmd.now = c.s.rt.time().now();
  auto& reads = c.s.rt.reads();
  c.s.rt.send(*room_id, ev::room::command{std::move(cmd)},
              answer<ev::room::state>(c.respond, [&reads](const ev::room::state& room) {
                auto pending = reads.read([&](const projections::projection_set& p) {
                  return p.checkins.queue_size(room.id);
                });
                return data_response_from(
                    [&](json_writer& w) { write_room(w, room, pending); });
              }));
}

void get_policy(call& c) {
  c.respond(c.s.rt.reads().read([&](const projections::projection_set& p) {
    const auto* room = visible_room(c, p, c.params[0]);
    if (room == nullptr) return error_response(room_not_found());
    return data_response(ev::room::to_json(room->policy));
  }));
}

void put_policy(call& c) {
  auto room_id = visible_room_id(c, c.params[0]);
  if (!room_id) return c.fail(room_id.error());
  auto body = parse_json(c.req.body);
  if (!body) return c.fail(body.error());
  auto policy = ev::room::parse_policy(*body, "");
  if (!policy) return c.fail(policy.error());
  c.s.rt.send(*room_id,
              ev::room::command{ev::room::set_policy{std::move(*policy), c.who.actor(),
                                                     c.s.rt.time().now()}},
              answer<ev::room::state>(c.respond, [](const ev::room::state& room) {
                return data_response(ev::room::to_json(room.policy));
              }));
}

// --- members ---------------------------------------------------------------------

void list_members(call& c) {
  answer_list(
      c, c.s.rt.reads(), 'b',
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

void put_member(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto role = r.enumeration<ev::room::member_role>("role", true);
  if (!r.ok()) return c.fail(*r.error());
  const std::string principal_id = c.params[1];
  auto room_id = visible_room_id(c, c.params[0]);
  if (!room_id) return c.fail(room_id.error());
  auto kind = c.s.rt.reads().read(
      [&](const projections::projection_set& p) -> std::optional<ev::actor_kind> {
        if (p.dir.user_in(c.who.org_id, principal_id) != nullptr)
          return ev::actor_kind::user;
        if (p.dir.agent_in(c.who.org_id, principal_id) != nullptr)
          return ev::actor_kind::agent;
        return std::nullopt;
      });
  if (!kind) return c.fail(ev::not_found("no such user or agent in this organization"));
  c.s.rt.send(
      *room_id,
      ev::room::command{ev::room::set_member{principal_id, *kind, *role, c.who.actor(),
                                             c.s.rt.time().now()}},
      answer<ev::room::state>(c.respond, [principal_id](const ev::room::state& room) {
        return data_response_from(
            [&](json_writer& w) { write_member(w, room.members.at(principal_id)); });
      }));
}

void delete_member(call& c) {
  auto room_id = visible_room_id(c, c.params[0]);
  if (!room_id) return c.fail(room_id.error());
  const std::string principal_id = c.params[1];
  auto member = c.s.rt.reads().read([&](const projections::projection_set& p) {
    const auto* room = p.rooms.by_id(*room_id);
    auto it = room->members.find(principal_id);
    return it == room->members.end() ? std::optional<ev::room::member>() : it->second;
  });
  if (!member) return c.fail(ev::not_found("not a member of this room"));
  c.s.rt.send(
      *room_id,
      ev::room::command{
          ev::room::remove_member{principal_id, c.who.actor(), c.s.rt.time().now()}},
      answer<ev::room::state>(c.respond, [member](const ev::room::state&) {
        return data_response_from([&](json_writer& w) { write_member(w, *member); });
      }));
}

// --- queue and trust ---------------------------------------------------------------

void room_pending(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto after = start_of(*p, 's');
  if (!after) return c.fail(after.error());
  c.respond(c.s.rt.reads().read([&](const projections::projection_set& ps) {
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

void room_trust(call& c) {
  answer_list(
      c, c.s.rt.reads(), 't',
      [&](const projections::projection_set& ps, const page& p, std::uint64_t start) {
        const auto* room = visible_room(c, ps, c.params[0]);
        if (room == nullptr) return error_response(room_not_found());
        return index_page(ps.trust.of_room(room->id), start, p, 't',
                          [](json_writer& w, const ev::trust::score_card& card) {
                            write_trust(w, card);
                          });
      });
}

// --- signals -------------------------------------------------------------------------

void create_signal(call& c) {
  auto room = room_to_act_in(c, c.s.rt.reads());
  if (!room) return c.fail(room.error());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto type = r.string("type", true);
  auto payload = r.object("payload");
  if (!r.ok()) return c.fail(*r.error());
  ev::signal::broadcast_signal cmd{c.s.rt.ids().make_id(ev::signal_prefix), *type,
                                   payload.value_or(json::object{}), c.who.actor(),
                                   c.s.rt.time().now()};
  c.s.rt.signal(room->id, std::move(cmd),
                answer<ev::event_list>(c.respond, [](const ev::event_list& done) {
                  const auto& e = done.front();
                  const auto& b = std::get<ev::signal::broadcast>(e.data);
                  projections::signal_view view{b.id,      b.room_id,    b.type,
                                                b.payload, e.meta.actor, e.meta.at};
                  return data_response_from(
                      [&](json_writer& w) { write_signal(w, view); }, 202);
                }));
}

void list_signals(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  c.respond(c.s.rt.reads().read([&](const projections::projection_set& ps) {
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

} // namespace

void add_rooms_routes(route_table& t) {
  t.add("GET", "/v1/rooms", guard::any, list_rooms);
  t.add("POST", "/v1/rooms", guard::admin, create_room);
  t.add("GET", "/v1/rooms/:room", guard::any, get_room);
  t.add("PATCH", "/v1/rooms/:room", guard::admin, patch_room);
  t.add("GET", "/v1/rooms/:room/policy", guard::any, get_policy);
  t.add("PUT", "/v1/rooms/:room/policy", guard::admin, put_policy);
  t.add("GET", "/v1/rooms/:room/members", guard::human, list_members);
  t.add("PUT", "/v1/rooms/:room/members/:principal_id", guard::admin, put_member);
  t.add("DELETE", "/v1/rooms/:room/members/:principal_id", guard::admin, delete_member);
  t.add("GET", "/v1/rooms/:room/pending", guard::any, room_pending);
  t.add("GET", "/v1/rooms/:room/trust", guard::any, room_trust);
  t.add("POST", "/v1/rooms/:room/signal", guard::member, create_signal);
  t.add("GET", "/v1/rooms/:room/signals", guard::any, list_signals);
}

} // namespace waitroom::http
