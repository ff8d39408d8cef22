// Supabase Realtime on our own port: `GET /realtime/v1/websocket?apikey=...&vsn=...`
// (API.md "Supabase Realtime", inbound; docs/events.md "Supabase Realtime"). A second
// framing over the machinery of `GET /v1/ws`: the same WebSocket transport (its bounded
// buffer cuts a slow client off), the same credentials, and each joined channel is one
// hub subscription of one room whose events the hub frames as Realtime broadcasts
// (realtime_protocol.hpp), so there is no second fan-out.
#include "http/api/call.hpp"
#include "http/live/event_hub.hpp"
#include "http/live/realtime_protocol.hpp"
#include "http/live/subscriptions.hpp"

#include <map>
#include <mutex>

namespace waitroom::http {

namespace {

namespace rt = realtime;

/// Channels per socket at most (a join past it is refused).
constexpr std::size_t max_channels = 100;

/// One Realtime socket: its channels by topic. Messages arrive in order on an io thread;
/// a revoked credential is reported on the committing thread; the mutex orders both.
class realtime_session : public std::enable_shared_from_this<realtime_session> {
 public:
  realtime_session(event_hub& hub, actors::runtime& runtime, rt::vsn v,
                   std::string socket_credential_hash)
      : hub_(hub)
      , runtime_(runtime)
      , vsn_(v)
      , socket_credential_hash_(std::move(socket_credential_hash)) {}

  void opened(std::shared_ptr<stream_sink> sink) {
    std::lock_guard lock(mu_);
    sink_ = std::move(sink);
  }

  void closed() {
    std::lock_guard lock(mu_);
    for (const auto& [topic, ch] : channels_)
      hub_.unsubscribe(ch.hub_id);
    channels_.clear();
    sink_.reset();
  }

  void text(const std::string& data) { handle(rt::decode_text(vsn_, data)); }
  void binary(const std::string& data) { handle(rt::decode_binary(data)); }

 private:
  struct channel {
    boost::json::value join_ref;
    std::uint64_t hub_id = 0;
    std::uint64_t generation = 0; ///< which join of the socket made it
    std::string room_id;
    std::string org_id;
  };

  void handle(ev::outcome<rt::frame> decoded) {
    std::lock_guard lock(mu_);
    if (!sink_) return;
    if (!decoded) {
      // not a frame: nothing to answer by ref, so the answer goes to `phoenix`
      rt::frame none;
      none.topic = std::string(rt::phoenix_topic);
      return send(rt::error_reply(vsn_, none, reason_of(decoded.error())));
    }
    const auto& f = *decoded;
    if (f.topic == rt::phoenix_topic) {
      if (f.event == "heartbeat") return send(rt::reply(vsn_, f, true, {}));
      return send(rt::error_reply(vsn_, f, "the phoenix topic takes heartbeats only"));
    }
    if (f.event == "phx_join") return join(f);
    auto it = channels_.find(f.topic);
    if (f.event == "phx_leave") {
      // leaving what is not joined is done already
      if (it != channels_.end()) {
        hub_.unsubscribe(it->second.hub_id);
        channels_.erase(it);
      }
      return send(rt::reply(vsn_, f, true, {}));
    }
    if (it == channels_.end()) return send(rt::error_reply(vsn_, f, "unmatched topic"));
    if (f.event == "access_token") return refresh(f, it);
    if (f.event == "broadcast")
      return send(rt::error_reply(vsn_, f,
                                  "client broadcasts are not relayed: a room's channel "
                                  "carries the room's events only"));
    if (f.event == "presence")
      return send(rt::error_reply(vsn_, f, "presence is not offered"));
    send(rt::error_reply(vsn_, f, "unknown event '" + f.event + "'"));
  }

  static std::string reason_of(const ev::error& e) {
    return e.field.empty() ? e.message : e.field + ": " + e.message;
  }

  /// The principal a frame's `access_token` names, or the socket's own credential when
  /// it has none; a principal that may not follow rooms is refused (with the reason).
  ev::outcome<principal, std::string> credential_for(const boost::json::object& payload) {
    const auto* token = payload.if_contains("access_token");
    if (token != nullptr && !token->is_null() && !token->is_string())
      return std::string("access_token must be a string");
    auto who = token == nullptr || token->is_null()
                   ? authenticate_hash(socket_credential_hash_, runtime_.reads())
                   : authenticate_credential(token->get_string(), runtime_.reads());
    if (!who) return who.error().message;
    if (auto ok = authorize(*who, guard::any); !ok) return ok.error().message;
    return std::move(*who);
  }

  /// Whether `who` may read room `room_id` (by its id only: the topic names the id).
  bool may_read(const principal& who, const std::string& room_id) const {
    return runtime_.reads().read([&](const projections::projection_set& p) {
      const auto* room = visible_room(who.org_id, who.caller(), p, room_id);
      return room != nullptr && room->id == room_id;
    });
  }

