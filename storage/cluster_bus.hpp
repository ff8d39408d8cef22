#pragma once
/// What the nodes of a cluster say to one another besides the log (docs/cluster.md):
/// requests answered by one member of a queue group (a replica forwards a write to the
/// writer), the stream's last sequence (a replica's read barrier), and the directory
/// of nodes (a KV bucket each node puts its state into, `GET /v1/cluster`). nats.c stays
/// out of this header.
///
/// Thread-safety: every member may be called from any thread. Callbacks run on NATS's
/// threads and must not block.

#include "events/outcome.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace waitroom::storage {

struct bus_options {
  std::vector<std::string> servers; ///< `nats://host:port`
  std::string stream = "WAITROOM_LOG";
  std::string nodes_bucket = "WAITROOM_NODES";
  /// An entry of the directory that is not put again for this long is gone.
  std::chrono::milliseconds node_ttl{15000};
  std::int64_t replicas = 3;               ///< of the directory, when `create` makes it
  bool create = false;                     ///< make the directory when missing
  std::chrono::milliseconds timeout{2000}; ///< for blocking requests
};

class cluster_bus {
 public:
  virtual ~cluster_bus() = default;

  using answer_fn = std::function<void(events::outcome<std::string>)>;
  /// Sends `payload` to whoever serves `subject` and calls `done` once: with the
  /// answer; NOT_FOUND when no one serves it (nothing was done); UNAVAILABLE when no
  /// answer came within `timeout` or NATS is out of reach (it may have been done).
  virtual void request(const std::string& subject, std::string payload,
                       std::chrono::milliseconds timeout, answer_fn done) = 0;

  /// Serving a subject; destroying it stops (requests in flight may still answer).
  class service {
   public:
    virtual ~service() = default;
  };
  using reply_fn = std::function<void(std::string)>;
  /// Answers the requests on `subject`: each goes to one member of `queue`, whose
  /// `handler(payload, reply)` calls `reply` once, from any thread.
  virtual events::outcome<std::unique_ptr<service>>
  serve(const std::string& subject, const std::string& queue,
        std::function<void(std::string, reply_fn)> handler) = 0;

  /// The log stream's last sequence now (JetStream's stream info), without blocking.
  virtual void stream_last(std::function<void(events::outcome<std::uint64_t>)> done) = 0;

  /// Puts this node's entry (`value`, JSON) into the directory. Blocking.
  virtual events::outcome<void> announce(const std::string& node,
                                         const std::string& value) = 0;
  /// Every entry of the directory, by node name. Blocking.
  virtual events::outcome<std::vector<std::pair<std::string, std::string>>> nodes() = 0;
};

/// Connects (reconnecting for ever) and opens the directory. Errors: UNAVAILABLE (no
/// server answers; no directory and not `create`).
events::outcome<std::unique_ptr<cluster_bus>> open_cluster_bus(const bus_options& o);

} // namespace waitroom::storage
