#include "events/codec.hpp"

#include "events/json_writer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <array>

namespace waitroom::events {

namespace json = boost::json;

std::string_view event_type(const event_data& data) {
  return std::visit(
      [](const auto& e) -> std::string_view {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, checkin::resolved>)
          return checkin::resolved_wire_type(e.decision.outcome);
        else
          return T::wire_type;
      },
      data);
}

json::value data_to_json(const event_data& data) {
  return std::visit([](const auto& e) { return json::value_from(e); }, data);
}

json::object envelope_to_json(const event_meta& m, std::string_view type) {
  json::object o;
  o["seq"] = m.seq;
  o["type"] = type;
  o["v"] = schema_version;
  o["stream"] = m.stream;
  o["version"] = m.version;
  o["at"] = format_rfc3339(m.at);
  o["actor"] = json::value_from(m.actor);
  o["org_id"] = m.org_id;
  o["room_id"] = m.room_id;
  return o;
}

namespace {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

/// Writes any event field: described structs member by member (declaration order,
/// every member, optionals as null — the shape `decode` expects), the rest by type.
template <class T>
void write(json_writer& w, const T& v) {
  if constexpr (std::is_same_v<T, actor_ref>) {
    w.begin_object();
    w.member("kind", v.kind);
    if (!v.id.empty()) w.member("id", v.id);
    w.end_object();
  } else if constexpr (std::is_same_v<T, room::policy>) {
    w.value(room::to_json(v));
  } else if constexpr (is_optional<T>::value) {
    if (v)
      write(w, *v);
    else
      w.null();
  } else if constexpr (is_vector<T>::value) {
    w.begin_array();
    for (const auto& x : v)
      write(w, x);
    w.end_array();
  } else if constexpr (boost::describe::has_describe_members<T>::value) {
    w.begin_object();
    boost::mp11::mp_for_each<
        boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto member) {
          w.key(member.name);
          write(w, v.*member.pointer);
        });
    w.end_object();
  } else {
    w.value(v);
  }
}

} // namespace

std::string encode(const recorded_event& e) {
  std::string out;
  out.reserve(512);
  json_writer w(out);
  w.begin_object();
  w.member("seq", e.meta.seq);
  w.member("type", event_type(e.data));
  w.member("v", schema_version);
  w.member("stream", e.meta.stream);
  w.member("version", e.meta.version);
  w.member("at", e.meta.at);
  w.key("actor");
  write(w, e.meta.actor);
  w.member("org_id", e.meta.org_id);
  w.member("room_id", e.meta.room_id);
  w.key("data");
  std::visit([&](const auto& d) { write(w, d); }, e.data);
  w.end_object();
  return out;
}

namespace {

using decoder = outcome<event_data> (*)(const json::value&);

template <class T>
outcome<event_data> decode_as(const json::value& v) {
  auto r = json::try_value_to<T>(v);
  if (!r)
    return internal_error(std::string("malformed ") + std::string(T::wire_type) +
                          " data: " + r.error().message());
  return event_data{std::move(*r)};
}

outcome<event_data> decode_resolved(const json::value& v) {
  auto r = json::try_value_to<checkin::resolved>(v);
  if (!r) return internal_error("malformed resolution data: " + r.error().message());
  return event_data{std::move(*r)};
}

struct type_entry {
  std::string_view type;
  decoder fn;
};

const std::array<type_entry, 15>& decoders() {
  static const std::array<type_entry, 15> table{{
      {org::created::wire_type, &decode_as<org::created>},
      {user::created::wire_type, &decode_as<user::created>},
      {agent::registered::wire_type, &decode_as<agent::registered>},
      {room::created::wire_type, &decode_as<room::created>},
      {room::policy_updated::wire_type, &decode_as<room::policy_updated>},
      {checkin::created::wire_type, &decode_as<checkin::created>},
      {checkin::approval_recorded::wire_type, &decode_as<checkin::approval_recorded>},
      {"checkin.approved", &decode_resolved},
      {"checkin.rejected", &decode_resolved},
      {"checkin.modified", &decode_resolved},
      {"checkin.expired", &decode_resolved},
      {"checkin.withdrawn", &decode_resolved},
      {checkin::extended::wire_type, &decode_as<checkin::extended>},
      {checkin::expiring::wire_type, &decode_as<checkin::expiring>},
      {checkin::message_posted::wire_type, &decode_as<checkin::message_posted>},
  }};
  return table;
}

template <class T>
bool read(const json::object& o, std::string_view key, T& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return false;
  auto r = json::try_value_to<T>(*v);
  if (!r) return false;
  out = std::move(*r);
  return true;
}

} // namespace

outcome<recorded_event> decode(std::string_view text) {
  std::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return internal_error("undecodable event: " + ec.message());
  const auto* o = root.if_object();
  if (o == nullptr) return internal_error("undecodable event: not an object");
  recorded_event e;
  std::string type;
  std::int64_t v = 0;
  std::string at;
  if (!read(*o, "seq", e.meta.seq) || !read(*o, "type", type) || !read(*o, "v", v) ||
      !read(*o, "stream", e.meta.stream) || !read(*o, "version", e.meta.version) ||
      !read(*o, "at", e.meta.at) || !read(*o, "actor", e.meta.actor) ||
      !read(*o, "org_id", e.meta.org_id) || !read(*o, "room_id", e.meta.room_id))
    return internal_error("undecodable event envelope");
  if (v != schema_version)
    return internal_error("unsupported schema version " + std::to_string(v) + " of " +
                          type);
  const auto* data = o->if_contains("data");
  if (data == nullptr) return internal_error("event without data");
  for (const auto& entry : decoders()) {
    if (entry.type == type) {
      auto d = entry.fn(*data);
      if (!d) return std::move(d).error();
      e.data = std::move(*d);
      if (auto* r = std::get_if<checkin::resolved>(&e.data);
          r && checkin::resolved_wire_type(r->decision.outcome) != type)
        return internal_error("resolution outcome does not match type " + type);
      return e;
    }
  }
  return internal_error("unknown event type " + type);
}

} // namespace waitroom::events
