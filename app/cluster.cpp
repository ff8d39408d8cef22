// `waitroom cluster init`: once per cluster, what a first single-node start does, with
// the log in NATS JetStream (CLUSTER.md; docs/cluster.md).
#include "actors/bootstrap.hpp"
#include "actors/clock.hpp"
#include "actors/id_source.hpp"
#include "app/commands.hpp"
#include "http/crypto/secret_box.hpp"
#include "storage/cluster_bus.hpp"
#include "storage/event_log.hpp"
#include "storage/writer_lease.hpp"

#include <cstdio>
#include <filesystem>

namespace waitroom::app {

int cluster_init(const cluster_init_options& o) {
  if (o.bootstrap_token)
    if (auto checked = actors::check_bootstrap_token(*o.bootstrap_token); !checked) {
      std::fprintf(stderr, "waitroom cluster init: --bootstrap-token %s\n",
                   checked.error().message.c_str());
      return 2;
    }
  storage::jetstream_options jo;
  jo.servers = storage::parse_nats_urls(o.nats);
  jo.create = true;
  jo.replicas = o.replicas;
  auto opened = storage::open_jetstream_log(jo);
  if (!opened) {
    std::fprintf(stderr, "waitroom cluster init: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& log = **opened;
  storage::lease_options lo;
  lo.servers = jo.servers;
  lo.create = true;
  lo.replicas = o.replicas;
  if (auto lease = storage::open_writer_lease(lo); !lease) {
    std::fprintf(stderr, "waitroom cluster init: %s\n", lease.error().message.c_str());
    log.close();
    return 1;
  }
  storage::bus_options bo;
  bo.servers = jo.servers;
  bo.create = true;
  bo.replicas = o.replicas;
  if (auto bus = storage::open_cluster_bus(bo); !bus) {
    std::fprintf(stderr, "waitroom cluster init: %s\n", bus.error().message.c_str());
    log.close();
    return 1;
  }
  const auto head = log.head();
  if (head.seq > 0) {
    std::printf("waitroom cluster init: the cluster is initialized already (log %s, %llu "
                "events); nothing changed\n",
                head.log_id.c_str(), static_cast<unsigned long long>(head.seq));
    if (!std::filesystem::exists(o.key_file))
      std::fprintf(
          stderr,
          "waitroom cluster init: note: %s does not exist; every node needs the "
          "cluster's key file (copy it from where the cluster was initialized)\n",
          o.key_file.c_str());
    log.close();
    return 0;
  }
  // The key first: a cluster whose sealed secrets no node could open is worse than none.
  const bool had_key = std::filesystem::exists(o.key_file);
  try {
    (void)http::secret_box::open(o.key_file);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "waitroom cluster init: %s\n", e.what());
    log.close();
    return 1;
  }
  actors::system_clock clock;
  actors::id_source ids;
  auto boot = actors::bootstrap_if_empty(log, ids, clock, o.bootstrap_token);
  const auto log_id = log.head().log_id;
  log.close();
  if (!boot) {
    // a concurrent init that appended first makes this writer's append fail
    jo.create = false;
    jo.read_only = true;
    auto now = storage::open_jetstream_log(jo);
    if (now && (*now)->head().seq > 0) {
      std::printf("waitroom cluster init: another init was first; nothing changed\n");
      return 0;
    }
    std::fprintf(stderr, "waitroom cluster init: bootstrap failed: %s\n",
                 boot.error().message.c_str());
    return 1;
  }
  if (!boot->created) {
    std::printf("waitroom cluster init: another init was first; nothing changed\n");
    return 0;
  }
  std::printf("waitroom cluster init: created log %s and the writer lease in JetStream "
              "(replicas: %d), the organization, its owner and room 'general'\n",
              log_id.c_str(), o.replicas);
  std::printf("waitroom cluster init: key file %s (%s)\n", o.key_file.c_str(),
              had_key ? "kept" : "written, mode 0600: give every node a copy");
  if (!o.bootstrap_token)
    std::printf("waitroom cluster init: owner token (shown once): %s\n",
                boot->owner_token.c_str());
  return 0;
}

} // namespace waitroom::app
