#pragma once
/// The v1 HTTP API: a route table of (method, path pattern, guard, handler). Each
/// handler parses the request into a command, sends it to the runtime, and maps the
/// outcome to the contract's JSON; reads come from the read models. Nothing here
/// decides a business outcome.

#include "actors/runtime.hpp"
#include "http/auth.hpp"
#include "http/message.hpp"
#include "http/status_waiters.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace waitroom::http {

class api final : public request_handler {
 public:
  api(actors::runtime& rt, status_waiters& waiters);

  void handle(const request& req, responder respond,
              std::shared_ptr<deferrer> later) override;

  /// `/readyz` answers 200 only while ready (log replayed, accepting writes).
  void set_ready(bool ready) { ready_ = ready; }

  struct route_info {
    std::string method;
    std::string pattern;
    guard g;
  };
  /// The route table, in matching order.
  std::vector<route_info> routes() const;

 private:
  struct call;
  using handler_fn = void (api::*)(call&);
  struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    guard g;
    handler_fn fn;
  };

  void add(std::string method, std::string pattern, guard g, handler_fn fn);

  void healthz(call& c);
  void readyz(call& c);
  void me(call& c);
  void register_agent(call& c);
  void list_rooms(call& c);
  void create_room(call& c);
  void get_room(call& c);
  void get_policy(call& c);
  void put_policy(call& c);
  void create_checkin(call& c);
  void room_pending(call& c);
  void room_trust(call& c);
  void get_checkin(call& c);
  void checkin_status(call& c);
  void approve(call& c);
  void reject(call& c);
  void modify(call& c);
  void withdraw(call& c);
  void extend(call& c);

  /// The `{reason?}` body of approve, reject and withdraw; answers the error itself and
  /// returns nothing when the body is invalid.
  std::optional<std::optional<std::string>> read_reason(call& c);

  /// Sends a command on a check-in the caller can see; answers the check-in after it.
  void checkin_command(call& c, events::checkin::command cmd);

  actors::runtime& rt_;
  status_waiters& waiters_;
  std::vector<route> routes_;
  std::atomic<bool> ready_{false};
};

} // namespace waitroom::http
