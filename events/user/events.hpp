#pragma once
/// Events of the user aggregate (stream `us_…`). NOTE: storage format. Tokens are
/// never stored, only their SHA-256 (hex).

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <string>
#include <string_view>

namespace waitroom::events::user {

/// Roles of a human in an organization, strongest first.
enum class user_role { owner, admin, member, viewer };
BOOST_DESCRIBE_ENUM(user_role, owner, admin, member, viewer)

/// Whether `have` is at least as strong as `need` (owner > admin > member > viewer).
constexpr bool at_least(user_role have, user_role need) {
  return static_cast<int>(have) <= static_cast<int>(need);
}

/// `user.created`: a human with a personal token exists in an org.
struct created {
  static constexpr std::string_view wire_type = "user.created";
  std::string id;
  std::string org_id;
  std::string name;
  std::string email;
  user_role role = user_role::member;
  std::string token_hash; ///< hex SHA-256 of the `wrh_…` token
  bool instance_admin = false;
};
BOOST_DESCRIBE_STRUCT(created, (),
                      (id, org_id, name, email, role, token_hash, instance_admin))

/// `user.token_rotated`: the user's token was replaced; the old one is dead.
struct token_rotated {
  static constexpr std::string_view wire_type = "user.token_rotated";
  std::string token_hash;
};
BOOST_DESCRIBE_STRUCT(token_rotated, (), (token_hash))

/// `user.deactivated`: the user can no longer authenticate.
struct deactivated {
  static constexpr std::string_view wire_type = "user.deactivated";
  std::string id;
};
BOOST_DESCRIBE_STRUCT(deactivated, (), (id))

} // namespace waitroom::events::user
