// WebSocket live events: `GET /v1/ws` (API.md "Real-time events"). The client sends
// `{"op": "subscribe", "rooms": [...], "since": N}` and `{"op": "unsubscribe", ...}`;
// the server sends one envelope per text message, with the ordering and resume
// guarantees of the SSE streams (each subscription is a hub subscription, started like
// an SSE stream), and control messages that carry `op`.
#include "http/api/call.hpp"
#include "http/live/event_hub.hpp"

#include "events/json_writer.hpp"

#include <boost/json/serialize.hpp>

#include <mutex>
#include <set>

namespace waitroom::http {

namespace {

constexpr std::size_t max_rooms_per_op = 100;
constexpr std::size_t max_subscriptions = 64;

/// One WebSocket's subscriptions. Every room event reaches the connection through at
/// most one of them: a subscribe only adds the rooms no subscription covers yet.
class socket_client : public std::enable_shared_from_this<socket_client> {
 public:
  socket_client(event_hub& hub, actors::runtime& rt, std::string org_id,
                ev::room::caller who, std::string credential_hash)
      : hub_(hub)
      , rt_(rt)
      , org_id_(std::move(org_id))
      , who_(std::move(who))
      , credential_hash_(std::move(credential_hash)) {}

  void opened(std::shared_ptr<stream_sink> sink) {
    std::lock_guard lock(mu_);
    sink_ = std::move(sink);
  }

  void closed() {
    std::lock_guard lock(mu_);
    for (const auto& s : subs_)
      hub_.unsubscribe(s.hub_id);
    subs_.clear();
    sink_.reset();
  }

  void message(const std::string& text) {
    auto doc = parse_object_body(text, false);
    if (!doc) return send_error(doc.error());
    body_reader in(*doc);
    auto op = in.string("op", true);
    if (!in.ok()) return send_error(*in.error());
    auto rooms = read_rooms(*doc);
    if (!rooms) return send_error(rooms.error());
    if (*op == "subscribe") {
      auto since = in.integer("since");
      if (since && *since < 0)
        in.fail("since", "must be a non-negative integer (an event seq)");
      if (!in.ok()) return send_error(*in.error());
      return subscribe(*rooms,
                       since ? std::optional<std::uint64_t>(*since) : std::nullopt);
    }
    if (*op == "unsubscribe") return unsubscribe(*rooms);
    if (*op == "ping") return send(R"({"op":"pong"})");
    send_error(ev::validation_error("op", "must be subscribe, unsubscribe or ping"));
  }

 private:
  /// A hub subscription of this connection, with the room filter it has now.
  struct sub {
    std::uint64_t hub_id = 0;
    event_hub::subscription filter;
  };

