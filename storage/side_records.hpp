#pragma once
/// The side records: every key namespace of the log's `idempotency` column family, in
/// one place, with how long its records live. Side records are written with the log
/// (atomically with an append, or alone) but are not events: they are not chained, not
/// replayed and not part of the audit trail (docs/operations.md, "What the data
/// directory holds").
///
/// | namespace | key | value | lifetime |
/// |---|---|---|---|
/// | Idempotency-Key | principal id (or `ip:` + address), `0x00`, the client's key | the
/// first answer | 24 h (`idempotency_lifetime_ms`) | | quarantine | `\x01lq/` + seq (8
/// bytes, big-endian) | the stand-in event | for ever | | webhook cursor |
/// `\x01wc/<watcher>` | `{seq, failures}` | while the watcher delivers | | webhook
/// attempt row | `\x01wd/<watcher>/<position, 20 digits>` | one attempt | 7 days
/// (`webhook_records_lifetime_ms`) | | webhook body | `\x01wb/<delivery id>` | what was
/// sent, for a redelivery | 7 days | | push subscription | `\x01ps/<user
/// id>/<sha256(endpoint)>` | the subscription | until removed |
///
/// Keys of a subsystem start with `subsystem_records_mark`; every other key is an
/// `Idempotency-Key` record (no principal id starts with it). Records that expire carry
/// `created_at` (RFC 3339) in their JSON value.

#include "events/outcome.hpp"
#include "events/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace waitroom::storage {

class event_log;

/// Side-record keys that start with this byte belong to a subsystem.
inline constexpr std::string_view subsystem_records_mark = "\x01";

// --- Idempotency-Key -----------------------------------------------------------------

inline constexpr events::duration_ms idempotency_lifetime_ms = 24LL * 3600 * 1000;
/// Principal id, 0x00, the client's key.
std::string idempotency_key(std::string_view principal_id, std::string_view key);

// --- quarantined events --------------------------------------------------------------

/// The side records of quarantined events: this prefix, then the seq as 8 big-endian
/// bytes; the value is the stand-in event, encoded.
inline constexpr std::string_view quarantine_records_prefix = "\x01lq/";
/// The key of the quarantine record of `seq`.
std::string quarantine_record_key(std::uint64_t seq);
/// The seq a quarantine record's key names; nullopt for another key.
std::optional<std::uint64_t> quarantined_seq(std::string_view key);

// --- webhook deliveries --------------------------------------------------------------

namespace webhook_records {
inline constexpr events::duration_ms lifetime_ms = 7LL * 24 * 3600 * 1000;
inline constexpr std::string_view rows_namespace = "\x01wd/";
inline constexpr std::string_view bodies_namespace = "\x01wb/";
std::string cursor_key(std::string_view watcher_id);
/// The prefix of a watcher's attempt rows; keys sort oldest first.
std::string rows_prefix(std::string_view watcher_id);
/// The row key at `position` (time in ms × 10⁶ + a counter: unique and increasing).
std::string row_key(std::string_view watcher_id, std::uint64_t position);
/// The position of a row key of `watcher_id`'s rows.
std::optional<std::uint64_t> row_position(std::string_view key,
                                          std::string_view watcher_id);
std::string body_key(std::string_view delivery_id);

/// One page of a watcher's attempt rows, newest first.
struct attempts_page {
  std::vector<std::string> rows; ///< the stored values
  /// More rows are older than the last: pass it as `before` for the next page.
  std::optional<std::uint64_t> next_before;
};
/// At most `limit` rows of `watcher_id` older than position `before` (blocking scan:
/// run it on a reader lane).
events::outcome<attempts_page> attempts(const event_log& log, std::string_view watcher_id,
                                        std::uint64_t before, std::size_t limit);
} // namespace webhook_records

// --- Web Push subscriptions ----------------------------------------------------------

namespace push_records {
inline constexpr std::string_view prefix = "\x01ps/";
/// `endpoint_hash`: a digest of the subscription's endpoint (the key stays short).
std::string key(std::string_view user_id, std::string_view endpoint_hash);
} // namespace push_records

// --- expiry --------------------------------------------------------------------------

/// When a stored record was created: its value's `created_at`; nullopt when it has none.
std::optional<events::timestamp> record_created_at(std::string_view value);

/// The keys of the Idempotency-Key records created `idempotency_lifetime_ms` or more
/// before `now`, and of those without a readable `created_at` (blocking scan: run it on
/// a reader lane).
events::outcome<std::vector<std::string>>
expired_idempotency_records(const event_log& log, events::timestamp now);

/// The same for the webhook attempt rows and bodies (`webhook_records::lifetime_ms`).
events::outcome<std::vector<std::string>> expired_webhook_records(const event_log& log,
                                                                  events::timestamp now);

} // namespace waitroom::storage
