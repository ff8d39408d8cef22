#include "http/cluster/node_handler.hpp"

#include "http/cluster/forwarded.hpp"
#include "http/wire/responses.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <thread>

namespace waitroom::http {

namespace ev = waitroom::events;
namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

// --- applied_waiters -----------------------------------------------------------------

void applied_waiters::wait(std::uint64_t seq, std::function<void()> fn) {
  {
    std::lock_guard lock{mu_};
    const auto applied =
        reads_.read([](const projections::projection_set& p) { return p.applied_seq; });
    if (applied < seq) {
      waiting_.emplace(seq, std::move(fn));
      return;
    }
  }
  fn();
}

void applied_waiters::on_committed(const std::vector<events::recorded_event>& events) {
  if (events.empty()) return;
  const auto seq = events.back().meta.seq;
  std::vector<std::function<void()>> due;
  {
    std::lock_guard lock{mu_};
    auto end = waiting_.upper_bound(seq);
    for (auto it = waiting_.begin(); it != end; ++it)
      due.push_back(std::move(it->second));
    waiting_.erase(waiting_.begin(), end);
  }
  for (auto& fn : due)
    fn();
}

// --- the writer's timers ---------------------------------------------------------------

struct node_handler::timer_thread final : deferrer {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~timer_thread() override {
    work.reset();
    io.stop();
    thread.join();
  }
  void after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    auto t = std::make_shared<asio::steady_timer>(io, delay);
    t->async_wait([t, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }
};

namespace {

/// Calls the first of several callbacks that race for one answer, once.
class once {
 public:
  bool claim() { return !done_.exchange(true); }

