#include "http/crypto/web_push.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace waitroom::http::web_push {

namespace ev = waitroom::events;

namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using pkey_ctx_ptr =
    std::unique_ptr<EVP_PKEY_CTX, deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using cipher_ctx_ptr =
    std::unique_ptr<EVP_CIPHER_CTX, deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>>;
using param_bld_ptr =
    std::unique_ptr<OSSL_PARAM_BLD, deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using params_ptr = std::unique_ptr<OSSL_PARAM, deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using sig_ptr = std::unique_ptr<ECDSA_SIG, deleter<ECDSA_SIG, ECDSA_SIG_free>>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

/// A P-256 key from raw bytes: the public point alone, or with its private scalar.
pkey_ptr p256_key(std::string_view public_key, std::string_view private_key = {}) {
  param_bld_ptr bld(OSSL_PARAM_BLD_new());
  bn_ptr priv;
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                       "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                        public_key.data(), public_key.size()))
    return nullptr;
  if (!private_key.empty()) {
    priv.reset(
        BN_bin2bn(bytes(private_key), static_cast<int>(private_key.size()), nullptr));
    if (!priv || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()))
      return nullptr;
  }
  params_ptr params(OSSL_PARAM_BLD_to_param(bld.get()));
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key,
                        private_key.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR,
                        params.get()) <= 0)
    return nullptr;
  pkey_ptr out(key);
  // fromdata does not check that the point is on the curve: do
  pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, out.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return out;
}

std::string ecdh(const pkey_ptr& mine, const pkey_ptr& theirs) {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, mine.get(), nullptr));
  std::size_t n = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer(ctx.get(), theirs.get()) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &n) <= 0)
    throw std::runtime_error("ECDH failed");
  std::string out(n, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n) <= 0)
    throw std::runtime_error("ECDH failed");
  out.resize(n);
  return out;
}

/// HKDF-SHA-256 (RFC 5869), extract then expand to `length` bytes.
std::string hkdf(std::string_view salt, std::string_view ikm, std::string_view info,
                 std::size_t length) {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  std::string out(length, '\0');
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), bytes(salt),
                                  static_cast<int>(salt.size())) <= 0 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), bytes(ikm), static_cast<int>(ikm.size())) <=
          0 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), bytes(info),
                                  static_cast<int>(info.size())) <= 0 ||
      EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length) <=
          0)
    throw std::runtime_error("HKDF failed");
  return out;
}

std::string raw_public_key(const pkey_ptr& key) {
  std::array<unsigned char, 65> buf{};
  std::size_t n = 0;
  if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                      buf.data(), buf.size(), &n) != 1 ||
      n != buf.size())
    throw std::runtime_error("cannot export a P-256 public key");
  return std::string(reinterpret_cast<const char*>(buf.data()), n);
}

std::string raw_private_key(const pkey_ptr& key) {
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1)
    throw std::runtime_error("cannot export a P-256 private key");
  bn_ptr owned(d);
  std::string out(32, '\0');
  if (BN_bn2binpad(d, reinterpret_cast<unsigned char*>(out.data()), 32) != 32)
    throw std::runtime_error("cannot export a P-256 private key");
  return out;
}

/// The ES256 signature (raw r || s, 64 bytes) of `message`.
std::string es256(const pkey_ptr& key, std::string_view message) {
  md_ctx_ptr md(EVP_MD_CTX_new());
  std::size_t n = 0;
  if (!md ||
      EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0 ||
      EVP_DigestSign(md.get(), nullptr, &n, bytes(message), message.size()) <= 0)
    throw std::runtime_error("ES256 signing failed");
  std::string der(n, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(der.data()), &n,
                     bytes(message), message.size()) <= 0)
    throw std::runtime_error("ES256 signing failed");
  const unsigned char* p = bytes(der);
  sig_ptr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(n)));
  if (!sig) throw std::runtime_error("ES256 signing failed");
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) != 32)
    throw std::runtime_error("ES256 signing failed");
  return raw;
}

} // namespace

