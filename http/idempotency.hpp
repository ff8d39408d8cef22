#pragma once
/// `Idempotency-Key` (API.md "Conventions"): a retry by the same principal with the
/// same key, method, path and JSON-equal body within 24 h gets the first answer again
/// and writes nothing; the same key with anything different is 409 CONFLICT.
///
/// Records live in the log's `idempotency` column family (they survive restarts) and
/// are written after the request's events committed and before it is answered. A
/// crash in that instant leaves events without a record: the retry then runs again.
/// Records older than 24 h are dead (never replayed) and are purged from storage at
/// start-up and every hour (`expired_idempotency_keys`, `api::purge_idempotency`).

#include "events/outcome.hpp"
#include "events/time.hpp"
#include "http/message.hpp"
#include "http/secret_box.hpp"
#include "storage/event_log.hpp"

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace waitroom::http {

inline constexpr events::duration_ms idempotency_ttl_ms = 24LL * 3600 * 1000;

/// The record of a first answer.
struct idempotency_record {
  std::string fingerprint; ///< of method, path and canonical body
  response answer;
  events::timestamp created_at;
};

/// Storage key: principal id, 0x00, the client's key.
std::string idempotency_storage_key(std::string_view principal_id, std::string_view key);

/// SHA-256 (hex) of method, path and the body with object keys sorted (so that
/// JSON-equal bodies match); a body that is not JSON counts byte for byte.
std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body);

/// The stored form: the answer's body is sealed with `box` (first answers carry new
/// tokens, API keys and webhook secrets, which must not rest in the clear); the rest is
/// plain JSON.
std::string encode_record(const idempotency_record& r, const secret_box& box);
/// The record, or nothing when it is unreadable (or sealed under another key).
std::optional<idempotency_record> decode_record(std::string_view stored,
                                                const secret_box& box);
/// When a stored record was created (no key needed: what the purge reads).
std::optional<events::timestamp> record_created_at(std::string_view stored);

/// The storage keys of records created 24 h or more before `now`, and of records that
/// do not decode, other records aside (blocking scan: run it on a reader lane).
events::outcome<std::vector<std::string>>
expired_idempotency_keys(const storage::event_log& log, events::timestamp now);

/// Whether an answer is kept for replay: the request wrote events (a 2xx, or 403
/// POLICY_FORBIDS, which records the forbidden check-in).
bool answer_is_kept(const response& r);

/// Keys whose first request is still being handled: a concurrent retry is CONFLICT.
class keys_in_flight {
 public:
  bool begin(const std::string& key);
  void end(const std::string& key);

 private:
  std::mutex mu_;
  std::set<std::string> keys_;
};

} // namespace waitroom::http
