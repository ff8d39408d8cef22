#pragma once
/// Internal to storage/: a whole log held in memory — records by seq, the stream index,
/// the side records and the head — with the read half of the `event_log` contract. The
/// in-memory log is this plus synchronous commits; the JetStream log keeps each node's
/// copy of the stream in one (it is filled from the stream's messages). Thread-safe.

#include "storage/log_record.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace waitroom::storage::detail {

class memory_index {
 public:
  /// Stores a planned group: its events (in seq order, right after the head) and its
  /// side records; `head` is the chain position after it.
  void apply(std::vector<planned_write>&& writes, std::vector<record_write>&& records,
             const chain_position& head);

  chain_position head() const;
  /// The current version of `stream` (0: none).
  std::uint32_t version(const std::string& stream) const;

  events::outcome<std::vector<events::recorded_event>>
  read_stream(std::string_view stream, const quarantine_set& q) const;
  /// `event_log::scan`; the lock is not held while `visit` runs.
  events::outcome<void> scan(std::uint64_t from_seq, std::uint64_t to_seq,
                             const std::function<bool(const stored_event&)>& visit,
                             const quarantine_set& q) const;
  std::optional<std::string> read_record(std::string_view key) const;
  void scan_records(
      std::string_view prefix, bool descending,
      const std::function<bool(std::string_view, std::string_view)>& visit) const;
  /// `event_log::stream_position`.
  std::optional<std::pair<std::string, std::uint32_t>>
  stream_position(std::uint64_t seq) const;
  /// Re-checks the chain of every record (`problem`, when set, is reported after them:
  /// damage found while the index was filled).
  verify_report verify(std::shared_ptr<const quarantine_set> q,
                       const std::optional<std::string>& problem = std::nullopt) const;

 private:
  mutable std::mutex mu_;
  chain_position head_;
  std::vector<std::string> records_; // seq - 1 -> record
  std::unordered_map<std::string, std::vector<std::uint64_t>>
      streams_; // version - 1 -> seq
  std::map<std::string, std::string, std::less<>> side_records_;
};

/// An `event_log` whose reads are a `memory_index`: the in-memory log and the JetStream
/// log. They add appending, the commit handler, `write_failure` and `close` (which sets
/// `closed_`: reads then fail with UNAVAILABLE).
class indexed_log : public event_log {
 public:
  events::outcome<std::vector<events::recorded_event>>
  read_stream(std::string_view stream) const override;
  events::outcome<void>
  scan(std::uint64_t from_seq, std::uint64_t to_seq,
       const std::function<bool(const stored_event&)>& visit) const override;
  events::outcome<std::optional<std::string>>
  read_record(std::string_view key) const override;
  events::outcome<void>
  scan_records(std::string_view prefix, bool descending,
               const std::function<bool(std::string_view, std::string_view)>& visit)
      const override;
  log_head head() const override;
  verify_report verify() const override;

 protected:
  events::outcome<std::optional<std::pair<std::string, std::uint32_t>>>
  stream_position(std::uint64_t seq, std::string_view hint) const override;
  /// Damage found while the index was filled, which `verify` reports after the records.
  virtual std::optional<std::string> damage() const { return std::nullopt; }

  memory_index index_;
  std::string log_id_;
  std::atomic<bool> closed_{false};
};

} // namespace waitroom::storage::detail
