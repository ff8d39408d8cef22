// The RocksDB event log: column families, the group-committing writer thread, reads and
// chain verification. See README.md for the on-disk layout.

#include "storage/append_queue.hpp"
#include "storage/event_log.hpp"
#include "storage/log_record.hpp"
#include "storage/writer_stats.hpp"

#include "events/codec.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace waitroom::storage {

namespace {

namespace rdb = ROCKSDB_NAMESPACE;

// NOTE: on-disk format. Column family names and their order in `column_families()`.
enum cf_index : std::size_t {
  cf_default,
  cf_log,
  cf_streams,
  cf_meta,
  cf_snapshots,
  cf_idempotency,
  cf_count
};
constexpr const char* cf_names[cf_count] = {"default", "log",       "streams",
                                            "meta",    "snapshots", "idempotency"};

// When the stream-version cache grows past this, it is dropped and refilled from the
// `streams` column family: memory stays flat however many streams exist.
constexpr std::size_t version_cache_limit = 200'000;

rdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

std::string_view view(const rdb::Slice& s) {
  return {s.data(), s.size()};
}

// `streams` keys are "<stream>\0<version>": the prefix up to and including the 0x00
// names the stream. Prefix bloom filters built on it let the writer's "current version
// of a stream" lookup (mostly for new streams, which have no key at all) skip tables.
// NOTE: the name is stored in table properties; a table written under another name just
// does not use its prefix filter.
class stream_prefix_transform final : public rdb::SliceTransform {
 public:
  const char* Name() const override { return "waitroom.stream_prefix.v1"; }
  rdb::Slice Transform(const rdb::Slice& key) const override {
    auto k = view(key);
    return slice(k.substr(0, k.find('\0') + 1));
  }
  bool InDomain(const rdb::Slice& key) const override {
    return view(key).find('\0') != std::string_view::npos;
  }
};

/// RocksDB's own diagnostics, warnings and worse, on stderr. Its default is a LOG file
/// in the data directory, which (1) grows without the operator seeing it and (2) on a
/// full disk fails, after which RocksDB 7.8 (built with assertions in Debian) aborts the
/// process at the next log line. Our log must survive a full disk: writes answer
/// UNAVAILABLE and reads go on.
class stderr_logger final : public rdb::Logger {
 public:
  stderr_logger()
      : rdb::Logger(rdb::InfoLogLevel::WARN_LEVEL) {}
  using rdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "rocksdb: %s\n", line);
  }
};

rdb::DBOptions db_options(const rocksdb_options& o) {
  rdb::DBOptions d;
  d.info_log = std::make_shared<stderr_logger>();
  d.create_if_missing = o.create_if_missing;
  d.create_missing_column_families = true;
  d.max_background_jobs = 2;  // the machine has 2 cores and the server needs them too
  d.bytes_per_sync = 1 << 20; // write table files back steadily, not in one burst
  // Keep every table file open. Besides saving table-cache misses, a read-only reader
  // beside a live writer then holds descriptors to files the writer's compactions
  // delete, so its reads keep working (POSIX keeps unlinked open files readable).
  d.max_open_files = -1;
  // After a crash, recover up to the last intact WAL record: the torn tail of a batch
  // that was never acknowledged is dropped, everything synced is kept.
  d.wal_recovery_mode = rdb::WALRecoveryMode::kPointInTimeRecovery;
  // `streams` and `meta` fill their memtables slowly; without a cap on the total WAL
  // size they would pin every WAL file forever (a long recovery at every open). Past
  // the cap RocksDB flushes the column families that hold the oldest WAL.
  d.max_total_wal_size = 64 << 20;
  // One writer thread writes every batch, so concurrent memtable inserts buy nothing,
  // and turning them off lets `log` use its insert hint (below).
  d.allow_concurrent_memtable_write = false;
  return d;
}

