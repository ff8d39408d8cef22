#include "http/outbound/push_worker.hpp"

#include "actors/id_source.hpp"
#include "events/checkin/events.hpp"
#include "events/checkin/notify.hpp"
#include "events/json_writer.hpp"
#include "storage/side_records.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <spdlog/spdlog.h>

namespace waitroom::http {

namespace ev = waitroom::events;
namespace json = boost::json;

namespace {

std::string record_key(std::string_view user_id, std::string_view endpoint) {
  return storage::push_records::key(user_id, actors::credential_hash(endpoint));
}

std::string encode(const push_subscription& s) {
  std::string out;
  ev::json_writer w(out);
  w.begin_object();
  w.member("user_id", s.user_id);
  w.member("endpoint", s.endpoint);
  w.member("p256dh", s.p256dh);
  w.member("auth", s.auth);
  w.member("created_at", s.created_at);
  w.end_object();
  return out;
}

std::optional<push_subscription> decode(std::string_view stored) {
  std::error_code ec;
  auto v = json::parse(stored, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  auto str = [&](const char* k) -> std::optional<std::string> {
    const auto* x = o.if_contains(k);
    if (x == nullptr || !x->is_string()) return std::nullopt;
    return std::string(x->get_string());
  };
  auto user = str("user_id"), endpoint = str("endpoint"), p256dh = str("p256dh"),
       auth = str("auth"), at = str("created_at");
  if (!user || !endpoint || !p256dh || !auth || !at) return std::nullopt;
  auto created = ev::parse_rfc3339(*at);
  if (!created) return std::nullopt;
  return push_subscription{*user, *endpoint, *p256dh, *auth, *created};
}

/// `scheme://host[:port]` of an endpoint: the VAPID audience.
std::optional<std::string> origin_of(std::string_view endpoint) {
  auto url = boost::urls::parse_uri(endpoint);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") ||
      url->host().empty())
    return std::nullopt;
  return std::string(url->scheme()) + "://" + std::string(url->encoded_host_and_port());
}

/// What the service worker shows: small, no secrets, within one record.
std::string payload_of(std::string_view type, const ev::checkin::state& c,
                       std::string_view room_slug) {
  std::string action = c.action.size() > 300 ? c.action.substr(0, 300) + "…" : c.action;
  std::string out;
  ev::json_writer w(out);
  w.begin_object();
  w.member("type", type);
  w.member("title", type == "checkin.expiring"
                        ? "Expiring soon in " + std::string(room_slug)
                        : "Decision needed in " + std::string(room_slug));
  w.member("body", action);
  w.member("check_in_id", c.id);
  w.member("room_id", c.room_id);
  w.member("room", room_slug);
  w.member("risk_level", c.risk_level);
  w.member("expires_at", c.expires_at);
  w.member("url", "/#" + c.id);
  w.end_object();
  return out;
}

} // namespace

push_worker::push_worker(actors::runtime& rt, outbound_client& client,
                         push_options options)
    : rt_(rt)
    , client_(client)
    , options_(std::move(options)) {}

ev::outcome<void> push_worker::validate(const push_subscription& s) {
  if (s.endpoint.size() > 2048 || !origin_of(s.endpoint))
    return ev::validation_error("endpoint", "must be the push service's https URL");
  auto p256dh = web_push::from_base64url(s.p256dh);
  if (!p256dh || p256dh->size() != 65 || (*p256dh)[0] != 0x04)
    return ev::validation_error("keys.p256dh",
                                "must be an uncompressed P-256 public key in base64url");
  auto auth = web_push::from_base64url(s.auth);
  if (!auth || auth->size() != 16)
    return ev::validation_error("keys.auth", "must be 16 bytes in base64url");
  // the point must be on the curve: encrypting to it proves it
  if (auto probe = web_push::encrypt("{}", *p256dh, *auth); !probe)
    return ev::validation_error("keys.p256dh", "is not a point of P-256");
  return {};
}

void push_worker::start() {
  rt_.read_log(actors::runtime::read_lane::bulk, [this](const storage::event_log& log) {
    std::size_t loaded = 0;
    auto scanned = log.scan_records(storage::push_records::prefix, false,
                                    [&](std::string_view, std::string_view value) {
                                      if (auto s = decode(value)) {
                                        std::lock_guard lock(mu_);
                                        by_user_[s->user_id][s->endpoint] = *s;
                                        ++loaded;
                                      }
                                      return true;
                                    });
    if (!scanned)
      spdlog::error("could not load push subscriptions: {}", scanned.error().message);
    else if (loaded > 0)
      spdlog::info("loaded {} push subscriptions", loaded);
  });
}

void push_worker::subscribe(push_subscription s,
                            std::function<void(ev::outcome<void>)> done) {
  if (auto ok = validate(s); !ok) return done(ok.error());
  auto key = record_key(s.user_id, s.endpoint);
  auto value = encode(s);
  rt_.write_records(
      {{std::move(key), std::move(value)}},
      [this, s = std::move(s), done = std::move(done)](ev::outcome<void> r) {
        if (r) {
          std::lock_guard lock(mu_);
          by_user_[s.user_id][s.endpoint] = s;
        }
        done(std::move(r));
      });
}

void push_worker::unsubscribe(const std::string& user_id, const std::string& endpoint,
                              std::function<void(ev::outcome<void>)> done) {
  {
    std::lock_guard lock(mu_);
    auto it = by_user_.find(user_id);
    if (it == by_user_.end() || !it->second.contains(endpoint))
      return done(ev::not_found("no push subscription with this endpoint"));
  }
  rt_.write_records(
      {{record_key(user_id, endpoint), std::nullopt}},
      [this, user_id, endpoint, done = std::move(done)](ev::outcome<void> r) {
        if (r) {
          std::lock_guard lock(mu_);
          if (auto it = by_user_.find(user_id); it != by_user_.end())
            it->second.erase(endpoint);
        }
        done(std::move(r));
      });
}

std::size_t push_worker::subscriptions() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [u, subs] : by_user_)
    n += subs.size();
  return n;
}

