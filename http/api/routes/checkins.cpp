// Check-ins (agent -> humans), tasks (humans -> agents), their threads and lists.
#include "http/api/call.hpp"

#include "events/checkin/access.hpp"
#include "events/checkin/commands.hpp"
#include "events/checkin/decider.hpp"
#include "projections/checkin_list.hpp"

#include <algorithm>

namespace waitroom::http {

namespace {

/// The fields check-ins and tasks share (API.md "Check-ins"), with their aliases. Sets
/// the command's fields; `used` maps canonical names to the alias the client sent.
template <class Create>
bool read_checkin_fields(body_reader& r, Create& cmd,
                         std::map<std::string, std::string>& used) {
  auto action = r.string("action", true);
  auto reason_field = r.alias("reason", "description");
  auto reason = r.string(reason_field);
  auto risk = r.enumeration<ev::checkin::risk>("risk_level");
  auto urgency = r.enumeration<ev::checkin::urgency_level>("urgency");
  auto metadata_field = r.alias("metadata", "context");
  auto metadata = r.object(metadata_field);
  auto timeout_ms = r.integer("timeout_ms");
  auto timeout_minutes = r.integer("timeout_minutes");
  cmd.timeout_action = r.enumeration<ev::checkin::timeout_behavior>("timeout_action");
  auto required = r.integer("required_approvals");
  if (timeout_minutes) {
    constexpr std::int64_t max_minutes = 7 * 24 * 60;
    if (*timeout_minutes < 1 || *timeout_minutes > max_minutes)
      r.fail("timeout_minutes", "must be 1-10080 (1 minute to 7 days)");
    else if (timeout_ms && *timeout_ms != *timeout_minutes * 60000)
      r.fail("timeout_ms",
             "and its alias timeout_minutes were both sent with different values");
    else if (!timeout_ms) {
      timeout_ms = *timeout_minutes * 60000;
      used["timeout_ms"] = "timeout_minutes";
    }
  }
  if (!r.ok()) return false;
  if (reason_field != "reason") used["reason"] = std::string(reason_field);
  if (metadata_field != "metadata") used["metadata"] = std::string(metadata_field);
  cmd.action = std::move(*action);
  cmd.reason = reason.value_or("");
  cmd.risk_level = risk.value_or(ev::checkin::risk::medium);
  cmd.urgency = urgency.value_or(ev::checkin::urgency_level::normal);
  cmd.metadata = metadata.value_or(json::object{});
  cmd.timeout_ms = timeout_ms;
  cmd.required_approvals = required;
  return true;
}

/// What creating a check-in and posting a task share: the room the caller acts in, the
/// body's fields (with the aliases used), a fresh id, the organization, the time and the
/// first message id. Nothing (the error already answered) when any of it fails.
template <class Create>
std::optional<std::pair<Create, std::map<std::string, std::string>>>
read_creation(const call& c, actors::runtime& rt) {
  auto room = room_to_act_in(c, rt.reads());
  if (!room) {
    c.fail(room.error());
    return std::nullopt;
  }
  auto body = parse_object_body(c.req.body, false);
  if (!body) {
    c.fail(body.error());
    return std::nullopt;
  }
  body_reader r(*body);
  std::pair<Create, std::map<std::string, std::string>> out;
  auto& [cmd, used] = out;
  if (!read_checkin_fields(r, cmd, used)) {
    c.fail(*r.error());
    return std::nullopt;
  }
  cmd.id = rt.ids().make_id(ev::checkin_prefix);
  cmd.room_id = room->id;
  cmd.org_id = c.who.org_id;
  cmd.now = rt.time().now();
  return out;
}

/// The reply of a creation: 201 with the check-in, or the error (aliases restored).
actors::reply_fn<ev::checkin::state>
answer_created(responder respond, const projections::read_model& reads,
               std::map<std::string, std::string> used) {
  return [respond, &reads, used](ev::outcome<ev::checkin::state> s) {
    if (!s) return respond(error_response(with_alias(s.error(), used)));
    respond(reads.read([&](const projections::projection_set& p) {
      return data_response_from([&](json_writer& w) { write_checkin(w, *s, p); }, 201);
    }));
  };
}

/// Folds the thread of check-in `id` from its stream on a reader lane (a blocking read,
/// never on io or actor threads) and answers `render(thread)`.
template <class Render>
void read_thread(actors::runtime& rt, std::string id, responder respond, Render render) {
  rt.read_log(actors::runtime::read_lane::quick,
              [id = std::move(id), respond = std::move(respond),
               render = std::move(render)](const storage::event_log& log) {
                auto events = log.read_stream(id);
                if (!events) return respond(error_response(events.error()));
                respond(render(projections::thread_of(*events)));
              });
}

} // namespace

namespace {

bool can_see_checkin(const call& c);

void create_checkin(call& c) {
  auto created = read_creation<ev::checkin::create>(c, c.s.rt);
  if (!created) return;
  auto& [cmd, used] = *created;
  cmd.agent_id = c.who.id;
  c.s.rt.create_checkin(std::move(cmd),
                        answer_created(c.respond, c.s.rt.reads(), std::move(used)));
}

void create_task(call& c) {
  auto created = read_creation<ev::checkin::create_task>(c, c.s.rt);
  if (!created) return;
  auto& [cmd, used] = *created;
  cmd.by = c.who.actor();
  c.s.rt.create_task(std::move(cmd),
                     answer_created(c.respond, c.s.rt.reads(), std::move(used)));
}

/// The value of the enum query parameter `name` into `out` (unchanged when absent).
template <class E>
std::optional<ev::error> enum_query(const request& req, std::string_view name,
                                    std::optional<E>& out) {
  const auto* v = req.query_value(name);
  if (v == nullptr) return std::nullopt;
  out = ev::parse_wire_name<E>(*v);
  if (!out)
    return ev::validation_error(std::string(name),
                                "must be one of " + ev::wire_names<E>());
  return std::nullopt;
}

/// The filters of `GET /v1/check-ins`, each validated (`room` is resolved later, under
/// the same read as the list).
ev::outcome<projections::checkin_filter> read_checkin_filter(const request& req) {
  projections::checkin_filter f;
  for (auto err :
       {enum_query(req, "status", f.status), enum_query(req, "direction", f.direction),
        enum_query(req, "risk_level", f.risk_level),
        enum_query(req, "urgency", f.urgency)})
    if (err) return *err;
  if (const auto* v = req.query_value("claimed")) {
    if (*v != "true" && *v != "false")
      return ev::validation_error("claimed", "must be true or false");
    f.claimed = *v == "true";
  }
  if (const auto* v = req.query_value("agent")) f.agent = *v;
  return f;
}

void list_checkins(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto before = start_of(*p, 'c', std::numeric_limits<std::uint64_t>::max());
  if (!before) return c.fail(before.error());
  auto filter = read_checkin_filter(c.req);
  if (!filter) return c.fail(filter.error());
  const auto* room_filter = c.req.query_value("room");
  c.respond(c.s.rt.reads().read([&](const projections::projection_set& ps) {
    if (room_filter) {
      const auto* room = visible_room(c, ps, *room_filter);
      if (room == nullptr) return error_response(room_not_found());
      filter->room_id = room->id;
    }
    auto page = projections::list_checkins(ps, c.who.org_id, c.as_caller(), *filter,
                                           *before, p->limit);
    std::optional<std::string> next;
    if (page.next_before) next = encode_cursor('c', *page.next_before);
    return list_response_from(
        [&](json_writer& w) {
          for (const auto* s : page.items)
            write_checkin(w, *s, ps);
        },
        next);
  }));
}

void get_checkin(call& c) {
  c.respond(c.s.rt.reads().read([&](const projections::projection_set& p) {
    const auto* s = visible_checkin(c, p, c.params[0]);
    if (s == nullptr) return error_response(checkin_not_found());
    return data_response_from([&](json_writer& w) { write_checkin(w, *s, p); });
  }));
}

void checkin_status(call& c) {
  auto wait = query_integer(c.req, "wait_ms", 0, 60000);
  if (!wait) return c.fail(wait.error());
  auto wait_ms = wait->value_or(0);
  const std::string id = c.params[0];
  bool visible = c.s.rt.reads().read([&](const projections::projection_set& p) {
    return visible_checkin(c, p, id) != nullptr;
  });
  if (!visible) return c.fail(checkin_not_found());
  auto& reads = c.s.rt.reads();
  // The current status as an answer, or nothing while it is still waiting (`final_only`).
  auto current = [&reads, id](bool final_only) -> std::optional<response> {
    return reads.read(
        [&](const projections::projection_set& p) -> std::optional<response> {
          const auto* s = p.checkins.find(id);
          if (final_only && ev::checkin::is_waiting(s->status)) return std::nullopt;
          return data_response_from([&](json_writer& w) { write_status(w, *s); });
        });
  };
  if (wait_ms == 0) return c.respond(*current(false));
  c.s.waiters.long_poll(id, std::chrono::milliseconds(wait_ms), *c.later,
                        std::move(current), c.respond);
}

/// NOT_FOUND or FORBIDDEN unless the caller may send `cmd` to the check-in `:id`.
ev::outcome<void> check_access(const call& c, const ev::checkin::command& cmd) {
  return c.s.rt.reads().read(
      [&](const projections::projection_set& p) -> ev::outcome<void> {
        const auto* s = p.checkins.find(c.params[0]);
        if (s == nullptr || s->org_id != c.who.org_id) return checkin_not_found();
        const auto* room = p.rooms.by_id(s->room_id);
        if (room == nullptr) return checkin_not_found();
        return ev::checkin::check_room_access(cmd, *room, c.as_caller());
      });
}

void checkin_command(call& c, ev::checkin::command cmd) {
  const std::string id = c.params[0];
  if (auto ok = check_access(c, cmd); !ok) return c.fail(ok.error());
  auto& reads = c.s.rt.reads();
  c.s.rt.send(
      id, std::move(cmd),
      answer<ev::checkin::state>(c.respond, [&reads](const ev::checkin::state& s) {
        return reads.read([&](const projections::projection_set& p) {
          return data_response_from([&](json_writer& w) { write_checkin(w, s, p); });
        });
      }));
}

std::optional<std::optional<std::string>> read_reason(call& c) {
  auto body = parse_object_body(c.req.body, true);
  if (!body) {
    c.fail(body.error());
    return std::nullopt;
  }
  body_reader r(*body);
  auto reason = r.string("reason");
  if (!r.ok()) {
    c.fail(*r.error());
    return std::nullopt;
  }
  return reason;
}

void approve(call& c) {
  if (auto reason = read_reason(c))
    checkin_command(c, ev::checkin::approve{c.who.actor(), *reason, c.s.rt.time().now()});
}

void reject(call& c) {
  if (auto reason = read_reason(c))
    checkin_command(c, ev::checkin::reject{c.who.actor(), *reason, c.s.rt.time().now()});
}

void modify(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto modifications = r.object("modifications", true);
  auto reason = r.string("reason");
  if (!r.ok()) return c.fail(*r.error());
  checkin_command(c, ev::checkin::modify{c.who.actor(), std::move(*modifications), reason,
                                         c.s.rt.time().now()});
}

void withdraw(call& c) {
  if (auto reason = read_reason(c))
    checkin_command(c,
                    ev::checkin::withdraw{
                        c.who.actor(), *reason, c.s.rt.time().now(), {}, c.is_admin()});
}

void extend(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto by_ms = r.integer("by_ms", true);
  if (!r.ok()) return c.fail(*r.error());
  checkin_command(c, ev::checkin::extend{c.who.actor(), *by_ms, c.s.rt.time().now()});
}

// --- tasks ---------------------------------------------------------------------------

void claim_task(call& c) {
  auto body = parse_object_body(c.req.body, true);
  if (!body) return c.fail(body.error());
  checkin_command(c, ev::checkin::claim{c.who.actor(), c.s.rt.time().now()});
}

void release_task(call& c) {
  auto body = parse_object_body(c.req.body, true);
  if (!body) return c.fail(body.error());
  checkin_command(c, ev::checkin::release{c.who.actor(), c.s.rt.time().now()});
}

void help_task(call& c) {
  auto body = parse_object_body(c.req.body, true);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto description = r.string("description");
  if (!r.ok()) return c.fail(*r.error());
  checkin_command(c, ev::checkin::request_help{c.who.actor(), description.value_or(""),
                                               c.s.rt.time().now()});
}

void join_task(call& c) {
  auto body = parse_object_body(c.req.body, true);
  if (!body) return c.fail(body.error());
  checkin_command(c, ev::checkin::join{c.who.actor(), c.s.rt.time().now()});
}

void submit_task(call& c) {
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto content = r.string("content", true);
  auto metadata = r.object("metadata");
  if (!r.ok()) return c.fail(*r.error());
  checkin_command(c, ev::checkin::submit{c.who.actor(), std::move(*content),
                                         metadata.value_or(json::object{}),
                                         c.s.rt.time().now()});
}

// --- threads -------------------------------------------------------------------------

void post_message(call& c) {
  const std::string id = c.params[0];
  if (auto ok = check_access(c, ev::checkin::post_message{}); !ok)
    return c.fail(ok.error());
  auto body = parse_object_body(c.req.body, false);
  if (!body) return c.fail(body.error());
  body_reader r(*body);
  auto type = r.enumeration<ev::checkin::message_kind>("type", true);
  auto content = r.string("content", true);
  auto metadata = r.object("metadata");
  auto attachments = r.array("attachments");
  if (!r.ok()) return c.fail(*r.error());
  // The message is answered by its id: the command carries it (the only one it needs).
  auto ids = c.s.rt.ids().message_ids(
      ev::checkin::message_ids_needed(ev::checkin::post_message{}));
  auto message_id = ids.front();
  ev::checkin::post_message cmd{c.who.actor(),
                                *type,
                                std::move(*content),
                                metadata.value_or(json::object{}),
                                attachments.value_or(json::array{}),
                                c.s.rt.time().now(),
                                std::move(ids)};
  // Answered from the log once committed: the message as GET .../messages shows it.
  auto& rt = c.s.rt;
  auto respond = c.respond;
  c.s.rt.send(
      id, ev::checkin::command{std::move(cmd)},
      [&rt, respond, id, message_id](ev::outcome<ev::checkin::state> s) {
        if (!s) return respond(error_response(s.error()));
        read_thread(rt, id, respond, [message_id](const projections::thread& t) {
          for (const auto& m : t.messages())
            if (m.id == message_id)
              return data_response_from([&](json_writer& w) { write_message(w, m); },
                                        201);
          return error_response(ev::internal_error("the message is not in its thread"));
        });
      });
}

void list_messages(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto start = start_of(*p, 'm');
  if (!start) return c.fail(start.error());
  if (!can_see_checkin(c)) return c.fail(checkin_not_found());
  read_thread(c.s.rt, c.params[0], c.respond,
              [p = *p, start = *start](const projections::thread& t) {
                return index_page(pointers_to(t.messages()), start, p, 'm',
                                  write_message);
              });
}

void list_participants(call& c) {
  auto p = read_page(c.req);
  if (!p) return c.fail(p.error());
  auto start = start_of(*p, 'p');
  if (!start) return c.fail(start.error());
  if (!can_see_checkin(c)) return c.fail(checkin_not_found());
  read_thread(c.s.rt, c.params[0], c.respond,
              [p = *p, start = *start](const projections::thread& t) {
                return index_page(pointers_to(t.participants()), start, p, 'p',
                                  write_participant);
              });
}

bool can_see_checkin(const call& c) {
  return c.s.rt.reads().read([&](const projections::projection_set& p) {
    return visible_checkin(c, p, c.params[0]) != nullptr;
  });
}

} // namespace

void add_checkins_routes(route_table& t) {
  t.add("POST", "/v1/rooms/:room/check-in", guard::claimed_agent, create_checkin);
  t.add("POST", "/v1/rooms/:room/tasks", guard::member, create_task);
  t.add("GET", "/v1/check-ins", guard::any, list_checkins);
  t.add("GET", "/v1/check-ins/:id", guard::any, get_checkin);
  t.add("DELETE", "/v1/check-ins/:id", guard::any, withdraw);
  t.add("GET", "/v1/check-ins/:id/status", guard::any, checkin_status);
  t.add("POST", "/v1/check-ins/:id/approve", guard::member, approve);
  t.add("POST", "/v1/check-ins/:id/reject", guard::member, reject);
  t.add("POST", "/v1/check-ins/:id/modify", guard::member, modify);
  t.add("POST", "/v1/check-ins/:id/withdraw", guard::any, withdraw);
  t.add("POST", "/v1/check-ins/:id/extend", guard::member, extend);
  t.add("POST", "/v1/check-ins/:id/claim", guard::claimed_agent, claim_task);
  t.add("POST", "/v1/check-ins/:id/release", guard::claimed_agent, release_task);
  t.add("POST", "/v1/check-ins/:id/help", guard::claimed_agent, help_task);
  t.add("POST", "/v1/check-ins/:id/join", guard::claimed_agent, join_task);
  t.add("POST", "/v1/check-ins/:id/submit", guard::claimed_agent, submit_task);
  t.add("POST", "/v1/check-ins/:id/messages", guard::any, post_message);
  t.add("GET", "/v1/check-ins/:id/messages", guard::any, list_messages);
  t.add("GET", "/v1/check-ins/:id/participants", guard::any, list_participants);
}

} // namespace waitroom::http
