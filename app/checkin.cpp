// The check-in client subcommands (API.md "Command-line client"):
//   waitroom checkin --room R --action A [fields] [--wait [--max-wait D]]
//   waitroom status ID [--wait [--max-wait D]] [--json]
//   waitroom approve|reject|modify ID [--reason R] [--modifications JSON] [--json]
// Exit statuses are `client_exit`; stdout carries only the result, progress goes to
// stderr. Waiting is the long-poll `GET /v1/check-ins/:id/status?wait_ms=`, resumed by id
// with backoff when the server goes away, so a decision is never missed.
#include "app/commands.hpp"
#include "app/http_client.hpp"

#include "events/checkin/decider.hpp"
#include "events/time.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace waitroom::app {

namespace {

namespace json = boost::json;
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// How long a create or a decision is retried when there is no `--max-wait` to bound it.
constexpr milliseconds default_retry_for{120'000};
constexpr milliseconds default_decision_retry_for{15'000};
/// How long past the check-in's deadline the client keeps retrying an unreachable
/// server: the server fires expiry within 1 s, and clocks may differ a little.
constexpr milliseconds deadline_grace{60'000};
/// The longest long-poll the API allows.
constexpr milliseconds longest_poll{60'000};

/// One line on stderr, prefixed with the subcommand.
void say(std::string_view command, const std::string& text) {
  std::fprintf(stderr, "waitroom %.*s: %s\n", static_cast<int>(command.size()),
               command.data(), text.c_str());
}

/// A JSON value on stdout, alone on its line.
void print_json(const json::value& v) {
  std::printf("%s\n", json::serialize(v).c_str());
  std::fflush(stdout);
}

std::string segment(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (const auto* s = v->if_string()) return std::string(*s);
  return json::serialize(*v);
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

/// The `data` object of a success answer, or nothing.
std::optional<json::object> data_of(const http_response& r) {
  std::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* data = object_at(v.get_object(), "data");
  if (data == nullptr) return std::nullopt;
  return *data;
}

/// The `error` object of an error answer (empty when there is none).
json::object error_of(const http_response& r) {
  std::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return {};
  const auto* e = object_at(v.get_object(), "error");
  return e != nullptr ? *e : json::object{};
}

/// "HTTP 404 NOT_FOUND: no such room (field: room)".
std::string describe_error(const http_response& r) {
  auto e = error_of(r);
  std::string out = "HTTP " + std::to_string(r.status);
  if (e.empty()) return r.body.empty() ? out : out + " " + r.body.substr(0, 300);
  out += " " + text_of(e, "code") + ": " + text_of(e, "message");
  if (const auto* d = object_at(e, "details"))
    if (auto field = text_of(*d, "field"); !field.empty())
      out += " (field: " + field + ")";
  return out;
}

int exit_status_of(std::string_view status) {
  if (status == "approved") return exit_approved;
  if (status == "modified") return exit_modified;
  return exit_not_approved;
}

/// The status object (`GET /v1/check-ins/:id/status`) of a check-in object.
json::object status_of(const json::object& checkin) {
  json::object s;
  for (std::string_view key : {"id", "status", "decision", "modifications",
                               "decision_reason", "updated_at", "version"})
    if (const auto* v = checkin.if_contains(key)) s[key] = *v;
  return s;
}

/// "ci_x rejected by policy rule no-prod-friday at ...", "ci_x approved by user us_y at
/// ...: looks good", "ci_x expired at ...: no decision before the deadline".
std::string describe_outcome(const json::object& st) {
  const auto status = text_of(st, "status");
  std::string line = text_of(st, "id") + " " + status;
  const auto* d = object_at(st, "decision");
  if (d == nullptr) return line;
  const auto* by = object_at(*d, "by");
  const auto kind = by != nullptr ? text_of(*by, "kind") : std::string();
  if (kind == "policy") {
    if (auto rule = text_of(*d, "rule_id"); !rule.empty())
      line += " by policy rule " + rule;
    else if (auto score = text_of(*d, "trust_score"); !score.empty())
      line += " by policy (trust score " + score + ")";
    else
      line += " by policy (the room's default action)";
  } else if (kind == "timeout" || kind.empty()) {
    if (status != "expired") line += kind.empty() ? "" : " by timeout";
  } else {
    line += " by " + kind;
    if (auto id = text_of(*by, "id"); !id.empty()) line += " " + id;
  }
  if (auto at = text_of(*d, "at"); !at.empty()) line += " at " + at;
  auto reason = text_of(*d, "reason");
  if (reason.empty()) reason = text_of(st, "decision_reason");
  if (status == "expired" && reason.empty()) reason = "no decision before the deadline";
  if (kind != "policy" && !reason.empty()) line += ": " + reason;
  return line;
}

/// When the check-in can no longer be pending, on this machine's steady clock: its
/// `expires_at` moved by the offset between the server's clock and ours, measured when a
/// check-in object arrived. None for `hold` (no deadline) or before anything is known.
class deadline_watch {
 public:
  /// The server's time `server_now` is this machine's `local_now`.
  void anchor(events::timestamp server_now, clock::time_point local_now) {
    server_anchor_ = server_now;
    local_anchor_ = local_now;
  }
  void learn(const json::object& checkin) {
    if (!server_anchor_) return;
    const auto* v = checkin.if_contains("expires_at");
    if (v == nullptr) return;
    if (v->is_null()) {
      deadline_.reset();
      return;
    }
    if (const auto* s = v->if_string())
      if (auto at = events::parse_rfc3339(*s))
        deadline_ = local_anchor_ + milliseconds(*at - *server_anchor_);
  }
  /// Whether the deadline passed more than the grace ago.
  bool long_past(clock::time_point now) const {
    return deadline_ && now > *deadline_ + deadline_grace;
  }

 private:
  std::optional<events::timestamp> server_anchor_;
  clock::time_point local_anchor_;
  std::optional<clock::time_point> deadline_;
};

events::timestamp system_now() {
  return {std::chrono::duration_cast<milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count()};
}

std::string seconds_text(milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

struct waited {
  enum { decided, out_of_time, gave_up } how;
  json::object last; ///< the last status object the server sent
  std::string why;   ///< when it gave up
};

/// Long-polls the check-in's status until it is decided, `until` passes, or waiting can
/// no longer help (the server refuses, or stays away past the check-in's deadline).
/// `heard`: whether `last` came from the server; a wait that runs out before the server
/// ever answered has given up (it knows nothing to be still pending).
/// Connection errors, 429 and 5xx are retried with backoff (capped at 5 s), resuming by
/// id: nothing is lost across a server restart, since a decision is durable before the
/// server answers it.
waited wait_for_decision(std::string_view command, const server_address& to,
                         const std::string& credential, const std::string& id,
                         json::object last, std::optional<clock::time_point> until,
                         deadline_watch& deadline, bool heard = true) {
  milliseconds backoff{0};
  std::string away; // why the server is unreachable; empty while it answers
  for (;;) {
    if (!events::checkin::is_waiting_status(text_of(last, "status")))
      return {waited::decided, last, {}};
    const auto now = clock::now();
    // Back from an outage, ask once without waiting: the answer says at once whether a
    // decision was taken meanwhile, and that the server is back.
    auto poll = away.empty() ? longest_poll : milliseconds(0);
    if (until) {
      if (now >= *until && !heard)
        return {waited::gave_up, last,
                "the server could not be reached" + (away.empty() ? "" : " (" + away + ")")};
      if (now >= *until) return {waited::out_of_time, last, {}};
      poll = std::min(poll, std::chrono::ceil<milliseconds>(*until - now));
    }
    http_request req;
    req.target = "/v1/check-ins/" + segment(id) +
                 "/status?wait_ms=" + std::to_string(poll.count());
    req.credential = credential;
    req.timeout = poll + milliseconds(15'000);
    auto r = exchange(to, req);
    std::optional<milliseconds> retry_after;
    std::string why = r.error;
    if (r.response) {
      const int s = r.response->status;
      if (s == 200) {
        if (auto st = data_of(*r.response)) {
          if (!away.empty()) say(command, "the server is back; still waiting on " + id);
          away.clear();
          heard = true;
          backoff = milliseconds(0);
          // The deadline may have moved (extend); look again when the version moves.
          if (events::checkin::is_waiting_status(text_of(*st, "status")) &&
              text_of(*st, "version") != text_of(last, "version")) {
            http_request get;
            get.target = "/v1/check-ins/" + segment(id);
            get.credential = credential;
            if (auto full = exchange(to, get);
                full.response && full.response->status == 200)
              if (auto c = data_of(*full.response)) deadline.learn(*c);
          }
          last = std::move(*st);
          continue;
        }
        why = "an answer that is not a status object";
      } else if (s == 429 || s >= 500) {
        why = describe_error(*r.response);
        retry_after = r.response->retry_after;
      } else {
        return {waited::gave_up, last, describe_error(*r.response)};
      }
    }
    if (away.empty())
      say(command, "lost the server (" + why + "); retrying, then resuming " + id);
    away = why;
    if (deadline.long_past(clock::now()))
      return {waited::gave_up, last,
              "the server is unreachable (" + why +
                  ") and the check-in's deadline has passed"};
    backoff = next_backoff(backoff);
    auto delay =
        retry_after ? std::clamp(*retry_after, backoff, milliseconds(5000)) : backoff;
    if (until)
      delay = std::min(delay, std::chrono::ceil<milliseconds>(*until - clock::now()));
    std::this_thread::sleep_for(std::max(delay, milliseconds(0)));
  }
}

/// Ends a wait: the outcome (when `announce`), or why it stopped, on stderr; `print` puts
/// the result on stdout (nothing when it gave up). Returns the exit status.
int finish(std::string_view command, const waited& w,
           std::optional<milliseconds> max_wait, bool announce,
           const std::function<void(const json::object&)>& print) {
  const auto status = text_of(w.last, "status");
  switch (w.how) {
  case waited::decided:
    if (announce) say(command, describe_outcome(w.last));
    print(w.last);
    return exit_status_of(status);
  case waited::out_of_time:
    say(command, "still " + status + " after " +
                     seconds_text(max_wait.value_or(milliseconds(0))) +
                     " (--max-wait): " + text_of(w.last, "id"));
    print(w.last);
    return exit_not_approved;
  case waited::gave_up:
    say(command, "giving up on " + text_of(w.last, "id") + ": " + w.why);
    return exit_gave_up;
  }
  return exit_not_approved;
}

std::optional<milliseconds> max_wait_of(const std::optional<std::int64_t>& ms) {
  if (!ms) return std::nullopt;
  return milliseconds(*ms);
}

/// The `data` of `GET path`, or nothing (the error said on stderr).
std::optional<json::object> fetch(std::string_view command, const server_address& to,
                                  const std::string& credential,
                                  const std::string& path) {
  http_request req;
  req.target = path;
  req.credential = credential;
  auto r = exchange(to, req);
  if (!r.response) {
    say(command, r.error);
    return std::nullopt;
  }
  if (r.response->status != 200) {
    say(command, describe_error(*r.response));
    return std::nullopt;
  }
  return data_of(*r.response);
}

std::optional<server_address> server_of(std::string_view command,
                                        const client_options& c) {
  auto to = parse_server_url(c.server);
  if (!to) say(command, "--server must be an http:// URL, got '" + c.server + "'");
  return to;
}

void on_retry_say(std::string_view command, const std::string& why, milliseconds delay) {
  say(command, why + "; retrying in " + seconds_text(delay));
}

} // namespace

int checkin(const checkin_options& o) {
  constexpr std::string_view cmd = "checkin";
  auto to = server_of(cmd, o.client);
  if (!to) return exit_usage;
  if (o.client.key.empty()) {
    say(cmd, "no agent key: --key or WAITROOM_API_KEY");
    return exit_usage;
  }
  json::object body;
  body["action"] = o.action;
  if (o.reason) body["reason"] = *o.reason;
  if (o.risk_level) body["risk_level"] = *o.risk_level;
  if (o.urgency) body["urgency"] = *o.urgency;
  if (o.metadata) body["metadata"] = json::parse(*o.metadata); // checked by the parser
  if (o.timeout_ms) body["timeout_ms"] = *o.timeout_ms;
  if (o.timeout_action) body["timeout_action"] = *o.timeout_action;
  if (o.required_approvals) body["required_approvals"] = *o.required_approvals;

  const auto started = clock::now();
  std::optional<clock::time_point> until;
  if (o.max_wait_ms) until = started + milliseconds(*o.max_wait_ms);
  http_request req;
  req.target = "/v1/rooms/" + segment(o.room) + "/check-in";
  req.credential = o.client.key;
  req.json_body = json::serialize(body);
  req.idempotency_key = o.idempotency_key.value_or(new_idempotency_key());
  auto r = post_once(*to, req, until.value_or(started + default_retry_for),
                     [&](const std::string& why, milliseconds delay) {
                       on_retry_say(cmd, "creating the check-in: " + why, delay);
                     });
  const auto answered = clock::now();
  if (!r.response) {
    say(cmd, "giving up: " + r.error);
    return exit_gave_up;
  }
  const int http_status = r.response->status;
  const auto error = error_of(*r.response);
  if (http_status == 403 && text_of(error, "code") == "POLICY_FORBIDS") {
    // The forbidden check-in is recorded: print it as a decided one would be.
    const auto* details = object_at(error, "details");
    const auto id = details != nullptr ? text_of(*details, "check_in_id") : std::string();
    auto path = "/v1/check-ins/" + segment(id) + (o.wait ? "/status" : "");
    if (auto st = fetch(cmd, *to, o.client.key, path)) {
      say(cmd, describe_outcome(status_of(*st)));
      print_json(*st);
    } else {
      say(cmd, "rejected by policy: " + describe_error(*r.response));
    }
    return exit_not_approved;
  }
  if (http_status >= 400 && http_status < 500) {
    say(cmd, describe_error(*r.response));
    return exit_usage;
  }
  auto created = http_status == 201 ? data_of(*r.response) : std::nullopt;
  if (!created) {
    say(cmd, "giving up: " + describe_error(*r.response));
    return exit_gave_up;
  }
  const auto id = text_of(*created, "id");
  const auto status = text_of(*created, "status");
  if (!o.wait) {
    if (events::checkin::is_waiting_status(status))
      say(cmd, id + " is " + status + "; not waiting (--wait, or: waitroom status " + id +
                   " --wait)");
    else
      say(cmd, describe_outcome(status_of(*created)));
    print_json(*created);
    return exit_status_of(status);
  }
  deadline_watch deadline;
  if (auto created_at = events::parse_rfc3339(text_of(*created, "created_at")))
    deadline.anchor(*created_at, answered);
  deadline.learn(*created);
  if (events::checkin::is_waiting_status(status)) {
    auto expires = text_of(*created, "expires_at");
    say(cmd, id + " is " + status + " in room " + text_of(*created, "room") +
                 (expires.empty() ? std::string() : " until " + expires) +
                 "; waiting for a decision");
  }
  auto w =
      wait_for_decision(cmd, *to, o.client.key, id, status_of(*created), until, deadline);
  return finish(cmd, w, max_wait_of(o.max_wait_ms), true, [](const json::object& st) {
    // On a modify, the modifications are the result.
    const auto* m = st.if_contains("modifications");
    if (text_of(st, "status") == "modified" && m != nullptr)
      print_json(*m);
    else
      print_json(st);
  });
}

int status(const status_options& o) {
  constexpr std::string_view cmd = "status";
  auto to = server_of(cmd, o.client);
  if (!to) return exit_usage;
  const auto& credential = o.client.credential();
  if (credential.empty()) {
    say(cmd, "no credential: --token, WAITROOM_TOKEN, --key or WAITROOM_API_KEY");
    return exit_usage;
  }
  std::optional<clock::time_point> until;
  if (o.max_wait_ms) until = clock::now() + milliseconds(*o.max_wait_ms);
  http_request req;
  req.target = "/v1/check-ins/" + segment(o.id);
  req.credential = credential;
  auto r = exchange(*to, req);
  if (r.response && r.response->status >= 400 && r.response->status < 500) {
    say(cmd, describe_error(*r.response));
    return exit_usage;
  }
  std::optional<json::object> checkin;
  if (r.response && r.response->status == 200) checkin = data_of(*r.response);
  if (!o.wait && !checkin) {
    // no status to report: the server is away or failing (API.md: giving up is 2)
    say(cmd, "giving up: " + (r.response ? describe_error(*r.response) : r.error));
    return exit_gave_up;
  }
  // Unreachable with --wait: wait anyway, the long-poll tells the status when it can.
  json::object last{{"id", o.id}, {"status", "pending"}};
  deadline_watch deadline;
  deadline.anchor(system_now(), clock::now());
  if (checkin) {
    deadline.learn(*checkin);
    last = status_of(*checkin);
  }
  auto print = [&o](const json::object& st) {
    if (o.json) return print_json(st);
    std::string line = describe_outcome(st);
    if (text_of(st, "status") == "modified")
      line += "\n  modifications: " + text_of(st, "modifications");
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  if (!o.wait) {
    print(last);
    return exit_status_of(text_of(last, "status"));
  }
  if (events::checkin::is_waiting_status(text_of(last, "status")))
    say(cmd, "waiting for a decision on " + o.id);
  auto w = wait_for_decision(cmd, *to, credential, o.id, std::move(last), until, deadline,
                             checkin.has_value());
  // Without --json the outcome is the line on stdout already.
  return finish(cmd, w, max_wait_of(o.max_wait_ms), o.json, print);
}

int decide(const decide_options& o) {
  const std::string_view cmd = o.verb;
  auto to = server_of(cmd, o.client);
  if (!to) return exit_usage;
  if (o.client.token.empty()) {
    say(cmd, "no human token: --token or WAITROOM_TOKEN");
    return exit_usage;
  }
  json::object body;
  if (o.reason) body["reason"] = *o.reason;
  if (o.modifications) body["modifications"] = json::parse(*o.modifications);
  http_request req;
  req.target = "/v1/check-ins/" + segment(o.id) + "/" + o.verb;
  req.credential = o.client.token;
  req.json_body = json::serialize(body);
  // A person at a terminal wants to know soon: 15 s unless --max-wait says otherwise.
  const milliseconds retry_for = o.max_wait_ms ? milliseconds(*o.max_wait_ms)
                                               : default_decision_retry_for;
  auto r = post_once(
      *to, req, clock::now() + retry_for,
      [&](const std::string& why, milliseconds delay) { on_retry_say(cmd, why, delay); });
  if (!r.response) {
    say(cmd, "giving up: " + r.error);
    return exit_gave_up;
  }
  if (r.response->status >= 400 && r.response->status < 500) {
    say(cmd, describe_error(*r.response));
    return exit_usage;
  }
  auto checkin = r.response->status == 200 ? data_of(*r.response) : std::nullopt;
  if (!checkin) {
    say(cmd, "giving up: " + describe_error(*r.response));
    return exit_gave_up;
  }
  if (o.json) {
    print_json(*checkin);
    return exit_recorded;
  }
  std::string line = describe_outcome(status_of(*checkin));
  if (const auto* p = object_at(*checkin, "decision_progress");
      p != nullptr && events::checkin::is_waiting_status(text_of(*checkin, "status"))) {
    const auto* approvals = p->if_contains("approvals");
    const auto n =
        approvals != nullptr && approvals->is_array() ? approvals->get_array().size() : 0;
    line += " (" + std::to_string(n) + " of " + text_of(*p, "required") + " approvals)";
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  return exit_recorded;
}

} // namespace waitroom::app