std::vector<rdb::ColumnFamilyDescriptor> column_families() {
  // One block cache for all column families: reads of recent events (replay, catch-up
  // of projections, read_stream) and of `streams` index blocks share it.
  auto cache = rdb::NewLRUCache(64 << 20);

  auto table = [&](std::size_t block_size, bool prefix_bloom) {
    rdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    t.block_size = block_size;
    if (prefix_bloom) {
      t.filter_policy.reset(rdb::NewBloomFilterPolicy(10));
      t.whole_key_filtering = false; // only prefix (stream) lookups, never point Gets
    }
    return std::shared_ptr<rdb::TableFactory>(rdb::NewBlockBasedTableFactory(t));
  };

  rdb::ColumnFamilyOptions base;
  base.table_factory = table(4 << 10, false);

  // `log`: append-only with ever-increasing keys, read by seq and by range. A large
  // memtable means fewer, larger flushes; 16 KiB blocks suit sequential scans and
  // compress JSON better. No filter: point reads are for keys that exist.
  rdb::ColumnFamilyOptions log = base;
  log.write_buffer_size = 64 << 20;
  log.table_factory = table(16 << 10, false);
  // Keys only grow: with one hint for the common 4-byte prefix of big-endian seqs,
  // each memtable insert starts where the previous one ended instead of searching the
  // skiplist from the top.
  log.memtable_insert_with_hint_prefix_extractor.reset(rdb::NewFixedPrefixTransform(4));

  // `streams`: small keys, read by stream prefix; prefix bloom in tables and memtable.
  rdb::ColumnFamilyOptions streams = base;
  streams.write_buffer_size = 32 << 20;
  streams.prefix_extractor = std::make_shared<stream_prefix_transform>();
  streams.memtable_prefix_bloom_size_ratio = 0.05;
  streams.table_factory = table(4 << 10, true);

  // `meta`: a few keys, the head overwritten by every batch.
  rdb::ColumnFamilyOptions meta = base;
  meta.write_buffer_size = 4 << 20;

  std::vector<rdb::ColumnFamilyDescriptor> cfs(cf_count);
  cfs[cf_default] = {cf_names[cf_default], base};
  cfs[cf_log] = {cf_names[cf_log], log};
  cfs[cf_streams] = {cf_names[cf_streams], streams};
  cfs[cf_meta] = {cf_names[cf_meta], meta};
  cfs[cf_snapshots] = {cf_names[cf_snapshots], base};
  cfs[cf_idempotency] = {cf_names[cf_idempotency], base};
  return cfs;
}

// Owns the DB and its column family handles (the handles must go first).
class rocks_store {
 public:
  rocks_store() = default;
  rocks_store(const rocks_store&) = delete;
  rocks_store& operator=(const rocks_store&) = delete;
  ~rocks_store() { (void)close(); }

  rdb::DB* db() const { return db_.get(); }
  rdb::ColumnFamilyHandle* cf(cf_index i) const { return cfs_[i].get(); }

  rdb::Status open(const std::filesystem::path& dir, const rocksdb_options& o) {
    std::vector<rdb::ColumnFamilyHandle*> handles;
    rdb::DB* raw = nullptr;
    rdb::Status s = o.read_only
                        ? rdb::DB::OpenForReadOnly(db_options(o), dir.string(),
                                                   column_families(), &handles, &raw)
                        : rdb::DB::Open(db_options(o), dir.string(), column_families(),
                                        &handles, &raw);
    db_.reset(raw);
    for (auto* h : handles)
      cfs_.emplace_back(h);
    if (s.ok() && cfs_.size() != cf_count)
      return rdb::Status::Corruption("unexpected number of column families");
    return s;
  }

  /// Flushes every column family's memtable to table files.
  rdb::Status flush_all() {
    if (!db_) return rdb::Status::OK();
    std::vector<rdb::ColumnFamilyHandle*> handles;
    for (auto& h : cfs_)
      handles.push_back(h.get());
    return db_->Flush(rdb::FlushOptions{}, handles);
  }

  rdb::Status close() {
    rdb::Status result;
    if (!db_) return result;
    for (auto& h : cfs_) {
      auto s = db_->DestroyColumnFamilyHandle(h.release());
      if (result.ok() && !s.ok()) result = s;
    }
    cfs_.clear();
    auto s = db_->Close();
    if (result.ok() && !s.ok()) result = s;
    db_.reset();
    return result;
  }

 private:
  std::unique_ptr<rdb::DB> db_;
  std::vector<std::unique_ptr<rdb::ColumnFamilyHandle>> cfs_;
};

events::error unavailable(const std::string& what, const rdb::Status& s) {
  return events::unavailable(what + ": " + s.ToString());
}

