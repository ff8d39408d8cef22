// `waitroom serve`: open the log, bootstrap an empty one, replay, serve until SIGTERM.
#include "actors/bootstrap.hpp"
#include "actors/runtime.hpp"
#include "app/commands.hpp"
#include "app/node.hpp"
#include "http/api/api.hpp"
#include "http/cluster/node_handler.hpp"
#include "http/crypto/web_push.hpp"
#include "http/live/event_hub.hpp"
#include "http/live/status_waiters.hpp"
#include "http/outbound/client.hpp"
#include "http/outbound/push_worker.hpp"
#include "http/outbound/redis_publisher.hpp"
#include "http/outbound/supabase_publisher.hpp"
#include "http/outbound/webhook_worker.hpp"
#include "http/transport/server.hpp"
#include "storage/cluster_bus.hpp"
#include "storage/writer_lease.hpp"

#include <boost/system/system_error.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <pthread.h>
#include <stdexcept>
#include <system_error>
#include <time.h>
#include <unistd.h>

namespace waitroom::app {

namespace fs = std::filesystem;

namespace {

std::pair<std::string, std::uint16_t> split_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--listen must be HOST:PORT, got '" + listen + "'");
  auto host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const auto digits = std::string_view(listen).substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
      port > 65535 || host.empty())
    throw std::runtime_error("--listen must be HOST:PORT with a port 0-65535 (e.g. "
                             "127.0.0.1:8080), got '" + listen + "'");
  return {host, static_cast<std::uint16_t>(port)};
}

/// Why the server could not take its address, in words.
std::string listen_failure(const boost::system::error_code& ec) {
  namespace errc = boost::system::errc;
  if (ec == errc::address_in_use)
    return "the port is already in use (another waitroom, or another program); choose "
           "another with --listen HOST:PORT";
  if (ec == errc::address_not_available)
    return "no interface of this machine has that address";
  if (ec == errc::invalid_argument)
    return "HOST must be an IP address, such as 127.0.0.1, ::1 or 0.0.0.0";
  if (ec == errc::permission_denied)
    return "permission denied (ports below 1024 need privileges)";
  return ec.message();
}

/// The API, once it exists: the server binds first (so that a port in use is said
/// before anything else happens) but is started only after the handler is set.
class handler_slot final : public http::request_handler {
 public:
  void set(http::request_handler& h) { target_ = &h; }
  void handle(const http::request& req, http::responder respond,
              std::shared_ptr<http::deferrer> later) override {
    target_->handle(req, std::move(respond), std::move(later));
  }
  http::response refuse(const http::refusal& r) override { return target_->refuse(r); }

 private:
  http::request_handler* target_ = nullptr;
};

} // namespace

