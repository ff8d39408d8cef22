#include "storage/memory_index.hpp"

#include <algorithm>

namespace waitroom::storage::detail {

void memory_index::apply(std::vector<planned_write>&& writes,
                         std::vector<record_write>&& records,
                         const chain_position& head) {
  std::lock_guard lock{mu_};
  for (auto& w : writes) {
    records_.push_back(std::move(w.record));
    streams_[w.stream].push_back(w.seq);
  }
  for (auto& r : records) {
    if (r.value)
      side_records_.insert_or_assign(std::move(r.key), std::move(*r.value));
    else
      side_records_.erase(r.key);
  }
  head_ = head;
}

chain_position memory_index::head() const {
  std::lock_guard lock{mu_};
  return head_;
}

std::uint32_t memory_index::version(const std::string& stream) const {
  std::lock_guard lock{mu_};
  auto it = streams_.find(stream);
  return it == streams_.end() ? 0u : static_cast<std::uint32_t>(it->second.size());
}

events::outcome<std::vector<events::recorded_event>>
memory_index::read_stream(std::string_view stream, const quarantine_set& q) const {
  std::lock_guard lock{mu_};
  std::vector<events::recorded_event> out;
  auto it = streams_.find(std::string(stream));
  if (it == streams_.end()) return out;
  out.reserve(it->second.size());
  for (std::uint64_t seq : it->second) {
    auto event = decode_record(records_[seq - 1], seq, q);
    if (!event) return std::move(event).error();
    out.push_back(std::move(*event));
  }
  return out;
}

events::outcome<void>
memory_index::scan(std::uint64_t from_seq, std::uint64_t to_seq,
                   const std::function<bool(const stored_event&)>& visit,
                   const quarantine_set& q) const {
  std::uint64_t last = 0;
  {
    std::lock_guard lock{mu_};
    last = std::min<std::uint64_t>(to_seq, records_.size());
  }
  stored_event ev;
  // The lock is not held while `visit` runs, so that it may append or read.
  for (std::uint64_t seq = std::max<std::uint64_t>(from_seq, 1); seq <= last; ++seq) {
    {
      std::lock_guard lock{mu_};
      auto record = parse_record(records_[seq - 1]);
      if (!record)
        return events::internal_error("malformed record of event " + std::to_string(seq));
      ev.seq = seq;
      ev.bytes.assign(record->bytes);
      ev.hash = record->hash;
      ev.stand_in = stand_in_of(q, seq);
    }
    if (!visit(ev)) break;
  }
  return {};
}

std::optional<std::string> memory_index::read_record(std::string_view key) const {
  std::lock_guard lock{mu_};
  auto it = side_records_.find(key);
  if (it == side_records_.end()) return std::nullopt;
  return it->second;
}

void memory_index::scan_records(
    std::string_view prefix, bool descending,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::vector<std::pair<std::string, std::string>> copy;
  {
    std::lock_guard lock{mu_};
    for (auto it = side_records_.lower_bound(prefix);
         it != side_records_.end() && it->first.starts_with(prefix); ++it)
      copy.emplace_back(*it);
  }
  if (descending) std::reverse(copy.begin(), copy.end());
  for (const auto& [k, v] : copy)
    if (!visit(k, v)) break;
}

std::optional<std::pair<std::string, std::uint32_t>>
memory_index::stream_position(std::uint64_t seq) const {
  std::lock_guard lock{mu_};
  for (const auto& [stream, seqs] : streams_)
    for (std::size_t i = 0; i < seqs.size(); ++i)
      if (seqs[i] == seq) return std::pair(stream, static_cast<std::uint32_t>(i + 1));
  return std::nullopt;
}

verify_report memory_index::verify(std::shared_ptr<const quarantine_set> q,
                                   const std::optional<std::string>& problem) const {
  std::lock_guard lock{mu_};
  chain_verifier verifier(std::move(q));
  bool good = true;
  for (std::uint64_t seq = 1; seq <= records_.size() && good; ++seq)
    good = verifier.feed(seq, records_[seq - 1]);
  if (good && problem) verifier.corrupt(*problem);
  return verifier.finish(head_.seq, head_.hash);
}

namespace {
events::error closed_log() {
  return events::unavailable("the event log is closed");
}
} // namespace

events::outcome<std::vector<events::recorded_event>>
indexed_log::read_stream(std::string_view stream) const {
  if (closed_) return closed_log();
  return index_.read_stream(stream, *quarantined());
}

events::outcome<void>
indexed_log::scan(std::uint64_t from_seq, std::uint64_t to_seq,
                  const std::function<bool(const stored_event&)>& visit) const {
  if (closed_) return closed_log();
  return index_.scan(from_seq, to_seq, visit, *quarantined());
}

events::outcome<std::optional<std::string>>
indexed_log::read_record(std::string_view key) const {
  if (closed_) return closed_log();
  return index_.read_record(key);
}

events::outcome<void> indexed_log::scan_records(
    std::string_view prefix, bool descending,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  if (closed_) return closed_log();
  index_.scan_records(prefix, descending, visit);
  return {};
}

log_head indexed_log::head() const {
  auto h = index_.head();
  return {h.seq, h.hash, log_id_};
}

verify_report indexed_log::verify() const {
  return index_.verify(quarantined(), damage());
}

events::outcome<std::optional<std::pair<std::string, std::uint32_t>>>
indexed_log::stream_position(std::uint64_t seq, std::string_view /*hint*/) const {
  if (closed_) return closed_log();
  return index_.stream_position(seq);
}

} // namespace waitroom::storage::detail