std::string head_hash_value(const hash256& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

std::optional<hash256> parse_hash(std::string_view v) {
  if (v.size() != 32) return std::nullopt;
  hash256 h{};
  for (std::size_t i = 0; i < h.size(); ++i)
    h[i] = static_cast<std::uint8_t>(v[i]);
  return h;
}

struct stored_meta {
  std::string log_id;
  std::uint64_t head_seq = 0;
  hash256 head_hash{};
};

// Reads (and, for a new writable log, creates) the `meta` entries.
events::outcome<stored_meta> load_meta(const rocks_store& store, bool read_only) {
  auto* db = store.db();
  auto* meta = store.cf(cf_meta);
  rdb::ReadOptions ro;
  std::string format;
  auto s = db->Get(ro, meta, slice(detail::meta_format_version), &format);
  if (s.IsNotFound()) {
    std::unique_ptr<rdb::Iterator> it{db->NewIterator(ro, store.cf(cf_log))};
    it->SeekToFirst();
    if (!it->status().ok()) return unavailable("cannot read the event log", it->status());
    if (it->Valid() || read_only)
      return events::unavailable("not a waitroom event log (no format_version)");
    stored_meta m{detail::make_log_id(), 0, {}};
    rdb::WriteBatch batch;
    rdb::WriteOptions wo;
    wo.sync = true;
    if (!(s = batch.Put(meta, slice(detail::meta_format_version),
                        slice(detail::current_format_version)))
             .ok() ||
        !(s = batch.Put(meta, slice(detail::meta_log_id), m.log_id)).ok() ||
        !(s = batch.Put(meta, slice(detail::meta_head_seq), detail::seq_key(0))).ok() ||
        !(s = batch.Put(meta, slice(detail::meta_head_hash),
                        head_hash_value(m.head_hash)))
             .ok() ||
        !(s = db->Write(wo, &batch)).ok())
      return unavailable("cannot initialise the event log", s);
    return m;
  }
  if (!s.ok()) return unavailable("cannot read the event log's format version", s);
  if (format != detail::current_format_version)
    return events::unavailable("unsupported event log format version \"" + format +
                               "\" (this build reads version " +
                               std::string(detail::current_format_version) + ")");
  stored_meta m;
  std::string seq;
  std::string hash;
  if (!(s = db->Get(ro, meta, slice(detail::meta_log_id), &m.log_id)).ok() ||
      !(s = db->Get(ro, meta, slice(detail::meta_head_seq), &seq)).ok() ||
      !(s = db->Get(ro, meta, slice(detail::meta_head_hash), &hash)).ok())
    return unavailable("cannot read the event log's head", s);
  auto head_seq = detail::get_be64(seq);
  auto head_hash = parse_hash(hash);
  if (!head_seq || !head_hash)
    return events::unavailable("the event log's stored head is malformed");
  m.head_seq = *head_seq;
  m.head_hash = *head_hash;
  return m;
}

// A queued append.
using pending_append = detail::append_queue::pending;

class rocksdb_log final : public event_log, public detail::writer_stats_source {
 public:
  rocksdb_log(std::unique_ptr<rocks_store> store, stored_meta meta,
              const rocksdb_options& o)
      : store_(std::move(store))
      , read_only_(o.read_only)
      , log_id_(std::move(meta.log_id))
      , head_{meta.head_seq, meta.head_hash}
      , published_{meta.head_seq, meta.head_hash} {
    write_options_.sync = o.mode == durability::fsync;
    if (!read_only_) {
      writer_ = std::thread([this] { run_writer(); });
      writer_id_ = writer_.get_id();
    }
  }

  ~rocksdb_log() override { close(); }

  /// What opening reads besides the head: the quarantine records.
  events::outcome<void> finish_open() { return load_quarantined(); }

  void append_async(append_request req, append_callback done) override {
    if (read_only_) {
      count_failed(1);
      done(events::unavailable("the event log is open read-only"));
      return;
    }
    if (queue_.push(req, done)) return;
    count_failed(1);
    done(events::unavailable("the event log is closed"));
  }

  void set_commit_handler(commit_handler handler) override {
    queue_.set_handler(std::move(handler));
  }

  events::outcome<std::vector<events::recorded_event>>
  read_stream(std::string_view stream) const override {
    std::shared_lock lock{store_mu_};
    if (!store_) return events::unavailable("the event log is closed");
    auto* db = store_->db();
    rdb::ManagedSnapshot snapshot{db};
    rdb::ReadOptions ro;
    ro.snapshot = snapshot.snapshot();
    ro.prefix_same_as_start = true;

    std::vector<std::uint64_t> seqs;
    const std::string prefix = detail::stream_prefix(stream);
    std::unique_ptr<rdb::Iterator> it{db->NewIterator(ro, store_->cf(cf_streams))};
    for (it->Seek(prefix); it->Valid() && view(it->key()).starts_with(prefix);
         it->Next()) {
      auto seq = detail::get_be64(view(it->value()));
      if (!seq)
        return events::internal_error("malformed stream index entry of " +
                                      std::string(stream));
      seqs.push_back(*seq);
    }
    if (!it->status().ok())
      return unavailable("cannot read stream " + std::string(stream), it->status());

    std::vector<events::recorded_event> out;
    out.reserve(seqs.size());
    auto stand_ins = quarantined();
    rdb::PinnableSlice value;
    for (std::uint64_t seq : seqs) {
      value.Reset();
      auto s = db->Get(ro, store_->cf(cf_log), detail::seq_key(seq), &value);
      if (s.IsNotFound())
        return events::internal_error("stream " + std::string(stream) +
                                      " refers to missing event " + std::to_string(seq));
      if (!s.ok()) return unavailable("cannot read event " + std::to_string(seq), s);
      auto event = detail::decode_record(view(value), seq, *stand_ins);
      if (!event) return std::move(event).error();
      out.push_back(std::move(*event));
    }
    return out;
  }

  // NOTE: holds a shared lock on the store while `visit` runs: `visit` must not call
  // close().
  events::outcome<void>
  scan(std::uint64_t from_seq, std::uint64_t to_seq,
       const std::function<bool(const stored_event&)>& visit) const override {
    std::shared_lock lock{store_mu_};
    if (!store_) return events::unavailable("the event log is closed");
    from_seq = std::max<std::uint64_t>(from_seq, 1);
    if (to_seq < from_seq) return {};
    rdb::ReadOptions ro; // the iterator reads from an implicit snapshot
    std::string upper;
    rdb::Slice upper_slice;
    if (to_seq < std::numeric_limits<std::uint64_t>::max()) {
      upper = detail::seq_key(to_seq + 1);
      upper_slice = upper;
      ro.iterate_upper_bound = &upper_slice;
    }
    std::unique_ptr<rdb::Iterator> it{store_->db()->NewIterator(ro, store_->cf(cf_log))};
    stored_event ev;
    auto stand_ins = quarantined();
    for (it->Seek(detail::seq_key(from_seq)); it->Valid(); it->Next()) {
      auto seq = detail::get_be64(view(it->key()));
      auto record = detail::parse_record(view(it->value()));
      if (!seq || !record)
        return events::internal_error("malformed log record after seq " +
                                      std::to_string(ev.seq));
      ev.seq = *seq;
      ev.bytes.assign(record->bytes);
      ev.hash = record->hash;
      ev.stand_in = detail::stand_in_of(*stand_ins, ev.seq);
      if (!visit(ev)) return {};
    }
    if (!it->status().ok()) return unavailable("cannot scan the event log", it->status());
    return {};
  }

  log_head head() const override {
    std::lock_guard lock{head_mu_};
    return {published_.seq, published_.hash, log_id_};
  }

  events::outcome<std::optional<std::string>>
  read_record(std::string_view key) const override {
    std::shared_lock lock{store_mu_};
    if (!store_) return events::unavailable("the event log is closed");
    std::string value;
    auto s = store_->db()->Get(rdb::ReadOptions{}, store_->cf(cf_idempotency),
                               rdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return unavailable("cannot read a record", s);
    return std::optional<std::string>(std::move(value));
  }

  events::outcome<void>
  scan_records(std::string_view prefix, bool descending,
               const std::function<bool(std::string_view, std::string_view)>& visit)
      const override {
    std::shared_lock lock{store_mu_};
    if (!store_) return events::unavailable("the event log is closed");
    std::unique_ptr<rdb::Iterator> it{
        store_->db()->NewIterator(rdb::ReadOptions{}, store_->cf(cf_idempotency))};
    if (!descending) {
      it->Seek(rdb::Slice(prefix.data(), prefix.size()));
    } else {
      // the last key with the prefix: just before the first key past every such key
      std::string past(prefix);
      while (!past.empty() && static_cast<unsigned char>(past.back()) == 0xff)
        past.pop_back();
      if (past.empty()) {
        it->SeekToLast();
      } else {
        past.back() = static_cast<char>(static_cast<unsigned char>(past.back()) + 1);
        it->SeekForPrev(rdb::Slice(past.data(), past.size()));
        if (it->Valid() && view(it->key()) == past) it->Prev();
      }
    }
    for (; it->Valid() && view(it->key()).starts_with(prefix);
         descending ? it->Prev() : it->Next())
      if (!visit(view(it->key()), view(it->value()))) break;
    if (!it->status().ok()) return unavailable("cannot scan records", it->status());
    return {};
  }

  std::optional<std::string> write_failure() const override {
    std::lock_guard lock{head_mu_};
    return write_failure_;
  }

  verify_report verify() const override {
    std::shared_lock lock{store_mu_};
    detail::chain_verifier verifier(quarantined());
    if (!store_) {
      verifier.corrupt("the event log is closed");
      return verifier.finish(std::nullopt, std::nullopt);
    }
    auto* db = store_->db();
    rdb::ManagedSnapshot snapshot{db};
    rdb::ReadOptions ro;
    ro.snapshot = snapshot.snapshot();
    ro.fill_cache = false; // one pass over everything: do not evict the hot set
    std::unique_ptr<rdb::Iterator> it{db->NewIterator(ro, store_->cf(cf_log))};
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto seq = detail::get_be64(view(it->key()));
      if (!seq) {
        verifier.corrupt("a log key is not 8 bytes long");
        break;
      }
      if (!verifier.feed(*seq, view(it->value()))) break;
    }
    if (!it->status().ok())
      verifier.corrupt("cannot read the event log: " + it->status().ToString());

    std::string seq_value;
    std::string hash_value;
    std::optional<std::uint64_t> head_seq;
    std::optional<hash256> head_hash;
    if (db->Get(ro, store_->cf(cf_meta), slice(detail::meta_head_seq), &seq_value).ok())
      head_seq = detail::get_be64(seq_value);
    if (db->Get(ro, store_->cf(cf_meta), slice(detail::meta_head_hash), &hash_value).ok())
      head_hash = parse_hash(hash_value);
    return verifier.finish(head_seq, head_hash);
  }

  void close() override {
    queue_.close();
    // From a completion (on the writer thread) the writer cannot be joined: stop
    // accepting now; a later close() or the destructor finishes on another thread.
    if (std::this_thread::get_id() == writer_id_) return;
    std::lock_guard closing{close_mu_};
    if (writer_.joinable()) writer_.join(); // it drains the queue first
    std::unique_lock lock{store_mu_};
    if (!store_) return;
    // Under `durability::none` the WAL may still sit in OS buffers: a clean close
    // makes it durable. A failure here cannot be reported to anyone; a later open
    // recovers whatever reached the disk.
    // After a failed write RocksDB must not be asked to write again (it asserts).
    bool healthy = !read_only_ && !write_failure();
    if (healthy && !write_options_.sync) (void)store_->db()->SyncWAL();
    // Flush the memtables so that the next open has no WAL to replay.
    if (healthy) (void)store_->flush_all();
    (void)store_->close();
    store_.reset();
  }

  writer_stats stats() const override {
    return {batches_.load(std::memory_order_relaxed),
            committed_.load(std::memory_order_relaxed),
            failed_.load(std::memory_order_relaxed)};
  }

 protected:
  // The hinted stream's entries, then (offline use: `quarantine`) the whole index.
  events::outcome<std::optional<std::pair<std::string, std::uint32_t>>>
  stream_position(std::uint64_t seq, std::string_view hint) const override {
    using position = std::optional<std::pair<std::string, std::uint32_t>>;
    std::shared_lock lock{store_mu_};
    if (!store_) return events::unavailable("the event log is closed");
    auto search = [&](std::string_view prefix) -> events::outcome<position> {
      rdb::ReadOptions ro;
      ro.total_order_seek = prefix.empty(); // the whole index, across stream prefixes
      ro.prefix_same_as_start = !prefix.empty();
      std::unique_ptr<rdb::Iterator> it{
          store_->db()->NewIterator(ro, store_->cf(cf_streams))};
      for (it->Seek(slice(prefix)); it->Valid() && view(it->key()).starts_with(prefix);
           it->Next()) {
        if (detail::get_be64(view(it->value())) != seq) continue;
        auto key = view(it->key());
        auto nul = key.find('\0');
        auto version = nul == std::string_view::npos
                           ? std::nullopt
                           : detail::get_be32(key.substr(nul + 1));
        if (!version) return events::internal_error("malformed stream index key");
        return position(std::pair(std::string(key.substr(0, nul)), *version));
      }
      if (!it->status().ok())
        return unavailable("cannot read the stream index", it->status());
      return position();
    };
    if (detail::is_valid_stream_id(hint)) {
      auto found = search(detail::stream_prefix(hint));
      if (!found || *found) return found;
    }
    return search("");
  }

 private:
  void count_failed(std::uint64_t n) { failed_.fetch_add(n, std::memory_order_relaxed); }

  void run_writer() {
    std::deque<pending_append> batch;
    commit_handler handler;
    while (queue_.take(batch, handler)) { // until closing and drained
      commit(batch, handler);
      batch.clear();
    }
  }

  // Current version of `stream` as stored (cache, then the `streams` column family).
  events::outcome<std::uint32_t> stored_version(const std::string& stream) {
    if (auto it = version_cache_.find(stream); it != version_cache_.end())
      return it->second;
    rdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rdb::Iterator> it{
        store_->db()->NewIterator(ro, store_->cf(cf_streams))};
    const std::string prefix = detail::stream_prefix(stream);
    it->SeekForPrev(
        detail::stream_key(stream, std::numeric_limits<std::uint32_t>::max()));
    if (!it->status().ok())
      return unavailable("cannot read the version of stream " + stream, it->status());
    if (it->Valid()) {
      auto key = view(it->key());
      if (key.starts_with(prefix)) {
        auto version = detail::get_be32(key.substr(prefix.size()));
        if (!version)
          return events::internal_error("malformed stream index key of " + stream);
        return *version;
      }
    }
    return 0u;
  }

  // One group commit: check and number every request in queue order, write everything
  // that passed in one WriteBatch, then hand the group over.
  void commit(std::deque<pending_append>& batch, const commit_handler& handler) {
    std::vector<committed_append> group;
    group.reserve(batch.size());
    rdb::WriteBatch wb;
    rdb::Status put;
    detail::chain_position pos = head_;
    // Versions written by earlier requests of this group (not yet in the store).
    std::unordered_map<std::string, std::uint32_t> group_versions;
    auto lookup = [&](const std::string& stream) -> events::outcome<std::uint32_t> {
      if (auto it = group_versions.find(stream); it != group_versions.end())
        return it->second;
      return stored_version(stream);
    };

    std::size_t planned = 0;
    for (auto& p : batch) {
      auto records = std::move(p.request.records);
      auto plan = detail::plan_append(std::move(p.request), pos, lookup);
      if (!plan) {
        group.push_back({std::move(plan).error(), std::move(p.done)});
        continue;
      }
      for (const auto& r : records) {
        if (!put.ok()) break;
        put = r.value ? wb.Put(store_->cf(cf_idempotency), r.key, *r.value)
                      : wb.Delete(store_->cf(cf_idempotency), r.key);
      }
      for (const auto& w : plan->writes) {
        std::string seq = detail::seq_key(w.seq);
        if (put.ok()) put = wb.Put(store_->cf(cf_log), seq, w.record);
        if (put.ok())
          put = wb.Put(store_->cf(cf_streams), detail::stream_key(w.stream, w.version),
                       seq);
      }
      for (auto& [stream, version] : plan->heads)
        group_versions[stream] = version;
      group.push_back({std::move(plan->result), std::move(p.done)});
      ++planned;
    }

    if (planned > 0) {
      if (put.ok())
        put = wb.Put(store_->cf(cf_meta), slice(detail::meta_head_seq),
                     detail::seq_key(pos.seq));
      if (put.ok())
        put = wb.Put(store_->cf(cf_meta), slice(detail::meta_head_hash),
                     head_hash_value(pos.hash));
      std::optional<std::string> failure;
      {
        std::lock_guard lock{head_mu_};
        failure = write_failure_;
      }
      rdb::Status s =
          failure ? rdb::Status::IOError("writes are stopped after an earlier failure: " +
                                         *failure)
          : put.ok() ? store_->db()->Write(write_options_, &wb)
                     : put;
      if (!s.ok() && !failure && put.ok()) {
        std::lock_guard lock{head_mu_};
        write_failure_ = s.ToString();
      }
      if (s.ok()) {
        head_ = pos;
        if (version_cache_.size() + group_versions.size() > version_cache_limit)
          version_cache_.clear();
        for (auto& [stream, version] : group_versions)
          version_cache_.insert_or_assign(stream, version);
        {
          std::lock_guard lock{head_mu_};
          published_ = pos;
        }
        batches_.fetch_add(1, std::memory_order_relaxed);
        committed_.fetch_add(planned, std::memory_order_relaxed);
        count_failed(group.size() - planned);
      } else {
        // Nothing was written: `head_` and the cache still hold the pre-group state.
        // Every request fails, including conflicts that an earlier request of this
        // group may have caused.
        auto error = unavailable("cannot write to the event log", s);
        for (auto& c : group)
          c.result = error;
        count_failed(group.size());
      }
    } else {
      count_failed(group.size());
    }

    if (handler) {
      handler(std::move(group));
    } else {
      for (auto& c : group)
        c.done(std::move(c.result));
    }
  }

  // The store; shared for reads, exclusive to close it. Null once closed.
  mutable std::shared_mutex store_mu_;
  std::unique_ptr<rocks_store> store_;
  const bool read_only_;
  const std::string log_id_;
  rdb::WriteOptions write_options_;

  detail::append_queue queue_;

  // Writer-thread state.
  detail::chain_position head_;
  std::unordered_map<std::string, std::uint32_t> version_cache_;

  // The head as seen by readers.
  mutable std::mutex head_mu_;
  detail::chain_position published_;
  /// Set by the writer after a failed write; every later group fails without touching
  /// RocksDB (which refuses, or asserts on, writes after an I/O error on its WAL).
  std::optional<std::string> write_failure_;

  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<std::uint64_t> failed_{0};

  std::mutex close_mu_;
  std::thread writer_; // started once everything above exists
  std::thread::id writer_id_;
};

} // namespace

