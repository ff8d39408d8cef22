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

class memory_log final : public detail::indexed_log, public detail::writer_stats_source {
 public:
  memory_log() { log_id_ = detail::make_log_id(); }

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

  std::optional<std::string> write_failure() const override { return std::nullopt; }

  void close() override {
    std::lock_guard lock{mu_};
    closed_ = true;
  }

  writer_stats stats() const override {
    std::lock_guard lock{mu_};
    return stats_;
  }

 private:
  // Requires `mu_`.
  events::outcome<append_result> plan_and_store(append_request&& req) {
    auto records = std::move(req.records);
    auto lookup = [this](const std::string& stream) -> events::outcome<std::uint32_t> {
      return index_.version(stream);
    };
    detail::chain_position pos = index_.head();
    auto plan = detail::plan_append(std::move(req), pos, lookup);
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
  mutable std::mutex mu_; // everything below
  commit_handler handler_;
  writer_stats stats_;
};

} // namespace

std::unique_ptr<event_log> make_memory_log() {
  return std::make_unique<memory_log>();
}

} // namespace waitroom::storage
