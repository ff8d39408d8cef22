#include "app/node.hpp"

#include "events/time.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace waitroom::app {

namespace json = boost::json;
using steady = std::chrono::steady_clock;

cluster_node::cluster_node(node_options options, storage::writer_lease& lease,
                           storage::cluster_bus& bus,
                           const projections::read_model& reads,
                           const storage::event_log& log, hooks h)
    : options_(std::move(options))
    , lease_(lease)
    , bus_(bus)
    , reads_(reads)
    , log_(log)
    , hooks_(std::move(h)) {}

cluster_node::~cluster_node() {
  stop();
}

void cluster_node::start() {
  tick(); // the view exists before the first request
  thread_ = std::thread([this] { run(); });
}

void cluster_node::stop() {
  {
    std::lock_guard lock{mu_};
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void cluster_node::release() {
  if (writer_ && !deposed_) lease_.release();
}

void cluster_node::run() {
  std::unique_lock lock{mu_};
  while (!stopping_) {
    wake_.wait_for(lock, options_.tick);
    if (stopping_) break;
    lock.unlock();
    tick();
    lock.lock();
  }
}

std::uint64_t cluster_node::applied() const {
  return reads_.read([](const projections::projection_set& p) { return p.applied_seq; });
}

void cluster_node::tick() {
  if (!deposed_) hold_lease();
  announce_and_look();
}

void cluster_node::hold_lease() {
  if (!writer_) {
    auto taken = lease_.try_acquire(options_.name);
    if (!taken || !*taken) return;
    spdlog::info("node {}: took the writer lease; catching up with the log",
                 options_.name);
    if (auto promoted = hooks_.promote(); !promoted) {
      spdlog::warn("node {}: could not become the writer: {}", options_.name,
                   promoted.error().message);
      lease_.release();
      return;
    }
    writer_ = true;
    spdlog::info("node {}: the cluster's writer (log head {})", options_.name,
                 log_.head().seq);
    return;
  }
  if (auto failure = log_.write_failure()) {
    deposed_ = true;
    writer_ = false;
    return hooks_.deposed("its log refuses appends: " + *failure);
  }
  auto renewed = lease_.renew();
  if (!renewed) return; // NATS did not answer: held until it says otherwise
  if (*renewed) return;
  // expired (NATS was away longer than the lease): ours again if no one took it
  if (auto again = lease_.try_acquire(options_.name); again && *again) {
    spdlog::warn("node {}: the writer lease had run out; took it again", options_.name);
    return;
  }
  deposed_ = true;
  writer_ = false;
  hooks_.deposed("another node holds the writer lease");
}

void cluster_node::announce_and_look() {
  const auto now = events::format_rfc3339(clock_.now());
  const auto own_applied = applied();
  json::object me{{"url", options_.url},
                  {"role", role()},
                  {"applied_seq", own_applied},
                  {"last_seen", now}};
  std::optional<std::string> problem;
  if (auto put = bus_.announce(options_.name, json::serialize(me)); !put)
    problem = put.error().message;
  auto holder = lease_.holder();
  auto listed = bus_.nodes();
  if (!listed && !problem) problem = listed.error().message;
  json::array nodes;
  std::uint64_t head = own_applied;
  bool writer_fresh = writer_;
  const std::string writer_name =
      writer_ ? options_.name : (holder && *holder ? **holder : std::string());
  const auto now_ms = clock_.now().ms;
  if (listed)
    for (auto& [name, value] : *listed) {
      boost::system::error_code ec;
      auto doc = json::parse(value, ec);
      if (ec || !doc.is_object()) continue;
      auto& o = doc.as_object();
      o["name"] = name;
      if (name == options_.name) o = me, o["name"] = name; // this tick's, not the last
      const auto* seq = o.if_contains("applied_seq");
      if (seq != nullptr && seq->is_number())
        head = std::max(head, seq->to_number<std::uint64_t>());
      if (name == writer_name && !writer_)
        if (const auto* seen = o.if_contains("last_seen"); seen && seen->is_string())
          if (auto at = events::parse_rfc3339(seen->as_string()))
            writer_fresh = now_ms - at->ms <= options_.stale_after.count();
      nodes.push_back(json::object{{"name", o["name"]},
                                   {"url", o["url"]},
                                   {"role", o["role"]},
                                   {"applied_seq", o["applied_seq"]},
                                   {"last_seen", o["last_seen"]}});
    }
  std::unique_lock lock{mu_};
  const bool changed = !writer_name_.empty() && writer_name_ != writer_name;
  nodes_ = std::move(nodes);
  writer_name_ = writer_name;
  writer_fresh_ = writer_fresh;
  head_ = std::max(head_, head);
  nats_problem_ = std::move(problem);
  const auto t = steady::now();
  heads_.emplace_back(t, head_);
  while (heads_.size() > 1 && heads_[1].first <= t - std::chrono::seconds(1))
    heads_.pop_front();
  lock.unlock();
  if (changed && hooks_.writer_changed) hooks_.writer_changed();
}

std::optional<std::string> cluster_node::not_ready() const {
  const auto own = applied();
  std::lock_guard lock{mu_};
  if (deposed_) return "this node is no longer the writer and is stopping";
  if (!writer_ && (writer_name_.empty() || !writer_fresh_))
    return "no node of the cluster is its writer now (a failover takes up to 5 s)";
  if (nats_problem_) return "NATS: " + *nats_problem_;
  if (!heads_.empty() &&
      heads_.front().first <= steady::now() - std::chrono::seconds(1) &&
      own < heads_.front().second)
    return "this node's read models are more than 1 s behind the log (at " +
           std::to_string(own) + ", head " + std::to_string(heads_.back().second) + ")";
  return std::nullopt;
}

std::uint64_t cluster_node::head_seq() const {
  std::lock_guard lock{mu_};
  return head_;
}

json::object cluster_node::describe() const {
  const auto own = applied();
  std::lock_guard lock{mu_};
  json::object out{{"nodes", nodes_},
                   {"head_seq", std::max(head_, own)},
                   {"writer", writer_name_.empty() ? json::value(nullptr)
                                                   : json::value(writer_name_)}};
  return out;
}

} // namespace waitroom::app
