#include "events/room/policy.hpp"

#include "events/json.hpp"

#include <re2/re2.h>

#include <cmath>
#include <cstdint>
#include <unordered_set>

namespace waitroom::events::room {

namespace json = boost::json;
using checkin::checkin_status;

namespace {

constexpr std::size_t max_rules = 200;
constexpr std::size_t max_pattern_length = 1000;
constexpr std::size_t max_rule_id_length = 100;

// Decodes one UTF-8 code point at `i` (input is valid UTF-8) and lower-cases ASCII.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  char32_t cp;
  std::size_t len;
  if (c < 0x80) {
    cp = c;
    len = 1;
  } else if ((c & 0xE0) == 0xC0) {
    cp = c & 0x1F;
    len = 2;
  } else if ((c & 0xF0) == 0xE0) {
    cp = c & 0x0F;
    len = 3;
  } else {
    cp = c & 0x07;
    len = 4;
  }
  for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
  return cp;
}

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();)
    out.push_back(next_code_point(s, i));
  return out;
}

bool matches(const rule_condition& w, const policy_input& in) {
  if (w.action && !glob_match(*w.action, in.action)) return false;
  if (w.compiled &&
      !RE2::PartialMatch(re2::StringPiece(in.action.data(), in.action.size()),
                         *w.compiled))
    return false;
  if (!w.risk_levels.empty() && std::find(w.risk_levels.begin(), w.risk_levels.end(),
                                          in.risk_level) == w.risk_levels.end())
    return false;
  if (!w.urgencies.empty() &&
      std::find(w.urgencies.begin(), w.urgencies.end(), in.urgency) == w.urgencies.end())
    return false;
  if (!w.agents.empty() &&
      std::find(w.agents.begin(), w.agents.end(), in.agent_id) == w.agents.end())
    return false;
  return matches_paths(w.metadata, in.metadata);
}

// --- parsing -------------------------------------------------------------

struct parser {
  std::string prefix;

  error fail(const std::string& path, std::string message) const {
    return validation_error(path, std::move(message));
  }

