#include "events/checkin/decider.hpp"

#include "events/json.hpp"

#include <algorithm>

namespace waitroom::events::checkin {

namespace json = boost::json;

std::string_view resolved_wire_type(resolution r) {
  switch (r) {
  case resolution::approved:
    return "checkin.approved";
  case resolution::rejected:
    return "checkin.rejected";
  case resolution::modified:
    return "checkin.modified";
  case resolution::expired:
    return "checkin.expired";
  case resolution::withdrawn:
    return "checkin.withdrawn";
  }
  return "checkin.rejected";
}

bool is_waiting_status(std::string_view wire_name) {
  auto s = parse_wire_name<checkin_status>(wire_name);
  return s && is_waiting(*s);
}

// --- evolve ----------------------------------------------------------------

std::optional<timestamp> state::warn_at() const {
  auto d = live_deadline();
  if (!d || expiring_announced) return std::nullopt;
  return *d - warn_before_ms;
}

std::optional<timestamp> state::shown_deadline() const {
  if (damaged || status == checkin_status::claimed || status == checkin_status::in_review)
    return std::nullopt;
  // a task is decided only from review, when its deadline was paused
  const bool decided_from_review =
      direction == checkin_direction::human_to_agent &&
      (status == checkin_status::approved || status == checkin_status::rejected ||
       status == checkin_status::modified);
  if (decided_from_review) return std::nullopt;
  return expires_at;
}

std::optional<timestamp> state::live_deadline() const {
  if (!exists() || damaged || !is_waiting(status) || status == checkin_status::claimed ||
      status == checkin_status::in_review)
    return std::nullopt;
  return expires_at;
}

void evolve(state& s, const recorded_event& e) {
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, created>) {
          s.id = ev.id;
          s.room_id = ev.room_id;
          s.org_id = ev.org_id;
          s.direction = ev.direction;
          s.status = ev.status;
          s.action = ev.action;
          s.reason = ev.reason;
          s.risk_level = ev.risk_level;
          s.urgency = ev.urgency;
          s.metadata = ev.metadata;
          s.agent_id = ev.agent_id;
          s.created_by = ev.created_by;
          s.timeout_ms = ev.timeout_ms;
          s.timeout_action = ev.timeout_action;
          s.required_approvals = ev.required_approvals;
          s.warn_before_ms = ev.warn_before_ms;
          s.expires_at = ev.expires_at;
          s.decision = ev.decision;
          s.created_at = e.meta.at;
          s.created_seq = e.meta.seq;
        } else if constexpr (std::is_same_v<T, approval_recorded>) {
          s.approvals.push_back(
              {ev.by, e.meta.at, ev.outcome, ev.modifications, ev.reason});
        } else if constexpr (std::is_same_v<T, resolved>) {
          s.status = status_of(ev.decision.outcome);
          s.decision = ev.decision;
          s.modifications = ev.modifications;
        } else if constexpr (std::is_same_v<T, extended>) {
          s.expires_at = ev.expires_at;
          s.expiring_announced = false;
        } else if constexpr (std::is_same_v<T, expiring>) {
          s.expiring_announced = true;
        } else if constexpr (std::is_same_v<T, claimed>) {
          s.status = checkin_status::claimed;
          s.primary_agent_id = ev.agent_id;
          std::erase(s.helpers, ev.agent_id);
        } else if constexpr (std::is_same_v<T, released>) {
          s.status = checkin_status::open;
          s.primary_agent_id.reset();
        } else if constexpr (std::is_same_v<T, helper_joined>) {
          s.helpers.push_back(ev.agent_id);
        } else if constexpr (std::is_same_v<T, submitted>) {
          s.status = checkin_status::in_review;
        } else if constexpr (std::is_same_v<T, log::quarantined>) {
          s.damaged = true;
        } else {
          // Messages and help requests do not change the check-in object (messages are
          // read from the thread).
        }
      },
      e.data);
  // API.md: `checkin.expiring` moves the version; nothing else in the object changes.
  if (!std::holds_alternative<expiring>(e.data)) s.updated_at = e.meta.at;
  s.version = e.meta.version;
}

// --- decide ----------------------------------------------------------------