std::string base64url(std::string_view in) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (in.size() - i == 1) {
    const unsigned v = at(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (in.size() - i == 2) {
    const unsigned v = (at(i) << 16) | (at(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt; // non-canonical trailing bits
  return out;
}

key_pair generate_key_pair() {
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throw std::runtime_error("P-256 key generation failed");
  return {raw_public_key(key), raw_private_key(key)};
}

bool keys_match(const key_pair& keys) {
  if (keys.public_key.size() != 65 || keys.private_key.size() != 32) return false;
  auto pair = p256_key(keys.public_key, keys.private_key);
  if (!pair) return false;
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pair.get(), nullptr));
  return ctx && EVP_PKEY_pairwise_check(ctx.get()) == 1;
}

ev::outcome<std::string> encrypt(std::string_view plaintext, std::string_view ua_public,
                                 std::string_view auth_secret,
                                 const encryption_inputs& in) {
  if (ua_public.size() != 65 || ua_public[0] != 0x04)
    return ev::validation_error("keys.p256dh",
                                "must be an uncompressed P-256 point (65 bytes)");
  if (auth_secret.size() != 16)
    return ev::validation_error("keys.auth", "must be 16 bytes");
  auto ua = p256_key(ua_public);
  if (!ua) return ev::validation_error("keys.p256dh", "is not a point on P-256");
  // One record: header, then plaintext || 0x02 || AES-GCM tag (RFC 8188 §2).
  constexpr std::size_t tag_size = 16, header_size = 16 + 4 + 1 + 65;
  if (plaintext.size() + 1 + tag_size > in.record_size)
    return ev::validation_error("payload", "does not fit one record");
  const key_pair sender = in.sender ? *in.sender : generate_key_pair();
  auto as = p256_key(sender.public_key, sender.private_key);
  if (!as) return ev::validation_error("sender", "is not a P-256 key pair");
  std::string salt = in.salt ? *in.salt : std::string(16, '\0');
  if (!in.salt && RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), 16) != 1)
    return ev::internal_error("RAND_bytes failed");
  if (salt.size() != 16) return ev::validation_error("salt", "must be 16 bytes");

  // RFC 8291 §3.3 and §3.4
  const std::string ecdh_secret = ecdh(as, ua);
  std::string key_info = "WebPush: info";
  key_info += '\0';
  key_info.append(ua_public);
  key_info.append(sender.public_key);
  const std::string ikm = hkdf(auth_secret, ecdh_secret, key_info, 32);
  const std::string cek =
      hkdf(salt, ikm, std::string_view("Content-Encoding: aes128gcm\0", 28), 16);
  const std::string nonce =
      hkdf(salt, ikm, std::string_view("Content-Encoding: nonce\0", 24), 12);

  std::string out;
  out.reserve(header_size + plaintext.size() + 1 + tag_size);
  out += salt;
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((in.record_size >> shift) & 0xff);
  out += static_cast<char>(65);
  out += sender.public_key;

  std::string record(plaintext);
  record += '\x02'; // the last (and only) record's padding delimiter
  cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  std::string sealed(record.size(), '\0');
  int n = 0, tail = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, bytes(cek),
                         bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(sealed.data()), &n,
                        bytes(record), static_cast<int>(record.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(sealed.data()) + n,
                          &tail) != 1)
    return ev::internal_error("AES-128-GCM failed");
  std::array<unsigned char, tag_size> tag{};
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size, tag.data()) != 1)
    return ev::internal_error("AES-128-GCM failed");
  out += sealed;
  out.append(reinterpret_cast<const char*>(tag.data()), tag.size());
  return out;
}

ev::outcome<std::string> vapid_authorization(const key_pair& vapid,
                                             std::string_view audience,
                                             std::int64_t expires_at_unix,
                                             std::string_view subject) {
  if (!keys_match(vapid)) return ev::validation_error("vapid", "is not a P-256 key pair");
  auto key = p256_key(vapid.public_key, vapid.private_key);
  if (!key) return ev::validation_error("vapid", "is not a P-256 key pair");
  auto json_string = [](std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) < 0x20)
        return std::string(); // never in an origin
      out += c;
    }
    return out + "\"";
  };
  const auto aud = json_string(audience), sub = json_string(subject);
  if (aud.empty() || sub.empty())
    return ev::validation_error("vapid", "control characters");
  const std::string header = base64url(R"({"typ":"JWT","alg":"ES256"})");
  const std::string claims =
      base64url("{\"aud\":" + aud + ",\"exp\":" + std::to_string(expires_at_unix) +
                ",\"sub\":" + sub + "}");
  const std::string signing_input = header + "." + claims;
  const std::string jwt = signing_input + "." + base64url(es256(key, signing_input));
  return "vapid t=" + jwt + ", k=" + base64url(vapid.public_key);
}

} // namespace waitroom::http::web_push
