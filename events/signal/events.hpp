#pragma once
/// Events of signals (stream `sig_…`): a person broadcasts something to a room's
/// watchers and streams. NOTE: storage format.

#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace waitroom::events::signal {

/// `signal.broadcast`.
struct broadcast {
  static constexpr std::string_view wire_type = "signal.broadcast";
  std::string id;
  std::string room_id;
  std::string type;
  boost::json::object payload;
};
BOOST_DESCRIBE_STRUCT(broadcast, (), (id, room_id, type, payload))

} // namespace waitroom::events::signal
