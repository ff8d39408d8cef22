#include "http/api/dashboard.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <stdexcept>
#include <string>

namespace waitroom::http {

namespace {

/// The text between `<tag>` and `</tag>` (the page has one of each).
std::string_view inline_block(std::string_view page, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">",
                    close = "</" + std::string(tag) + ">";
  const auto from = page.find(open);
  const auto to = page.find(close, from);
  if (from == std::string_view::npos || to == std::string_view::npos)
    throw std::logic_error("dashboard.html has no <" + std::string(tag) + "> block");
  return page.substr(from + open.size(), to - from - open.size());
}

/// `'sha256-<base64>'` as CSP wants it.
std::string csp_hash(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  return "'sha256-" +
         std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n)) +
         "'";
}

} // namespace

response dashboard_response() {
  static const std::string policy = [] {
    const auto page = dashboard_page();
    return "default-src 'none'; script-src " + csp_hash(inline_block(page, "script")) +
           "; style-src " + csp_hash(inline_block(page, "style")) +
           "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action "
           "'none'; "
           "frame-ancestors 'none'";
  }();
  response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::string(dashboard_page());
  r.headers.emplace_back("Content-Security-Policy", policy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

} // namespace waitroom::http
