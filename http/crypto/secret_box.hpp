#pragma once
/// Seals secrets that the server must be able to read back later (webhook signing
/// secrets) with AES-256-GCM under a key kept in the data directory, so the log and
/// the audit trail never carry them in the clear. OpenSSL does the cryptography.

#include "events/outcome.hpp"

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace waitroom::http {

class secret_box {
 public:
  /// Loads `path` (32 random bytes, hex), creating it (mode 0600) when missing.
  /// Throws on I/O errors (start-up only).
  static secret_box open(const std::filesystem::path& path);
  /// A box with the given key (tests).
  explicit secret_box(const std::array<unsigned char, 32>& key)
      : key_(key) {}

  /// hex(nonce | ciphertext | tag).
  std::string seal(std::string_view plaintext) const;
  /// The plaintext, or INTERNAL when the data is not a box of this key.
  events::outcome<std::string> open_sealed(std::string_view sealed) const;

 private:
  std::array<unsigned char, 32> key_;
};

} // namespace waitroom::http
