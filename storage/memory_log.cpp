// The in-memory event log: the same contract, record format and chain hashing as the
// RocksDB log, with appends completed synchronously on the calling thread. For
// deterministic tests.

#include "storage/event_log.hpp"
#include "storage/log_record.hpp"
#include "storage/memory_index.hpp"
#include "storage/writer_stats.hpp"

#include "events/codec.hpp"

#include <mutex>

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
    if (is_closed()) return events::unavailable("the event log is closed");
    return index_.read_stream(stream, *quarantined());
  }

  events::outcome<void>
  scan(std::uint64_t from_seq, std::uint64_t to_seq,
       const std::function<bool(const stored_event&)>& visit) const override {
    if (is_closed()) return events::unavailable("the event log is closed");
    return index_.scan(from_seq, to_seq, visit, *quarantined());
  }

  std::optional<std::string> write_failure() const override { return std::nullopt; }

  events::outcome<std::optional<std::string>>
  read_record(std::string_view key) const override {
    if (is_closed()) return events::unavailable("the event log is closed");
    return index_.read_record(key);
  }

  events::outcome<void>
  scan_records(std::string_view prefix, bool descending,
               const std::function<bool(std::string_view, std::string_view)>& visit)
      const override {
    if (is_closed()) return events::unavailable("the event log is closed");
    index_.scan_records(prefix, descending, visit);
    return {};
  }

  log_head head() const override {
    auto h = index_.head();
    return {h.seq, h.hash, log_id_};
  }

  verify_report verify() const override { return index_.verify(quarantined()); }

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
    if (is_closed()) return events::unavailable("the event log is closed");
    return index_.stream_position(seq);
  }

 private:
  bool is_closed() const {
    std::lock_guard lock{mu_};
    return closed_;
  }

  // Requires `mu_`.
  events::outcome<append_result> plan_and_store(append_request&& req) {
    auto records = std::move(req.records);
    auto lookup = [this](const std::string& stream) -> events::outcome<std::uint32_t> {
      return index_.version(stream);
    };
    detail::chain_position pos = index_.head();
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
    index_.apply(std::move(plan->writes), std::move(records), pos);
    ++stats_.batches_written;
    ++stats_.appends_committed;
    return std::move(plan->result);
  }

  std::recursive_mutex writer_;
  detail::memory_index index_;
  mutable std::mutex mu_; // everything below
  std::string log_id_;
  commit_handler handler_;
  writer_stats stats_;
  bool closed_ = false;
};

} // namespace

std::unique_ptr<event_log> make_memory_log() {
  return std::make_unique<memory_log>();
}

} // namespace waitroom::storage
