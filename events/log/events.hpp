#pragma once
/// Events of the log itself (stream `log`): what operators did to the log, recorded in
/// the chain like everything else. NOTE: storage format.

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace waitroom::events::log {

/// The stream of the log's own events.
inline constexpr std::string_view stream = "log";

/// `log.quarantined`: the event at `seq` cannot be decoded (written by an older build,
/// or damaged on disk) and an operator set it aside (`waitroom audit quarantine`). Its
/// bytes stay in the log untouched, so the chain still verifies; every reader gets a
/// `log.quarantined` event in its place, at its seq and in its stream. Aggregates fold
/// it only as a version (a check-in also stops running a deadline: `damaged`); what
/// the event did is lost (`quarantine.hpp` says what that means per type). The event
/// that records the act itself goes into the `log` stream.
struct quarantined {
  static constexpr std::string_view wire_type = "log.quarantined";
  std::uint64_t seq = 0;    ///< the unreadable event
  std::string type;         ///< its type, as far as it could be read ("" if not)
  std::string stream;       ///< its stream, from the stream index
  std::uint32_t version = 0; ///< its version in that stream
  std::string problem;      ///< why it does not decode
  std::string bytes_sha256; ///< hex SHA-256 of its bytes, as stored
  std::string reason;       ///< the operator's words
  bool operator==(const quarantined&) const = default;
};
BOOST_DESCRIBE_STRUCT(quarantined, (),
                      (seq, type, stream, version, problem, bytes_sha256, reason))

} // namespace waitroom::events::log