namespace {

/// Builds the events of one command, taking message ids in order.
class event_builder {
 public:
  event_builder(const state& s, actor_ref actor, timestamp now, const fresh_ids* ids)
      : stream_(s.id)
      , org_(s.org_id)
      , room_(s.room_id)
      , actor_(std::move(actor))
      , now_(now)
      , ids_(ids) {}

  void add(event_data data, actor_ref actor) {
    out_.push_back(
        make_event(stream_, org_, room_, std::move(actor), now_, std::move(data)));
  }
  void add(event_data data) { add(std::move(data), actor_); }

  void status_message(std::optional<checkin_status> from, checkin_status to) {
    json::object meta;
    meta["from"] = from ? json::value(wire_name(*from)) : json::value(nullptr);
    meta["to"] = wire_name(to);
    std::string text = from ? "Status changed from " + std::string(wire_name(*from)) +
                                  " to " + std::string(wire_name(to))
                            : "Created with status " + std::string(wire_name(to));
    message(message_kind::status_change, actor_ref::system(), std::move(text),
            std::move(meta));
  }

  void decision_message(const actor_ref& by, resolution outcome,
                        const std::optional<std::string>& reason,
                        const std::optional<json::object>& modifications,
                        json::object meta) {
    meta["outcome"] = wire_name(outcome);
    if (modifications) meta["modifications"] = *modifications;
    std::string text = reason && !reason->empty() ? *reason : default_text(outcome);
    message(message_kind::decision, by, std::move(text), std::move(meta));
  }

  /// A message written by a participant; returns its id (empty when ids ran out).
  std::string message(message_kind kind, const actor_ref& author, std::string content,
                      json::object meta, json::array attachments = {}) {
    if (ids_ == nullptr || next_id_ >= ids_->size()) {
      failed_ = true;
      return {};
    }
    message_posted m;
    m.id = (*ids_)[next_id_++];
    m.type = kind;
    m.author = author;
    m.content = std::move(content);
    m.metadata = std::move(meta);
    m.attachments = std::move(attachments);
    auto id = m.id;
    add(std::move(m), author.kind == actor_kind::system ? actor_ : author);
    return id;
  }

  bool ids_exhausted() const { return failed_; }
  event_list take() { return std::move(out_); }

 private:
  static std::string default_text(resolution r) {
    switch (r) {
    case resolution::approved:
      return "Approved.";
    case resolution::rejected:
      return "Rejected.";
    case resolution::modified:
      return "Approved with modifications.";
    case resolution::expired:
      return "Expired.";
    case resolution::withdrawn:
      return "Withdrawn.";
    }
    return {};
  }

  std::string stream_, org_, room_;
  actor_ref actor_;
  timestamp now_;
  const fresh_ids* ids_;
  std::size_t next_id_ = 0;
  bool failed_ = false;
  event_list out_;
};

} // namespace

std::size_t message_ids_needed(const command& cmd) {
  return std::visit(
      [](const auto& c) -> std::size_t {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, approve> || std::is_same_v<T, reject> ||
                      std::is_same_v<T, modify> || std::is_same_v<T, submit>)
          return 2; // a decision (or result) message, then a status change
        else if constexpr (std::is_same_v<T, withdraw> || std::is_same_v<T, expire> ||
                           std::is_same_v<T, claim> || std::is_same_v<T, release>)
          return 1; // a status change
        else if constexpr (std::is_same_v<T, post_message>)
          return 1; // the message
        else
          return 0; // extend, announce_expiry, request_help, join
      },
      cmd);
}

fresh_ids* message_ids_of(command& cmd) {
  return std::visit(
      [](auto& c) -> fresh_ids* {
        if constexpr (requires { c.message_ids; })
          return &c.message_ids;
        else
          return nullptr;
      },
      cmd);
}

