#pragma once
/// Identifier shapes: a prefix plus 10 characters of [a-z0-9] (API.md "Conventions").
/// Generating ids is not the domain's business (commands carry them); recognising
/// them is.

#include <string_view>

namespace waitroom::events {

inline constexpr std::string_view org_prefix = "org_";
inline constexpr std::string_view user_prefix = "us_";
inline constexpr std::string_view agent_prefix = "ag_";
inline constexpr std::string_view room_prefix = "rm_";
inline constexpr std::string_view checkin_prefix = "ci_";
inline constexpr std::string_view message_prefix = "msg_";
inline constexpr std::string_view watcher_prefix = "w_";
inline constexpr std::string_view signal_prefix = "sig_";

inline constexpr std::size_t id_random_length = 10;

/// Whether `id` is `prefix` followed by exactly 10 characters of [a-z0-9].
constexpr bool is_id(std::string_view id, std::string_view prefix) noexcept {
  if (id.size() != prefix.size() + id_random_length ||
      id.substr(0, prefix.size()) != prefix)
    return false;
  for (char c : id.substr(prefix.size()))
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

/// Credentials (API.md "Principals"): a prefix plus random characters; the server makes
/// them of [A-Za-z0-9].
struct credential_shape {
  std::string_view prefix;
  std::size_t random_length;

  constexpr std::size_t size() const noexcept { return prefix.size() + random_length; }
  /// The prefix and the right length (the characters aside).
  constexpr bool fits(std::string_view s) const noexcept {
    return s.size() == size() && s.substr(0, prefix.size()) == prefix;
  }
};
/// A person's token.
inline constexpr credential_shape user_token{"wrh_", 32};
/// An agent's API key; its first `agent_key_prefix_length` characters are shown to
/// identify it (`key_prefix`).
inline constexpr credential_shape agent_key{"wr_", 32};
inline constexpr std::size_t agent_key_prefix_length = 12;
constexpr std::string_view key_prefix_of(std::string_view key) noexcept {
  return key.substr(0, agent_key_prefix_length);
}
/// The one-time token a person uses to claim a self-registered agent. It starts like an
/// API key (`wr_`) but is never one.
inline constexpr credential_shape claim_token{"wr_claim_", 24};
constexpr bool is_claim_token(std::string_view s) noexcept {
  return s.starts_with(claim_token.prefix);
}
/// A webhook signing secret the server makes; one the watcher's creator chooses has
/// `webhook_secret_min`-`webhook_secret_max` characters of any kind.
inline constexpr credential_shape webhook_secret{"whsec_", 32};
inline constexpr std::size_t webhook_secret_min = 16;
inline constexpr std::size_t webhook_secret_max = 256;

/// Whether `token` has the shape of a person's token: `wrh_` and 32 characters that
/// travel unescaped in a header and a query string ([A-Za-z0-9_-]).
constexpr bool is_user_token(std::string_view token) noexcept {
  if (!user_token.fits(token)) return false;
  for (char c : token.substr(user_token.prefix.size()))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-'))
      return false;
  return true;
}

} // namespace waitroom::events
