#include "http/render.hpp"

#include <boost/json/value_from.hpp>

namespace waitroom::http {

namespace json = boost::json;
namespace ev = waitroom::events;
using ev::wire_name;

namespace {

json::value opt_time(const std::optional<ev::timestamp>& t) {
  return t ? json::value(ev::format_rfc3339(*t)) : json::value(nullptr);
}

} // namespace

json::value render_decision(const std::optional<ev::checkin::decision_record>& d) {
  if (!d)
    return nullptr;
  json::object o;
  o["outcome"] = wire_name(d->outcome);
  o["by"] = json::value_from(d->by);
  o["at"] = ev::format_rfc3339(d->at);
  if (d->reason)
    o["reason"] = *d->reason;
  if (d->rule_id)
    o["rule_id"] = *d->rule_id;
  if (d->trust_score)
    o["trust_score"] = *d->trust_score;
  return o;
}

json::object render_status(const ev::checkin::state& s) {
  json::object o;
  o["id"] = s.id;
  o["status"] = wire_name(s.status);
  o["decision"] = render_decision(s.decision);
  o["modifications"] = s.modifications ? json::value(*s.modifications) : json::value(nullptr);
  o["decision_reason"] = s.decision && s.decision->reason ? json::value(*s.decision->reason)
                                                          : json::value(nullptr);
  o["updated_at"] = ev::format_rfc3339(s.updated_at);
  o["version"] = s.version;
  return o;
}

json::object render_checkin(const ev::checkin::state& s, std::string_view room_slug) {
  json::object o;
  o["id"] = s.id;
  o["room_id"] = s.room_id;
  o["room"] = room_slug;
  o["direction"] = wire_name(s.direction);
  o["status"] = wire_name(s.status);
  o["action"] = s.action;
  o["reason"] = s.reason;
  o["risk_level"] = wire_name(s.risk_level);
  o["urgency"] = wire_name(s.urgency);
  o["metadata"] = s.metadata;
  o["agent_id"] = s.agent_id.empty() ? json::value(nullptr) : json::value(s.agent_id);
  o["created_by"] = json::value_from(s.created_by);
  o["timeout_ms"] = s.timeout_ms;
  o["timeout_action"] = wire_name(s.timeout_action);
  o["expires_at"] = opt_time(s.expires_at);
  o["required_approvals"] = s.required_approvals;
  json::array approvals;
  for (const auto& a : s.approvals)
    approvals.push_back(json::object{{"by", json::value_from(a.by)},
                                     {"at", ev::format_rfc3339(a.at)},
                                     {"outcome", wire_name(a.outcome)}});
  o["decision_progress"] =
    json::object{{"required", s.required_approvals}, {"approvals", std::move(approvals)}};
  o["decision"] = render_decision(s.decision);
  o["modifications"] = s.modifications ? json::value(*s.modifications) : json::value(nullptr);
  o["decision_reason"] = s.decision && s.decision->reason ? json::value(*s.decision->reason)
                                                          : json::value(nullptr);
  o["primary_agent_id"] =
    s.primary_agent_id ? json::value(*s.primary_agent_id) : json::value(nullptr);
  json::array helpers;
  for (const auto& h : s.helpers)
    helpers.emplace_back(h);
  o["helpers"] = std::move(helpers);
  o["created_at"] = ev::format_rfc3339(s.created_at);
  o["updated_at"] = ev::format_rfc3339(s.updated_at);
  o["version"] = s.version;
  return o;
}

json::object render_checkin(const ev::checkin::state& s, const projections::projection_set& p) {
  const auto* room = p.rooms.by_id(s.room_id);
  return render_checkin(s, room ? std::string_view(room->slug) : std::string_view());
}

json::object render_room(const ev::room::state& r, std::size_t pending_count) {
  json::object o;
  o["id"] = r.id;
  o["org_id"] = r.org_id;
  o["slug"] = r.slug;
  o["name"] = r.name;
  o["description"] = r.description;
  o["default_timeout_ms"] = r.settings.default_timeout_ms;
  o["default_timeout_action"] = wire_name(r.settings.default_timeout_action);
  o["default_required_approvals"] = r.settings.default_required_approvals;
  o["expiry_warning_ms"] = r.settings.expiry_warning_ms;
  o["policy"] = ev::room::to_json(r.policy);
  o["pending_count"] = pending_count;
  o["created_at"] = ev::format_rfc3339(r.created_at);
  o["updated_at"] = ev::format_rfc3339(r.updated_at);
  o["version"] = r.version;
  return o;
}

json::object render_agent(const ev::agent::state& a) {
  json::object o;
  o["id"] = a.id;
  o["org_id"] = a.org_id.empty() ? json::value(nullptr) : json::value(a.org_id);
  o["name"] = a.name;
  o["description"] = a.description;
  o["platform"] = a.platform;
  o["status"] = wire_name(a.status);
  o["is_active"] = a.status == ev::agent::agent_status::active;
  o["key_prefix"] = a.key_prefix;
  o["created_at"] = ev::format_rfc3339(a.created_at);
  o["last_used_at"] = opt_time(a.last_used_at);
  return o;
}

json::object render_trust(const ev::trust::score_card& c) {
  json::object o;
  o["agent_id"] = c.agent_id;
  o["room_id"] = c.room_id;
  o["score"] = c.score();
  o["total_check_ins"] = c.total_check_ins;
  o["approved_count"] = c.approved_count;
  o["rejected_count"] = c.rejected_count;
  o["modified_count"] = c.modified_count;
  o["expired_count"] = c.expired_count;
  o["updated_at"] = ev::format_rfc3339(c.updated_at);
  return o;
}

} // namespace waitroom::http
