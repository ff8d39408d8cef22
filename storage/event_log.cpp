// The parts of the event log shared by every implementation: hashing, hex, the blocking
// `append`, and the stats accessor.

#include "storage/event_log.hpp"
#include "storage/log_record.hpp"
#include "storage/side_records.hpp"
#include "storage/writer_stats.hpp"

#include "events/codec.hpp"
#include "events/log/quarantine.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <future>
#include <stdexcept>

namespace waitroom::storage {

namespace {

// Fetched once: in OpenSSL 3 `EVP_sha256()` makes every `EVP_DigestInit_ex` look the
// algorithm up again. Intentionally never freed (lives as long as the process).
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) throw std::runtime_error("OpenSSL has no SHA-256");
    return m;
  }();
  return md;
}

// One digest context per thread, reused: allocating one per hash costs more than
// hashing a small event.
class digest_context {
 public:
  digest_context()
      : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr) throw std::runtime_error("EVP_MD_CTX_new failed");
  }
  ~digest_context() { EVP_MD_CTX_free(ctx_); }
  digest_context(const digest_context&) = delete;
  digest_context& operator=(const digest_context&) = delete;

  template <class... Parts>
  hash256 digest(const Parts&... parts) {
    hash256 out{};
    unsigned int len = 0;
    bool ok = EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr) == 1;
    ((ok = ok && EVP_DigestUpdate(ctx_, parts.data(), parts.size()) == 1), ...);
    ok = ok && EVP_DigestFinal_ex(ctx_, out.data(), &len) == 1 && len == out.size();
    if (!ok) throw std::runtime_error("SHA-256 failed");
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

digest_context& thread_digest() {
  thread_local digest_context ctx;
  return ctx;
}

} // namespace

std::string to_hex(const hash256& h) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(h.size() * 2);
  for (std::uint8_t b : h) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

hash256 sha256(std::string_view bytes) {
  return thread_digest().digest(bytes);
}

hash256 chain_hash(const hash256& prev, std::string_view bytes) {
  return thread_digest().digest(
      std::string_view{reinterpret_cast<const char*>(prev.data()), prev.size()}, bytes);
}

events::outcome<append_result> event_log::append(append_request req) {
  std::promise<events::outcome<append_result>> promise;
  auto result = promise.get_future();
  append_async(std::move(req), [&promise](events::outcome<append_result> r) {
    promise.set_value(std::move(r));
  });
  return result.get();
}

std::optional<writer_stats> stats_of(const event_log& log) {
  if (const auto* source = dynamic_cast<const detail::writer_stats_source*>(&log))
    return source->stats();
  return std::nullopt;
}

namespace {

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(std::max(n, 0)));
  return out;
}

} // namespace

std::string audit_json(const stored_event& e) {
  if (e.stand_in && !events::decode(e.bytes)) {
    // Quarantined: the stand-in, with the stored bytes (which may not even be JSON).
    std::string out = events::encode(*e.stand_in);
    out.pop_back();
    out += ",\"stored_base64\":\"";
    out += base64(e.bytes);
    out += "\",\"hash\":\"";
    out += to_hex(e.hash);
    out += "\"}";
    return out;
  }
  std::string_view bytes = e.bytes;
  while (!bytes.empty() && bytes.back() != '}')
    bytes.remove_suffix(1);
  std::string out;
  out.reserve(bytes.size() + 80);
  out.append(bytes.substr(0, bytes.size() - 1)); // without the closing brace
  out += ",\"hash\":\"";
  out += to_hex(e.hash);
  out += "\"}";
  return out;
}

events::outcome<events::recorded_event> decode(const stored_event& e) {
  auto decoded = events::decode(e.bytes);
  if (decoded) return decoded;
  if (e.stand_in) return *e.stand_in;
  return detail::unreadable_event(e.seq, e.bytes, decoded.error().message);
}

events::outcome<void> scan_decoded(
    const event_log& log, std::uint64_t from, std::uint64_t to,
    const std::function<bool(const stored_event&, const events::recorded_event&)>&
        visit) {
  std::optional<events::error> failure;
  auto scanned = log.scan(from, to, [&](const stored_event& s) {
    auto e = decode(s);
    if (!e) {
      failure = std::move(e).error();
      return false;
    }
    return visit(s, *e);
  });
  if (!scanned) return scanned;
  if (failure) return *failure;
  return {};
}

std::shared_ptr<const quarantine_set> event_log::quarantined() const {
  std::lock_guard lock{quarantine_mu_};
  return quarantined_;
}

