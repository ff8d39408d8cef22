// The parts of the event log shared by every implementation: hashing, hex, the blocking
// `append`, and the stats accessor.

#include "storage/event_log.hpp"
#include "storage/writer_stats.hpp"

#include <openssl/evp.h>

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

std::string audit_json(const stored_event& e) {
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

} // namespace waitroom::storage
