#pragma once
/// A cluster's node (`waitroom serve --nats`, docs/cluster.md): the loop that holds or
/// waits for the writer lease, announces this node in the directory and keeps the view
/// of the others that `GET /v1/cluster`, `/readyz` and `/metrics` show.
///
/// Every `tick` (500 ms): a replica tries to take the lease and, when it does, is
/// promoted (`hooks::promote`: the log becomes its writer after catching up, timers,
/// deliveries and forwarded requests start); the writer renews the lease. A writer that
/// learns it lost the lease, or whose log refuses its appends (another writer appended:
/// the fence), is deposed (`hooks::deposed`): the process stops and its supervisor
/// starts it again as a replica, so a node never runs stale aggregates or effects.

#include "actors/clock.hpp"
#include "http/api/cluster_view.hpp"
#include "projections/read_model.hpp"
#include "storage/cluster_bus.hpp"
#include "storage/event_log.hpp"
#include "storage/writer_lease.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace waitroom::app {

struct node_options {
  std::string name;
  std::string url; ///< where clients reach this node (`http://host:port`)
  std::chrono::milliseconds tick{500};
  /// A node whose entry is older than this is shown but not counted as the writer.
  std::chrono::milliseconds stale_after{3000};
};

class cluster_node final : public http::cluster_view {
 public:
  struct hooks {
    /// Makes this node the writer; an error leaves it a replica (the lease is given
    /// back).
    std::function<events::outcome<void>()> promote;
    /// This node must stop being the writer: `why` says how it learnt.
    std::function<void(std::string why)> deposed;
    /// Another node is the writer now than before (or none is): what was sent to the
    /// one before will not be answered.
    std::function<void()> writer_changed;
  };

  cluster_node(node_options options, storage::writer_lease& lease,
               storage::cluster_bus& bus, const projections::read_model& reads,
               const storage::event_log& log, hooks h);
  ~cluster_node() override;

  void start();
  /// Stops the loop (the role stays as it is).
  void stop();
  /// A writer gives its lease back (after its log drained), so another node need not
  /// wait for it to run out.
  void release();

  std::string node() const override { return options_.name; }
  std::string role() const override { return writer_ ? "writer" : "replica"; }
  std::optional<std::string> not_ready() const override;
  std::uint64_t head_seq() const override;
  boost::json::object describe() const override;

 private:
  void run();
  void tick();
  void hold_lease();
  void announce_and_look();
  std::uint64_t applied() const;

  const node_options options_;
  storage::writer_lease& lease_;
  storage::cluster_bus& bus_;
  const projections::read_model& reads_;
  const storage::event_log& log_;
  const hooks hooks_;
  actors::system_clock clock_;
  std::atomic<bool> writer_{false};
  bool deposed_ = false;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  // the view, refreshed every tick
  boost::json::array nodes_;
  std::string writer_name_;
  bool writer_fresh_ = false;
  std::uint64_t head_ = 0;
  std::optional<std::string> nats_problem_;
  /// (when, head) samples of the last seconds: readiness compares with the head of 1 s
  /// ago.
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> heads_;
};

} // namespace waitroom::app
