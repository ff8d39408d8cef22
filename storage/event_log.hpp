#pragma once
/// The append-only event log: the single source of truth and the audit trail.
///
/// Every event gets a global, gap-free `seq` (1-based) and a per-stream `version`
/// (1-based). Appends are atomic across the streams of one request and checked against
/// each stream's expected version. A dedicated writer thread group-commits: everything
/// queued while the previous batch was being synced goes into one `WriteBatch`, written
/// with `sync=true` under `durability::fsync`. Each event's chain hash is
/// `h(n) = SHA-256(h(n-1) || encoded event n)`, with h(0) = 32 zero bytes.
///
/// Thread-safety: all members are safe to call from any thread. Completions run on the
/// writer thread and must not block.

#include "events/event.hpp"
#include "events/outcome.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waitroom::storage {

/// `fsync`: an acknowledged append survives power loss. `none`: the OS decides when to
/// write (unsafe: a crash may lose acknowledged appends; for benchmarks and tests only).
enum class durability { fsync, none };

using hash256 = std::array<std::uint8_t, 32>;

/// Lower-case hex of a hash.
std::string to_hex(const hash256& h);

/// What the appender expects of a stream before its events are added.
struct expected_version {
  enum class kind { any, no_stream, exact };
  kind k = kind::any;
  std::uint32_t version = 0;

  static expected_version any() { return {kind::any, 0}; }
  static expected_version no_stream() { return {kind::no_stream, 0}; }
  static expected_version exact(std::uint32_t v) { return {kind::exact, v}; }
};

/// Events for one stream. Each event's `meta.stream` must equal `stream`; `seq` and
/// `version` are assigned by the log.
struct stream_append {
  std::string stream;
  expected_version expected;
  std::vector<events::recorded_event> events;
};

/// A side record (column family `idempotency`) written with an append, atomically:
/// a value puts, no value deletes.
struct record_write {
  std::string key;
  std::optional<std::string> value;
};

/// One atomic append: every stream's events and every record are committed, or none.
/// A request may carry only records.
struct append_request {
  std::vector<stream_append> streams;
  std::vector<record_write> records;
};

/// A committed append: its events with `seq` and `version` assigned, in seq order.
struct append_result {
  std::vector<events::recorded_event> events;
};

/// Called once per append with the result: ABORTED when an expected version did not
/// hold (nothing of the request was written), UNAVAILABLE when storage failed or the
/// log is closed (nothing written).
using append_callback = std::function<void(events::outcome<append_result>)>;

/// One append of a committed group, with its completion still to be called.
struct committed_append {
  events::outcome<append_result> result;
  append_callback done;
};

/// Receives each group commit, in seq order, on the writer thread, and takes over the
/// duty of calling every `done` (the dispatcher applies projections first).
using commit_handler = std::function<void(std::vector<committed_append>&&)>;

/// The stand-ins of quarantined events (`event_log::quarantine`), by seq.
using stand_in_map =
    std::map<std::uint64_t, std::shared_ptr<const events::recorded_event>>;

/// The quarantine records as the log read them when it opened (and since).
struct quarantine_set {
  stand_in_map stand_ins;
  /// Keys of quarantine records that do not decode (never chained, so damage or a hand
  /// edit): the log still opens, readers see those events as unreadable again, and
  /// `verify()` fails until they are quarantined again.
  std::vector<std::string> malformed;
};

/// An event as stored: its seq, its exact encoded bytes and its chain hash.
struct stored_event {
  std::uint64_t seq = 0;
  std::string bytes;
  hash256 hash{};
  /// Set when the event was quarantined (`event_log::quarantine`): the
  /// `log.quarantined` event that readers get instead of bytes that do not decode.
  std::shared_ptr<const events::recorded_event> stand_in;
};

/// The event of a stored record, as every reader must see it: its bytes decoded, or,
/// when they do not decode and the event was quarantined, its stand-in. A readable
/// event is never replaced, whatever a side record says. Errors: INTERNAL naming the
/// seq and (as far as it can be read) the type, with `details` {seq, type}.
events::outcome<events::recorded_event> decode(const stored_event& e);

class event_log;
/// Scans `[from, to]` like `event_log::scan`, handing each record with its event as
/// `decode` gives it to `visit(stored, event)` until it returns false (blocking). The
/// first event that does not decode ends the scan with `decode`'s error (naming its
/// seq and type).
events::outcome<void> scan_decoded(
    const event_log& log, std::uint64_t from, std::uint64_t to,
    const std::function<bool(const stored_event&, const events::recorded_event&)>& visit);

