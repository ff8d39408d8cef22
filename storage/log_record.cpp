#include "storage/log_record.hpp"

#include "events/codec.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <limits>
#include <random>

namespace waitroom::storage::detail {

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::optional<std::uint64_t> get_be64(std::string_view in) {
  if (in.size() != 8) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : in)
    v = (v << 8) | static_cast<std::uint8_t>(c);
  return v;
}

std::optional<std::uint32_t> get_be32(std::string_view in) {
  if (in.size() != 4) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : in)
    v = (v << 8) | static_cast<std::uint8_t>(c);
  return v;
}

std::string seq_key(std::uint64_t seq) {
  std::string key;
  key.reserve(8);
  put_be64(key, seq);
  return key;
}

std::string stream_prefix(std::string_view stream) {
  std::string key;
  key.reserve(stream.size() + 1);
  key.append(stream);
  key.push_back('\0');
  return key;
}

std::string stream_key(std::string_view stream, std::uint32_t version) {
  std::string key = stream_prefix(stream);
  put_be32(key, version);
  return key;
}

std::string make_record(const hash256& hash, std::string_view bytes) {
  std::string value;
  value.reserve(record_prefix_size + bytes.size());
  value.push_back(record_format);
  value.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  value.append(bytes);
  return value;
}

events::outcome<events::recorded_event>
decode_record(std::string_view value, std::uint64_t seq, const quarantine_set& q) {
  auto record = parse_record(value);
  if (!record)
    return events::internal_error("malformed record of event " + std::to_string(seq));
  auto decoded = events::decode(record->bytes);
  if (decoded) return decoded;
  stored_event e;
  e.seq = seq;
  e.bytes.assign(record->bytes);
  e.stand_in = stand_in_of(q, seq);
  return decode(e);
}

events::error unreadable_event(std::uint64_t seq, std::string_view bytes,
                               const std::string& why) {
  const auto type = events::peek_envelope(bytes).type;
  auto err = events::internal_error("event " + std::to_string(seq) +
                                    (type.empty() ? std::string() : " (" + type + ")") +
                                    " cannot be decoded: " + why);
  err.details["seq"] = seq;
  err.details["type"] = type;
  return err;
}

std::shared_ptr<const events::recorded_event> stand_in_of(const quarantine_set& q,
                                                          std::uint64_t seq) {
  if (q.stand_ins.empty()) return nullptr;
  auto it = q.stand_ins.find(seq);
  return it == q.stand_ins.end() ? nullptr : it->second;
}

std::optional<record_view> parse_record(std::string_view value) {
  if (value.size() < record_prefix_size || value[0] != record_format) return std::nullopt;
  record_view r;
  for (std::size_t i = 0; i < r.hash.size(); ++i)
    r.hash[i] = static_cast<std::uint8_t>(value[1 + i]);
  r.bytes = value.substr(record_prefix_size);
  return r;
}

std::optional<std::uint64_t> encoded_seq(std::string_view bytes) {
  // `events::encode` writes "seq" first; parse that shape without a JSON parser.
  constexpr std::string_view head = R"({"seq":)";
  if (bytes.starts_with(head)) {
    std::uint64_t seq = 0;
    std::size_t i = head.size();
    std::size_t digits = 0;
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    for (; i < bytes.size() && bytes[i] >= '0' && bytes[i] <= '9'; ++i, ++digits) {
      auto d = static_cast<std::uint64_t>(bytes[i] - '0');
      if (seq > (max - d) / 10) return std::nullopt;
      seq = seq * 10 + d;
    }
    if (digits > 0 && i < bytes.size() && (bytes[i] == ',' || bytes[i] == '}'))
      return seq;
  }
  auto decoded = events::decode(bytes);
  if (!decoded) return std::nullopt;
  return decoded->meta.seq;
}

std::string make_log_id() {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string id = "log_";
  for (int i = 0; i < 16; ++i)
    id.push_back(alphabet[pick(rd)]);
  return id;
}

bool is_valid_stream_id(std::string_view stream) {
  return !stream.empty() && stream.find('\0') == std::string_view::npos;
}

