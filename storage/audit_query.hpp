#pragma once
/// The audit trail's queries (`GET /v1/audit`, `GET /v1/rooms/:room/audit`): pages of
/// the log itself, filtered, read on a reader thread (blocking).

#include "storage/event_log.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::storage {

/// What an audit page keeps; an empty field keeps every event.
struct audit_filter {
  std::string org_id; ///< required: an organization reads only its own events
  std::string room_id;
  std::string type_prefix; ///< e.g. "checkin." or "checkin.approved"
  std::string actor;       ///< the acting principal's id
  std::string stream;
  std::optional<events::timestamp> until; ///< at or before

  bool matches(const events::recorded_event& e) const;
};

struct audit_page {
  std::vector<stored_event> events; ///< oldest first
  /// Set when the log goes on: the seq the next page starts after.
  std::optional<std::uint64_t> next_after;
};

/// The events after seq `after` that `f` keeps, oldest first: at most `limit`, having
/// looked at no more than `budget` events (a partial page then says where to go on).
/// An unreadable event ends the query with its error (naming its seq and type).
events::outcome<audit_page> audit_query(const event_log& log, const audit_filter& f,
                                        std::uint64_t after, std::size_t limit,
                                        std::uint64_t budget);

} // namespace waitroom::storage
