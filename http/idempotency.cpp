#include "http/idempotency.hpp"

#include "actors/id_source.hpp"
#include "events/json_reader.hpp"
#include "events/json_writer.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <vector>

namespace waitroom::http {

namespace json = boost::json;
namespace ev = waitroom::events;

std::string idempotency_storage_key(std::string_view principal_id, std::string_view key) {
  std::string out(principal_id);
  out.push_back('\0');
  out.append(key);
  return out;
}

namespace {

void write_canonical(ev::json_writer& w, const json::value& v) {
  if (const auto* o = v.if_object()) {
    std::vector<const json::key_value_pair*> members;
    for (const auto& kv : *o)
      members.push_back(&kv);
    std::sort(members.begin(), members.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    w.begin_object();
    for (const auto* kv : members) {
      w.key(kv->key());
      write_canonical(w, kv->value());
    }
    w.end_object();
  } else if (const auto* a = v.if_array()) {
    w.begin_array();
    for (const auto& x : *a)
      write_canonical(w, x);
    w.end_array();
  } else if (v.is_number()) {
    w.value(v.to_number<double>()); // 1 and 1.0 are JSON-equal
  } else {
    w.value(v);
  }
}

} // namespace

std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body) {
  std::string text(method);
  text += ' ';
  text += path;
  text += '\n';
  // An empty body counts as `{}` (the endpoints that allow one read it so).
  if (ev::is_blank(body)) {
    text += "{}";
  } else {
    if (auto parsed = ev::parse_strict(body, "body")) {
      ev::json_writer w(text);
      write_canonical(w, *parsed);
    } else {
      text.append(body);
    }
  }
  return actors::credential_hash(text);
}

std::string encode_record(const idempotency_record& r, const secret_box& box) {
  std::string out;
  ev::json_writer w(out);
  w.begin_object();
  w.member("fingerprint", r.fingerprint);
  w.member("status", r.answer.status);
  w.member("content_type", r.answer.content_type);
  w.member("error_code", r.answer.error_code);
  w.member("sealed_body", box.seal(r.answer.body));
  w.member("created_at", r.created_at);
  w.end_object();
  return out;
}

std::optional<idempotency_record> decode_record(std::string_view stored,
                                                const secret_box& box) {
  std::error_code ec;
  auto v = json::parse(stored, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  auto str = [&](std::string_view k) -> const json::string* {
    const auto* x = o.if_contains(k);
    return x ? x->if_string() : nullptr;
  };
  const auto* status = o.if_contains("status");
  const auto* fp = str("fingerprint");
  const auto* ct = str("content_type");
  const auto* sealed = str("sealed_body");
  const auto* at = str("created_at");
  if (!status || !status->is_int64() || !fp || !ct || !sealed || !at) return std::nullopt;
  auto t = ev::parse_rfc3339(*at);
  if (!t) return std::nullopt;
  auto body = box.open_sealed(*sealed);
  if (!body) return std::nullopt;
  idempotency_record r;
  r.fingerprint = std::string(*fp);
  r.answer.status = static_cast<int>(status->get_int64());
  r.answer.content_type = std::string(*ct);
  r.answer.body = std::move(*body);
  if (const auto* code = str("error_code")) r.answer.error_code = std::string(*code);
  r.created_at = *t;
  return r;
}

bool answer_is_kept(const response& r) {
  if (r.status >= 200 && r.status < 300) return true;
  return r.error_code == "POLICY_FORBIDS"; // the forbidden check-in was recorded
}

bool keys_in_flight::begin(const std::string& key) {
  std::lock_guard lock(mu_);
  return keys_.insert(key).second;
}

void keys_in_flight::end(const std::string& key) {
  std::lock_guard lock(mu_);
  keys_.erase(key);
}

std::optional<ev::timestamp> record_created_at(std::string_view stored) {
  std::error_code ec;
  auto v = json::parse(stored, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* at = v.get_object().if_contains("created_at");
  if (at == nullptr || !at->is_string()) return std::nullopt;
  return ev::parse_rfc3339(at->get_string());
}

ev::outcome<std::vector<std::string>>
expired_idempotency_keys(const storage::event_log& log, ev::timestamp now) {
  std::vector<std::string> out;
  auto scanned = log.scan_records([&](std::string_view key, std::string_view value) {
    if (key.starts_with(storage::subsystem_records_mark)) return true; // not an idempotency record
    auto created = record_created_at(value);
    if (!created || now - *created >= idempotency_ttl_ms) out.emplace_back(key);
    return true;
  });
  if (!scanned) return scanned.error();
  return out;
}

} // namespace waitroom::http
