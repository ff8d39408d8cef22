#pragma once
/// Counters of a log's writer, for tests and benchmarks (e.g. to show that concurrent
/// appends are group-committed). Not part of the `event_log` contract.

#include "storage/event_log.hpp"

#include <cstdint>
#include <optional>

namespace waitroom::storage {

/// Totals since the log was opened.
struct writer_stats {
  std::uint64_t batches_written = 0; ///< store writes (one `WriteBatch` each for RocksDB)
  std::uint64_t appends_committed = 0;
  std::uint64_t appends_failed = 0; ///< conflicts, invalid requests, failed writes
};

/// The counters of a log made by `open_rocksdb_log` or `make_memory_log`; nullopt for
/// any other implementation. Thread-safe.
std::optional<writer_stats> stats_of(const event_log& log);

namespace detail {

/// Implemented by the logs that keep `writer_stats`.
class writer_stats_source {
 public:
  virtual writer_stats stats() const = 0;

 protected:
  ~writer_stats_source() = default;
};

} // namespace detail

} // namespace waitroom::storage
