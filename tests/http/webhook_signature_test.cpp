// The webhook signature: HMAC-SHA256 against RFC 4231's test vectors, and the header
// composed over "<t>.<body>" exactly as receivers recompute it.
#include "http/crypto/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <string>

namespace waitroom::http {
namespace {

TEST(WebhookSignature, HmacSha256MatchesRfc4231) {
  // Test case 2
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: 20 bytes of 0x0b, "Hi There"
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(WebhookSignature, SignsTheTimestampDotTheExactBody) {
  const std::string body = R"({"seq":7,"type":"checkin.approved"})";
  const auto header = webhook_signature("whsec_secret", 1795600000, body);
  EXPECT_EQ(header,
            "t=1795600000,v1=" + hmac_sha256_hex("whsec_secret", "1795600000." + body));
  // as Python's hmac module computes it (what a receiver would run)
  EXPECT_EQ(
      header,
      "t=1795600000,v1=7a41a170052f1733386ce63d1e5e1626475684e905c46da553e7437b4a89c0f0");
  EXPECT_NE(header, webhook_signature("whsec_secret", 1795600001, body));
  EXPECT_NE(header, webhook_signature("whsec_other", 1795600000, body));
  EXPECT_NE(header, webhook_signature("whsec_secret", 1795600000, body + " "));
}

} // namespace
} // namespace waitroom::http