namespace {

// Whether `expected` holds for a stream at `actual`; exact(0) means "no stream".
bool holds(const expected_version& expected, std::uint32_t actual) {
  switch (expected.k) {
  case expected_version::kind::any:
    return true;
  case expected_version::kind::no_stream:
    return actual == 0;
  case expected_version::kind::exact:
    return actual == expected.version;
  }
  return false;
}

events::error version_conflict(const std::string& stream,
                               const expected_version& expected, std::uint32_t actual) {
  std::string want = expected.k == expected_version::kind::exact && expected.version != 0
                         ? "version " + std::to_string(expected.version)
                         : std::string("no stream");
  std::string have = actual == 0 ? std::string("does not exist")
                                 : "is at version " + std::to_string(actual);
  auto e =
      events::aborted("stream " + stream + ": expected " + want + ", but it " + have);
  e.details["stream"] = stream;
  e.details["expected_version"] =
      expected.k == expected_version::kind::exact ? expected.version : 0u;
  e.details["actual_version"] = actual;
  return e;
}

} // namespace

namespace {

events::outcome<planned_append> plan(append_request&& req, chain_position& pos,
                                     const version_lookup& current_version) {
  for (const auto& sa : req.streams) {
    if (!is_valid_stream_id(sa.stream))
      return events::internal_error("invalid stream id in append: \"" + sa.stream + "\"");
    for (const auto& e : sa.events)
      if (e.meta.stream != sa.stream)
        return events::internal_error("event of stream " + e.meta.stream +
                                      " in an append to stream " + sa.stream);
  }

  planned_append plan;
  chain_position next = pos;
  // Versions after this request, so that a stream named twice sees its first part.
  auto& heads = plan.heads;
  auto version_of = [&](const std::string& stream) -> events::outcome<std::uint32_t> {
    for (const auto& [s, v] : heads)
      if (s == stream) return v;
    return current_version(stream);
  };

  for (auto& sa : req.streams) {
    auto current = version_of(sa.stream);
    if (!current) return std::move(current).error();
    if (!holds(sa.expected, *current))
      return version_conflict(sa.stream, sa.expected, *current);
    if (sa.events.size() > std::numeric_limits<std::uint32_t>::max() - *current)
      return events::internal_error("stream " + sa.stream +
                                    " would overflow its version");
    std::uint32_t version = *current;
    for (auto& e : sa.events) {
      e.meta.seq = ++next.seq;
      e.meta.version = ++version;
      // Only what the codec reads back may be chained: one unreadable event would
      // stop every later replay.
      auto encoded = events::encode_checked(e);
      if (!encoded) return std::move(encoded).error();
      next.hash = chain_hash(next.hash, encoded->bytes);
      plan.writes.push_back(
          {next.seq, version, sa.stream, make_record(next.hash, encoded->bytes)});
      // the event as read back: what is folded now is what a replay folds
      plan.result.events.push_back(std::move(encoded->event));
    }
    auto it = std::find_if(heads.begin(), heads.end(),
                           [&](const auto& h) { return h.first == sa.stream; });
    if (it == heads.end())
      heads.emplace_back(sa.stream, version);
    else
      it->second = version;
  }
  pos = next;
  return plan;
}

} // namespace

events::outcome<planned_append> plan_append(append_request&& req, chain_position& pos,
                                            const version_lookup& current_version) {
  try {
    return plan(std::move(req), pos, current_version);
  } catch (const std::exception& e) { // memory exhaustion, or a bug: fail the request
    return events::internal_error(std::string("cannot prepare append: ") + e.what());
  }
}

void chain_verifier::fail(std::uint64_t seq, std::string problem) {
  report_.ok = false;
  if (seq > 0) report_.first_bad_seq = seq;
  report_.problem = std::move(problem);
}

void chain_verifier::corrupt(std::string problem) {
  if (report_.ok) fail(last_seq_ + 1, std::move(problem));
}

