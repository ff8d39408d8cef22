// The event log kept in a NATS JetStream stream (`--nats`, docs/cluster.md): the same
// contract, record format and chain as the RocksDB log, with a replicated stream as the
// store. nats.c stays in this file.
//
// NOTE: storage format. The stream (`jetstream_options::stream`, file storage, deletes
// and purges denied) holds, on subject `<stream>.genesis`, one first message
// "WL1" + log id (published with "no message on this subject yet", so two concurrent
// `cluster init`s make one), then on `<stream>.group` one message per group commit
// (`encode_group`): its events' records, exactly the bytes RocksDB stores under their
// seq, with their seq, stream and version, and its side records. Each group is
// published with `Nats-Expected-Last-Sequence` = the stream sequence of the message
// before it: a writer that is not the last one to have appended is refused (ABORTED
// by JetStream, UNAVAILABLE here) and the log never forks. `Nats-Msg-Id` is unique
// per writer and group (a random id of this open, a counter), so a publish retried
// after a lost answer is stored once, and never taken for another writer's message.
//
// Every open reads the whole stream into a `memory_index` (this node's copy; reads
// never go to NATS), then appends after the last message.

#include "storage/append_queue.hpp"
#include "storage/event_log.hpp"
#include "storage/log_record.hpp"
#include "storage/memory_index.hpp"
#include "storage/writer_stats.hpp"

#include "storage/nats_link.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace waitroom::storage {

