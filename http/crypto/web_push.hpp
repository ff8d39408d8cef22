#pragma once
/// Web Push message encryption and VAPID, with OpenSSL:
/// - RFC 8291 (Message Encryption for Web Push) over RFC 8188 `aes128gcm`: the payload
///   for one subscription `{endpoint, keys: {p256dh, auth}}`, in one record.
/// - RFC 8292 (VAPID): the application server's P-256 key pair and the ES256 JWT that
///   goes into `Authorization: vapid t=<jwt>, k=<public key>`.
///
/// Keys and secrets travel base64url-encoded without padding, as browsers give them.

#include "events/outcome.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace waitroom::http::web_push {

/// base64url without padding (RFC 4648 §5), as Web Push uses it.
std::string base64url(std::string_view bytes);
/// Accepts padded or unpadded input; nothing when it is not base64url.
std::optional<std::string> from_base64url(std::string_view text);

/// A P-256 key pair: `public_key` is the 65-byte uncompressed point, `private_key` the
/// 32-byte scalar (both raw bytes).
struct key_pair {
  std::string public_key;
  std::string private_key;
};

/// A fresh P-256 key pair (`waitroom vapid generate-keys`, and a sender's ephemeral key).
key_pair generate_key_pair();

/// The sender's choices that RFC 8291 makes random; fixed only to reproduce its example.
struct encryption_inputs {
  std::optional<key_pair> sender;  ///< the ephemeral key pair (default: fresh)
  std::optional<std::string> salt; ///< 16 bytes (default: random)
  std::uint32_t record_size = 4096;
};

/// The `aes128gcm` body for a subscription whose `p256dh` is `ua_public` (65 bytes) and
/// whose `auth` is `auth_secret` (16 bytes). VALIDATION_ERROR for malformed keys or a
/// plaintext that does not fit one record.
events::outcome<std::string> encrypt(std::string_view plaintext,
                                     std::string_view ua_public,
                                     std::string_view auth_secret,
                                     const encryption_inputs& inputs = {});

/// The VAPID `Authorization` header value for a push to `audience` (the push service's
/// origin, e.g. `https://fcm.googleapis.com`): `vapid t=<ES256 JWT>, k=<public key>`,
/// with claims `aud`, `exp` (unix seconds) and `sub` (a `mailto:` or `https:` contact).
events::outcome<std::string> vapid_authorization(const key_pair& vapid,
                                                 std::string_view audience,
                                                 std::int64_t expires_at_unix,
                                                 std::string_view subject);

/// Whether `public_key` belongs to `private_key` (start-up check of configured keys).
bool keys_match(const key_pair& keys);

} // namespace waitroom::http::web_push