namespace {

outcome<event_list> finish(event_builder& b) {
  if (b.ids_exhausted())
    return internal_error("command carried too few fresh message ids");
  return b.take();
}

bool decidable(checkin_status s) {
  return s == checkin_status::pending || s == checkin_status::in_review;
}

error not_decidable(const state& s, std::string_view verb) {
  return conflict("cannot " + std::string(verb) + " a check-in that is " +
                  std::string(wire_name(s.status)));
}

outcome<void> validate_reason(const std::optional<std::string>& reason) {
  if (reason && utf8_length(*reason) > max_reason_length)
    return validation_error("reason", "must have at most 5000 characters");
  return {};
}

/// Approve or modify: a counted decision when several approvers are required.
outcome<event_list> decide_approval(const state& s, const actor_ref& by,
                                    resolution outcome,
                                    const std::optional<json::object>& modifications,
                                    const std::optional<std::string>& reason,
                                    timestamp now, const fresh_ids& ids) {
  const char* verb = outcome == resolution::modified ? "modify" : "approve";
  if (!decidable(s.status)) return not_decidable(s, verb);
  if (by.kind != actor_kind::user)
    return forbidden("only a person can " + std::string(verb) + " a check-in");
  if (auto v = validate_reason(reason); !v) return std::move(v).error();
  event_builder b(s, by, now, &ids);
  if (s.required_approvals <= 1) {
    b.add(resolved{decision_record{outcome, by, now, reason, {}, {}}, modifications});
    b.decision_message(by, outcome, reason, modifications, {});
    b.status_message(s.status, status_of(outcome));
    return finish(b);
  }
  for (const auto& a : s.approvals)
    if (a.by == by) return conflict("this person has already decided on this check-in");
  b.add(approval_recorded{by, outcome, modifications, reason});
  auto count = static_cast<int>(s.approvals.size()) + 1;
  b.decision_message(
      by, outcome, reason, modifications,
      json::object{{"approvals", count}, {"required", s.required_approvals}});
  if (count >= s.required_approvals) {
    bool any_modify = outcome == resolution::modified;
    json::object merged;
    for (const auto& a : s.approvals) {
      any_modify = any_modify || a.outcome == resolution::modified;
      if (a.modifications) shallow_merge(merged, *a.modifications);
    }
    if (modifications) shallow_merge(merged, *modifications);
    auto final_outcome = any_modify ? resolution::modified : resolution::approved;
    std::optional<json::object> final_mods;
    if (any_modify) final_mods = std::move(merged);
    b.add(resolved{decision_record{final_outcome, by, now, reason, {}, {}}, final_mods});
    b.status_message(s.status, status_of(final_outcome));
  }
  return finish(b);
}

} // namespace

namespace {

/// Validates what agent check-ins and tasks share and fills the common part of
/// `checkin.created` with the room's defaults applied.
template <class Create>
outcome<created> prepare_created(const Create& c, const room::state& room) {
  auto n = utf8_length(c.action);
  if (n < 1 || n > max_action_length)
    return validation_error("action", "must have 1-500 characters");
  if (utf8_length(c.reason) > max_reason_length)
    return validation_error("reason", "must have at most 5000 characters");
  if (compact_size(json::value(c.metadata)) > max_metadata_bytes)
    return validation_error("metadata", "must serialize to at most 10240 bytes");
  if (c.timeout_ms && (*c.timeout_ms < min_timeout_ms || *c.timeout_ms > max_timeout_ms))
    return validation_error("timeout_ms", "must be 1000-604800000 (1 s to 7 days)");
  std::optional<int> required;
  if (c.required_approvals) {
    auto n = check_required_approvals(*c.required_approvals, "required_approvals");
    if (!n) return std::move(n).error();
    required = *n;
  }
  if (!room.exists()) return not_found("room not found");
  created ev;
  ev.id = c.id;
  ev.room_id = room.id;
  ev.org_id = room.org_id;
  ev.action = c.action;
  ev.reason = c.reason;
  ev.risk_level = c.risk_level;
  ev.urgency = c.urgency;
  ev.metadata = c.metadata;
  ev.timeout_ms = c.timeout_ms.value_or(room.settings.default_timeout_ms);
  ev.timeout_action = c.timeout_action.value_or(room.settings.default_timeout_action);
  ev.required_approvals = required.value_or(room.settings.default_required_approvals);
  ev.warn_before_ms = std::min(room.settings.expiry_warning_ms, ev.timeout_ms / 10);
  if (ev.timeout_action != timeout_behavior::hold) ev.expires_at = c.now + ev.timeout_ms;
  return ev;
}

/// The events of a creation: `checkin.created` and its status message.
outcome<event_list> creation(created ev, const actor_ref& by, timestamp now,
                             const fresh_ids& ids) {
  auto status = ev.status;
  state fresh;
  fresh.id = ev.id;
  fresh.org_id = ev.org_id;
  fresh.room_id = ev.room_id;
  event_builder b(fresh, by, now, &ids);
  b.add(std::move(ev));
  b.status_message(std::nullopt, status);
  return finish(b);
}

} // namespace