/// The head of the log.
struct log_head {
  std::uint64_t seq = 0; ///< last committed seq (0 = empty)
  hash256 hash{};        ///< chain hash after `seq`
  std::string log_id;    ///< random id fixed when the log was created
};

/// Result of re-checking the whole chain and decoding every event.
struct verify_report {
  bool ok = true;
  std::uint64_t events = 0;                   ///< events checked
  hash256 head_hash{};                        ///< recomputed head
  std::optional<std::uint64_t> first_bad_seq; ///< first seq whose hash/record is wrong
  std::string problem;                        ///< what was wrong, for people
  std::vector<std::uint64_t> quarantined;     ///< unreadable events set aside, in order
  bool undecodable = false; ///< the problem: `first_bad_seq` is intact but unreadable
};

class event_log {
 public:
  virtual ~event_log() = default;

  /// Queues an atomic append. `done` (or the commit handler) runs on the writer thread
  /// after the batch holding it was committed (synced under `durability::fsync`).
  virtual void append_async(append_request req, append_callback done) = 0;

  /// Appends and waits for the commit. Blocks: never call it on actor or io threads.
  events::outcome<append_result> append(append_request req);

  /// Installs the group-commit handler. Call before the first append.
  virtual void set_commit_handler(commit_handler handler) = 0;

  /// All events of `stream` in version order (empty when the stream does not exist).
  virtual events::outcome<std::vector<events::recorded_event>>
  read_stream(std::string_view stream) const = 0;

  /// Calls `visit` for every event with `from_seq <= seq <= to_seq`, in seq order,
  /// until it returns false. Reads what was committed when the scan started.
  virtual events::outcome<void>
  scan(std::uint64_t from_seq, std::uint64_t to_seq,
       const std::function<bool(const stored_event&)>& visit) const = 0;

  /// A side record by key (blocking read: never on actor or io threads).
  virtual events::outcome<std::optional<std::string>>
  read_record(std::string_view key) const = 0;

  /// Calls `visit(key, value)` for every side record until it returns false (blocking).
  events::outcome<void> scan_records(
      const std::function<bool(std::string_view, std::string_view)>& visit) const {
    return scan_records("", false, visit);
  }
  /// The same for the records whose key starts with `prefix`, in key order or (with
  /// `descending`) in reverse.
  virtual events::outcome<void> scan_records(
      std::string_view prefix, bool descending,
      const std::function<bool(std::string_view, std::string_view)>& visit) const = 0;

  /// The head as of the last commit.
  virtual log_head head() const = 0;

  /// Recomputes the hash chain from seq 1 and compares it with the stored hashes, the
  /// stored seqs and the stored head, and decodes every event: the first event that
  /// does not decode and was not quarantined is a failure, and so is a quarantine
  /// without its `log.quarantined` record in the chain, or of an event that decodes.
  virtual verify_report verify() const = 0;

  /// Sets the unreadable event at `seq` aside: appends a `log.quarantined` event to the
  /// `log` stream recording it (with `reason`, at `now`) and, atomically with it, the
  /// side record that makes readers see that event in its place. Its bytes stay, so the
  /// chain still verifies. Returns the stand-in.
  ///
  /// Only the event `verify()` names as the first unreadable one can be set aside (so
  /// the chain up to it is intact), and only when the stream index places it. What is
  /// lost with it (`events::log::cost_of_quarantining`) must be harmless, or accepted
  /// with `force`. Errors: NOT_FOUND (no such seq), CONFLICT (it is readable, not the
  /// first problem, or not harmless without `force`: the message says what would be
  /// lost), storage errors. Quarantining an event twice returns the first stand-in and
  /// writes nothing. Blocks (verifies the whole log, appends): run it offline.
  events::outcome<events::recorded_event> quarantine(std::uint64_t seq, std::string reason,
                                                     events::timestamp now,
                                                     bool force = false);

  /// Why appends are refused, if they are: after a failed write (disk full, I/O error)
  /// the log accepts no more appends until it is reopened, so nothing is half-written
  /// and nothing is written past a torn tail. Reads keep working.
  virtual std::optional<std::string> write_failure() const = 0;

  /// Drains queued appends, stops the writer, closes the store. Later appends fail with
  /// UNAVAILABLE. Idempotent.
  virtual void close() = 0;

 protected:
  /// The stream and version the stream index gives `seq` (nullopt: none), looking
  /// under `hint` (the stream the event says it is of) first. Blocking.
  virtual events::outcome<std::optional<std::pair<std::string, std::uint32_t>>>
  stream_position(std::uint64_t seq, std::string_view hint) const = 0;

  /// The quarantine records (shared with readers; replaced as a whole, never changed
  /// in place). Thread-safe.
  std::shared_ptr<const quarantine_set> quarantined() const;
  /// Reads every quarantine record; implementations call it when they open. A record
  /// that does not decode is set apart in `malformed`. Errors: storage errors.
  events::outcome<void> load_quarantined();

