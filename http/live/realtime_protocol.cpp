#include "http/live/realtime_protocol.hpp"

#include "events/json.hpp"
#include "events/json_reader.hpp"
#include "events/json_writer.hpp"
#include "http/live/event_hub.hpp"

#include <boost/json/serialize.hpp>

#include <array>

namespace waitroom::http::realtime {

namespace ev = waitroom::events;
namespace json = boost::json;

namespace {

constexpr std::size_t max_name = 255; // topic and event: what the binary frame can hold

ev::error bad(std::string_view field, std::string message) {
  return ev::validation_error(std::string(field), std::move(message));
}

/// A ref as sent: null, a string or an integer.
ev::outcome<json::value> read_ref(const json::value* v, std::string_view field) {
  if (v == nullptr || v->is_null()) return json::value(nullptr);
  if (v->is_string() || v->is_int64() || v->is_uint64()) return *v;
  return bad(field, "must be a string, an integer or null");
}

ev::outcome<std::string> read_name(const json::value* v, std::string_view field) {
  if (v == nullptr || !v->is_string()) return bad(field, "must be a string");
  const auto& s = v->get_string();
  if (s.empty() || s.size() > max_name)
    return bad(field, "must be 1-" + std::to_string(max_name) + " bytes");
  return std::string(s);
}

ev::outcome<frame> read_frame(const json::value* join_ref, const json::value* ref,
                              const json::value* topic, const json::value* event,
                              const json::value* payload) {
  frame f;
  auto jr = read_ref(join_ref, "join_ref");
  if (!jr) return jr.error();
  auto r = read_ref(ref, "ref");
  if (!r) return r.error();
  auto t = read_name(topic, "topic");
  if (!t) return t.error();
  auto e = read_name(event, "event");
  if (!e) return e.error();
  f.join_ref = std::move(*jr);
  f.ref = std::move(*r);
  f.topic = std::move(*t);
  f.event = std::move(*e);
  if (payload != nullptr && !payload->is_null()) {
    if (!payload->is_object()) return bad("payload", "must be an object");
    f.payload = payload->get_object();
  }
  return f;
}

void write_head(ev::json_writer& w, vsn v, const json::value& join_ref,
                const json::value& ref, std::string_view topic, std::string_view event) {
  if (v == vsn::v2) {
    w.begin_array();
    w.value(join_ref);
    w.value(ref);
    w.value(topic);
    w.value(event);
    return; // the payload follows
  }
  w.begin_object();
  w.member("topic", topic);
  w.member("event", event);
  w.key("ref");
  w.value(ref);
  w.key("join_ref");
  w.value(join_ref);
  w.key("payload");
}

void write_tail(ev::json_writer& w, vsn v) {
  if (v == vsn::v2)
    w.end_array();
  else
    w.end_object();
}

} // namespace

std::optional<vsn> vsn_of(std::string_view text) {
  if (text == "1.0.0") return vsn::v1;
  if (text == "2.0.0") return vsn::v2;
  return std::nullopt;
}

ev::outcome<frame> decode_text(vsn v, std::string_view text) {
  auto doc = ev::parse_strict(text, "frame");
  if (!doc) return doc.error();
  if (v == vsn::v1) {
    const auto* o = doc->if_object();
    if (o == nullptr)
      return bad("frame",
                 "serializer 1.0.0 frames are objects {join_ref, ref, topic, event, "
                 "payload}");
    return read_frame(o->if_contains("join_ref"), o->if_contains("ref"),
                      o->if_contains("topic"), o->if_contains("event"),
                      o->if_contains("payload"));
  }
  const auto* a = doc->if_array();
  if (a == nullptr || a->size() != 5)
    return bad(
        "frame",
        "serializer 2.0.0 frames are arrays [join_ref, ref, topic, event, payload]");
  return read_frame(&(*a)[0], &(*a)[1], &(*a)[2], &(*a)[3], &(*a)[4]);
}

ev::outcome<frame> decode_binary(std::string_view bytes) {
  // kind, then the byte lengths of join_ref, ref, topic, event and metadata, then the
  // payload's encoding (0 bytes, 1 JSON); then those fields; the payload is the rest
  constexpr std::size_t head = 7;
  constexpr unsigned char user_broadcast_push = 3;
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != user_broadcast_push)
    return bad("frame", "the only binary frame understood is a broadcast (kind 3)");
  if (bytes.size() < head) return bad("frame", "a binary frame shorter than its header");
  std::array<std::size_t, 5> len{};
  std::size_t need = head;
  for (std::size_t i = 0; i < len.size(); ++i) {
    len[i] = static_cast<unsigned char>(bytes[1 + i]);
    need += len[i];
  }
  const auto encoding = static_cast<unsigned char>(bytes[6]);
  if (need > bytes.size()) return bad("frame", "a binary frame shorter than its header");
  if (encoding > 1) return bad("frame", "payload encoding must be 0 (bytes) or 1 (JSON)");
  std::array<std::string_view, 5> field;
  std::size_t at = head;
  for (std::size_t i = 0; i < len.size(); ++i) {
    field[i] = bytes.substr(at, len[i]);
    at += len[i];
    if (!ev::utf8_valid(field[i])) return bad("frame", "header fields must be UTF-8");
  }
  const auto rest = bytes.substr(at);
  json::value join_ref = field[0].empty() ? json::value(nullptr) : json::value(field[0]);
  json::value ref = field[1].empty() ? json::value(nullptr) : json::value(field[1]);
  json::value topic(field[2]);
  json::value event("broadcast");
  json::object payload{{"type", "broadcast"}, {"event", field[3]}};
  payload["payload"] = nullptr;
  if (encoding == 1) {
    auto body = ev::parse_strict(rest, "payload.payload");
    if (!body) return body.error();
    payload["payload"] = std::move(*body);
  }
  if (!field[4].empty()) {
    auto meta = ev::parse_strict(field[4], "metadata");
    if (!meta || !meta->is_object())
      return bad("frame", "metadata must be a JSON object");
    payload["meta"] = std::move(*meta);
  }
  json::value user_event(field[3]);
  if (auto checked = read_name(&user_event, "payload.event"); !checked)
    return checked.error();
  json::value p(std::move(payload));
  return read_frame(&join_ref, &ref, &topic, &event, &p);
}