void push_worker::on_committed(const std::vector<ev::recorded_event>& events) {
  {
    std::lock_guard lock(mu_);
    if (by_user_.empty()) return;
  }
  for (const auto& e : events) {
    if (!ev::checkin::notice_kind_of(e)) continue; // before taking the read lock
    std::vector<std::string> approvers;
    std::string payload;
    bool urgent = false;
    rt_.reads().read([&](const projections::projection_set& p) {
      const auto* c = p.checkins.find(e.meta.stream);
      const auto* room = p.rooms.by_id(e.meta.room_id);
      if (c == nullptr || room == nullptr) return;
      auto notice = ev::checkin::notice_of(e, *c);
      if (!notice) return;
      for (const auto* u : p.dir.users_of(e.meta.org_id))
        if (ev::checkin::is_told(*room, *u)) approvers.push_back(u->id);
      payload = payload_of(ev::checkin::notice_type(notice->kind), *c, room->slug);
      urgent = notice->urgent;
    });
    for (const auto& user : approvers)
      notify(user, payload, urgent);
  }
}

void push_worker::notify(const std::string& user_id, const std::string& payload,
                         bool urgent) {
  std::vector<push_subscription> subs;
  {
    std::lock_guard lock(mu_);
    auto it = by_user_.find(user_id);
    if (it == by_user_.end()) return;
    for (const auto& [endpoint, s] : it->second)
      subs.push_back(s);
  }
  // encryption (ECDH, HKDF) is work: on the outbound thread, not the committer's
  boost::asio::post(client_.context(), [this, subs = std::move(subs), payload, urgent] {
    for (const auto& s : subs)
      send(s, payload, urgent);
  });
}

void push_worker::send(const push_subscription& s, const std::string& payload,
                       bool urgent) {
  auto p256dh = web_push::from_base64url(s.p256dh);
  auto auth = web_push::from_base64url(s.auth);
  auto audience = origin_of(s.endpoint);
  if (!p256dh || !auth || !audience) return;
  auto body = web_push::encrypt(payload, *p256dh, *auth);
  const auto now_s = rt_.time().now().ms / 1000;
  auto authorization = web_push::vapid_authorization(options_.vapid, *audience,
                                                     now_s + 12 * 3600, options_.subject);
  if (!body || !authorization) {
    ++failed_;
    spdlog::warn("push to {}: {}", s.endpoint,
                 (!body ? body.error() : authorization.error()).message);
    return;
  }
  outbound_request req;
  req.url = s.endpoint;
  req.body = std::move(*body);
  req.deny_private = options_.deny_private;
  req.headers = {{"Content-Type", "application/octet-stream"},
                 {"Content-Encoding", "aes128gcm"},
                 {"TTL", std::to_string(options_.ttl.count())},
                 {"Urgency", urgent ? "high" : "normal"},
                 {"Authorization", *authorization}};
  client_.post(std::move(req), [this, s](outbound_result r) {
    if (r.status && *r.status >= 200 && *r.status < 300) {
      ++sent_;
    } else if (r.status && (*r.status == 404 || *r.status == 410)) {
      ++removed_;
      spdlog::info("push subscription of {} is gone ({}): removed", s.user_id, *r.status);
      forget(s.user_id, s.endpoint);
    } else {
      ++failed_;
      spdlog::warn("push to {} failed: {}", s.endpoint,
                   r.status ? "HTTP " + std::to_string(*r.status) : r.error);
    }
  });
}

void push_worker::forget(const std::string& user_id, const std::string& endpoint) {
  {
    std::lock_guard lock(mu_);
    if (auto it = by_user_.find(user_id); it != by_user_.end())
      it->second.erase(endpoint);
  }
  rt_.write_records({{record_key(user_id, endpoint), std::nullopt}},
                    [](ev::outcome<void>) {});
}

} // namespace waitroom::http
