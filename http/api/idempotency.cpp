#include "http/api/idempotency.hpp"

#include "actors/id_source.hpp"
#include "events/json_reader.hpp"
#include "events/json_writer.hpp"
#include "http/api/call.hpp"
#include "storage/side_records.hpp"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

namespace waitroom::http {

namespace json = boost::json;
namespace ev = waitroom::events;

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
  return (r.status >= 200 && r.status < 300) || r.recorded;
}

bool keys_in_flight::begin(const std::string& key) {
  std::lock_guard lock(mu_);
  return keys_.insert(key).second;
}

void keys_in_flight::end(const std::string& key) {
  std::lock_guard lock(mu_);
  keys_.erase(key);
}

void idempotency_middleware::run(call& c, std::function<void(call&)> route) {
  auto key = c.req.header("idempotency-key");
  if (c.req.method != "POST" || key.empty()) return route(c);

  if (key.size() > 255 || key.find_first_of(" \t\r\n") != std::string_view::npos)
    return c.fail(
        ev::validation_error("Idempotency-Key", "must have 1-255 visible characters"));
  auto owner = c.who.id.empty() ? "ip:" + c.req.remote_address : c.who.id;
  auto storage_key = storage::idempotency_key(owner, key);
  if (!in_flight_.begin(storage_key))
    return c.fail(
        ev::conflict("a request with this Idempotency-Key is still being handled"));
  // The request must outlive this call: the handler continues on a reader thread.
  auto req = std::make_shared<request>(c.req);
  auto fingerprint = request_fingerprint(req->method, req->path, req->body);
  auto continued =
      std::make_shared<call>(call{c.s, *req, c.respond, c.later, c.params, c.who});
  rt_.read_log(actors::runtime::read_lane::quick, [this, req, continued, storage_key,
                                                   fingerprint, route = std::move(route)](
                                                      const storage::event_log& log) {
    auto& cc = *continued;
    auto finish = [this, storage_key](const responder& respond, response r) {
      in_flight_.end(storage_key);
      respond(std::move(r));
    };
    auto stored = log.read_record(storage_key);
    if (!stored) return finish(cc.respond, error_response(stored.error()));
    auto now = rt_.time().now();
    if (*stored) {
      auto rec = decode_record(**stored, secrets_);
      if (rec && now - rec->created_at < storage::idempotency_lifetime_ms) {
        if (rec->fingerprint != fingerprint)
          return finish(cc.respond,
                        error_response(ev::conflict("this Idempotency-Key was used with "
                                                    "another request")));
        replays_++;
        rec->answer.headers.emplace_back("Idempotent-Replayed", "true");
        return finish(cc.respond, std::move(rec->answer));
      }
    }
    // First time (or expired): run it, and keep the answer if it wrote events.
    auto respond = cc.respond;
    cc.respond = [this, req, storage_key, fingerprint, respond, finish, now](response r) {
      if (!answer_is_kept(r)) return finish(respond, std::move(r));
      idempotency_record rec{fingerprint, r, now};
      std::vector<storage::record_write> writes{
          {storage_key, encode_record(rec, secrets_)}};
      rt_.write_records(std::move(writes), [respond, finish,
                                            r](ev::outcome<void> done) mutable {
        if (!done)
          spdlog::warn("could not store an idempotent answer: {}", done.error().message);
        finish(respond, std::move(r));
      });
    };
    route(cc);
  });
}

void idempotency_middleware::purge(std::function<void(ev::outcome<std::size_t>)> done) {
  auto now = rt_.time().now();
  rt_.read_log(actors::runtime::read_lane::bulk,
               [this, now, done = std::move(done)](const storage::event_log& log) {
                 auto keys = storage::expired_idempotency_records(log, now);
                 if (!keys) return done(keys.error());
                 rt_.delete_records(std::move(*keys), done);
               });
}

} // namespace waitroom::http