namespace {

using detail::nats_link;
using detail::nats_text;

constexpr std::string_view genesis_magic = "WL1";
constexpr char group_format = 0x01;
/// A group's message stays below NATS's default max_payload (1 MiB).
constexpr std::size_t max_group_bytes = 768 * 1024;
constexpr auto duplicate_window = std::chrono::minutes(10);
/// How long a publish whose answer was lost is retried before the log stops writing:
/// past the longest JetStream election measured on loopback (20 s, killing the
/// stream's leader in tests/storage/jetstream_log_test.cpp).
constexpr auto publish_retry_limit = std::chrono::seconds(60);

void put_bytes(std::string& out, std::string_view bytes) {
  detail::put_be32(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}

/// Reads the encoded fields of a group message, front to back.
class reader {
 public:
  explicit reader(std::string_view in)
      : in_(in) {}
  std::optional<std::uint64_t> u64() { return fixed<std::uint64_t>(8); }
  std::optional<std::uint32_t> u32() { return fixed<std::uint32_t>(4); }
  std::optional<std::uint8_t> u8() {
    if (in_.empty()) return std::nullopt;
    auto v = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  std::optional<std::string_view> bytes() {
    auto n = u32();
    if (!n || *n > in_.size()) return std::nullopt;
    auto v = in_.substr(0, *n);
    in_.remove_prefix(*n);
    return v;
  }
  bool done() const { return in_.empty(); }

 private:
  template <class T>
  std::optional<T> fixed(std::size_t n) {
    if (in_.size() < n) return std::nullopt;
    T v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v = static_cast<T>((v << 8) | static_cast<unsigned char>(in_[i]));
    in_.remove_prefix(n);
    return v;
  }
  std::string_view in_;
};

/// One group as stored.
struct group {
  std::vector<detail::planned_write> writes;
  std::vector<record_write> records;
};

std::string encode_group(const std::vector<detail::planned_write>& writes,
                         const std::vector<record_write>& records) {
  std::string out(1, group_format);
  detail::put_be32(out, static_cast<std::uint32_t>(writes.size()));
  for (const auto& w : writes) {
    detail::put_be64(out, w.seq);
    detail::put_be32(out, w.version);
    put_bytes(out, w.stream);
    put_bytes(out, w.record);
  }
  detail::put_be32(out, static_cast<std::uint32_t>(records.size()));
  for (const auto& r : records) {
    put_bytes(out, r.key);
    out += r.value ? '\x01' : '\x00';
    put_bytes(out, r.value ? std::string_view(*r.value) : std::string_view());
  }
  return out;
}

std::optional<group> decode_group(std::string_view in) {
  reader r(in);
  if (r.u8() != static_cast<std::uint8_t>(group_format)) return std::nullopt;
  group g;
  auto n = r.u32();
  if (!n) return std::nullopt;
  for (std::uint32_t i = 0; i < *n; ++i) {
    auto seq = r.u64();
    auto version = r.u32();
    auto stream = r.bytes();
    auto record = r.bytes();
    if (!seq || !version || !stream || !record) return std::nullopt;
    g.writes.push_back({*seq, *version, std::string(*stream), std::string(*record)});
  }
  auto m = r.u32();
  if (!m) return std::nullopt;
  for (std::uint32_t i = 0; i < *m; ++i) {
    auto key = r.bytes();
    auto has = r.u8();
    auto value = r.bytes();
    if (!key || !has || *has > 1 || !value) return std::nullopt;
    g.records.push_back({std::string(*key),
                         *has == 1 ? std::optional<std::string>(*value) : std::nullopt});
  }
  if (!r.done()) return std::nullopt;
  return g;
}

/// A message read from the stream (owned).
struct message {
  natsMsg* m = nullptr;
  ~message() {
    if (m != nullptr) natsMsg_Destroy(m);
  }
  std::string_view data() const {
    return {natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m))};
  }
  std::string_view subject() const { return natsMsg_GetSubject(m); }
};

class jetstream_log final : public detail::indexed_log,
                            public followed_log,
                            public detail::writer_stats_source {
 public:
  jetstream_log(jetstream_options options, std::unique_ptr<nats_link> link)
      : options_(std::move(options))
      , link_(std::move(link))
      , genesis_subject_(options_.stream + ".genesis")
      , group_subject_(options_.stream + ".group")
      , following_(options_.follow) {}

  ~jetstream_log() override { close(); }

  /// Finds (or, with `create`, makes) the stream and reads it into the index.
  events::outcome<void> open() {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s =
        js_GetStreamInfo(&si, link_->js(), options_.stream.c_str(), nullptr, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
      if (!options_.create)
        return events::unavailable("JetStream has no stream " + options_.stream +
                                   ": run `waitroom cluster init` first");
      if (auto made = create_stream(); !made) return made;
      s = js_GetStreamInfo(&si, link_->js(), options_.stream.c_str(), nullptr, &jerr);
    }
    if (s != NATS_OK)
      return events::unavailable("cannot read stream " + options_.stream + ": " +
                                 nats_text(s, jerr));
    std::uint64_t last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    if (last == 0 && options_.create) {
      if (auto made = publish_genesis(); !made) return made;
      last = 1; // ours, or another init's: read below
    }
    if (last == 0)
      return events::unavailable("stream " + options_.stream +
                                 " is empty: run `waitroom cluster init` first");
    if (auto read = read_through(last, false); !read) return read;
    release_applied_waiters(false); // none yet: notes what is applied
    if (auto q = load_quarantined(); !q) return q;
    if (!options_.follow && !options_.read_only)
      writer_ = std::thread([this] { run_writer(); });
    return {};
  }

  bool following() const override { return following_.load(); }

  void when_applied(std::uint64_t stream_seq,
                    std::function<void(std::uint64_t)> fn) override {
    {
      std::lock_guard lock{applied_mu_};
      if (following_ && !applied_closed_ && applied_js_seq_ < stream_seq) {
        applied_waiters_.emplace(stream_seq, std::move(fn));
        return;
      }
    }
    fn(index_.head().seq);
  }

  events::outcome<void> become_writer() override {
    std::lock_guard closing{close_mu_};
    if (!following_) return {};
    stop_following_ = true;
    if (follower_.joinable()) follower_.join();
    auto last = stream_last();
    if (!last) {
      stop_following_ = false; // follow on
      follower_ = std::thread([this] { run_follower(); });
      return std::move(last).error();
    }
    if (auto read = read_through(*last, true); !read) {
      stop_following_ = false; // NATS failed mid-way: follow on from where it got
      follower_ = std::thread([this] { run_follower(); });
      return read;
    }
    following_ = false;
    release_applied_waiters(false);
    writer_ = std::thread([this] { run_writer(); });
    return {};
  }

  void append_async(append_request req, append_callback done) override {
    if (options_.read_only || following_) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      done(events::unavailable(options_.read_only
                                   ? "the event log is open read-only"
                                   : "this node follows the log: it is not its writer"));
      return;
    }
    if (queue_.push(req, done)) return;
    failed_.fetch_add(1, std::memory_order_relaxed);
    done(events::unavailable("the event log is closed"));
  }