bool chain_verifier::feed(std::uint64_t key_seq, std::string_view value) {
  if (!report_.ok) return false;
  const std::uint64_t expected = last_seq_ + 1;
  if (key_seq != expected) {
    fail(expected, "event " + std::to_string(expected) +
                       " is missing (the next stored event is " +
                       std::to_string(key_seq) + ")");
    return false;
  }
  auto record = parse_record(value);
  if (!record) {
    fail(key_seq, "the record of event " + std::to_string(key_seq) + " is malformed");
    return false;
  }
  hash256 h = chain_hash(hash_, record->bytes);
  if (h != record->hash) {
    fail(key_seq,
         "event " + std::to_string(key_seq) +
             " does not match its chain hash (its bytes or its hash were changed)");
    return false;
  }
  const auto stand_in = stand_in_of(*quarantined_, key_seq);
  auto decoded = events::decode(record->bytes);
  if (decoded && stand_in) {
    fail(key_seq, "event " + std::to_string(key_seq) +
                      " is quarantined but decodes: its quarantine record is not genuine");
    return false;
  }
  if (stand_in) {
    // Set aside: its bytes may not even be JSON; its stand-in must name them.
    const auto* fact = std::get_if<events::log::quarantined>(&stand_in->data);
    if (fact == nullptr || stand_in->meta.seq != key_seq || fact->seq != key_seq ||
        stand_in->meta.stream != fact->stream || stand_in->meta.version != fact->version ||
        fact->bytes_sha256 != to_hex(sha256(record->bytes))) {
      fail(key_seq, "the quarantine record of event " + std::to_string(key_seq) +
                        " does not match its bytes");
      return false;
    }
    report_.quarantined.push_back(key_seq);
  } else {
    // An event that says another seq is misplaced (no quarantine mends that); one that
    // says none at all is unreadable, like any other that does not decode.
    auto seq_in_event = decoded ? std::optional(decoded->meta.seq) : encoded_seq(record->bytes);
    if (seq_in_event && *seq_in_event != key_seq) {
      fail(key_seq,
           "event stored under seq " + std::to_string(key_seq) + " says seq " +
               std::to_string(*seq_in_event));
      return false;
    }
    if (!decoded) {
      fail(key_seq, unreadable_event(key_seq, record->bytes, decoded.error().message).message);
      report_.undecodable = true;
      return false;
    }
    if (decoded->meta.stream == events::log::stream)
      if (const auto* q = std::get_if<events::log::quarantined>(&decoded->data))
        recorded_.insert_or_assign(q->seq, *q);
  }
  last_seq_ = key_seq;
  hash_ = h;
  ++report_.events;
  return true;
}

verify_report chain_verifier::finish(std::optional<std::uint64_t> head_seq,
                                     std::optional<hash256> head_hash) {
  report_.head_hash = hash_;
  if (!report_.ok) return report_;
  if (!quarantined_->malformed.empty()) {
    fail(0, std::to_string(quarantined_->malformed.size()) +
                " quarantine record(s) do not decode: the events they set aside read as "
                "unreadable again; quarantine them again");
    return report_;
  }
  for (const auto& [seq, stand_in] : quarantined_->stand_ins) {
    if (seq > last_seq_) {
      fail(seq, "event " + std::to_string(seq) + " is quarantined but not in the log");
      return report_;
    }
    auto chained = recorded_.find(seq);
    if (chained == recorded_.end()) {
      fail(seq, "event " + std::to_string(seq) +
                    " is quarantined, but the log has no log.quarantined record of it");
      return report_;
    }
    if (chained->second != std::get<events::log::quarantined>(stand_in->data)) {
      fail(seq, "the quarantine record of event " + std::to_string(seq) +
                    " differs from the log.quarantined record the chain holds");
      return report_;
    }
  }
  if (!head_seq || !head_hash) {
    if (last_seq_ != 0) fail(1, "the log holds events but no stored head");
  } else if (*head_seq > last_seq_) {
    fail(last_seq_ + 1,
         "events " + std::to_string(last_seq_ + 1) + " to " + std::to_string(*head_seq) +
             " are missing (the stored head is " + std::to_string(*head_seq) + ")");
  } else if (*head_seq < last_seq_) {
    fail(*head_seq + 1, "events after the stored head " + std::to_string(*head_seq) +
                            " (the log ends at " + std::to_string(last_seq_) + ")");
  } else if (*head_hash != hash_) {
    fail(last_seq_, "the stored head hash " + to_hex(*head_hash) +
                        " differs from the recomputed " + to_hex(hash_));
  }
  return report_;
}

} // namespace waitroom::storage::detail