  template <class E>
  outcome<std::vector<E>> enum_list(const json::value& v, const std::string& path) const {
    const auto* arr = v.if_array();
    if (arr == nullptr) return fail(path, "must be an array of " + wire_names<E>());
    if (arr->empty())
      return fail(path, "must not be empty (omit the key to match anything)");
    std::vector<E> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto* s = (*arr)[i].if_string();
      auto e = s ? parse_wire_name<E>(*s) : std::nullopt;
      if (!e)
        return fail(path + "[" + std::to_string(i) + "]",
                    "must be one of " + wire_names<E>());
      out.push_back(*e);
    }
    return out;
  }

  outcome<rule_condition> condition(const json::value& v, const std::string& path) const {
    const auto* obj = v.if_object();
    if (obj == nullptr) return fail(path, "must be an object");
    rule_condition w;
    for (const auto& kv : *obj) {
      std::string key(kv.key());
      std::string p = path + "." + key;
      const auto& val = kv.value();
      if (val.is_null()) continue; // null means absent: no condition on this key
      if (key == "action") {
        const auto* s = val.if_string();
        if (s == nullptr || s->empty() || s->size() > max_pattern_length)
          return fail(p, "must be a glob pattern of 1-1000 characters");
        w.action = std::string(*s);
      } else if (key == "action_regex") {
        const auto* s = val.if_string();
        if (s == nullptr || s->empty() || s->size() > max_pattern_length)
          return fail(p, "must be an RE2 regular expression of 1-1000 characters");
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_max_mem(1 << 20);
        auto re = std::make_shared<RE2>(re2::StringPiece(s->data(), s->size()), opts);
        if (!re->ok()) return fail(p, "invalid regular expression: " + re->error());
        w.action_regex = std::string(*s);
        w.compiled = std::move(re);
      } else if (key == "risk_level") {
        auto l = enum_list<checkin::risk>(val, p);
        if (!l) return std::move(l).error();
        w.risk_levels = std::move(*l);
      } else if (key == "urgency") {
        auto l = enum_list<checkin::urgency_level>(val, p);
        if (!l) return std::move(l).error();
        w.urgencies = std::move(*l);
      } else if (key == "agent") {
        const auto* arr = val.if_array();
        if (arr == nullptr || arr->empty())
          return fail(p, "must be a non-empty array of agent ids");
        for (std::size_t i = 0; i < arr->size(); ++i) {
          const auto* s = (*arr)[i].if_string();
          if (s == nullptr || s->empty())
            return fail(p + "[" + std::to_string(i) + "]", "must be an agent id");
          w.agents.emplace_back(*s);
        }
      } else if (key == "metadata") {
        const auto* m = val.if_object();
        if (m == nullptr)
          return fail(p, "must be an object of dotted paths to JSON values");
        for (const auto& mk : *m)
          w.metadata.emplace_back(std::string(mk.key()), mk.value());
      } else {
        return fail(p, "unknown condition; expected action, action_regex, risk_level, "
                       "urgency, agent or metadata");
      }
    }
    return w;
  }

  outcome<rule> one_rule(const json::value& v, const std::string& path) const {
    const auto* obj = v.if_object();
    if (obj == nullptr) return fail(path, "must be an object {id, effect, when}");
    rule r;
    bool have_id = false, have_effect = false;
    for (const auto& kv : *obj) {
      std::string key(kv.key());
      std::string p = path + "." + key;
      if (kv.value().is_null()) continue; // null means absent
      if (key == "id") {
        const auto* s = kv.value().if_string();
        if (s == nullptr || s->empty() || s->size() > max_rule_id_length)
          return fail(p, "must be a string of 1-100 characters");
        r.id = std::string(*s);
        have_id = true;
      } else if (key == "effect") {
        const auto* s = kv.value().if_string();
        auto e = s ? parse_wire_name<rule_effect>(*s) : std::nullopt;
        if (!e) return fail(p, "must be one of " + wire_names<rule_effect>());
        r.effect = *e;
        have_effect = true;
      } else if (key == "when") {
        auto w = condition(kv.value(), p);
        if (!w) return std::move(w).error();
        r.when = std::move(*w);
      } else {
        return fail(p, "unknown key; a rule has id, effect and when");
      }
    }
    if (!have_id) return fail(path + ".id", "is required");
    if (!have_effect) return fail(path + ".effect", "is required");
    return r;
  }

  outcome<policy> whole(const json::value& v) const {
    const auto* obj = v.if_object();
    if (obj == nullptr)
      return fail(prefix, "must be an object {rules, trust_thresholds, default_action}");
    policy p;
    for (const auto& kv : *obj) {
      std::string key(kv.key());
      std::string path = prefix.empty() ? key : prefix + "." + key;
      const auto& val = kv.value();
      if (val.is_null()) continue; // null means absent: the default
      if (key == "rules") {
        const auto* arr = val.if_array();
        if (arr == nullptr) return fail(path, "must be an array");
        if (arr->size() > max_rules) return fail(path, "at most 200 rules");
        std::unordered_set<std::string> ids;
        for (std::size_t i = 0; i < arr->size(); ++i) {
          std::string rp = path + "[" + std::to_string(i) + "]";
          auto r = one_rule((*arr)[i], rp);
          if (!r) return std::move(r).error();
          if (!ids.insert(r->id).second)
            return fail(rp + ".id", "duplicate rule id '" + r->id + "'");
          p.rules.push_back(std::move(*r));
        }
      } else if (key == "trust_thresholds") {
        const auto* t = val.if_object();
        if (t == nullptr)
          return fail(path, "must be an object {low, medium, high, critical}");
        for (const auto& tk : *t) {
          auto level = parse_wire_name<checkin::risk>(tk.key());
          std::string tp = path + "." + std::string(tk.key());
          if (!level)
            return fail(tp,
                        "unknown risk level; expected " + wire_names<checkin::risk>());
          if (tk.value().is_null()) continue;
          if (!tk.value().is_number()) return fail(tp, "must be a number 0-100 or null");
          double d = tk.value().to_number<double>();
          if (!(d >= 0 && d <= 100)) return fail(tp, "must be a number 0-100 or null");
          p.thresholds[static_cast<std::size_t>(*level)] = d;
        }
      } else if (key == "default_action") {
        const auto* s = val.if_string();
        auto d = s ? parse_wire_name<default_decision>(*s) : std::nullopt;
        if (!d) return fail(path, "must be one of " + wire_names<default_decision>());
        p.default_action = *d;
      } else {
        return fail(path, "unknown key; a policy has rules, trust_thresholds and "
                          "default_action");
      }
    }
    return p;
  }
};

} // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  auto p = decode(pattern);
  auto t = decode(text);
  std::size_t pi = 0, ti = 0;
  std::size_t star = std::u32string::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == U'?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == U'*') {
      star = pi++;
      mark = ti;
    } else if (star != std::u32string::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == U'*')
    ++pi;
  return pi == p.size();
}

