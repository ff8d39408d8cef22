#pragma once
/// `Idempotency-Key` (API.md "Conventions"): a retry by the same principal with the
/// same key, method, path and JSON-equal body within 24 h gets the first answer again
/// and writes nothing; the same key with anything different is 409 CONFLICT.
///
/// Records live in the log's `idempotency` column family (they survive restarts) and
/// are written after the request's events committed and before it is answered. A
/// crash in that instant leaves events without a record: the retry then runs again.
/// Records older than 24 h are dead (never replayed) and are purged from storage at
/// start-up and every hour (`storage::expired_idempotency_records`,
/// `api::purge_idempotency`). Keys and lifetime: storage/side_records.hpp.

#include "actors/runtime.hpp"
#include "events/outcome.hpp"
#include "events/time.hpp"
#include "http/crypto/secret_box.hpp"
#include "http/wire/message.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace waitroom::http {

/// The record of a first answer.
struct idempotency_record {
  std::string fingerprint; ///< of method, path and canonical body
  response answer;
  events::timestamp created_at;
};

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

struct call;

/// The middleware around a route: a POST with `Idempotency-Key` gets its first answer
/// again (and `Idempotent-Replayed: true`), or runs and keeps its answer when it wrote
/// events; anything else just runs.
class idempotency_middleware {
 public:
  idempotency_middleware(actors::runtime& rt, const secret_box& secrets,
                         std::atomic<std::uint64_t>& replays)
      : rt_(rt)
      , secrets_(secrets)
      , replays_(replays) {}

  void run(call& c, std::function<void(call&)> route);
  /// Deletes the records past their lifetime (bulk reader lane); `done` gets how many.
  void purge(std::function<void(events::outcome<std::size_t>)> done);

 private:
  actors::runtime& rt_;
  const secret_box& secrets_;
  std::atomic<std::uint64_t>& replays_;
  keys_in_flight in_flight_;
};

} // namespace waitroom::http
