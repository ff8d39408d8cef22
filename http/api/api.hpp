#pragma once
/// The v1 HTTP API: the route table (router.hpp), filled by the route groups in
/// routes/, behind the middleware every request passes, in this order: CORS
/// preflights, routing (404/405), authentication and the route's guard, the
/// per-principal rate limit, JSON-only bodies (415), and for POSTs with
/// `Idempotency-Key` the replay of a first answer (idempotency.hpp). Handlers parse the
/// request, make one call (a command to the runtime, or a read of the read models) and
/// render the outcome; the rules they apply live in events/.

#include "actors/runtime.hpp"
#include "http/api/activity.hpp"
#include "http/api/cors.hpp"
#include "http/api/idempotency.hpp"
#include "http/api/rate_limiter.hpp"
#include "http/api/router.hpp"
#include "http/api/services.hpp"
#include "http/crypto/secret_box.hpp"
#include "http/live/status_waiters.hpp"
#include "http/wire/message.hpp"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace waitroom::http {

class api final : public request_handler {
 public:
  api(actors::runtime& rt, status_waiters& waiters, secret_box secrets,
      api_options options = {});
  ~api() override;

  void handle(const request& req, responder respond,
              std::shared_ptr<deferrer> later) override;
  response refuse(const refusal& r) override;

  /// `/readyz` answers 200 only while ready (log replayed, accepting writes).
  void set_ready(bool ready) { ready_ = ready; }
  /// Deletes the idempotency records past their lifetime (they are never replayed) on
  /// the bulk reader lane; `done` gets how many went. Called at start-up and every hour.
  void purge_idempotency(std::function<void(events::outcome<std::size_t>)> done);

  struct route_info {
    std::string method;
    std::string pattern;
    guard g;
  };
  /// The route table, in matching order.
  std::vector<route_info> routes() const;

 private:
  /// Runs the route (answering 500 for an exception), through the idempotency check
  /// for POSTs that carry a key.
  void dispatch(const route& r, call& c);

  actors::runtime& rt_;
  status_waiters& waiters_;
  const secret_box secrets_;
  const api_options options_;
  const cors_policy cors_;
  rate_limiter principal_limits_;
  rate_limiter self_register_limits_;
  activity_log activity_;
  api_counters counters_;
  std::atomic<bool> ready_{false};
  services services_;
  idempotency_middleware idempotency_;
  route_table routes_;
};

} // namespace waitroom::http