outcome<event_list> decide_create(const create& c, const room::state& room,
                                  double trust_score) {
  auto ev = prepare_created(c, room);
  if (!ev) return std::move(ev).error();
  ev->direction = checkin_direction::agent_to_human;
  ev->agent_id = c.agent_id;
  ev->created_by = actor_ref::agent(c.agent_id);
  auto verdict = room::evaluate(room.policy,
                                room::policy_input{c.action, c.risk_level, c.urgency,
                                                   c.agent_id, &c.metadata, trust_score});
  ev->status = verdict.status;
  if (verdict.status != checkin_status::pending) {
    decision_record d;
    d.outcome = verdict.status == checkin_status::approved ? resolution::approved
                                                           : resolution::rejected;
    d.by = actor_ref::policy();
    d.at = c.now;
    d.rule_id = verdict.rule_id;
    d.trust_score = verdict.trust_score;
    if (verdict.by_default_action) d.reason = "default_action";
    ev->decision = d;
    ev->expires_at.reset(); // decided at once: no deadline
  }
  return creation(std::move(*ev), actor_ref::agent(c.agent_id), c.now, c.message_ids);
}

outcome<event_list> decide_create_task(const create_task& c, const room::state& room) {
  if (c.by.kind != actor_kind::user) return forbidden("only people post tasks");
  auto ev = prepare_created(c, room);
  if (!ev) return std::move(ev).error();
  ev->direction = checkin_direction::human_to_agent;
  ev->created_by = c.by;
  ev->status = checkin_status::open;
  return creation(std::move(*ev), c.by, c.now, c.message_ids);
}

std::optional<error> answer_error(const state& s) {
  if (s.status != checkin_status::rejected || !s.decision ||
      s.decision->by.kind != actor_kind::policy)
    return std::nullopt;
  error e{errc::policy_forbids, "the room's policy forbids this action", {}, {}};
  e.details["check_in_id"] = s.id;
  e.details["rule_id"] =
      s.decision->rule_id ? json::value(*s.decision->rule_id) : json::value(nullptr);
  if (s.decision->reason) e.details["reason"] = *s.decision->reason;
  return e;
}

