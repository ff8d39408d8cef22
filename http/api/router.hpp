#pragma once
/// The route table: (method, path pattern, guard, handler) rows that the route groups
/// (routes/) add, and the matching of a request against them. Knows nothing of what a
/// handler does.

#include "http/api/auth.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace waitroom::http {

struct call;
using handler_fn = void (*)(call&);

struct route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  guard g = guard::none;
  handler_fn fn = nullptr;
  /// The query parameter that may carry the credential instead of `Authorization`
  /// (streams: `access_token`; the Supabase Realtime socket: `apikey`). Empty: none.
  std::string_view query_credential;
  bool streams = false;     ///< answers a stream or a WebSocket: no HEAD
};

class route_table {
 public:
  /// Adds a row; the returned row may still get its flags set.
  route& add(std::string method, std::string pattern, guard g, handler_fn fn);
  const std::vector<route>& rows() const { return rows_; }

  struct match {
    const route* found = nullptr;    ///< the row for this method, if any
    std::vector<std::string> params; ///< values of its `:name` segments, in order
    std::string allowed;             ///< the methods the path allows (`Allow`), if any
  };
  /// HEAD matches a GET row that does not stream.
  match find(std::string_view method, std::string_view path) const;

 private:
  std::vector<route> rows_;
};

// The route groups (routes/*.cpp), each adding its rows.
void add_operations_routes(route_table& t);
void add_people_routes(route_table& t);
void add_rooms_routes(route_table& t);
void add_watchers_routes(route_table& t);
void add_checkins_routes(route_table& t);
void add_streams_routes(route_table& t);
void add_socket_routes(route_table& t);
void add_realtime_routes(route_table& t);
void add_mcp_routes(route_table& t);
void add_push_routes(route_table& t);
void add_audit_routes(route_table& t);

} // namespace waitroom::http
