#pragma once
/// What the API shows of the cluster this node belongs to (docs/cluster.md): `GET
/// /v1/cluster`, the node and role in `/readyz`, and the cluster's lines of `/metrics`.
/// A single node has none (`api_options::cluster` is null) and answers as one node.

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace waitroom::http {

class cluster_view {
 public:
  virtual ~cluster_view() = default;
  virtual std::string node() const = 0;
  /// "writer" (appends to the log, runs timers and deliveries) or "replica" (folds
  /// the log, forwards writes to the writer).
  virtual std::string role() const = 0;
  /// Why this node cannot serve writes (directly or by forwarding) or is not within
  /// 1 s of the head, if so.
  virtual std::optional<std::string> not_ready() const = 0;
  /// The last seq of the log as this node last heard it (its own when the writer).
  virtual std::uint64_t head_seq() const = 0;
  /// `GET /v1/cluster`'s `data`: `{nodes: [{name, url, role, applied_seq,
  /// last_seen}], head_seq, writer}`.
  virtual boost::json::object describe() const = 0;
};

} // namespace waitroom::http
