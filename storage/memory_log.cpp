// The in-memory event log: the same contract, record format and chain hashing as the
// RocksDB log, with appends completed synchronously on the calling thread. For
// deterministic tests.

#include "storage/event_log.hpp"
#include "storage/log_record.hpp"
#include "storage/writer_stats.hpp"

#include "events/codec.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

namespace waitroom::storage {

namespace {

class memory_log final : public event_log, public detail::writer_stats_source {
 public:
  memory_log()
      : log_id_(detail::make_log_id()) {}

  void append_async(append_request req, append_callback done) override {
    // The caller plays the writer thread: `writer_` keeps groups in seq order when
    // several threads append, and is recursive so that a completion may append again.
    std::lock_guard writer{writer_};
    std::vector<committed_append> group;
    commit_handler handler;
    {
      std::lock_guard lock{mu_};
      if (closed_) {
        ++stats_.appends_failed;
        group.push_back(
            {events::unavailable("the event log is closed"), std::move(done)});
      } else {
        group.push_back({plan_and_store(std::move(req)), std::move(done)});
      }
      handler = handler_;
    }
    if (handler) {
      handler(std::move(group));
    } else {
      for (auto& c : group)
        c.done(std::move(c.result));
    }
  }

  void set_commit_handler(commit_handler handler) override {
    std::lock_guard lock{mu_};
    handler_ = std::move(handler);
  }

  events::outcome<std::vector<events::recorded_event>>
  read_stream(std::string_view stream) const override {
    std::lock_guard lock{mu_};
    if (closed_) return events::unavailable("the event log is closed");
    std::vector<events::recorded_event> out;
    auto it = streams_.find(std::string(stream));
    if (it == streams_.end()) return out;
    out.reserve(it->second.size());
    auto stand_ins = quarantined();
    for (std::uint64_t seq : it->second) {
      auto event = detail::decode_record(records_[seq - 1], seq, *stand_ins);
      if (!event) return std::move(event).error();
      out.push_back(std::move(*event));
    }
    return out;
  }

  events::outcome<void>
  scan(std::uint64_t from_seq, std::uint64_t to_seq,
       const std::function<bool(const stored_event&)>& visit) const override {
    std::uint64_t last = 0;
    {
      std::lock_guard lock{mu_};
      if (closed_) return events::unavailable("the event log is closed");
      last = std::min<std::uint64_t>(to_seq, head_.seq);
    }
    stored_event ev;
    auto stand_ins = quarantined();
    // The lock is not held while `visit` runs, so that it may append or read.
    for (std::uint64_t seq = std::max<std::uint64_t>(from_seq, 1); seq <= last; ++seq) {
      {
        std::lock_guard lock{mu_};
        auto record = detail::parse_record(records_[seq - 1]);
        if (!record)
          return events::internal_error("malformed record of event " +
                                        std::to_string(seq));
        ev.seq = seq;
        ev.bytes.assign(record->bytes);
        ev.hash = record->hash;
        ev.stand_in = detail::stand_in_of(*stand_ins, seq);
      }
      if (!visit(ev)) break;
    }
    return {};
  }

  std::optional<std::string> write_failure() const override { return std::nullopt; }

  events::outcome<std::optional<std::string>>
  read_record(std::string_view key) const override {
    std::lock_guard lock{mu_};
    if (closed_) return events::unavailable("the event log is closed");
    auto it = side_records_.find(key);
    if (it == side_records_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  events::outcome<void>
  scan_records(std::string_view prefix, bool descending,
               const std::function<bool(std::string_view, std::string_view)>& visit)
      const override {
    std::vector<std::pair<std::string, std::string>> copy;
    {
      std::lock_guard lock{mu_};
      if (closed_) return events::unavailable("the event log is closed");
      for (auto it = side_records_.lower_bound(prefix);
           it != side_records_.end() && it->first.starts_with(prefix); ++it)
        copy.emplace_back(*it);
    }
    if (descending) std::reverse(copy.begin(), copy.end());
    for (const auto& [k, v] : copy)
      if (!visit(k, v)) break;
    return {};
  }

  log_head head() const override {
    std::lock_guard lock{mu_};
    return {head_.seq, head_.hash, log_id_};
  }

  verify_report verify() const override {
    std::lock_guard lock{mu_};
    detail::chain_verifier verifier(quarantined());
    for (std::uint64_t seq = 1; seq <= records_.size(); ++seq)
      if (!verifier.feed(seq, records_[seq - 1])) break;
    return verifier.finish(head_.seq, head_.hash);
  }

  void close() override {
    std::lock_guard lock{mu_};
    closed_ = true;
  }

  writer_stats stats() const override {
    std::lock_guard lock{mu_};
    return stats_;
  }

 protected:
  events::outcome<std::optional<std::pair<std::string, std::uint32_t>>>
  stream_position(std::uint64_t seq, std::string_view /*hint*/) const override {
    std::lock_guard lock{mu_};
    for (const auto& [stream, seqs] : streams_)
      for (std::size_t i = 0; i < seqs.size(); ++i)
        if (seqs[i] == seq)
          return std::optional(std::pair(stream, static_cast<std::uint32_t>(i + 1)));
    return std::optional<std::pair<std::string, std::uint32_t>>();
  }

 private:
  // Requires `mu_`.
  events::outcome<append_result> plan_and_store(append_request&& req) {
    auto records = std::move(req.records);
    auto lookup = [this](const std::string& stream) -> events::outcome<std::uint32_t> {
      auto it = streams_.find(stream);
      return it == streams_.end() ? 0u : static_cast<std::uint32_t>(it->second.size());
    };
    detail::chain_position pos = head_;
    auto plan = [&]() -> events::outcome<detail::planned_append> {
      try {
        return detail::plan_append(std::move(req), pos, lookup);
      } catch (const std::exception& e) {
        return events::internal_error(std::string("cannot prepare append: ") + e.what());
      }
    }();
    if (!plan) {
      ++stats_.appends_failed;
      return std::move(plan).error();
    }
    for (auto& w : plan->writes) {
      records_.push_back(std::move(w.record));
      streams_[w.stream].push_back(w.seq);
    }
    for (auto& r : records) {
      if (r.value)
        side_records_[r.key] = std::move(*r.value);
      else
        side_records_.erase(r.key);
    }
    head_ = pos;
    ++stats_.batches_written;
    ++stats_.appends_committed;
    return std::move(plan->result);
  }

  std::recursive_mutex writer_;
  mutable std::mutex mu_; // everything below
  std::string log_id_;
  detail::chain_position head_;
  std::vector<std::string> records_; // seq - 1 -> record
  std::unordered_map<std::string, std::vector<std::uint64_t>>
      streams_; // version - 1 -> seq
  std::map<std::string, std::string, std::less<>> side_records_;
  commit_handler handler_;
  writer_stats stats_;
  bool closed_ = false;
};

} // namespace

std::unique_ptr<event_log> make_memory_log() {
  return std::make_unique<memory_log>();
}

} // namespace waitroom::storage
