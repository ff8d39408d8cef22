#pragma once
/// Internal to storage/: the record format shared by the RocksDB log and the in-memory
/// log, the append planner that numbers and hashes events, and the chain verifier. Both
/// implementations go through these so that they store the same bytes and `verify()`
/// behaves identically. RocksDB-free on purpose.

#include "storage/event_log.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waitroom::storage::detail {

/// NOTE: on-disk format. Value of a `log` record: this byte, the 32-byte chain hash,
/// then the event bytes (`events::encode` after seq and version were assigned).
inline constexpr char record_format = 0x01;
inline constexpr std::size_t record_prefix_size = 1 + 32;

/// NOTE: on-disk format. `meta` keys and the format version this code reads and writes.
inline constexpr std::string_view meta_format_version = "format_version";
inline constexpr std::string_view meta_log_id = "log_id";
inline constexpr std::string_view meta_head_seq = "head_seq";
inline constexpr std::string_view meta_head_hash = "head_hash";
inline constexpr std::string_view current_format_version = "1";

/// Appends `v` as 8 big-endian bytes (keys sort in numeric order).
void put_be64(std::string& out, std::uint64_t v);
/// Appends `v` as 4 big-endian bytes.
void put_be32(std::string& out, std::uint32_t v);
/// Reads 8 big-endian bytes; nullopt unless `in` is exactly 8 bytes.
std::optional<std::uint64_t> get_be64(std::string_view in);
/// Reads 4 big-endian bytes; nullopt unless `in` is exactly 4 bytes.
std::optional<std::uint32_t> get_be32(std::string_view in);

/// The `log` key of `seq`.
std::string seq_key(std::uint64_t seq);
/// The `streams` key prefix of `stream`: its bytes and 0x00.
std::string stream_prefix(std::string_view stream);
/// The `streams` key of (`stream`, `version`).
std::string stream_key(std::string_view stream, std::uint32_t version);

/// The `log` value for an event's bytes and its chain hash.
std::string make_record(const hash256& hash, std::string_view bytes);

/// A parsed `log` value; views into the value it was parsed from.
struct record_view {
  hash256 hash{};
  std::string_view bytes;
};
/// Parses a `log` value; nullopt when it is too short or of an unknown format.
std::optional<record_view> parse_record(std::string_view value);

/// Decodes the event of a stored `log` value as `storage::decode` does (its stand-in
/// when it is quarantined and does not decode; `seq` names it in errors).
events::outcome<events::recorded_event>
decode_record(std::string_view value, std::uint64_t seq, const quarantine_set& q);

/// The error of the event at `seq` whose `bytes` do not decode (`why`: the codec's
/// message): INTERNAL "event N (type) cannot be decoded: why", `details` {seq, type}.
events::error unreadable_event(std::uint64_t seq, std::string_view bytes,
                               const std::string& why);

/// The stand-in of `seq`, or null.
std::shared_ptr<const events::recorded_event> stand_in_of(const quarantine_set& q,
                                                          std::uint64_t seq);

/// The `seq` written at the start of an encoded event (`{"seq":N,...`), falling back to
/// a full decode for any other shape; nullopt when there is none.
std::optional<std::uint64_t> encoded_seq(std::string_view bytes);

/// A random log id: "log_" and 16 characters of [a-z0-9].
std::string make_log_id();

/// Whether `stream` can be a stream id (non-empty, no 0x00: it ends the key prefix).
bool is_valid_stream_id(std::string_view stream);

/// One event ready to be stored.
struct planned_write {
  std::uint64_t seq = 0;
  std::uint32_t version = 0;
  std::string stream;
  std::string record; ///< the `log` value
};

/// The chain position the planner continues from and advances.
struct chain_position {
  std::uint64_t seq = 0;
  hash256 hash{};
};

/// Current version of a stream as the planner must see it (committed plus earlier
/// requests of the same group); an error when it cannot be read.
using version_lookup = std::function<events::outcome<std::uint32_t>(const std::string&)>;

/// What a successfully planned request adds.
struct planned_append {
  append_result result;                                     ///< events, numbered
  std::vector<planned_write> writes;                        ///< in seq order
  std::vector<std::pair<std::string, std::uint32_t>> heads; ///< stream -> new version
};

/// Checks `req` (stream ids, each event's `meta.stream`, expected versions) and, when
/// everything holds, assigns seqs after `pos`, versions after each stream's current
/// one, encodes, chains and advances `pos`. On error `pos` is untouched and nothing is
/// planned: ABORTED for a failed expectation, INTERNAL for a malformed request or an
/// event that would not read back (`events::encode_checked`) or an exception while
/// preparing (memory), the lookup's error when a version could not be read.
events::outcome<planned_append> plan_append(append_request&& req, chain_position& pos,
                                            const version_lookup& current_version);

/// Re-checks a chain record by record, in key order, and decodes every event (shared
/// by both implementations). `quarantined`: the log's quarantine records; each stand-in
/// must stand for an event that does not decode, name its bytes' hash, and equal the
/// `log.quarantined` record the chain holds of it; no record may be malformed.
class chain_verifier {
 public:
  explicit chain_verifier(std::shared_ptr<const quarantine_set> quarantined)
      : quarantined_(std::move(quarantined)) {}

  /// Checks the record stored under `key_seq`; false once a problem was found (stop).
  bool feed(std::uint64_t key_seq, std::string_view value);
  /// Records a problem that is not about one record (unreadable store, bad key): it is
  /// reported at the seq after the last good one.
  void corrupt(std::string problem);
  /// Compares with the stored head (nullopt when the store has none) and reports.
  verify_report finish(std::optional<std::uint64_t> head_seq,
                       std::optional<hash256> head_hash);

 private:
  void fail(std::uint64_t seq, std::string problem);

  std::shared_ptr<const quarantine_set> quarantined_;
  /// the `log.quarantined` records seen in the chain, by the seq they set aside
  std::map<std::uint64_t, events::log::quarantined> recorded_;
  verify_report report_;
  std::uint64_t last_seq_ = 0;
  hash256 hash_{};
};

} // namespace waitroom::storage::detail
