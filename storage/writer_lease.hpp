#pragma once
/// The cluster's writer lease (docs/cluster.md): one key in a JetStream KV bucket whose
/// TTL is the lease's length. Taking it is `kvStore_Create` (only when no one holds it:
/// absent, deleted, or expired by the TTL); holding it is renewing it with
/// `kvStore_Update` against the revision this holder wrote, well within the TTL. A
/// holder that misses its renewals loses it to whoever creates it next, and its renewal
/// then fails: it must stop writing (the log's fence makes its late appends fail anyway).
/// nats.c stays out of this header. Blocking calls: run them on a thread of their own.

#include "events/outcome.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::storage {

struct lease_options {
  std::vector<std::string> servers; ///< `nats://host:port`
  std::string bucket = "WAITROOM_LEASE";
  std::string key = "writer";
  std::chrono::milliseconds ttl{3000}; ///< when `create` makes the bucket
  std::int64_t replicas = 3;           ///< when `create` makes the bucket
  bool create = false;                 ///< make the bucket when missing (`cluster init`)
  std::chrono::milliseconds timeout{2000};
};

class writer_lease {
 public:
  virtual ~writer_lease() = default;

  /// Takes the lease for `holder` (a node's name) if no one holds it. True: held now.
  virtual events::outcome<bool> try_acquire(const std::string& holder) = 0;
  /// Renews the lease this object holds. False: it was lost (expired and taken, or
  /// never held); UNAVAILABLE: NATS did not answer (still held until the TTL runs out).
  virtual events::outcome<bool> renew() = 0;
  /// Gives a held lease up at once (a clean shutdown), so another node need not wait
  /// for the TTL.
  virtual void release() = 0;
  /// Who holds it now, if anyone.
  virtual events::outcome<std::optional<std::string>> holder() const = 0;
  virtual bool held() const = 0;
};

/// Opens the bucket. Errors: UNAVAILABLE (no server, no bucket and not `create`).
events::outcome<std::unique_ptr<writer_lease>> open_writer_lease(const lease_options& o);

} // namespace waitroom::storage
