#pragma once
/// The v1 HTTP API: a route table of (method, path pattern, guard, handler). Each
/// handler parses the request into a command, sends it to the runtime, and maps the
/// outcome to the contract's JSON; reads come from the read models. Nothing here
/// decides a business outcome: guards and room access are checked here (auth.hpp,
/// events/room/access.hpp), every other rule lives in events/.
///
/// Around every route, in this order: authentication, guard, per-principal rate limit,
/// and for POSTs with `Idempotency-Key` the replay of a first answer.

#include "actors/runtime.hpp"
#include "http/activity.hpp"
#include "http/auth.hpp"
#include "http/cors.hpp"
#include "http/idempotency.hpp"
#include "http/message.hpp"
#include "http/rate_limiter.hpp"
#include "http/secret_box.hpp"
#include "http/status_waiters.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::http {

struct api_options {
  double rate_per_second = 1000; ///< per principal; 0 disables
  double rate_burst = 2000;
  double self_register_per_minute = 10; ///< per client address
  double self_register_burst = 10;
  /// Live room events for the SSE routes (none: they answer 503).
  class event_hub* hub = nullptr;
  /// Refuse webhook URLs on loopback and private addresses (`--webhook-deny-private`).
  bool webhook_deny_private = false;
  /// The VAPID public key (base64url) when Web Push is configured.
  std::optional<std::string> vapid_public_key;
  /// Counted in /metrics when set.
  const class redis_publisher* redis = nullptr;
  /// Webhook delivery (none: the deliveries routes answer 503).
  class webhook_worker* webhooks = nullptr;
  /// Web Push, when VAPID keys are configured (none: the push routes answer 503).
  class push_worker* push = nullptr;
  /// Origins whose pages may call the API (`--cors-origin`; empty: CORS is off).
  std::vector<std::string> cors_origins;
};

class api final : public request_handler {
 public:
  api(actors::runtime& rt, status_waiters& waiters, secret_box secrets,
      api_options options = {});
  ~api() override;

  void handle(const request& req, responder respond,
              std::shared_ptr<deferrer> later) override;

  /// `/readyz` answers 200 only while ready (log replayed, accepting writes).
  void set_ready(bool ready) { ready_ = ready; }
  /// Deletes the idempotency records older than 24 h (they are never replayed) on the
  /// bulk reader lane; `done` gets how many went. Called at start-up and every hour.
  void purge_idempotency(std::function<void(events::outcome<std::size_t>)> done);

  struct route_info {
    std::string method;
    std::string pattern;
    guard g;
  };
  /// The route table, in matching order.
  std::vector<route_info> routes() const;

  struct call;

 private:
  using handler_fn = void (api::*)(call&);
  struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    guard g;
    handler_fn fn;
    bool query_token = false; ///< `?access_token=` accepted (streaming routes only)
    bool streams = false;     ///< answers a stream or a WebSocket: no HEAD
  };
  struct counters;

  void add(std::string method, std::string pattern, guard g, handler_fn fn);
  /// Runs the route, through the idempotency check for POSTs that carry a key.
  void dispatch(const route& r, call& c);

  // operations (api.cpp)
  void healthz(call& c);
  void readyz(call& c);
  void metrics(call& c);
  void openapi(call& c);
  // server-sent events (api_streams.cpp)
  void room_events(call& c);
  void all_events(call& c);
  void vapid_public_key(call& c);
  void push_subscribe(call& c);
  void push_unsubscribe(call& c);
  void stream_events(call& c, std::optional<std::string> room_id);
  void websocket(call& c); // api_socket.cpp
  // MCP (api_mcp.cpp)
  struct mcp_call;
  void mcp(call& c);
  void mcp_message(const std::shared_ptr<mcp_call>& m, const boost::json::value& msg,
                   std::function<void(std::optional<boost::json::value>)> done);
  void run_tool(const std::shared_ptr<mcp_call>& m, std::string_view name,
                boost::json::object args, std::function<void(boost::json::object)> done);
  void wait_for_decision(const std::shared_ptr<mcp_call>& m, const std::string& id,
                         std::chrono::steady_clock::time_point deadline,
                         std::function<void(boost::json::object)> done);
  /// Runs a v1 request in-process with the MCP caller's credential; `then` gets the
  /// answer (from any thread).
  void call_in_process(const std::shared_ptr<mcp_call>& m, std::string method,
                       std::string path, std::string body,
                       std::function<void(response)> then);
  void dashboard(call& c);
  /// Whether the caller sees the check-in `:id` (else answer 404).
  bool can_see_checkin(const call& c) const;
  // people and agents (api_people.cpp)
  void me(call& c);
  void create_org(call& c);
  void create_user(call& c);
  void list_users(call& c);
  void rotate_user_token(call& c);
  void deactivate_user(call& c);
  void register_agent(call& c);
  void self_register_agent(call& c);
  void claim_agent(call& c);
  void list_agents(call& c);
  void get_agent(call& c);
  void rotate_agent_key(call& c);
  void deactivate_agent(call& c);
  void agent_trust(call& c);
  // rooms (api_rooms.cpp)
  void list_rooms(call& c);
  void create_room(call& c);
  void get_room(call& c);
  void patch_room(call& c);
  void get_policy(call& c);
  void put_policy(call& c);
  void list_members(call& c);
  void put_member(call& c);
  void delete_member(call& c);
  void room_pending(call& c);
  void room_trust(call& c);
  void create_watcher(call& c);
  void list_watchers(call& c);
  void delete_watcher(call& c);
  void list_deliveries(call& c);
  void redeliver(call& c);
  /// The watcher `:id` if the caller may manage it (its creator or admin+); answers
  /// NOT_FOUND or FORBIDDEN itself otherwise.
  std::optional<events::watcher::state> managed_watcher(call& c);
  void create_signal(call& c);
  void list_signals(call& c);
  // check-ins and tasks (api_checkins.cpp)
  void create_checkin(call& c);
  void create_task(call& c);
  void list_checkins(call& c);
  void get_checkin(call& c);
  void checkin_status(call& c);
  void approve(call& c);
  void reject(call& c);
  void modify(call& c);
  void withdraw(call& c);
  void extend(call& c);
  void claim_task(call& c);
  void release_task(call& c);
  void help_task(call& c);
  void join_task(call& c);
  void submit_task(call& c);
  void post_message(call& c);
  void list_messages(call& c);
  void list_participants(call& c);
  // audit (api_audit.cpp)
  void audit(call& c);
  void room_audit(call& c);
  void audit_verify(call& c);

  /// The `{reason?}` body of approve, reject and withdraw; answers the error itself and
  /// returns nothing when the body is invalid.
  std::optional<std::optional<std::string>> read_reason(call& c);
  /// Sends a command on a check-in the caller can see (`act`: and may act on, per room
  /// access); answers the check-in after it.
  void checkin_command(call& c, events::checkin::command cmd, bool act);
  /// Serves an audit page for `org_id` (and `room_id`, if not empty).
  void serve_audit(call& c, std::string room_id);

  actors::runtime& rt_;
  status_waiters& waiters_;
  secret_box secrets_;
  api_options options_;
  cors_policy cors_;
  rate_limiter principal_limits_;
  rate_limiter self_register_limits_;
  keys_in_flight idempotency_in_flight_;
  activity_log activity_;
  std::vector<route> routes_;
  std::unique_ptr<counters> counters_;
  std::atomic<bool> ready_{false};
};

} // namespace waitroom::http
