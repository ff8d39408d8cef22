#pragma once
/// The HTTP face of a cluster's node (docs/cluster.md): every request enters here and
/// is answered as a single node would answer it.
///
/// - On the writer, everything goes to the local API.
/// - On a replica, a request that may write (any method but GET, HEAD and OPTIONS;
///   `POST /mcp` aside, whose tools come back through here one by one) is forwarded to
///   the writer over NATS, retried while no node is the writer (a failover) for
///   `failover_wait`, and answered once this node's read models include what the
///   writer had folded when it answered (read your writes on the node you wrote to).
/// - On a replica, a read of the API (`/v1/...`, the Realtime socket) first passes a
///   read barrier: it waits until this node has applied the stream's last message as
///   of when the read arrived, so it sees every write acknowledged before, by any node.
///
/// Thread-safety: all members may be called from any thread.

#include "actors/runtime.hpp"
#include "http/wire/message.hpp"
#include "storage/cluster_bus.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace waitroom::http {

/// Calls back once the read models have folded a seq (a runtime subscriber).
class applied_waiters {
 public:
  explicit applied_waiters(const projections::read_model& reads)
      : reads_(reads) {}
  /// `fn` once the read models include `seq` (at once if they do; else on the
  /// dispatcher's thread: it must not block).
  void wait(std::uint64_t seq, std::function<void()> fn);
  void on_committed(const std::vector<events::recorded_event>& events);

 private:
  const projections::read_model& reads_;
  std::mutex mu_;
  std::multimap<std::uint64_t, std::function<void()>> waiting_;
};

struct node_handler_options {
  std::string subject; ///< where the writer takes forwarded requests
  /// How long a forwarded request waits for its answer: past the log's own retry of a
  /// publish (a JetStream election), so an answer that comes is not lost.
  std::chrono::milliseconds forward_timeout{75000};
  /// How long a forwarded request is retried while no node serves writes.
  std::chrono::milliseconds failover_wait{6000};
  /// How long a read waits for this node to catch up before it is refused (503).
  std::chrono::milliseconds catch_up_wait{5000};
};

class node_handler final : public request_handler {
 public:
  node_handler(request_handler& local, actors::runtime& rt, storage::cluster_bus& bus,
               storage::followed_log& log, node_handler_options options);
  ~node_handler() override;

  void handle(const request& req, responder respond,
              std::shared_ptr<deferrer> later) override;
  response refuse(const refusal& r) override { return local_.refuse(r); }

  /// The runtime's subscriber (read your writes).
  void on_committed(const std::vector<events::recorded_event>& events) {
    applied_.on_committed(events);
  }

  /// This node became the writer: answers forwarded requests from now on.
  events::outcome<void> start_writing();
  /// The writer that had the requests in flight is gone (dead, or deposed): they are
  /// answered 503 now rather than when their wait runs out.
  void writer_gone();
  bool writing() const { return writing_.load(); }

  /// Counters for /metrics and tests.
  std::uint64_t forwarded() const { return forwarded_.load(); }
  std::uint64_t barriers() const { return barriers_.load(); }
  std::uint64_t barriers_failed() const { return barriers_failed_.load(); }

 private:
  struct forward_attempt;
  struct barrier_batch;
  void forward(std::shared_ptr<forward_attempt> a);
  void barrier(const request& req, responder respond, std::shared_ptr<deferrer> later);
  void send_barrier();
  void serve_forwarded(std::string payload, storage::cluster_bus::reply_fn reply);

  request_handler& local_;
  actors::runtime& rt_;
  storage::cluster_bus& bus_;
  storage::followed_log& log_;
  const node_handler_options options_;
  applied_waiters applied_;
  std::atomic<bool> writing_{false};
  std::unique_ptr<storage::cluster_bus::service> serving_;
  /// Runs the deadlines of the long-polls of forwarded requests (they have no
  /// connection on the writer).
  struct timer_thread;
  std::unique_ptr<timer_thread> timers_;

  // Read barriers: one stream-info request in flight; the reads that came meanwhile
  // wait for the next one (sent when it returns), which began after they did.
  std::mutex barrier_mu_;
  bool barrier_in_flight_ = false;
  std::vector<std::function<void(events::outcome<std::uint64_t>)>> barrier_next_;

  std::mutex in_flight_mu_;
  std::uint64_t next_attempt_ = 0;
  std::map<std::uint64_t, std::shared_ptr<forward_attempt>> in_flight_;

  std::atomic<std::uint64_t> forwarded_{0}, barriers_{0}, barriers_failed_{0};
};

} // namespace waitroom::http
