#pragma once
/// The Supabase Realtime protocol, as the unmodified `@supabase/realtime-js` client
/// speaks it (API.md "Supabase Realtime", inbound; docs/events.md): the Phoenix-channels
/// frames in and out, for both serializer versions. Pure: no socket, no state. The
/// session that holds a socket's channels is `http/api/routes/realtime.cpp`.
///
/// - 1.0.0: every frame is a JSON object `{join_ref, ref, topic, event, payload}`.
/// - 2.0.0: every text frame is a JSON array `[join_ref, ref, topic, event, payload]`;
///   the client sends its broadcasts as binary frames of kind 3 (`decode_binary`). The
///   only binary frame the client reads is kind 4, so the server sends text only.
///
/// Refs are whatever the client sent (realtime-js sends strings; absent is null) and are
/// echoed unchanged. Broadcasts from the server carry no refs, as Phoenix's do.

#include "events/outcome.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace waitroom::http::realtime {

enum class vsn { v1, v2 };

/// `1.0.0` or `2.0.0`; nothing for anything else.
std::optional<vsn> vsn_of(std::string_view text);

inline constexpr std::string_view phoenix_topic = "phoenix";
inline constexpr std::string_view topic_prefix = "realtime:";

/// One frame.
struct frame {
  boost::json::value join_ref; ///< null when absent
  boost::json::value ref;      ///< null when absent
  std::string topic;
  std::string event;
  boost::json::object payload;
};

/// A text frame in the serializer `v` speaks: VALIDATION_ERROR (field `frame`, or the
/// member at fault) when it is not one.
events::outcome<frame> decode_text(vsn v, std::string_view text);

/// A binary frame: only a client broadcast (kind 3) is one. Its payload becomes
/// `{type: "broadcast", event, payload, meta?}` as the client meant it (a payload sent
/// as bytes becomes null: nothing relays it).
events::outcome<frame> decode_binary(std::string_view bytes);

/// A frame as `v` writes it.
std::string encode(vsn v, const frame& f);

/// The `phx_reply` to `to` (same topic and refs): `{status: "ok"|"error", response}`.
std::string reply(vsn v, const frame& to, bool ok, boost::json::object response);
/// An error reply: `response: {reason}`.
std::string error_reply(vsn v, const frame& to, std::string_view reason);

/// The server closing a channel: `phx_close` with the join's ref as both refs (what
/// Phoenix sends; the client drops a close that carries another join's ref).
std::string close_channel(vsn v, std::string_view topic,
                          const boost::json::value& join_ref);

/// `realtime:room:<room_id>:events`, the topic of a room's event channel.
std::string room_topic(std::string_view room_id);
/// The `room_id` of such a topic; nothing for any other topic.
std::optional<std::string> room_of_topic(std::string_view topic);

/// The push of one room event on its room's channel: event `broadcast`, payload
/// `{type: "broadcast", event: <type>, payload: <envelope>}` (the envelope as SSE
/// carries it, unparsed), no refs.
std::string broadcast(vsn v, std::string_view room_id, std::string_view type,
                      std::string_view envelope);

} // namespace waitroom::http::realtime