int serve(const serve_options& o) {
  // Block the shutdown signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const bool cluster = !o.nats.empty();
  if (cluster && (o.key_file.empty() || o.node.empty())) {
    spdlog::error("--nats needs --key-file (the cluster's key file) and --node (this "
                  "node's name)");
    return 2;
  }
  if (cluster && !fs::exists(o.key_file)) {
    spdlog::error(
        "--key-file {} does not exist: copy the key file `waitroom cluster init` "
        "wrote to every node",
        o.key_file);
    return 2;
  }
  auto [host, port] = split_listen(o.listen);
  http::server_options so;
  so.host = host;
  so.port = port;
  so.io_threads = o.io_threads;
  so.stream_threads = o.stream_threads;
  so.stream_buffer = static_cast<std::size_t>(o.stream_buffer_kib) * 1024;
  so.stream_ping =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.stream_ping_seconds * 1000));
  // The owner token of a first start must have a token's shape; later starts ignore it
  // (API.md), so a leftover variable never stops a server.
  const bool first_start =
      !cluster && !storage::has_rocksdb_log(fs::path(o.data) / "log");
  if (first_start && o.bootstrap_token)
    if (auto checked = actors::check_bootstrap_token(*o.bootstrap_token); !checked) {
      spdlog::error("--bootstrap-token (WAITROOM_BOOTSTRAP_TOKEN) {}",
                    checked.error().message);
      return 2;
    }
  // Bind before touching the data directory: a port in use must not leave a freshly
  // initialized one behind.
  handler_slot slot;
  std::unique_ptr<http::server> listening;
  try {
    listening = std::make_unique<http::server>(so, slot);
  } catch (const boost::system::system_error& e) {
    spdlog::error("cannot listen on {}: {}", o.listen, listen_failure(e.code()));
    return 1;
  }
  auto& srv = *listening;
  // A cluster's node keeps its log in JetStream and follows it until it holds the
  // writer lease; a single node keeps it in the data directory.
  const auto nats_servers = storage::parse_nats_urls(o.nats);
  std::unique_ptr<storage::event_log> log;
  if (cluster) {
    storage::jetstream_options jo;
    jo.servers = nats_servers;
    jo.follow = true;
    auto opened = storage::open_jetstream_log(jo);
    if (!opened) {
      spdlog::error("cannot open the cluster's log: {}", opened.error().message);
      return 1;
    }
    log = std::move(*opened);
  } else {
    fs::create_directories(o.data);
    storage::rocksdb_options lo;
    lo.mode =
        o.durability == "none" ? storage::durability::none : storage::durability::fsync;
    if (lo.mode == storage::durability::none)
      spdlog::warn(
          "durability=none: acknowledged writes may be lost on a crash (unsafe)");
    auto opened = storage::open_rocksdb_log(fs::path(o.data) / "log", lo);
    if (!opened) {
      spdlog::error("cannot open the event log in {}: {}", o.data,
                    opened.error().message);
      return 1;
    }
    log = std::move(*opened);
  }
  std::unique_ptr<storage::cluster_bus> bus;
  std::unique_ptr<storage::writer_lease> lease;
  if (cluster) {
    storage::bus_options bo;
    bo.servers = nats_servers;
    auto b = storage::open_cluster_bus(bo);
    storage::lease_options leo;
    leo.servers = nats_servers;
    auto l = b ? storage::open_writer_lease(leo) : std::move(b).error();
    if (!b || !l) {
      spdlog::error("cannot join the cluster: {}", (!b ? b.error() : l.error()).message);
      return 1;
    }
    bus = std::move(*b);
    lease = std::move(*l);
  }

  actors::system_clock clock;
  actors::id_source ids;
  auto boot = cluster
                  ? events::outcome<actors::bootstrap_result>(actors::bootstrap_result{})
                  : actors::bootstrap_if_empty(*log, ids, clock, o.bootstrap_token);
  if (!boot) {
    spdlog::error("bootstrap failed: {}", boot.error().message);
    return 1;
  }
  if (boot->created) {
    if (!o.bootstrap_token) {
      actors::write_owner_token(o.data, boot->owner_token);
      std::fprintf(stderr,
                   "\nwaitroom: first start, created an organization, its owner and room "
                   "'general'.\nwaitroom: owner token (shown once, also in %s): %s\n\n",
                   (fs::path(o.data) / "owner-token").c_str(), boot->owner_token.c_str());
    } else {
      spdlog::info("first start: bootstrapped with the given owner token");
    }
  }

  actors::runtime_options ro;
  ro.scheduler_threads = o.actor_threads;
  ro.effects = !cluster; // a replica's writer fires the deadlines
  actors::runtime rt(*log, clock, ro);
  // Publishing and delivering are effects: on a cluster, only its writer has them.
  auto if_effects = [&rt](auto* target) {
    return [&rt, target](const std::vector<events::recorded_event>& events) {
      if (rt.effects()) target->on_committed(events);
    };
  };
  http::status_waiters waiters;
  rt.add_subscriber([&waiters](const auto& events) { waiters.on_committed(events); });
  http::event_hub hub(rt.reads());
  rt.add_subscriber([&hub](const auto& events) { hub.on_committed(events); });
  std::unique_ptr<http::redis_publisher> redis;
  if (!o.redis_url.empty()) {
    auto target = http::parse_redis_url(o.redis_url);
    if (!target)
      throw std::runtime_error(
          "--redis-url must be redis://[:password@]host:port[/db], got '" + o.redis_url +
          "'");
    redis = std::make_unique<http::redis_publisher>(*target, rt.reads());
    rt.add_subscriber(if_effects(redis.get()));
    spdlog::info("publishing room events to redis {}:{}", target->host, target->port);
  }
  http::outbound_client outbound;
  std::unique_ptr<http::supabase_publisher> supabase;
  if (!o.supabase_url.empty() || !o.supabase_key.empty()) {
    auto url = http::broadcast_url_of(o.supabase_url);
    if (!url || o.supabase_key.empty())
      throw std::runtime_error(
          "--supabase-url (an http(s) project URL) and --supabase-key go together, got "
          "url '" +
          o.supabase_url + "'");
    http::supabase_options so;
    so.broadcast_url = *url;
    so.key = o.supabase_key;
    supabase = std::make_unique<http::supabase_publisher>(so, rt.reads(), outbound);
    rt.add_subscriber(if_effects(supabase.get()));
    spdlog::info("publishing room events to {}", *url);
  }
  auto secrets = http::secret_box::open(
      cluster ? fs::path(o.key_file) : fs::path(o.data) / "keys" / "secrets.key");
  http::webhook_options wo;
  wo.deny_private = o.webhook_deny_private;
  http::webhook_worker webhooks(rt, hub, outbound, secrets, wo);
  rt.add_subscriber(if_effects(&webhooks));
  std::unique_ptr<http::push_worker> push;
  std::optional<std::string> vapid_public;
  if (!o.vapid_public_key.empty() || !o.vapid_private_key.empty()) {
    auto pub = http::web_push::from_base64url(o.vapid_public_key);
    auto priv = http::web_push::from_base64url(o.vapid_private_key);
    if (!pub || !priv || !http::web_push::keys_match({*pub, *priv}))
      throw std::runtime_error(
          "--vapid-public-key and --vapid-private-key must be one P-256 "
          "key pair in base64url (waitroom vapid generate-keys)");
    vapid_public = o.vapid_public_key;
    http::push_options po;
    po.vapid = {*pub, *priv};
    po.subject = o.vapid_subject;
    po.deny_private = o.webhook_deny_private;
    push = std::make_unique<http::push_worker>(rt, outbound, po);
    rt.add_subscriber(if_effects(push.get()));
  }
  // A cluster's node: forwarding, read barriers, and the loop around the writer lease.
  handler_slot local;
  std::unique_ptr<http::node_handler> forwarding;
  if (cluster) {
    http::node_handler_options no;
    no.subject = "waitroom.WAITROOM_LOG.writer";
    forwarding = std::make_unique<http::node_handler>(local, rt, *bus,
                                                      *storage::as_followed(*log), no);
    rt.add_subscriber(
        [f = forwarding.get()](const auto& events) { f->on_committed(events); });
  }
  auto stats = rt.start();
  if (!stats) {
    spdlog::error("replay failed: {}", stats.error().message);
    std::fputs(unreadable_event_advice(stats.error(), log_source{o.data, {}}).c_str(),
               stderr);
    return 1;
  }
  spdlog::info("replayed {} events in {:.3f} s", stats->events, stats->seconds);

  http::api_options ao;
  ao.rate_per_second = o.rate_limit;
  ao.rate_burst = o.rate_burst;
  ao.self_register_per_minute = o.self_register_per_minute;
  ao.self_register_burst = o.self_register_burst;
  ao.hub = &hub;
  ao.webhook_deny_private = o.webhook_deny_private;
  ao.cors_origins = o.cors_origins;
  ao.vapid_public_key = vapid_public;
  ao.push = push.get();
  ao.redis = redis.get();
  ao.supabase = supabase.get();
  ao.realtime_idle = std::chrono::milliseconds(
      static_cast<std::int64_t>(o.realtime_idle_seconds * 1000));
  ao.webhooks = &webhooks;
  const auto url =
      !o.advertise_url.empty()
          ? o.advertise_url
          : "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                ":" + std::to_string(srv.port());
  // 75 (EX_TEMPFAIL): a deposed writer stops, and its supervisor starts it as a replica
  std::atomic<int> exit_code{0};
  std::unique_ptr<cluster_node> node;
  if (cluster) {
    node_options nodo;
    nodo.name = o.node;
    nodo.url = url;
    cluster_node::hooks h;
    h.promote = [&]() -> events::outcome<void> {
      if (auto caught_up = storage::as_followed(*log)->become_writer(); !caught_up)
        return caught_up;
      rt.start_effects();
      webhooks.start();
      if (push) push->start();
      return forwarding->start_writing();
    };
    h.deposed = [&exit_code](const std::string& why) {
      spdlog::error("this node is no longer the cluster's writer ({}): stopping, to be "
                    "started again as a replica",
                    why);
      exit_code = 75;
      kill(getpid(), SIGTERM);
    };
    h.writer_changed = [&forwarding] { forwarding->writer_gone(); };
    node = std::make_unique<cluster_node>(nodo, *lease, *bus, rt.reads(), *log, h);
    ao.cluster = node.get();
    ao.in_process = forwarding.get();
  }
  http::api api(rt, waiters, secrets, ao);
  if (!cluster) {
    webhooks.start();
    if (push) push->start();
    slot.set(api);
  } else {
    local.set(api);
    slot.set(*forwarding);
    node->start();
  }
  // The server was made first (to hold its port), so it outlives `api`: whatever way
  // this function is left, it stops before `api` and what `api` uses go.
  struct stop_before_api {
    http::server& srv;
    ~stop_before_api() { srv.stop(std::chrono::milliseconds(0)); }
  } stopper{srv};
  srv.start();
  api.set_ready(true);
  std::printf("waitroom listening on http://%s:%u\n",
              host.find(':') != std::string::npos ? ("[" + host + "]").c_str()
                                                  : host.c_str(),
              srv.port());
  std::fflush(stdout);

  // The main thread waits for SIGINT/SIGTERM and meanwhile purges idempotency records
  // older than 24 h: now and every hour (the purge itself runs on the bulk reader lane).
  auto purge = [&api, &webhooks, &rt] {
    if (!rt.effects()) return; // a replica: its writer purges
    api.purge_idempotency([](events::outcome<std::size_t> purged) {
      if (!purged)
        spdlog::warn("could not purge old idempotency records: {}",
                     purged.error().message);
      else if (*purged > 0)
        spdlog::info("purged {} idempotency records older than 24 h", *purged);
    });
    webhooks.purge([](events::outcome<std::size_t> purged) {
      if (!purged)
        spdlog::warn("could not purge old webhook deliveries: {}",
                     purged.error().message);
      else if (*purged > 0)
        spdlog::info("purged {} webhook delivery records older than 7 days", *purged);
    });
  };
  purge();
  int sig = -1;
  while (sig < 0) {
    const timespec hour{3600, 0};
    sig = sigtimedwait(&signals, nullptr, &hour);
    if (sig < 0 && errno == EAGAIN)
      purge();
    else if (sig < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "sigtimedwait");
  }
  spdlog::info("signal {}: draining", sig);
  if (node) node->stop(); // no promotion while stopping
  api.set_ready(false);
  waiters.release_all();
  srv.stop(std::chrono::seconds(8));
  // No more fan-out into webhook runs, then no more deliveries: the outbound thread
  // (whose io context the runs post to) goes last.
  hub.stop();
  webhooks.stop();
  outbound.stop();
  if (auto left = srv.in_flight(); left > 0)
    spdlog::warn("{} requests were still in flight after the grace period", left);
  log->close();
  // after the log drained: a lease given back earlier could let the next writer
  // catch up before this one's last group landed (and be fenced by it)
  if (node) node->release();
  rt.shutdown();
  spdlog::info("stopped cleanly");
  return exit_code.load();
}

} // namespace waitroom::app
