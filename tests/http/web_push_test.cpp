// Web Push encryption (RFC 8291 / RFC 8188 aes128gcm) and VAPID (RFC 8292): the RFC 8291
// Appendix A example reproduced byte for byte, a browser's side that decrypts what the
// server sends, and the VAPID JWT verified with the public key.
#include "http/crypto/web_push.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::http::web_push {
namespace {

std::string b64(std::string_view text) {
  auto out = from_base64url(text);
  if (!out) throw std::invalid_argument("bad base64url in the test");
  return *out;
}

// RFC 8291, Appendix A.
const std::string plaintext = "When I grow up, I want to be a watermelon";
const std::string as_public =
    b64("BP4z9KsN6nGRTbVYI_"
        "c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
const std::string as_private = b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw");
const std::string ua_public = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-"
                                  "AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
const std::string ua_private = b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94");
const std::string salt = b64("DGv6ra1nlYgDCS1FRnbzlw");
const std::string auth_secret = b64("BTBZMqHH6r4Tts7J_aSIgg");
const std::string expected_body =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_"
    "c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS"
    "6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_"
    "Qulcy4a-fN";

// --- a browser's side, written against the RFCs with OpenSSL's one-shot helpers -------

struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using pkey = std::unique_ptr<EVP_PKEY, pkey_free>;

pkey key_of(const std::string& pub, const std::string& priv = {}) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  BIGNUM* d = nullptr;
  if (!priv.empty()) {
    d = BN_bin2bn(reinterpret_cast<const unsigned char*>(priv.data()), 32, nullptr);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d);
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, priv.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR,
                    params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(d);
  return pkey(key);
}

std::string derive(const pkey& mine, const pkey& theirs) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(mine.get(), nullptr);
  std::size_t n = 32;
  std::string out(32, '\0');
  EVP_PKEY_derive_init(ctx);
  EVP_PKEY_derive_set_peer(ctx, theirs.get());
  EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &n);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

std::string hkdf(const std::string& salt_, const std::string& ikm,
                 const std::string& info, std::size_t length) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  std::string out(length, '\0');
  EVP_PKEY_derive_init(ctx);
  EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256());
  EVP_PKEY_CTX_set1_hkdf_salt(ctx, reinterpret_cast<const unsigned char*>(salt_.data()),
                              static_cast<int>(salt_.size()));
  EVP_PKEY_CTX_set1_hkdf_key(ctx, reinterpret_cast<const unsigned char*>(ikm.data()),
                             static_cast<int>(ikm.size()));
  EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()),
                              static_cast<int>(info.size()));
  EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &length);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

/// RFC 8188 / RFC 8291 decryption of a one-record aes128gcm body; nothing when it fails.
std::optional<std::string> decrypt(const std::string& body, const std::string& ua_pub,
                                   const std::string& ua_priv, const std::string& auth) {
  if (body.size() < 21 + 65 + 16 || static_cast<unsigned char>(body[20]) != 65) return {};
  const std::string salt_ = body.substr(0, 16), sender = body.substr(21, 65);
  const std::string sealed = body.substr(86, body.size() - 86 - 16),
                    tag = body.substr(body.size() - 16);
  const std::string secret = derive(key_of(ua_pub, ua_priv), key_of(sender));
  const std::string ikm =
      hkdf(auth, secret, std::string("WebPush: info\0", 14) + ua_pub + sender, 32);
  const std::string cek =
      hkdf(salt_, ikm, std::string("Content-Encoding: aes128gcm\0", 28), 16);
  const std::string nonce =
      hkdf(salt_, ikm, std::string("Content-Encoding: nonce\0", 24), 12);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::string out(sealed.size(), '\0');
  int n = 0, tail = 0;
  EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(cek.data()),
                     reinterpret_cast<const unsigned char*>(nonce.data()));
  EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                    reinterpret_cast<const unsigned char*>(sealed.data()),
                    static_cast<int>(sealed.size()));
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, const_cast<char*>(tag.data()));
  const bool ok = EVP_DecryptFinal_ex(
                      ctx, reinterpret_cast<unsigned char*>(out.data()) + n, &tail) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return {};
  const auto end = out.find_last_not_of('\0');
  if (end == std::string::npos || out[end] != '\x02') return {}; // last-record delimiter
  return out.substr(0, end);
}

// --- tests ----------------------------------------------------------------------------

TEST(WebPush, ReproducesRfc8291AppendixAByteForByte) {
  encryption_inputs fixed;
  fixed.sender = key_pair{as_public, as_private};
  fixed.salt = salt;
  auto body = encrypt(plaintext, ua_public, auth_secret, fixed);
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(base64url(*body), expected_body);
  // and the browser's side reads the RFC's own body
  EXPECT_EQ(decrypt(b64(expected_body), ua_public, ua_private, auth_secret), plaintext);
}