  void set_commit_handler(commit_handler handler) override {
    const bool installed = handler != nullptr;
    queue_.set_handler(std::move(handler));
    // A follower starts applying once someone folds what it applies: what came
    // before was read by the open, and whoever installs the handler has seen that.
    std::lock_guard closing{close_mu_};
    if (installed && following_ && !stop_following_ && !follower_.joinable())
      follower_ = std::thread([this] { run_follower(); });
  }

  std::optional<std::string> write_failure() const override {
    std::lock_guard lock{failure_mu_};
    return write_failure_;
  }

  void close() override {
    queue_.close();
    if (std::this_thread::get_id() == writer_id_) return; // from a completion
    std::lock_guard closing{close_mu_};
    stop_following_ = true;
    if (follower_.joinable()) follower_.join();
    if (writer_.joinable()) writer_.join(); // it drains the queue first
    release_applied_waiters(true);
    closed_ = true;
  }

  writer_stats stats() const override {
    return {batches_.load(std::memory_order_relaxed),
            committed_.load(std::memory_order_relaxed),
            failed_.load(std::memory_order_relaxed)};
  }

 protected:
  std::optional<std::string> damage() const override {
    std::lock_guard lock{failure_mu_};
    return damage_;
  }

 private:
  using pending_append = detail::append_queue::pending;

  /// Calls the `when_applied` waiters that are due: those of applied messages, or
  /// (`all`) every one, for good (closing).
  void release_applied_waiters(bool all) {
    std::vector<std::function<void(std::uint64_t)>> due;
    {
      std::lock_guard lock{applied_mu_};
      applied_js_seq_ = last_js_seq_;
      if (all) applied_closed_ = true;
      const bool everyone = all || !following_ || damage_seen_;
      auto end = everyone ? applied_waiters_.end()
                          : applied_waiters_.upper_bound(applied_js_seq_);
      for (auto it = applied_waiters_.begin(); it != end; ++it)
        due.push_back(std::move(it->second));
      applied_waiters_.erase(applied_waiters_.begin(), end);
    }
    const auto head = index_.head().seq;
    for (auto& fn : due)
      fn(head);
  }

  bool is_damaged() const {
    std::lock_guard lock{failure_mu_};
    return damage_.has_value();
  }

