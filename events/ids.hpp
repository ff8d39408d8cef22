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

/// Credentials (API.md "Principals"): a prefix plus 32 random characters; the server
/// makes them of [A-Za-z0-9].
inline constexpr std::string_view user_token_prefix = "wrh_";
inline constexpr std::size_t user_token_random_length = 32;

/// Whether `token` has the shape of a person's token: `wrh_` and 32 characters that
/// travel unescaped in a header and a query string ([A-Za-z0-9_-]).
constexpr bool is_user_token(std::string_view token) noexcept {
  if (token.size() != user_token_prefix.size() + user_token_random_length ||
      token.substr(0, user_token_prefix.size()) != user_token_prefix)
    return false;
  for (char c : token.substr(user_token_prefix.size()))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-'))
      return false;
  return true;
}

} // namespace waitroom::events