  void join(const rt::frame& f) {
    auto room_id = rt::room_of_topic(f.topic);
    if (!room_id)
      return send(rt::error_reply(
          vsn_, f, "unknown topic: a room's channel is room:<room_id>:events"));
    const auto* config_v = f.payload.if_contains("config");
    const auto* config = config_v != nullptr ? config_v->if_object() : nullptr;
    if (config_v != nullptr && !config_v->is_null() && config == nullptr)
      return send(rt::error_reply(vsn_, f, "config must be an object"));
    if (config != nullptr)
      if (const auto* pc = config->if_contains("postgres_changes");
          pc != nullptr && !pc->is_null() && !(pc->is_array() && pc->get_array().empty()))
        return send(rt::error_reply(
            vsn_, f,
            "postgres_changes are not offered: Waitroom has no tables to follow; listen "
            "for the room's broadcasts"));
    auto who = credential_for(f.payload);
    if (!who) return send(rt::error_reply(vsn_, f, who.error()));
    if (!may_read(*who, *room_id))
      return send(rt::error_reply(vsn_, f, "room not found"));
    auto old = channels_.find(f.topic);
    if (old != channels_.end()) {
      // a second join of a topic replaces the first (as Phoenix does)
      hub_.unsubscribe(old->second.hub_id);
      if (old->second.join_ref != f.join_ref)
        send(rt::close_channel(vsn_, f.topic, old->second.join_ref));
      channels_.erase(old);
    } else if (channels_.size() >= max_channels) {
      return send(rt::error_reply(
          vsn_, f, "at most " + std::to_string(max_channels) + " channels per socket"));
    }
    // The reply goes out before anything the subscription sends.
    send(rt::reply(vsn_, f, true, {{"postgres_changes", boost::json::array()}}));
    event_hub::subscription hs;
    hs.org_id = who->org_id;
    hs.rooms = std::set<std::string>{*room_id};
    hs.who = who->caller();
    hs.credential_hash = who->credential_hash;
    hs.format =
        vsn_ == rt::vsn::v1 ? event_hub::wire::realtime_v1 : event_hub::wire::realtime_v2;
    hs.sink = sink_;
    const auto generation = ++joins_;
    hs.on_revoked = [weak = weak_from_this(), topic = f.topic, generation] {
      if (auto self = weak.lock()) self->revoked(topic, generation);
    };
    auto hub_id = start_subscription(hub_, runtime_, std::move(hs), std::nullopt);
    channels_[f.topic] = channel{f.join_ref, hub_id, generation, *room_id, who->org_id};
  }

  /// `access_token`: the channel goes on with the new credential, or closes.
  void refresh(const rt::frame& f, std::map<std::string, channel>::iterator it) {
    const auto* token = f.payload.if_contains("access_token");
    auto who = token != nullptr && token->is_string()
                   ? credential_for(f.payload)
                   : ev::outcome<principal, std::string>(
                         std::string("access_token is required"));
    if (who && who->org_id == it->second.org_id && may_read(*who, it->second.room_id)) {
      hub_.rebind(it->second.hub_id, who->caller(), who->credential_hash);
      return send(rt::reply(vsn_, f, true, {}));
    }
    send(rt::error_reply(vsn_, f, who ? std::string("room not found") : who.error()));
    close(it);
  }

  /// The hub: the credential of channel `topic` (as join `generation` made it) was
  /// revoked.
  void revoked(const std::string& topic, std::uint64_t generation) {
    std::lock_guard lock(mu_);
    auto it = channels_.find(topic);
    if (it == channels_.end() || it->second.generation != generation) return;
    close(it);
  }

  void close(std::map<std::string, channel>::iterator it) {
    hub_.unsubscribe(it->second.hub_id);
    send(rt::close_channel(vsn_, it->first, it->second.join_ref));
    channels_.erase(it);
  }

  void send(std::string text) {
    if (sink_) sink_->write(std::make_shared<const std::string>(std::move(text)));
  }

  event_hub& hub_;
  actors::runtime& runtime_;
  const rt::vsn vsn_;
  const std::string socket_credential_hash_;
  std::mutex mu_;
  std::shared_ptr<stream_sink> sink_;
  std::map<std::string, channel> channels_;
  std::uint64_t joins_ = 0;
};

void realtime_socket(call& c) {
  if (c.s.options.hub == nullptr)
    return c.fail(ev::unavailable("live events are not enabled"));
  if (!c.req.websocket_upgrade)
    return c.fail(ev::validation_error(
        "Upgrade", "GET /realtime/v1/websocket is a WebSocket: send Connection: Upgrade "
                   "and Upgrade: websocket (RFC 6455)"));
  auto v = rt::vsn::v1;
  if (const auto* asked = c.req.query_value("vsn")) {
    auto known = rt::vsn_of(*asked);
    if (!known) return c.fail(ev::validation_error("vsn", "must be 1.0.0 or 2.0.0"));
    v = *known;
  }
  auto session = std::make_shared<realtime_session>(*c.s.options.hub, c.s.rt, v,
                                                    c.who.credential_hash);
  response r;
  r.status = 101;
  r.headers.emplace_back("Waitroom-Log-Id", c.s.rt.log_id());
  r.socket = std::make_shared<socket_handlers>();
  r.socket->open = [session](std::shared_ptr<stream_sink> sink) {
    session->opened(std::move(sink));
  };
  r.socket->message = [session](std::string data) { session->text(data); };
  r.socket->binary = [session](std::string data) { session->binary(data); };
  r.socket->closed = [session] { session->closed(); };
  r.socket->message_idle = c.s.options.realtime_idle;
  c.respond(std::move(r));
}

} // namespace

void add_realtime_routes(route_table& t) {
  auto& r = t.add("GET", "/realtime/v1/websocket", guard::any, realtime_socket);
  r.query_credential = "apikey"; // what the Supabase client sends
  r.streams = true;
}

} // namespace waitroom::http
