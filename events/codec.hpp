#pragma once
/// The JSON codec of events: how an event is written to the log and read back.
///
/// NOTE: this is the on-disk format (log format 1). One compact JSON object per event:
///   {"seq":N,"type":"checkin.approved","v":1,"stream":"ci_…","version":2,
///    "at":"2026-11-24T10:00:00.000Z","actor":{"kind":"user","id":"us_…"},
///    "org_id":"org_…","room_id":"rm_…","data":{…}}
/// `v` is the schema version of `data` for that type; a reader upcasts older versions.
/// The chain hash covers exactly these bytes.

#include "events/event.hpp"
#include "events/outcome.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>

#include <string>
#include <string_view>

namespace waitroom::events {

/// Current schema version of every event type's `data`.
inline constexpr int schema_version = 1;

/// Encodes the whole event (envelope + data) as compact JSON.
std::string encode(const recorded_event& e);

/// Decodes an event written by `encode`; a malformed record is an `internal` error.
outcome<recorded_event> decode(std::string_view json);

/// An event's bytes with the event they decode to.
struct checked_encoding {
  std::string bytes;
  recorded_event event; ///< what every later reader of `bytes` gets
};

/// `encode`, proven readable: the bytes decode, and the decoded event encodes to the
/// same bytes. Otherwise an `internal` error naming the event's type and what did not
/// read back. The log stores only bytes that passed this check, so every committed
/// event can be replayed (a value the codec cannot read, such as an enum left unset,
/// never reaches the disk); and it hands on the decoded event, so that what is folded
/// now is what a replay will fold.
outcome<checked_encoding> encode_checked(const recorded_event& e);

/// What can be read of an envelope that does not decode: every field that is present
/// and of the right JSON type (the rest stays empty). For messages about unreadable
/// events and for placing their quarantine (`log.quarantined`); never for the state of
/// an aggregate.
struct envelope_fields {
  std::optional<std::uint64_t> seq;
  std::string type;
  std::string stream;
  std::optional<std::uint32_t> version;
  std::optional<timestamp> at;
  std::string org_id;
  std::string room_id;
};
envelope_fields peek_envelope(std::string_view json);

/// The recorded `data` of an event as JSON (what the audit trail shows).
boost::json::value data_to_json(const event_data& data);

/// The envelope (without `data`) as JSON: seq, type, stream, version, at, actor, ids.
boost::json::object envelope_to_json(const event_meta& meta, std::string_view type);

} // namespace waitroom::events