  /// `rooms`: absent or null means every room the caller sees.
  static ev::outcome<std::optional<std::vector<std::string>>>
  read_rooms(const json::object& doc) {
    const auto* v = doc.if_contains("rooms");
    if (v == nullptr || v->is_null()) return std::optional<std::vector<std::string>>();
    const auto* arr = v->if_array();
    if (arr == nullptr || arr->empty() || arr->size() > max_rooms_per_op)
      return ev::validation_error("rooms", "must be a list of 1-" +
                                               std::to_string(max_rooms_per_op) +
                                               " room slugs or ids");
    std::vector<std::string> out;
    for (const auto& r : *arr) {
      if (!r.is_string())
        return ev::validation_error("rooms", "must be a list of room slugs or ids");
      out.emplace_back(r.as_string());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }

  bool covered(const std::string& room) const {
    for (const auto& s : subs_)
      if (s.filter.covers(room)) return true;
    return false;
  }

  void subscribe(const std::optional<std::vector<std::string>>& names,
                 std::optional<std::uint64_t> since) {
    std::lock_guard lock(mu_);
    if (!sink_) return;
    event_hub::subscription hs;
    hs.org_id = org_id_;
    hs.who = who_;
    hs.credential_hash = credential_hash_;
    hs.format = event_hub::wire::envelope;
    hs.sink = sink_;
    std::vector<std::string> ids; // the rooms named, as ids, in order
    if (names) {
      std::set<std::string> fresh;
      std::vector<std::string> missing;
      rt_.reads().read([&](const projections::projection_set& p) {
        for (const auto& n : *names) {
          const auto* room = visible_room(org_id_, who_, p, n);
          if (room == nullptr) {
            missing.push_back(n);
            continue;
          }
          ids.push_back(room->id);
          if (!covered(room->id)) fresh.insert(room->id);
        }
      });
      for (const auto& n : missing)
        send_room_error(n);
      if (ids.empty()) return;
      hs.rooms = std::move(fresh);
    } else {
      // every visible room, but those other subscriptions cover already (an earlier
      // all-rooms subscription covers all but its exceptions: only those are new)
      const sub* all = nullptr;
      for (const auto& s : subs_)
        if (!s.filter.rooms) all = &s;
      if (all != nullptr) {
        std::set<std::string> fresh;
        for (const auto& r : all->filter.except)
          if (!covered(r)) fresh.insert(r);
        hs.rooms = std::move(fresh);
      } else {
        for (const auto& s : subs_)
          hs.except.insert(s.filter.rooms->begin(), s.filter.rooms->end());
      }
    }
    if (hs.rooms && hs.rooms->empty()) return send_subscribed(names, ids, since);
    if (subs_.size() >= max_subscriptions)
      return send_error(ev::validation_error(
          "rooms",
          "at most " + std::to_string(max_subscriptions) +
              " subscriptions per connection; subscribe to several rooms at once"));
    // The confirmation goes out before anything the subscription sends.
    send_subscribed(names, ids, since);
    sub s{0, hs};
    s.hub_id = start_subscription(hub_, rt_, std::move(hs), since);
    subs_.push_back(std::move(s));
  }

  void unsubscribe(const std::optional<std::vector<std::string>>& names) {
    std::lock_guard lock(mu_);
    if (!sink_) return;
    std::vector<std::string> ids;
    if (!names) {
      for (const auto& s : subs_)
        hub_.unsubscribe(s.hub_id);
      subs_.clear();
    } else {
      std::vector<std::string> missing;
      rt_.reads().read([&](const projections::projection_set& p) {
        for (const auto& n : *names) {
          const auto* room = visible_room(org_id_, who_, p, n);
          if (room == nullptr)
            missing.push_back(n);
          else
            ids.push_back(room->id);
        }
      });
      for (const auto& n : missing)
        send_room_error(n);
      for (const auto& id : ids)
        for (auto& s : subs_) {
          if (!s.filter.covers(id)) continue;
          hub_.exclude(s.hub_id, id);
          if (s.filter.rooms)
            s.filter.rooms->erase(id);
          else
            s.filter.except.insert(id);
        }
      // a subscription left with no room is gone
      std::erase_if(subs_, [&](const sub& s) {
        if (!s.filter.rooms || !s.filter.rooms->empty()) return false;
        hub_.unsubscribe(s.hub_id);
        return true;
      });
    }
    send_rooms_op("unsubscribed", names, ids, std::nullopt);
  }

  void send_subscribed(const std::optional<std::vector<std::string>>& names,
                       const std::vector<std::string>& ids,
                       std::optional<std::uint64_t> since) {
    send_rooms_op("subscribed", names, ids, since);
  }

  /// `{"op", "all", "rooms": [ids], "since"?}`: `since` only on `subscribed`.
  void send_rooms_op(std::string_view op,
                     const std::optional<std::vector<std::string>>& names,
                     const std::vector<std::string>& ids,
                     std::optional<std::optional<std::uint64_t>> since) {
    std::string out;
    json_writer w(out);
    w.begin_object();
    w.member("op", op);
    w.member("all", !names.has_value());
    w.key("rooms");
    w.begin_array();
    for (const auto& id : ids)
      w.value(id);
    w.end_array();
    if (since) w.member("since", *since);
    w.end_object();
    send(std::move(out));
  }

  void send_room_error(const std::string& room) { send_error(room_not_found(), room); }

  /// `{"op": "error", code, message, statusCode, details, room?}`.
  void send_error(const ev::error& e, std::optional<std::string> room = std::nullopt) {
    json::object out{{"op", "error"}};
    for (auto& [k, v] : error_object(e))
      out[k] = v;
    if (room) out["room"] = *room;
    send(json::serialize(out));
  }

  void send(std::string text) {
    if (sink_) sink_->write(std::make_shared<const std::string>(std::move(text)));
  }

  event_hub& hub_;
  actors::runtime& rt_;
  const std::string org_id_;
  const ev::room::caller who_;
  const std::string credential_hash_;
  std::recursive_mutex mu_; // send_error runs inside subscribe/unsubscribe
  std::shared_ptr<stream_sink> sink_;
  std::vector<sub> subs_;
};

} // namespace

namespace {

void websocket(call& c) {
  if (c.s.options.hub == nullptr)
    return c.fail(ev::unavailable("live events are not enabled"));
  if (!c.req.websocket_upgrade)
    return c.fail(ev::validation_error(
        "Upgrade", "GET /v1/ws is a WebSocket: send Connection: Upgrade and "
                   "Upgrade: websocket (RFC 6455)"));
  auto client = std::make_shared<socket_client>(*c.s.options.hub, c.s.rt, c.who.org_id,
                                                c.as_caller(), c.who.credential_hash);
  response r;
  r.status = 101;
  r.headers.emplace_back("Waitroom-Log-Id", c.s.rt.log_id());
  r.socket = std::make_shared<socket_handlers>();
  r.socket->open = [client](std::shared_ptr<stream_sink> sink) {
    client->opened(std::move(sink));
  };
  r.socket->message = [client](std::string text) { client->message(text); };
  r.socket->closed = [client] { client->closed(); };
  c.respond(std::move(r));
}

} // namespace

void add_socket_routes(route_table& t) {
  {
    auto& r = t.add("GET", "/v1/ws", guard::any, websocket);
    r.query_credential = "access_token"; // accepted on streams only
    r.streams = true;
  }
}

} // namespace waitroom::http