bool has_rocksdb_log(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "CURRENT", ec);
}

events::outcome<std::unique_ptr<event_log>>
open_rocksdb_log(const std::filesystem::path& dir, const rocksdb_options& options) {
  std::error_code ec;
  if (options.create_if_missing && !options.read_only) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return events::unavailable("cannot create " + dir.string() + ": " + ec.message());
  } else if (!has_rocksdb_log(dir)) {
    // Checked here because RocksDB creates the directory and its info LOG even when it
    // then fails for want of a database.
    return events::unavailable("no event log in " + dir.string());
  }
  auto store = std::make_unique<rocks_store>();
  // A read-only open beside a live writer can race with it replacing the MANIFEST or
  // removing an old WAL; such a failure goes away when retried.
  rdb::Status s;
  for (int attempt = 0; attempt < (options.read_only ? 3 : 1); ++attempt) {
    if ((s = store->open(dir, options)).ok()) break;
    (void)store->close();
  }
  if (!s.ok()) return unavailable("cannot open the event log in " + dir.string(), s);

  auto meta = load_meta(*store, options.read_only);
  if (!meta) return std::move(meta).error();

  if (!options.read_only) {
    // The last event and the stored head are written in the same batch; if they
    // disagree, appending would continue a chain nobody can check.
    std::unique_ptr<rdb::Iterator> it{
        store->db()->NewIterator(rdb::ReadOptions{}, store->cf(cf_log))};
    it->SeekToLast();
    if (!it->status().ok()) return unavailable("cannot read the event log", it->status());
    std::uint64_t last = 0;
    if (it->Valid()) {
      auto seq = detail::get_be64(view(it->key()));
      if (!seq) return events::unavailable("the event log holds a malformed key");
      last = *seq;
    }
    if (last != meta->head_seq)
      return events::unavailable("the event log ends at seq " + std::to_string(last) +
                                 " but its stored head is " +
                                 std::to_string(meta->head_seq) + "; run audit verify");
  }
  auto log = std::make_unique<rocksdb_log>(std::move(store), std::move(*meta), options);
  if (auto loaded = log->finish_open(); !loaded) return std::move(loaded).error();
  return std::unique_ptr<event_log>(std::move(log));
}

} // namespace waitroom::storage