  events::outcome<void> create_stream() {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const std::string subjects = options_.stream + ".*";
    const char* list[] = {subjects.c_str()};
    cfg.Name = options_.stream.c_str();
    cfg.Description = "Waitroom event log";
    cfg.Subjects = list;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Replicas = options_.replicas;
    cfg.Duplicates =
        std::chrono::duration_cast<std::chrono::nanoseconds>(duplicate_window).count();
    cfg.DenyDelete = true;
    cfg.DenyPurge = true;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&si, link_->js(), &cfg, nullptr, &jerr);
    if (si != nullptr) jsStreamInfo_Destroy(si);
    if (s != NATS_OK && jerr != JSStreamNameExistErr)
      return events::unavailable("cannot create stream " + options_.stream + ": " +
                                 nats_text(s, jerr));
    return {};
  }

  /// The first message: the log id. Refused when there is one already (a concurrent
  /// init won): the one stored is read back either way.
  events::outcome<void> publish_genesis() {
    std::string body(genesis_magic);
    body += detail::make_log_id();
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.ExpectNoMessage = true;
    jsPubAck* pa = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&pa, link_->js(), genesis_subject_.c_str(), body.data(),
                              static_cast<int>(body.size()), &po, &jerr);
    if (pa != nullptr) jsPubAck_Destroy(pa);
    if (s != NATS_OK && jerr != JSStreamWrongLastSequenceErr)
      return events::unavailable("cannot write the log's first message: " +
                                 nats_text(s, jerr));
    return {};
  }

  events::outcome<std::unique_ptr<message>> get(std::uint64_t js_seq) const {
    auto msg = std::make_unique<message>();
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s =
        js_GetMsg(&msg->m, link_->js(), options_.stream.c_str(), js_seq, nullptr, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
      return std::unique_ptr<message>();
    if (s != NATS_OK)
      return events::unavailable("cannot read message " + std::to_string(js_seq) +
                                 " of stream " + options_.stream + ": " +
                                 nats_text(s, jerr));
    return msg;
  }

  /// The stream's last sequence now.
  events::outcome<std::uint64_t> stream_last() const {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s =
        js_GetStreamInfo(&si, link_->js(), options_.stream.c_str(), nullptr, &jerr);
    if (s != NATS_OK)
      return events::unavailable("cannot read stream " + options_.stream + ": " +
                                 nats_text(s, jerr));
    const auto last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    return last;
  }

  /// Damage found while reading: reading stops there, `verify` reports it and nothing
  /// more is appended.
  void damaged(std::string problem) {
    {
      std::lock_guard lock{failure_mu_};
      damage_ = std::move(problem);
      write_failure_ =
          "the log in stream " + options_.stream + " is damaged: " + *damage_;
    }
    {
      std::lock_guard lock{applied_mu_};
      damage_seen_ = true; // it will apply nothing more: nobody waits for it
    }
    release_applied_waiters(false);
  }

  /// Applies message `js_seq` (the next one) to the index; with `notify`, hands its
  /// events to the commit handler as one committed group (a follower's projections
  /// fold them). False once damage stopped the reading.
  bool apply_message(std::uint64_t js_seq, const message* m, bool notify) {
    if (is_damaged()) return false;
    if (m == nullptr) {
      damaged("message " + std::to_string(js_seq) +
              " of the stream is missing (deleted)");
      return false;
    }
    auto g = m->subject() == group_subject_ ? decode_group(m->data()) : std::nullopt;
    if (!g) {
      damaged("message " + std::to_string(js_seq) +
              " of the stream is not a group of the log");
      return false;
    }
    auto pos = index_.head();
    for (const auto& w : g->writes) {
      auto record = detail::parse_record(w.record);
      if (w.seq != pos.seq + 1 || !record) {
        damaged("message " + std::to_string(js_seq) + " holds seq " +
                std::to_string(w.seq) + " where seq " + std::to_string(pos.seq + 1) +
                " was due");
        return false;
      }
      pos.seq = w.seq;
      pos.hash = record->hash;
    }
    append_result committed;
    if (notify) {
      auto q = quarantined();
      for (const auto& w : g->writes) {
        auto e = detail::decode_record(w.record, w.seq, *q);
        if (!e) {
          damaged(e.error().message);
          return false;
        }
        committed.events.push_back(std::move(*e));
      }
    }
    index_.apply(std::move(g->writes), std::move(g->records), pos);
    last_js_seq_ = js_seq;
    if (notify && !committed.events.empty()) {
      auto handler = queue_.handler();
      std::vector<committed_append> group;
      group.push_back({std::move(committed), [](events::outcome<append_result>) {}});
      if (handler) handler(std::move(group));
    }
    if (notify) release_applied_waiters(false);
    return true;
  }

  /// Reads messages after the last applied one through `last` (with `notify`, handing
  /// each group to the commit handler).
  events::outcome<void> read_through(std::uint64_t last, bool notify) {
    for (std::uint64_t js_seq = last_js_seq_ + 1; js_seq <= last; ++js_seq) {
      auto msg = get(js_seq);
      if (!msg) return std::move(msg).error();
      if (js_seq == 1) {
        const auto* m = msg->get();
        if (m == nullptr || m->subject() != genesis_subject_ ||
            !m->data().starts_with(genesis_magic))
          return events::unavailable("stream " + options_.stream +
                                     " does not start with a Waitroom log");
        log_id_ = std::string(m->data().substr(genesis_magic.size()));
        last_js_seq_ = 1;
        continue;
      }
      if (!apply_message(js_seq, msg->get(), notify)) break;
    }
    return {};
  }

  /// A follower: applies each group other writers append, as it is stored, until
  /// `become_writer` (an ordered consumer: JetStream redelivers from where it was after
  /// a reconnect).
  void run_follower() {
    natsSubscription* sub = nullptr;
    auto subscribe = [&] {
      jsSubOptions so;
      jsSubOptions_Init(&so);
      so.Stream = options_.stream.c_str();
      so.Ordered = true;
      so.Config.DeliverPolicy = js_DeliverByStartSequence;
      so.Config.OptStartSeq = last_js_seq_ + 1;
      jsErrCode jerr = static_cast<jsErrCode>(0);
      return js_SubscribeSync(&sub, link_->js(), group_subject_.c_str(), nullptr, &so,
                              &jerr) == NATS_OK;
    };
    while (!stop_following_ && !subscribe())
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    while (!stop_following_ && !is_damaged()) {
      natsMsg* raw = nullptr;
      if (natsSubscription_NextMsg(&raw, sub, 100) != NATS_OK) continue;
      message m{raw};
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, raw) != NATS_OK) continue;
      const auto js_seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
      if (js_seq <= last_js_seq_) continue; // had it already
      if (js_seq != last_js_seq_ + 1) {
        // a message between is not a group (or is gone): look at it
        auto between = get(last_js_seq_ + 1);
        if (!between) continue;
        if (!apply_message(last_js_seq_ + 1, between->get(), true)) break;
        if (js_seq != last_js_seq_ + 1) continue;
      }
      apply_message(js_seq, &m, true);
    }
    if (sub != nullptr) natsSubscription_Destroy(sub);
  }

  void run_writer() {
    writer_id_ = std::this_thread::get_id(); // atomic: close() may look from any thread
    std::deque<pending_append> batch;
    commit_handler handler;
    while (queue_.take(batch, handler)) // until closing and drained
      commit(batch, handler);
  }

  /// One group commit: checks and numbers requests from the front of `batch` (in
  /// order, until the message holds `max_group_bytes`: one request more at most, and a
  /// request is far below the rest of NATS's 1 MiB), publishes them as one message,
  /// then hands the group over. What did not fit stays in `batch`.
  void commit(std::deque<pending_append>& batch, const commit_handler& handler) {
    std::vector<committed_append> group;
    std::vector<detail::planned_write> writes;
    std::vector<record_write> records;
    detail::chain_position pos = index_.head();
    std::unordered_map<std::string, std::uint32_t> group_versions;
    auto lookup = [&](const std::string& stream) -> events::outcome<std::uint32_t> {
      if (auto it = group_versions.find(stream); it != group_versions.end())
        return it->second;
      return index_.version(stream);
    };
    std::size_t bytes = 0;
    std::size_t planned = 0;
    auto failure = write_failure();
    while (!batch.empty()) {
      auto& p = batch.front();
      if (failure) {
        group.push_back(
            {events::unavailable("cannot write to the event log: " + *failure),
             std::move(p.done)});
        batch.pop_front();
        continue;
      }
      if (bytes >= max_group_bytes) break; // the rest goes into the next message
      auto request_records = std::move(p.request.records);
      auto plan = detail::plan_append(std::move(p.request), pos, lookup);
      if (!plan) {
        group.push_back({std::move(plan).error(), std::move(p.done)});
        batch.pop_front();
        continue;
      }
      std::size_t encoded = 0;
      for (const auto& w : plan->writes)
        encoded += w.record.size() + w.stream.size() + 24;
      for (const auto& r : request_records)
        encoded += r.key.size() + (r.value ? r.value->size() : 0) + 9;
      bytes += encoded;
      for (auto& w : plan->writes)
        writes.push_back(std::move(w));
      for (auto& r : request_records)
        records.push_back(std::move(r));
      for (auto& [stream, version] : plan->heads)
        group_versions[stream] = version;
      group.push_back({std::move(plan->result), std::move(p.done)});
      batch.pop_front();
      ++planned;
    }
    if (planned > 0) {
      auto published = publish(encode_group(writes, records));
      if (published) {
        index_.apply(std::move(writes), std::move(records), pos);
        batches_.fetch_add(1, std::memory_order_relaxed);
        committed_.fetch_add(planned, std::memory_order_relaxed);
        failed_.fetch_add(group.size() - planned, std::memory_order_relaxed);
      } else {
        for (auto& c : group)
          c.result = published.error();
        failed_.fetch_add(group.size(), std::memory_order_relaxed);
      }
    } else {
      failed_.fetch_add(group.size(), std::memory_order_relaxed);
    }
    if (handler) {
      handler(std::move(group));
    } else {
      for (auto& c : group)
        c.done(std::move(c.result));
    }
  }

  /// Publishes one group after the last message and waits for the stream's answer.
  /// A lost answer is retried (the message id makes it land once); a refusal because
  /// another writer appended stops this log's writing for good.
  events::outcome<void> publish(const std::string& body) {
    // unique to this writer and this message: only its own retry is a duplicate
    const std::string msg_id = writer_instance_ + "/" + std::to_string(++published_);
    const auto give_up = std::chrono::steady_clock::now() + publish_retry_limit;
    auto backoff = std::chrono::milliseconds(50);
    for (;;) {
      jsPubOptions po;
      jsPubOptions_Init(&po);
      po.MsgId = msg_id.c_str();
      po.ExpectLastSeq = last_js_seq_;
      po.MaxWait = options_.timeout.count();
      jsPubAck* pa = nullptr;
      jsErrCode jerr = static_cast<jsErrCode>(0);
      natsStatus s = js_Publish(&pa, link_->js(), group_subject_.c_str(), body.data(),
                                static_cast<int>(body.size()), &po, &jerr);
      std::uint64_t stored_at = pa != nullptr ? pa->Sequence : 0;
      if (pa != nullptr) jsPubAck_Destroy(pa);
      if (s == NATS_OK) {
        if (stored_at != last_js_seq_ + 1)
          return stop_writing("JetStream stored group " + msg_id + " at " +
                              std::to_string(stored_at) + ", not right after " +
                              std::to_string(last_js_seq_));
        last_js_seq_ = stored_at;
        return {};
      }
      if (jerr == JSStreamWrongLastSequenceErr)
        return stop_writing("another writer appended to stream " + options_.stream +
                            ": this node is no longer its writer");
      const auto why = nats_text(s, jerr);
      if (queue_.closing() || std::chrono::steady_clock::now() > give_up)
        return stop_writing("publishing group " + msg_id +
                            " failed and its outcome is unknown: " + why);
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
  }

  events::error stop_writing(std::string why) {
    std::lock_guard lock{failure_mu_};
    if (!write_failure_) write_failure_ = why;
    return events::unavailable("cannot write to the event log: " + why);
  }

  const jetstream_options options_;
  std::unique_ptr<nats_link> link_;
  const std::string genesis_subject_;
  const std::string group_subject_;
  std::optional<std::string> damage_; ///< what reading stopped at (`failure_mu_`)
  std::atomic<bool> following_;
  std::atomic<bool> stop_following_{false};
  std::thread follower_;

  detail::append_queue queue_;

  // Reader-then-follower-then-writer state (one thread at a time).
  std::uint64_t last_js_seq_ = 0; ///< the stream sequence of the last message
  const std::string writer_instance_ = detail::make_log_id(); ///< random, per open
  std::uint64_t published_ = 0;
  std::thread writer_;
  std::atomic<std::thread::id> writer_id_{};
  std::mutex close_mu_;

  // `when_applied`: the stream sequence applied, as other threads may read it.
  std::mutex applied_mu_;
  std::uint64_t applied_js_seq_ = 0;
  bool applied_closed_ = false;
  bool damage_seen_ = false;
  std::multimap<std::uint64_t, std::function<void(std::uint64_t)>> applied_waiters_;

  mutable std::mutex failure_mu_;
  std::optional<std::string> write_failure_;

  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<std::uint64_t> failed_{0};
};

} // namespace

followed_log* as_followed(event_log& log) {
  return dynamic_cast<followed_log*>(&log);
}

std::vector<std::string> parse_nats_urls(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

events::outcome<std::unique_ptr<event_log>>
open_jetstream_log(const jetstream_options& options) {
  if (options.servers.empty()) return events::unavailable("no NATS server given");
  for (const auto& s : options.servers)
    if (!s.starts_with("nats://")) return events::unavailable("not a nats:// URL: " + s);
  auto link = nats_link::connect(options.servers, options.timeout);
  if (!link) return std::move(link).error();
  auto log = std::make_unique<jetstream_log>(options, std::move(*link));
  if (auto opened = log->open(); !opened) return std::move(opened).error();
  return std::unique_ptr<event_log>(std::move(log));
}

} // namespace waitroom::storage