events::outcome<void> event_log::load_quarantined() {
  auto loaded = std::make_shared<quarantine_set>();
  auto scanned = scan_records(
      quarantine_records_prefix, false, [&](std::string_view key, std::string_view value) {
        auto seq = quarantined_seq(key);
        auto e = events::decode(value);
        if (!seq || !e || e->meta.seq != *seq ||
            !std::holds_alternative<events::log::quarantined>(e->data))
          loaded->malformed.emplace_back(key);
        else
          loaded->stand_ins.emplace(
              *seq, std::make_shared<const events::recorded_event>(std::move(*e)));
        return true;
      });
  if (!scanned) return std::move(scanned).error();
  std::lock_guard lock{quarantine_mu_};
  quarantined_ = std::move(loaded);
  return {};
}

events::outcome<events::recorded_event> event_log::quarantine(std::uint64_t seq,
                                                              std::string reason,
                                                              events::timestamp now,
                                                              bool force) {
  std::lock_guard one_at_a_time{quarantining_};
  if (seq == 0 || seq > head().seq)
    return events::not_found("the log has no event " + std::to_string(seq));
  // Only what verify names: the chain is intact up to it, and it is unreadable.
  auto report = verify();
  if (auto q = quarantined(); q->stand_ins.count(seq) != 0 && report.ok)
    return *q->stand_ins.at(seq); // done before: nothing to write
  if (report.ok)
    return events::conflict("the log verifies whole: event " + std::to_string(seq) +
                            " is readable; only an unreadable event can be quarantined");
  if (report.first_bad_seq != seq || !report.undecodable)
    return events::conflict(
        "the first problem of the log is not an unreadable event " + std::to_string(seq) +
        " but: " + report.problem +
        (report.undecodable ? " (quarantine that one first)"
                            : " (quarantine cannot mend this: restore from a backup)"));

  std::optional<stored_event> found;
  auto scanned = scan(seq, seq, [&](const stored_event& e) {
    found = e;
    return false;
  });
  if (!scanned) return std::move(scanned).error();
  if (!found || found->seq != seq)
    return events::not_found("the log has no event " + std::to_string(seq));
  auto envelope = events::peek_envelope(found->bytes);
  auto position = stream_position(seq, envelope.stream);
  if (!position) return std::move(position).error();
  if (!*position)
    return events::conflict("event " + std::to_string(seq) +
                            " is in no stream of the stream index: it cannot be placed");
  const auto cost = events::log::cost_of_quarantining(envelope.type, (*position)->second);
  if (!cost.harmless && !force)
    return events::conflict("setting event " + std::to_string(seq) + " aside loses " +
                            cost.lost + "; accept that with --force");

  events::log::quarantined fact;
  fact.seq = seq;
  fact.type = envelope.type;
  fact.stream = (*position)->first;
  fact.version = (*position)->second;
  fact.problem = events::decode(found->bytes).error().message;
  fact.bytes_sha256 = to_hex(sha256(found->bytes));
  fact.reason = std::move(reason);

  // What readers get at `seq`, in its stream, and the chained record of the act.
  auto stand_in = events::make_event(fact.stream, envelope.org_id, envelope.room_id,
                                     events::actor_ref::system(),
                                     envelope.at.value_or(now), fact);
  stand_in.meta.seq = seq;
  stand_in.meta.version = fact.version;
  auto checked = events::encode_checked(stand_in);
  if (!checked) return std::move(checked).error();
  append_request req;
  req.streams.push_back({std::string(events::log::stream), expected_version::any(),
                         {events::make_event(std::string(events::log::stream),
                                             envelope.org_id, envelope.room_id,
                                             events::actor_ref::system(), now, fact)}});
  req.records.push_back({quarantine_record_key(seq), std::move(checked->bytes)});
  auto appended = append(std::move(req));
  if (!appended) return std::move(appended).error();

  std::lock_guard lock{quarantine_mu_};
  auto next = std::make_shared<quarantine_set>(*quarantined_);
  next->stand_ins.insert_or_assign(
      seq, std::make_shared<const events::recorded_event>(checked->event));
  std::erase_if(next->malformed,
                [&](const std::string& key) { return quarantined_seq(key) == seq; });
  quarantined_ = std::move(next);
  return std::move(checked->event);
}

boost::json::object to_json(const verify_report& report) {
  boost::json::array quarantined;
  for (auto seq : report.quarantined)
    quarantined.emplace_back(seq);
  boost::json::object out{{"ok", report.ok},
                          {"events", report.events},
                          {"head_hash", to_hex(report.head_hash)},
                          {"quarantined", std::move(quarantined)}};
  if (!report.ok) {
    out["first_bad_seq"] = report.first_bad_seq ? boost::json::value(*report.first_bad_seq)
                                                : boost::json::value(nullptr);
    out["problem"] = report.problem;
  }
  return out;
}

} // namespace waitroom::storage