policy_verdict evaluate(const policy& p, const policy_input& in) {
  for (const auto& r : p.rules)
    if (r.effect == rule_effect::forbid && matches(r.when, in))
      return {checkin_status::rejected, r.id, std::nullopt, false};
  for (const auto& r : p.rules)
    if (r.effect == rule_effect::auto_approve && matches(r.when, in))
      return {checkin_status::approved, r.id, std::nullopt, false};
  if (const auto& t = p.thresholds[static_cast<std::size_t>(in.risk_level)];
      t && in.trust_score >= *t)
    return {checkin_status::approved, std::nullopt, in.trust_score, false};
  switch (p.default_action) {
  case default_decision::require_approval:
    return {checkin_status::pending, std::nullopt, std::nullopt, false};
  case default_decision::auto_approve:
    return {checkin_status::approved, std::nullopt, std::nullopt, true};
  case default_decision::forbid:
    return {checkin_status::rejected, std::nullopt, std::nullopt, true};
  }
  return {};
}

outcome<policy> parse_policy(const json::value& v, std::string_view field_prefix) {
  return parser{std::string(field_prefix)}.whole(v);
}

json::value to_json(const policy& p) {
  json::object out;
  json::array rules;
  for (const auto& r : p.rules) {
    json::object when;
    if (r.when.action) when["action"] = *r.when.action;
    if (r.when.action_regex) when["action_regex"] = *r.when.action_regex;
    auto list = [](const auto& xs) {
      json::array a;
      for (const auto& x : xs) {
        if constexpr (std::is_enum_v<std::decay_t<decltype(x)>>)
          a.emplace_back(wire_name(x));
        else
          a.emplace_back(x);
      }
      return a;
    };
    if (!r.when.risk_levels.empty()) when["risk_level"] = list(r.when.risk_levels);
    if (!r.when.urgencies.empty()) when["urgency"] = list(r.when.urgencies);
    if (!r.when.agents.empty()) when["agent"] = list(r.when.agents);
    if (!r.when.metadata.empty()) {
      json::object m;
      for (const auto& [k, val] : r.when.metadata)
        m[k] = val;
      when["metadata"] = std::move(m);
    }
    rules.emplace_back(json::object{
        {"id", r.id}, {"effect", wire_name(r.effect)}, {"when", std::move(when)}});
  }
  out["rules"] = std::move(rules);
  json::object thresholds;
  for (std::size_t i = 0; i < p.thresholds.size(); ++i) {
    auto name = wire_name(static_cast<checkin::risk>(i));
    if (const auto& t = p.thresholds[i]; t && *t == std::floor(*t))
      thresholds[name] = static_cast<std::int64_t>(*t); // 25, not 25.0: as it was sent
    else if (t)
      thresholds[name] = *t;
    else
      thresholds[name] = nullptr;
  }
  out["trust_thresholds"] = std::move(thresholds);
  out["default_action"] = wire_name(p.default_action);
  return out;
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const policy& p) {
  jv = to_json(p);
}

json::result<policy> tag_invoke(const json::try_value_to_tag<policy>&,
                                const json::value& jv) {
  auto p = parse_policy(jv, "");
  if (!p) return make_error_code(json::error::syntax);
  return std::move(*p);
}

} // namespace waitroom::events::room