 private:
  mutable std::mutex quarantine_mu_;
  std::shared_ptr<const quarantine_set> quarantined_ = std::make_shared<quarantine_set>();
  std::mutex quarantining_; ///< one quarantine at a time
};

/// A verify report as JSON (`waitroom audit verify`, `GET /v1/audit/verify`):
/// `{ok, events, head_hash, quarantined}` and, when not ok, `first_bad_seq`, `problem`.
boost::json::object to_json(const verify_report& report);

/// Options of the RocksDB log.
struct rocksdb_options {
  durability mode = durability::fsync;
  bool read_only = false; ///< open beside a running server (no writer thread)
  bool create_if_missing = true;
};

/// Whether `dir` holds a RocksDB log (without opening it).
bool has_rocksdb_log(const std::filesystem::path& dir);

/// Opens (or creates) the RocksDB log in `dir`. Errors: UNAVAILABLE with the reason
/// (locked by another process, corrupt, unreadable, wrong format version).
events::outcome<std::unique_ptr<event_log>>
open_rocksdb_log(const std::filesystem::path& dir, const rocksdb_options& options);

/// Options of the log kept in NATS JetStream (`--nats`; docs/cluster.md).
struct jetstream_options {
  std::vector<std::string> servers; ///< `nats://host:port`, any of the cluster's
  std::string stream = "WAITROOM_LOG";
  std::int64_t replicas = 3; ///< of the stream, when `create` makes it
  /// Make the stream and its first message when there is none (`waitroom cluster init`);
  /// otherwise a missing stream is an error.
  bool create = false;
  bool read_only = false; ///< read beside the writer (audit, replay): no writer thread
  /// Follow what other writers append (`followed_log`) until `become_writer`: from
  /// when the commit handler is installed (what came before, the open read).
  bool follow = false;
  std::chrono::milliseconds timeout{5000}; ///< for each request to NATS
};

/// A cluster's log that this node follows (`jetstream_options::follow`): each group
/// another writer appends is applied to this node's copy and handed to the commit
/// handler (with a `done` that does nothing) in stream order; appends are refused
/// with UNAVAILABLE until the node becomes the writer.
class followed_log {
 public:
  /// Stops following, applies (and hands over) what the stream holds beyond what was
  /// applied, then appends as the writer after it. A writer that appends meanwhile
  /// wins: this one's first append is refused and it stops (`write_failure`). Errors:
  /// UNAVAILABLE when NATS cannot be read (it goes on following).
  virtual events::outcome<void> become_writer() = 0;
  virtual bool following() const = 0;
  /// Calls `fn` with this copy's head seq once it has applied the stream's message
  /// `stream_seq` (a sequence of JetStream's, e.g. the stream's last one when a read
  /// began): at once when it has, or when this node is the writer, or the copy is
  /// damaged or closed; otherwise on the follower's thread (`fn` must not block).
  virtual void when_applied(std::uint64_t stream_seq,
                            std::function<void(std::uint64_t)> fn) = 0;

 protected:
  ~followed_log() = default;
};

/// `log` as a followed log (a JetStream log opened with `follow`), or null.
followed_log* as_followed(event_log& log);

/// The `nats://` URLs of a comma-separated list (`--nats`).
std::vector<std::string> parse_nats_urls(std::string_view list);

/// Opens the log kept in a JetStream stream: reads all of it into memory (this node's
/// copy) and appends after its last message. Each group commit is one message published
/// with the previous message's stream sequence expected, so a writer that is not the
/// last to have appended is refused (its appends fail UNAVAILABLE and `write_failure`
/// says why) and the log never forks. Errors: UNAVAILABLE with the reason (no server
/// answers, no stream and not `create`, not a Waitroom log).
events::outcome<std::unique_ptr<event_log>>
open_jetstream_log(const jetstream_options& options);

/// An in-memory log with the same contract, for unit tests. Appends complete
/// synchronously on the calling thread (the "writer thread" is the caller).
std::unique_ptr<event_log> make_memory_log();

/// An event as auditors read it (audit endpoints, `waitroom audit export`): its JSON as
/// written, with its chain hash added as `"hash"`. A quarantined event shows its
/// stand-in, with the stored bytes as `"stored_base64"`.
std::string audit_json(const stored_event& e);

/// The chain step: SHA-256(prev || bytes).
hash256 chain_hash(const hash256& prev, std::string_view bytes);

/// SHA-256 of `bytes`.
hash256 sha256(std::string_view bytes);

} // namespace waitroom::storage
