#include "http/cluster/forwarded.hpp"

namespace waitroom::http {

namespace {

constexpr std::string_view request_magic = "WF1";
constexpr std::string_view answer_magic = "WA1";

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xff);
}
void put_u64(std::string& out, std::uint64_t v) {
  put_u32(out, static_cast<std::uint32_t>(v >> 32));
  put_u32(out, static_cast<std::uint32_t>(v));
}
void put(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

class reader {
 public:
  explicit reader(std::string_view in)
      : in_(in) {}
  bool magic(std::string_view m) {
    if (!in_.starts_with(m)) return false;
    in_.remove_prefix(m.size());
    return true;
  }
  std::optional<std::uint32_t> u32() {
    if (in_.size() < 4) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v = (v << 8) | static_cast<unsigned char>(in_[i]);
    in_.remove_prefix(4);
    return v;
  }
  std::optional<std::uint8_t> u8() {
    if (in_.empty()) return std::nullopt;
    auto v = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  std::optional<std::uint64_t> u64() {
    auto hi = u32();
    auto lo = u32();
    if (!hi || !lo) return std::nullopt;
    return (std::uint64_t{*hi} << 32) | *lo;
  }
  std::optional<std::string> str() {
    auto n = u32();
    if (!n || *n > in_.size()) return std::nullopt;
    std::string v(in_.substr(0, *n));
    in_.remove_prefix(*n);
    return v;
  }
  /// `count` pairs, handed to `add`; false when the bytes end early.
  template <class Add>
  bool pairs(Add add) {
    auto n = u32();
    if (!n) return false;
    for (std::uint32_t i = 0; i < *n; ++i) {
      auto k = str();
      auto v = str();
      if (!k || !v) return false;
      add(std::move(*k), std::move(*v));
    }
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

template <class Pairs>
void put_pairs(std::string& out, const Pairs& pairs) {
  put_u32(out, static_cast<std::uint32_t>(pairs.size()));
  for (const auto& [k, v] : pairs) {
    put(out, k);
    put(out, v);
  }
}

} // namespace

std::string encode_forwarded(const request& req) {
  std::string out(request_magic);
  put(out, req.method);
  put(out, req.path);
  put_pairs(out, req.query);
  put_pairs(out, req.headers);
  put(out, req.remote_address);
  put(out, req.body);
  return out;
}

std::optional<request> decode_forwarded(std::string_view bytes) {
  reader in(bytes);
  if (!in.magic(request_magic)) return std::nullopt;
  request req;
  auto method = in.str();
  auto path = in.str();
  if (!method || !path) return std::nullopt;
  req.method = std::move(*method);
  req.path = std::move(*path);
  if (!in.pairs([&](std::string k, std::string v) {
        req.query.emplace(std::move(k), std::move(v));
      }))
    return std::nullopt;
  if (!in.pairs([&](std::string k, std::string v) {
        req.headers.emplace(std::move(k), std::move(v));
      }))
    return std::nullopt;
  auto remote = in.str();
  auto body = in.str();
  if (!remote || !body || !in.done()) return std::nullopt;
  req.remote_address = std::move(*remote);
  req.body = std::move(*body);
  return req;
}

std::string encode_answer(const response& r, std::uint64_t applied_seq) {
  std::string out(answer_magic);
  put_u32(out, static_cast<std::uint32_t>(r.status));
  put_u64(out, applied_seq);
  put(out, r.content_type);
  put(out, r.error_code);
  out += r.recorded ? '\x01' : '\x00';
  put_pairs(out, r.headers);
  put(out, r.body);
  return out;
}

std::optional<forwarded_answer> decode_answer(std::string_view bytes) {
  reader in(bytes);
  if (!in.magic(answer_magic)) return std::nullopt;
  forwarded_answer a;
  auto status = in.u32();
  auto seq = in.u64();
  auto type = in.str();
  auto code = in.str();
  auto recorded = in.u8();
  if (!status || *status < 100 || *status > 599 || !seq || !type || !code || !recorded ||
      *recorded > 1)
    return std::nullopt;
  a.answer.status = static_cast<int>(*status);
  a.applied_seq = *seq;
  a.answer.content_type = std::move(*type);
  a.answer.error_code = std::move(*code);
  a.answer.recorded = *recorded == 1;
  if (!in.pairs([&](std::string k, std::string v) {
        a.answer.headers.emplace_back(std::move(k), std::move(v));
      }))
    return std::nullopt;
  auto body = in.str();
  if (!body || !in.done()) return std::nullopt;
  a.answer.body = std::move(*body);
  return a;
}

} // namespace waitroom::http
