#pragma once
/// Events of the organization aggregate (stream `org_…`). NOTE: storage format.

#include <boost/describe/class.hpp>

#include <string>
#include <string_view>

namespace waitroom::events::org {

/// `org.created`: a tenant exists.
struct created {
  static constexpr std::string_view wire_type = "org.created";
  std::string id;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(created, (), (id, name))

} // namespace waitroom::events::org
