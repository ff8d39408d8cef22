#include "actors/replay.hpp"

#include "events/codec.hpp"
#include "events/time.hpp"

#include <charconv>
#include <chrono>

namespace waitroom::actors {

namespace ev = waitroom::events;

std::optional<replay_limits> replay_limits_from(std::string_view until) {
  replay_limits limits;
  std::uint64_t seq = 0;
  auto [ptr, ec] = std::from_chars(until.data(), until.data() + until.size(), seq);
  if (!until.empty() && ec == std::errc() && ptr == until.data() + until.size()) {
    limits.until_seq = seq;
    return limits;
  }
  limits.until_at = ev::parse_rfc3339(until);
  if (!limits.until_at) return std::nullopt;
  return limits;
}

ev::outcome<replay_stats> replay(const storage::event_log& log,
                                 projections::projection_set& into,
                                 const replay_limits& limits,
                                 const replay_progress& progress) {
  auto start = std::chrono::steady_clock::now();
  auto head = log.head().seq;
  auto to = limits.until_seq ? std::min(*limits.until_seq, head) : head;
  replay_stats stats;
  auto scanned = storage::scan_decoded(
      log, 1, to, [&](const storage::stored_event& s, const ev::recorded_event& e) {
        if (limits.until_at && e.meta.at > *limits.until_at) return false;
        into.apply(e);
        ++stats.events;
        stats.last_seq = s.seq;
        if (progress && (s.seq & 0xFFFF) == 0) progress(s.seq, to);
        return true;
      });
  if (!scanned) return std::move(scanned).error(); // an unreadable event names its seq
  if (progress) progress(stats.last_seq, to);
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

} // namespace waitroom::actors