namespace {

bool is_task(const state& s) {
  return s.direction == checkin_direction::human_to_agent;
}

bool is_primary(const state& s, const actor_ref& by) {
  return by.kind == actor_kind::agent && s.primary_agent_id &&
         *s.primary_agent_id == by.id;
}

bool is_helper(const state& s, const actor_ref& by) {
  return by.kind == actor_kind::agent &&
         std::find(s.helpers.begin(), s.helpers.end(), by.id) != s.helpers.end();
}

outcome<void> validate_content(const std::string& content) {
  auto n = utf8_length(content);
  if (n < 1 || n > max_message_length)
    return validation_error("content", "must have 1-10000 characters");
  return {};
}

// The attachments as the thread keeps them: each an object {name, url, content_type?,
// size?}; a member sent as null is absent (API.md), so it is dropped.
outcome<json::array> normalized_attachments(const json::array& attachments) {
  if (attachments.size() > max_attachments)
    return validation_error("attachments", "at most 10 attachments");
  json::array out;
  out.reserve(attachments.size());
  for (std::size_t i = 0; i < attachments.size(); ++i) {
    std::string at = "attachments[" + std::to_string(i) + "]";
    const auto* a = attachments[i].if_object();
    if (a == nullptr)
      return validation_error(at, "must be an object {name, url, content_type?, size?}");
    json::object kept;
    for (const auto& kv : *a) {
      std::string_view key = kv.key();
      const auto& v = kv.value();
      if (v.is_null()) continue;
      if (key == "name") {
        if (!v.is_string() || v.get_string().empty() || utf8_length(v.get_string()) > 255)
          return validation_error(at + ".name", "must be a string of 1-255 characters");
      } else if (key == "url") {
        const auto* u = v.if_string();
        if (u == nullptr || u->size() > 2048 ||
            !(u->starts_with("http://") || u->starts_with("https://")))
          return validation_error(at + ".url", "must be an http or https URL");
      } else if (key == "content_type") {
        if (!v.is_string() || v.get_string().size() > 255)
          return validation_error(at + ".content_type",
                                  "must be a string of at most 255 characters");
      } else if (key == "size") {
        if (!(v.is_int64() && v.get_int64() >= 0) && !v.is_uint64())
          return validation_error(at + ".size", "must be a non-negative integer");
      } else {
        return validation_error(
            at + "." + std::string(key),
            "unknown attachment field; expected name, url, content_type, size");
      }
      kept.emplace(key, v);
    }
    if (!kept.contains("name")) return validation_error(at + ".name", "is required");
    if (!kept.contains("url")) return validation_error(at + ".url", "is required");
    out.emplace_back(std::move(kept));
  }
  return out;
}

outcome<event_list> decide_message(const state& s, const post_message& c) {
  if (!may_be_posted(c.type))
    return validation_error(
        "type", "status_change and decision messages are written by the server");
  if (auto v = validate_content(c.content); !v) return std::move(v).error();
  if (compact_size(json::value(c.metadata)) > max_metadata_bytes)
    return validation_error("metadata", "must serialize to at most 10240 bytes");
  auto attachments = normalized_attachments(c.attachments);
  if (!attachments) return std::move(attachments).error();
  // People who can see the room take part (checked where the room is known); agents
  // only as the asking agent, the primary agent or a helper.
  if (c.by.kind == actor_kind::agent && c.by.id != s.agent_id && !is_primary(s, c.by) &&
      !is_helper(s, c.by))
    return forbidden("only the participants of this check-in can write in its thread");
  event_builder b(s, c.by, c.now, &c.message_ids);
  b.message(c.type, c.by, c.content, c.metadata, std::move(*attachments));
  return finish(b);
}

template <class Cmd>
outcome<event_list> decide_task(const state& s, const Cmd& c) {
  if (c.by.kind != actor_kind::agent) return forbidden("only agents work on tasks");
  if (!is_task(s)) return conflict("this is an agent check-in, not a task");
  if constexpr (std::is_same_v<Cmd, claim>) {
    if (s.status == checkin_status::claimed || s.status == checkin_status::in_review)
      return conflict("the task is already claimed");
    if (s.status != checkin_status::open) return not_decidable(s, "claim");
    event_builder b(s, c.by, c.now, &c.message_ids);
    b.add(claimed{c.by.id});
    b.status_message(s.status, checkin_status::claimed);
    return finish(b);
  } else if constexpr (std::is_same_v<Cmd, release>) {
    if (!is_primary(s, c.by))
      return forbidden("only the primary agent can release the task");
    if (s.status != checkin_status::claimed) return not_decidable(s, "release");
    event_builder b(s, c.by, c.now, &c.message_ids);
    b.add(released{c.by.id});
    b.status_message(s.status, checkin_status::open);
    return finish(b);
  } else if constexpr (std::is_same_v<Cmd, request_help>) {
    if (!is_primary(s, c.by)) return forbidden("only the primary agent can ask for help");
    if (s.status != checkin_status::claimed) return not_decidable(s, "ask for help on");
    if (utf8_length(c.description) > max_reason_length)
      return validation_error("description", "must have at most 5000 characters");
    event_builder b(s, c.by, c.now, nullptr);
    b.add(help_requested{c.by.id, c.description});
    return finish(b);
  } else if constexpr (std::is_same_v<Cmd, join>) {
    if (is_primary(s, c.by)) return conflict("the primary agent cannot join as a helper");
    if (is_terminal(s.status)) return not_decidable(s, "join");
    if (is_helper(s, c.by)) return event_list{};
    event_builder b(s, c.by, c.now, nullptr);
    b.add(helper_joined{c.by.id});
    return finish(b);
  } else {
    static_assert(std::is_same_v<Cmd, submit>);
    if (!is_primary(s, c.by))
      return forbidden("only the primary agent can submit the task");
    if (s.status != checkin_status::claimed) return not_decidable(s, "submit");
    if (auto v = validate_content(c.content); !v) return std::move(v).error();
    if (compact_size(json::value(c.metadata)) > max_metadata_bytes)
      return validation_error("metadata", "must serialize to at most 10240 bytes");
    event_builder b(s, c.by, c.now, &c.message_ids);
    auto id = b.message(message_kind::result, c.by, c.content, c.metadata);
    b.add(submitted{c.by.id, id});
    b.status_message(s.status, checkin_status::in_review);
    return finish(b);
  }
}

} // namespace

