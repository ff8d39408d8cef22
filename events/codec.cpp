#include "events/codec.hpp"

#include "events/json_writer.hpp"
#include "events/simdjson_boost.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <array>
#include <limits>

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

using element = simdjson::dom::element;

template <class T>
bool read(element el, T& out);

/// Reads a described struct: every member exactly once, in any order; unknown keys are
/// an error (the format is versioned, not open).
template <class T>
bool read_described(element el, T& out) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj)) return false;
  using members = boost::describe::describe_members<T, boost::describe::mod_public>;
  constexpr std::size_t n = boost::mp11::mp_size<members>::value;
  static_assert(n < 64, "a bit per member");
  std::uint64_t seen = 0; // a duplicate key must not stand in for a missing one
  for (auto field : obj) {
    bool known = false, ok = true;
    std::size_t index = 0;
    boost::mp11::mp_for_each<members>([&](auto member) {
      if (!known && field.key == member.name) {
        known = true;
        const std::uint64_t bit = std::uint64_t{1} << index;
        ok = (seen & bit) == 0 && read(field.value, out.*member.pointer);
        seen |= bit;
      }
      ++index;
    });
    if (!known || !ok) return false;
  }
  return seen == (std::uint64_t{1} << n) - 1;
}

template <class T>
bool read(element el, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    std::string_view sv;
    if (el.get_string().get(sv)) return false;
    out.assign(sv);
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    return !el.get_bool().get(out);
  } else if constexpr (std::is_same_v<T, double>) {
    return !el.get_double().get(out);
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    std::uint64_t v;
    if (el.get_uint64().get(v) || v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    std::int64_t v;
    if (el.get_int64().get(v) || v < std::numeric_limits<T>::min() ||
        v > std::numeric_limits<T>::max())
      return false;
    out = static_cast<T>(v);
    return true;
  } else if constexpr (std::is_same_v<T, timestamp>) {
    std::string_view sv;
    if (el.get_string().get(sv)) return false;
    auto t = parse_rfc3339(sv);
    if (!t) return false;
    out = *t;
    return true;
  } else if constexpr (std::is_enum_v<T>) {
    std::string_view sv;
    if (el.get_string().get(sv)) return false;
    auto e = parse_wire_name<T>(sv);
    if (!e) return false;
    out = *e;
    return true;
  } else if constexpr (std::is_same_v<T, actor_ref>) {
    simdjson::dom::object obj;
    if (el.get_object().get(obj)) return false;
    bool kind = false, id = false;
    for (auto field : obj) {
      if (field.key == "kind" && !kind) {
        if (!read(field.value, out.kind)) return false;
        kind = true;
      } else if (field.key == "id" && !id) {
        if (!read(field.value, out.id)) return false;
        id = true;
      } else
        return false; // unknown or repeated
    }
    return kind;
  } else if constexpr (is_optional<T>::value) {
    if (el.is_null()) {
      out.reset();
      return true;
    }
    typename T::value_type v{};
    if (!read(el, v)) return false;
    out = std::move(v);
    return true;
  } else if constexpr (is_vector<T>::value) {
    simdjson::dom::array arr;
    if (el.get_array().get(arr)) return false;
    out.clear();
    for (auto item : arr) {
      typename T::value_type v{};
      if (!read(item, v)) return false;
      out.push_back(std::move(v));
    }
    return true;
  } else if constexpr (std::is_same_v<T, json::object> ||
                       std::is_same_v<T, json::array>) {
    json::value v;
    std::string problem;
    if (!detail::to_boost(el, v, problem)) return false;
    if constexpr (std::is_same_v<T, json::object>) {
      if (!v.is_object()) return false;
      out = std::move(v.get_object());
    } else {
      if (!v.is_array()) return false;
      out = std::move(v.get_array());
    }
    return true;
  } else if constexpr (std::is_same_v<T, room::policy>) {
    json::value v;
    std::string problem;
    if (!detail::to_boost(el, v, problem)) return false;
    auto p = room::parse_policy(v, "");
    if (!p) return false;
    out = std::move(*p);
    return true;
  } else {
    static_assert(boost::describe::has_describe_members<T>::value,
                  "no reader for this type");
    return read_described(el, out);
  }
}

using decoder = bool (*)(element, event_data&);

template <class T>
bool decode_as(element el, event_data& out) {
  T v{};
  if (!read(el, v)) return false;
  out = std::move(v);
  return true;
}

struct type_entry {
  std::string_view type;
  decoder fn;
};

