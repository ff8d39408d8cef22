#include "http/wire/render.hpp"

#include <cstdint>

namespace waitroom::http {

namespace ev = waitroom::events;

void write_actor(json_writer& w, const ev::actor_ref& a) {
  w.begin_object();
  w.member("kind", a.kind);
  if (!a.id.empty()) w.member("id", a.id);
  w.end_object();
}

namespace {

void write_decision_reason(json_writer& w, const ev::checkin::state& s) {
  w.key("decision_reason");
  if (s.decision && s.decision->reason)
    w.value(*s.decision->reason);
  else
    w.null();
}

} // namespace

void write_decision(json_writer& w,
                    const std::optional<ev::checkin::decision_record>& d) {
  if (!d) return w.null();
  w.begin_object();
  w.member("outcome", d->outcome);
  w.key("by");
  write_actor(w, d->by);
  w.member("at", d->at);
  if (d->reason) w.member("reason", *d->reason);
  if (d->rule_id) w.member("rule_id", *d->rule_id);
  if (d->trust_score) w.member("trust_score", *d->trust_score);
  w.end_object();
}

void write_status(json_writer& w, const ev::checkin::state& s) {
  w.begin_object();
  w.member("id", s.id);
  w.member("status", s.status);
  w.key("decision");
  write_decision(w, s.decision);
  w.member("modifications", s.modifications);
  write_decision_reason(w, s);
  w.member("updated_at", s.updated_at);
  w.member("version", s.version);
  w.end_object();
}

void write_checkin(json_writer& w, const ev::checkin::state& s,
                   std::string_view room_slug) {
  w.begin_object();
  w.member("id", s.id);
  w.member("room_id", s.room_id);
  w.member("room", room_slug);
  w.member("direction", s.direction);
  w.member("status", s.status);
  w.member("action", s.action);
  w.member("reason", s.reason);
  w.member("risk_level", s.risk_level);
  w.member("urgency", s.urgency);
  w.member("metadata", s.metadata);
  w.key("agent_id");
  if (s.agent_id.empty())
    w.null();
  else
    w.value(s.agent_id);
  w.key("created_by");
  write_actor(w, s.created_by);
  w.member("timeout_ms", s.timeout_ms);
  w.member("timeout_action", s.timeout_action);
  w.member("expires_at", s.shown_deadline());
  w.member("required_approvals", s.required_approvals);
  w.key("decision_progress");
  w.begin_object();
  w.member("required", s.required_approvals);
  w.key("approvals");
  w.begin_array();
  for (const auto& a : s.approvals) {
    w.begin_object();
    w.key("by");
    write_actor(w, a.by);
    w.member("at", a.at);
    w.member("outcome", a.outcome);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.key("decision");
  write_decision(w, s.decision);
  w.member("modifications", s.modifications);
  write_decision_reason(w, s);
  w.member("primary_agent_id", s.primary_agent_id);
  w.key("helpers");
  w.begin_array();
  for (const auto& h : s.helpers)
    w.value(h);
  w.end_array();
  w.member("created_at", s.created_at);
  w.member("updated_at", s.updated_at);
  w.member("version", s.version);
  w.end_object();
}

void write_checkin(json_writer& w, const ev::checkin::state& s,
                   const projections::projection_set& p) {
  const auto* room = p.rooms.by_id(s.room_id);
  write_checkin(w, s, room ? std::string_view(room->slug) : std::string_view());
}

void write_room(json_writer& w, const ev::room::state& r, std::size_t pending_count) {
  w.begin_object();
  w.member("id", r.id);
  w.member("org_id", r.org_id);
  w.member("slug", r.slug);
  w.member("name", r.name);
  w.member("description", r.description);
  w.member("default_timeout_ms", r.settings.default_timeout_ms);
  w.member("default_timeout_action", r.settings.default_timeout_action);
  w.member("default_required_approvals", r.settings.default_required_approvals);
  w.member("expiry_warning_ms", r.settings.expiry_warning_ms);
  w.member("policy", ev::room::to_json(r.policy));
  w.member("pending_count", static_cast<std::uint64_t>(pending_count));
  w.member("created_at", r.created_at);
  w.member("updated_at", r.updated_at);
  w.member("version", r.version);
  w.end_object();
}

void write_agent(json_writer& w, const ev::agent::state& a,
                 std::optional<ev::timestamp> last_used_at) {
  w.begin_object();
  w.member("id", a.id);
  w.key("org_id");
  if (a.org_id.empty())
    w.null();
  else
    w.value(a.org_id);
  w.member("name", a.name);
  w.member("description", a.description);
  w.member("platform", a.platform);
  w.member("status", a.status);
  w.member("is_active", a.status == ev::agent::agent_status::active);
  w.member("key_prefix", a.key_prefix);
  w.member("created_at", a.created_at);
  w.member("last_used_at", last_used_at);
  w.end_object();
}

void write_trust(json_writer& w, const ev::trust::score_card& c) {
  w.begin_object();
  w.member("agent_id", c.agent_id);
  w.member("room_id", c.room_id);
  w.member("score", c.score());
  w.member("total_check_ins", c.total_check_ins);
  w.member("approved_count", c.approved_count);
  w.member("rejected_count", c.rejected_count);
  w.member("modified_count", c.modified_count);
  w.member("expired_count", c.expired_count);
  w.member("updated_at", c.updated_at);
  w.key("trend");
  w.begin_array();
  for (const auto& p : c.trend()) {
    w.begin_object();
    w.member("score", p.score());
    w.member("at", p.at);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_user(json_writer& w, const ev::user::state& u) {
  w.begin_object();
  w.member("id", u.id);
  w.member("org_id", u.org_id);
  w.member("name", u.name);
  w.member("email", u.email);
  w.member("role", u.role);
  w.member("is_active", u.active);
  w.member("instance_admin", u.instance_admin);
  w.member("created_at", u.created_at);
  w.end_object();
}

void write_org(json_writer& w, const projections::org_entry& o) {
  w.begin_object();
  w.member("id", o.id);
  w.member("name", o.name);
  w.member("created_at", o.created_at);
  w.end_object();
}

void write_member(json_writer& w, const ev::room::member& m) {
  w.begin_object();
  w.member("principal_id", m.principal_id);
  w.member("kind", m.principal_kind);
  w.member("role", m.role);
  w.member("since", m.since);
  w.end_object();
}

void write_message(json_writer& w, const projections::message_view& m) {
  w.begin_object();
  w.member("id", m.id);
  w.member("check_in_id", m.check_in_id);
  w.member("type", m.type);
  w.key("author");
  write_actor(w, m.author);
  w.member("content", m.content);
  w.member("metadata", m.metadata);
  w.member("attachments", boost::json::value(m.attachments));
  w.member("created_at", m.created_at);
  w.end_object();
}

void write_participant(json_writer& w, const projections::participant& p) {
  w.begin_object();
  w.member("kind", p.who.kind);
  w.member("id", p.who.id);
  w.member("role", p.role);
  w.member("joined_at", p.joined_at);
  w.end_object();
}

void write_watcher(json_writer& w, const ev::watcher::state& x,
                   std::string_view room_slug, const std::string* secret) {
  w.begin_object();
  w.member("id", x.id);
  w.member("room_id", x.room_id);
  w.member("room", room_slug);
  w.member("webhook_url", x.webhook_url);
  w.key("event_types");
  w.begin_array();
  for (const auto& t : x.event_types)
    w.value(t);
  w.end_array();
  w.member("filter", x.filter);
  w.member("status", x.deleted ? "deleted" : x.disabled ? "disabled" : "active");
  w.key("created_by");
  write_actor(w, x.created_by);
  w.member("created_at", x.created_at);
  if (secret) w.member("secret", *secret);
  w.end_object();
}

void write_signal(json_writer& w, const projections::signal_view& s) {
  w.begin_object();
  w.member("id", s.id);
  w.member("type", s.type);
  w.member("payload", s.payload);
  w.member("room_id", s.room_id);
  w.key("by");
  write_actor(w, s.by);
  w.member("created_at", s.created_at);
  w.end_object();
}

void write_room_as_of(json_writer& w, const projections::projection_set& p,
                      const ev::room::state& room, std::uint64_t as_of_seq) {
  w.begin_object();
  w.member("as_of_seq", as_of_seq);
  w.key("room");
  write_room(w, room, p.checkins.queue_size(room.id));
  w.key("check_ins");
  w.begin_array();
  for (const auto* s : p.checkins.of_room(room.id))
    write_checkin(w, *s, room.slug);
  w.end_array();
  w.key("queue");
  w.begin_array();
  for (const auto* s : p.checkins.queue(room.id, 0, SIZE_MAX))
    write_checkin(w, *s, room.slug);
  w.end_array();
  w.key("trust");
  w.begin_array();
  for (const auto* c : p.trust.of_room(room.id))
    write_trust(w, *c);
  w.end_array();
  w.end_object();
}

} // namespace waitroom::http