outcome<event_list> decide(const state& s, const command& cmd) {
  if (!s.exists()) return not_found("check-in not found");
  return std::visit(
      [&](const auto& c) -> outcome<event_list> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, approve>) {
          return decide_approval(s, c.by, resolution::approved, std::nullopt, c.reason,
                                 c.now, c.message_ids);
        } else if constexpr (std::is_same_v<T, modify>) {
          return decide_approval(s, c.by, resolution::modified, c.modifications, c.reason,
                                 c.now, c.message_ids);
        } else if constexpr (std::is_same_v<T, reject>) {
          if (!decidable(s.status)) return not_decidable(s, "reject");
          if (c.by.kind != actor_kind::user)
            return forbidden("only a person can reject a check-in");
          if (auto v = validate_reason(c.reason); !v) return std::move(v).error();
          event_builder b(s, c.by, c.now, &c.message_ids);
          b.add(resolved{
              decision_record{resolution::rejected, c.by, c.now, c.reason, {}, {}},
              std::nullopt});
          b.decision_message(c.by, resolution::rejected, c.reason, std::nullopt, {});
          b.status_message(s.status, checkin_status::rejected);
          return finish(b);
        } else if constexpr (std::is_same_v<T, withdraw>) {
          if (s.direction == checkin_direction::agent_to_human &&
              !(c.by.kind == actor_kind::agent && c.by.id == s.agent_id))
            return forbidden("only the agent that created this check-in can withdraw it");
          if (s.direction == checkin_direction::human_to_agent &&
              !(c.by.kind == actor_kind::user && (c.by == s.created_by || c.by_admin)))
            return forbidden(
                "only the person who posted this task or an admin can withdraw it");
          if (s.status != checkin_status::pending && s.status != checkin_status::open)
            return not_decidable(s, "withdraw");
          if (auto v = validate_reason(c.reason); !v) return std::move(v).error();
          event_builder b(s, c.by, c.now, &c.message_ids);
          b.add(resolved{
              decision_record{resolution::withdrawn, c.by, c.now, c.reason, {}, {}},
              std::nullopt});
          b.status_message(s.status, checkin_status::withdrawn);
          return finish(b);
        } else if constexpr (std::is_same_v<T, extend>) {
          if (c.by_ms < min_timeout_ms || c.by_ms > max_timeout_ms)
            return validation_error("by_ms", "must be 1000-604800000 (1 s to 7 days)");
          if (s.status != checkin_status::pending && s.status != checkin_status::open)
            return not_decidable(s, "extend");
          if (s.damaged)
            return conflict("this check-in lost an event (quarantined) and has no deadline "
                            "any more: decide it");
          if (!s.expires_at)
            return conflict("this check-in has no deadline (timeout_action hold)");
          event_builder b(s, c.by, c.now, nullptr);
          b.add(extended{c.by_ms, *s.expires_at + c.by_ms});
          return finish(b);
        } else if constexpr (std::is_same_v<T, expire>) {
          auto deadline = s.live_deadline();
          if (!deadline || c.now < *deadline) return event_list{};
          auto outcome = s.timeout_action == timeout_behavior::auto_approve
                             ? resolution::approved
                             : resolution::expired;
          event_builder b(s, actor_ref::timeout(), c.now, &c.message_ids);
          b.add(
              resolved{decision_record{outcome, actor_ref::timeout(), c.now, {}, {}, {}},
                       std::nullopt});
          b.status_message(s.status, status_of(outcome));
          return finish(b);
        } else if constexpr (std::is_same_v<T, announce_expiry>) {
          auto warn = s.warn_at();
          if (!warn || c.now < *warn || c.now >= *s.expires_at) return event_list{};
          event_builder b(s, actor_ref::timeout(), c.now, nullptr);
          b.add(expiring{*s.expires_at});
          return finish(b);
        } else if constexpr (std::is_same_v<T, post_message>) {
          return decide_message(s, c);
        } else {
          return decide_task(s, c);
        }
      },
      cmd);
}

} // namespace waitroom::events::checkin