std::string encode(vsn v, const frame& f) {
  std::string out;
  ev::json_writer w(out);
  write_head(w, v, f.join_ref, f.ref, f.topic, f.event);
  w.value(f.payload);
  write_tail(w, v);
  return out;
}

std::string reply(vsn v, const frame& to, bool ok, json::object response) {
  frame r;
  r.join_ref = to.join_ref;
  r.ref = to.ref;
  r.topic = to.topic;
  r.event = "phx_reply";
  r.payload["status"] = ok ? "ok" : "error";
  r.payload["response"] = std::move(response);
  return encode(v, r);
}

std::string error_reply(vsn v, const frame& to, std::string_view reason) {
  return reply(v, to, false, json::object{{"reason", reason}});
}

std::string close_channel(vsn v, std::string_view topic, const json::value& join_ref) {
  frame f;
  f.join_ref = join_ref;
  f.ref = join_ref;
  f.topic = std::string(topic);
  f.event = "phx_close";
  return encode(v, f);
}

std::string room_topic(std::string_view room_id) {
  return std::string(topic_prefix) + room_channel(room_id);
}

std::optional<std::string> room_of_topic(std::string_view topic) {
  constexpr std::string_view head = "room:";
  constexpr std::string_view tail = ":events";
  if (!topic.starts_with(topic_prefix)) return std::nullopt;
  topic.remove_prefix(topic_prefix.size());
  if (!topic.starts_with(head) || !topic.ends_with(tail)) return std::nullopt;
  topic.remove_prefix(head.size());
  topic.remove_suffix(tail.size());
  if (topic.empty() || topic.find(':') != std::string_view::npos) return std::nullopt;
  return std::string(topic);
}

std::string broadcast(vsn v, std::string_view room_id, std::string_view type,
                      std::string_view envelope) {
  std::string out;
  out.reserve(envelope.size() + 128);
  ev::json_writer w(out);
  const json::value none(nullptr);
  write_head(w, v, none, none, room_topic(room_id), "broadcast");
  w.begin_object();
  w.member("type", "broadcast");
  w.member("event", type);
  w.key("payload");
  w.raw(envelope);
  w.end_object();
  write_tail(w, v);
  return out;
}

} // namespace waitroom::http::realtime