 private:
  std::atomic<bool> done_{false};
};

bool may_write(const request& req) {
  if (req.websocket_upgrade) return false;
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS")
    return false;
  return req.path != "/mcp"; // MCP's tools come back through the handler one by one
}

bool needs_barrier(const request& req) {
  if (req.method == "OPTIONS") return false;
  const std::string_view p = req.path;
  if (p == "/v1/cluster") return false; // this node's own view
  return p.starts_with("/v1/") || p.starts_with("/realtime/") || p == "/mcp";
}

response unavailable(std::string why, int retry_after_s = 1) {
  auto r = error_response(ev::unavailable(std::move(why)));
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

} // namespace

// --- node_handler ----------------------------------------------------------------------

struct node_handler::forward_attempt {
  std::string payload;
  responder respond;
  std::shared_ptr<deferrer> later;
  steady::time_point give_up;
  std::uint64_t id = 0;
  once answered; ///< by the writer, or for it when it went away
};

node_handler::node_handler(request_handler& local, actors::runtime& rt,
                           storage::cluster_bus& bus, storage::followed_log& log,
                           node_handler_options options)
    : local_(local)
    , rt_(rt)
    , bus_(bus)
    , log_(log)
    , options_(std::move(options))
    , applied_(rt.reads())
    , timers_(std::make_unique<timer_thread>()) {}

node_handler::~node_handler() {
  serving_.reset();
}

void node_handler::handle(const request& req, responder respond,
                          std::shared_ptr<deferrer> later) {
  if (writing_) return local_.handle(req, std::move(respond), std::move(later));
  if (may_write(req)) {
    auto a = std::make_shared<forward_attempt>();
    a->payload = encode_forwarded(req);
    a->respond = std::move(respond);
    a->later = std::move(later);
    a->give_up = steady::now() + options_.failover_wait;
    forwarded_++;
    return forward(std::move(a));
  }
  if (!needs_barrier(req))
    return local_.handle(req, std::move(respond), std::move(later));
  barrier(req, std::move(respond), std::move(later));
}

void node_handler::forward(std::shared_ptr<forward_attempt> a) {
  if (writing_) { // this node became the writer meanwhile
    auto req = std::make_shared<request>(*decode_forwarded(a->payload)); // ours
    return local_.handle(
        *req,
        [req, respond = std::move(a->respond)](response r) { respond(std::move(r)); },
        std::move(a->later));
  }
  auto payload = a->payload;
  {
    std::lock_guard lock{in_flight_mu_};
    a->id = ++next_attempt_;
    in_flight_.emplace(a->id, a);
  }
  bus_.request(
      options_.subject, std::move(payload), options_.forward_timeout,
      [this, a](ev::outcome<std::string> answer) {
        {
          std::lock_guard lock{in_flight_mu_};
          in_flight_.erase(a->id);
        }
        if (!a->answered.claim()) return; // answered already: the writer went away
        if (!answer) {
          // no writer right now (a failover): ask again shortly
          if (answer.error().code == ev::errc::not_found && steady::now() < a->give_up)
            return a->later->after(std::chrono::milliseconds(100), [this, a] {
              auto again = std::make_shared<forward_attempt>();
              again->payload = a->payload;
              again->respond = a->respond;
              again->later = a->later;
              again->give_up = a->give_up;
              forward(std::move(again));
            });
          if (answer.error().code == ev::errc::not_found)
            return a->respond(unavailable(
                "no node of the cluster is its writer now (a failover takes up to 5 s): "
                "retry"));
          return a->respond(unavailable(
              "the cluster's writer did not answer (" + answer.error().message +
              "): the request may or may not have been applied; retry it with the same "
              "Idempotency-Key"));
        }
        auto got = decode_answer(*answer);
        if (!got)
          return a->respond(error_response(
              ev::internal_error("the writer's answer could not be read")));
        // answer once this node has folded what the writer had: read your writes
        auto shared = std::make_shared<forwarded_answer>(std::move(*got));
        auto first = std::make_shared<once>();
        a->later->after(options_.catch_up_wait, [a, first, shared] {
          if (first->claim()) a->respond(std::move(shared->answer));
        });
        applied_.wait(shared->applied_seq, [a, first, shared] {
          if (first->claim()) a->respond(std::move(shared->answer));
        });
      });
}

void node_handler::barrier(const request& req, responder respond,
                           std::shared_ptr<deferrer> later) {
  barriers_++;
  auto held = std::make_shared<request>(req);
  auto first = std::make_shared<once>();
  auto run = [this, held, respond, later, first] {
    if (first->claim()) local_.handle(*held, respond, later);
  };
  later->after(options_.catch_up_wait, [this, respond, first] {
    if (!first->claim()) return;
    barriers_failed_++;
    respond(unavailable("this node has not caught up with the cluster's log in time; "
                        "retry, or ask another node"));
  });
  std::function<void(ev::outcome<std::uint64_t>)> passed =
      [this, run](ev::outcome<std::uint64_t> last) mutable {
        if (!last) {
          // JetStream did not say (an election, NATS away): what this node has is all
          // that can be had; no write can be acknowledged meanwhile either
          barriers_failed_++;
          return run();
        }
        log_.when_applied(*last, [this, run](std::uint64_t head) mutable {
          applied_.wait(head, std::move(run));
        });
      };
  std::lock_guard lock{barrier_mu_};
  barrier_next_.push_back(std::move(passed));
  if (!barrier_in_flight_) send_barrier();
}

/// Sends one stream-info request for every read waiting (`barrier_mu_` held).
void node_handler::send_barrier() {
  barrier_in_flight_ = true;
  auto batch =
      std::make_shared<std::vector<std::function<void(ev::outcome<std::uint64_t>)>>>(
          std::move(barrier_next_));
  barrier_next_.clear();
  bus_.stream_last([this, batch](ev::outcome<std::uint64_t> last) {
    for (auto& fn : *batch)
      fn(last);
    std::lock_guard lock{barrier_mu_};
    barrier_in_flight_ = false;
    if (!barrier_next_.empty()) send_barrier();
  });
}

void node_handler::writer_gone() {
  std::map<std::uint64_t, std::shared_ptr<forward_attempt>> left;
  {
    std::lock_guard lock{in_flight_mu_};
    left.swap(in_flight_);
  }
  for (auto& [id, a] : left)
    if (a->answered.claim())
      a->respond(unavailable(
          "the cluster's writer went away while it had this request: it may or may not "
          "have been applied; retry it with the same Idempotency-Key"));
}

events::outcome<void> node_handler::start_writing() {
  if (writing_) return {};
  auto served =
      bus_.serve(options_.subject, "writer",
                 [this](std::string payload, storage::cluster_bus::reply_fn reply) {
                   serve_forwarded(std::move(payload), std::move(reply));
                 });
  if (!served) return std::move(served).error();
  serving_ = std::move(*served);
  writing_ = true;
  return {};
}

void node_handler::serve_forwarded(std::string payload,
                                   storage::cluster_bus::reply_fn reply) {
  auto req = decode_forwarded(payload);
  if (!req) {
    reply(encode_answer(
        error_response(ev::internal_error("a forwarded request could not be read")), 0));
    return;
  }
  auto later = std::shared_ptr<deferrer>(timers_.get(), [](deferrer*) {});
  auto held = std::make_shared<request>(std::move(*req));
  local_.handle(
      *held,
      [this, held, reply = std::move(reply)](response r) {
        if (r.stream || r.socket)
          r = error_response(
              ev::internal_error("a stream cannot be the answer to a forwarded request"));
        const auto applied = rt_.reads().read(
            [](const projections::projection_set& p) { return p.applied_seq; });
        reply(encode_answer(r, applied));
      },
      later);
}

} // namespace waitroom::http