/// Every wire type and how to read its `data`. NOTE: adding an event type means a row
/// here; changing one means a new schema version and an upcast.
constexpr std::array<type_entry, 34> decoders{{
    {org::created::wire_type, &decode_as<org::created>},
    {user::created::wire_type, &decode_as<user::created>},
    {user::token_rotated::wire_type, &decode_as<user::token_rotated>},
    {user::deactivated::wire_type, &decode_as<user::deactivated>},
    {agent::registered::wire_type, &decode_as<agent::registered>},
    {agent::self_registered::wire_type, &decode_as<agent::self_registered>},
    {agent::claimed::wire_type, &decode_as<agent::claimed>},
    {agent::key_rotated::wire_type, &decode_as<agent::key_rotated>},
    {agent::deactivated::wire_type, &decode_as<agent::deactivated>},
    {room::created::wire_type, &decode_as<room::created>},
    {room::policy_updated::wire_type, &decode_as<room::policy_updated>},
    {room::updated::wire_type, &decode_as<room::updated>},
    {room::member_set::wire_type, &decode_as<room::member_set>},
    {room::member_removed::wire_type, &decode_as<room::member_removed>},
    {checkin::created::wire_type, &decode_as<checkin::created>},
    {checkin::approval_recorded::wire_type, &decode_as<checkin::approval_recorded>},
    {"checkin.approved", &decode_as<checkin::resolved>},
    {"checkin.rejected", &decode_as<checkin::resolved>},
    {"checkin.modified", &decode_as<checkin::resolved>},
    {"checkin.expired", &decode_as<checkin::resolved>},
    {"checkin.withdrawn", &decode_as<checkin::resolved>},
    {checkin::extended::wire_type, &decode_as<checkin::extended>},
    {checkin::expiring::wire_type, &decode_as<checkin::expiring>},
    {checkin::message_posted::wire_type, &decode_as<checkin::message_posted>},
    {checkin::claimed::wire_type, &decode_as<checkin::claimed>},
    {checkin::released::wire_type, &decode_as<checkin::released>},
    {checkin::help_requested::wire_type, &decode_as<checkin::help_requested>},
    {checkin::helper_joined::wire_type, &decode_as<checkin::helper_joined>},
    {checkin::submitted::wire_type, &decode_as<checkin::submitted>},
    {watcher::created::wire_type, &decode_as<watcher::created>},
    {watcher::disabled::wire_type, &decode_as<watcher::disabled>},
    {watcher::deleted::wire_type, &decode_as<watcher::deleted>},
    {signal::broadcast::wire_type, &decode_as<signal::broadcast>},
    {log::quarantined::wire_type, &decode_as<log::quarantined>},
}};

} // namespace

outcome<recorded_event> decode(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto e = parser.parse(text.data(), text.size()).get(root))
    return internal_error(std::string("undecodable event: ") +
                          simdjson::error_message(e));
  simdjson::dom::object o;
  if (root.get_object().get(o)) return internal_error("undecodable event: not an object");
  recorded_event e;
  std::string_view type;
  std::int64_t v = 0;
  element data;
  bool have_data = false;
  int fields = 0;
  for (auto field : o) {
    bool ok = true;
    auto k = field.key;
    if (k == "seq")
      ok = read(field.value, e.meta.seq);
    else if (k == "type")
      ok = !field.value.get_string().get(type);
    else if (k == "v")
      ok = read(field.value, v);
    else if (k == "stream")
      ok = read(field.value, e.meta.stream);
    else if (k == "version")
      ok = read(field.value, e.meta.version);
    else if (k == "at")
      ok = read(field.value, e.meta.at);
    else if (k == "actor")
      ok = read(field.value, e.meta.actor);
    else if (k == "org_id")
      ok = read(field.value, e.meta.org_id);
    else if (k == "room_id")
      ok = read(field.value, e.meta.room_id);
    else if (k == "data") {
      data = field.value;
      have_data = true;
    } else
      ok = false;
    if (!ok)
      return internal_error("undecodable event envelope (field " + std::string(k) + ")");
    ++fields;
  }
  if (fields != 10 || !have_data) return internal_error("undecodable event envelope");
  if (v != schema_version)
    return internal_error("unsupported schema version " + std::to_string(v) + " of " +
                          std::string(type));
  for (const auto& entry : decoders) {
    if (entry.type != type) continue;
    if (!entry.fn(data, e.data))
      return internal_error("malformed " + std::string(type) + " data");
    if (auto* r = std::get_if<checkin::resolved>(&e.data);
        r && checkin::resolved_wire_type(r->decision.outcome) != type)
      return internal_error("resolution outcome does not match type " +
                            std::string(type));
    return e;
  }
  return internal_error("unknown event type " + std::string(type));
}

outcome<checked_encoding> encode_checked(const recorded_event& e) {
  std::string bytes = encode(e);
  auto back = decode(bytes);
  const std::string_view type = event_type(e.data);
  if (!back)
    return internal_error("a " + std::string(type) +
                          " event would not read back from the log (" +
                          back.error().message + "); nothing was written");
  if (encode(*back) != bytes)
    return internal_error("a " + std::string(type) +
                          " event would read back differently from the log; nothing "
                          "was written");
  return checked_encoding{std::move(bytes), std::move(*back)};
}

envelope_fields peek_envelope(std::string_view text) {
  envelope_fields out;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(text.data(), text.size()).get(o)) return out;
  std::string_view sv;
  std::uint64_t n = 0;
  if (!o["seq"].get_uint64().get(n)) out.seq = n;
  if (!o["type"].get_string().get(sv)) out.type.assign(sv);
  if (!o["stream"].get_string().get(sv)) out.stream.assign(sv);
  if (!o["version"].get_uint64().get(n) && n <= std::numeric_limits<std::uint32_t>::max())
    out.version = static_cast<std::uint32_t>(n);
  if (!o["at"].get_string().get(sv)) out.at = parse_rfc3339(sv);
  if (!o["org_id"].get_string().get(sv)) out.org_id.assign(sv);
  if (!o["room_id"].get_string().get(sv)) out.room_id.assign(sv);
  return out;
}

} // namespace waitroom::events