TEST(WebPush, ABrowserDecryptsWhatTheServerSends) {
  const auto browser = generate_key_pair();
  const std::string auth = b64("c2l4dGVlbiBieXRlcyEhIQ"); // 16 bytes
  const std::string message =
      R"({"title":"deploy v2.3.1 to production","room":"general"})";
  auto one = encrypt(message, browser.public_key, auth);
  auto two = encrypt(message, browser.public_key, auth);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_NE(*one, *two) << "salt and sender key must be fresh for every message";
  EXPECT_EQ(decrypt(*one, browser.public_key, browser.private_key, auth), message);
  EXPECT_EQ(decrypt(*two, browser.public_key, browser.private_key, auth), message);
  auto tampered = *one;
  tampered[100] = static_cast<char>(tampered[100] ^ 1);
  EXPECT_FALSE(
      decrypt(tampered, browser.public_key, browser.private_key, auth).has_value());
  const auto stranger = generate_key_pair();
  EXPECT_FALSE(
      decrypt(*one, stranger.public_key, stranger.private_key, auth).has_value());
}

TEST(WebPush, RefusesMalformedSubscriptionKeysAndOversizedPayloads) {
  EXPECT_EQ(encrypt("x", ua_public.substr(1), auth_secret).error().field, "keys.p256dh");
  auto off_curve = ua_public;
  off_curve[40] = static_cast<char>(off_curve[40] ^ 1);
  EXPECT_EQ(encrypt("x", off_curve, auth_secret).error().field, "keys.p256dh");
  EXPECT_EQ(encrypt("x", ua_public, auth_secret.substr(2)).error().field, "keys.auth");
  EXPECT_EQ(encrypt(std::string(4096, 'x'), ua_public, auth_secret).error().field,
            "payload");
  EXPECT_TRUE(encrypt(std::string(4096 - 17, 'x'), ua_public, auth_secret).ok());
}

TEST(Vapid, TheJwtIsAnEs256TokenTheServicesPublicKeyVerifies) {
  const auto vapid = generate_key_pair();
  ASSERT_TRUE(keys_match(vapid));
  auto header = vapid_authorization(vapid, "https://push.example.net", 1795600000,
                                    "mailto:ops@example.test");
  ASSERT_TRUE(header.ok());
  const std::string prefix = "vapid t=";
  ASSERT_EQ(header->rfind(prefix, 0), 0u);
  const auto comma = header->find(", k=");
  ASSERT_NE(comma, std::string::npos);
  const std::string jwt = header->substr(prefix.size(), comma - prefix.size());
  EXPECT_EQ(b64(header->substr(comma + 4)), vapid.public_key);

  const auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
  ASSERT_NE(dot1, dot2);
  auto head = boost::json::parse(b64(jwt.substr(0, dot1)));
  EXPECT_EQ(head.at("alg"), "ES256");
  EXPECT_EQ(head.at("typ"), "JWT");
  auto claims = boost::json::parse(b64(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(claims.at("aud"), "https://push.example.net");
  EXPECT_EQ(claims.at("exp"), 1795600000);
  EXPECT_EQ(claims.at("sub"), "mailto:ops@example.test");

  // verify r || s over "header.claims" with the public key alone
  const std::string raw = b64(jwt.substr(dot2 + 1));
  ASSERT_EQ(raw.size(), 64u);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
      BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  auto verify = [&](const std::string& signed_text, const std::string& pub) {
    auto key = key_of(pub);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key.get());
    const int ok = EVP_DigestVerify(
        md, der, static_cast<std::size_t>(der_len),
        reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size());
    EVP_MD_CTX_free(md);
    return ok == 1;
  };
  EXPECT_TRUE(verify(jwt.substr(0, dot2), vapid.public_key));
  EXPECT_FALSE(verify(jwt.substr(0, dot2) + "x", vapid.public_key));
  EXPECT_FALSE(verify(jwt.substr(0, dot2), generate_key_pair().public_key));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
}

TEST(Vapid, KeysMustBelongTogether) {
  const auto a = generate_key_pair(), b = generate_key_pair();
  EXPECT_TRUE(keys_match(a));
  EXPECT_FALSE(keys_match({a.public_key, b.private_key}));
  EXPECT_FALSE(keys_match({a.public_key.substr(1), a.private_key}));
  EXPECT_FALSE(
      vapid_authorization({a.public_key, "short"}, "https://x", 1, "mailto:a@b").ok());
}

TEST(Base64url, RoundTripsAndRefusesOtherAlphabets) {
  for (const std::string& s :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                std::string("\xff\xfe\x00", 3)})
    EXPECT_EQ(from_base64url(base64url(s)), s);
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
  EXPECT_EQ(from_base64url("Zm9vYg=="), "foob");
  EXPECT_FALSE(from_base64url("Zm9v+g").has_value());
  EXPECT_FALSE(from_base64url("Zm9v/g").has_value());
  EXPECT_FALSE(from_base64url("Z").has_value());
}

} // namespace
} // namespace waitroom::http::web_push
