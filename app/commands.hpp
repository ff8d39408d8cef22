#pragma once
/// The subcommands of the `waitroom` binary. Each returns the process exit status.

#include "events/outcome.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace waitroom::app {

struct serve_options {
  std::string data = "./data";
  std::string listen = "127.0.0.1:8080";
  std::string durability = "fsync";
  std::optional<std::string> bootstrap_token;
  int io_threads = 1;
  int stream_threads = 1;
  int actor_threads = 1;
  double rate_limit = 1000; ///< requests per second per principal; 0: off
  double rate_burst = 2000;
  double self_register_per_minute = 10; ///< per client address
  double self_register_burst = 10;
  int stream_buffer_kib = 1024;      ///< per SSE stream, before a slow client is dropped
  double stream_ping_seconds = 15;   ///< `: ping` on an idle stream
  double realtime_idle_seconds = 60; ///< a silent Supabase Realtime socket closes
  std::string redis_url;             ///< publish room events to Redis (empty: off)
  std::string supabase_url; ///< publish room events to a Supabase project (empty: off)
  std::string supabase_key; ///< its service key (`apikey` and bearer)
  bool webhook_deny_private = false; ///< refuse loopback and private webhook URLs
  std::vector<std::string> cors_origins; ///< origins allowed to call from a browser
  std::string vapid_public_key;      ///< base64url, 65-byte P-256 point (Web Push)
  std::string vapid_private_key;     ///< base64url, 32 bytes
  std::string vapid_subject = "mailto:admin@localhost"; ///< VAPID `sub` claim
  // A cluster's node (docs/cluster.md): the log in NATS JetStream instead of --data.
  std::string nats;          ///< comma-separated nats:// URLs; empty: a single node
  std::string key_file;      ///< the cluster's secrets key (`cluster init` wrote it)
  std::string node;          ///< this node's name, unique in the cluster
  std::string advertise_url; ///< how clients reach this node (default: from --listen)
};

/// Where an operator tool reads the log: a data directory, or a cluster's JetStream.
struct log_source {
  std::string data; ///< a data directory (`--data`)
  std::string nats; ///< comma-separated nats:// URLs (`--nats`)
  /// "the log in DIR" or "the cluster's log", for messages.
  std::string name() const;
};

struct replay_options {
  log_source from;
  std::optional<std::string> until; ///< a seq or an RFC 3339 time
  std::optional<std::string> room;  ///< slug or rm_ id
};

struct export_options {
  log_source from;
  std::optional<std::string> room;        ///< slug or rm_ id
  std::optional<std::uint64_t> since_seq; ///< events after this seq
  std::optional<std::string> type;        ///< type prefix, e.g. "checkin."
};

struct quarantine_options {
  std::string data;
  std::uint64_t seq = 0;
  std::string reason; ///< recorded with the quarantine (required)
  bool force = false; ///< accept losing more than a record of the past
};

int serve(const serve_options& options);
int audit_export(const export_options& options);
int replay(const replay_options& options);

struct cluster_init_options {
  std::string nats;     ///< comma-separated nats:// URLs
  std::string key_file; ///< the secrets key every node is given
  int replicas = 3;     ///< of every stream
  std::optional<std::string> bootstrap_token;
};
/// `waitroom cluster init` (docs/cluster.md).
int cluster_init(const cluster_init_options& options);
/// `waitroom audit verify`: the chain and the decoding of every event; 1 and the first
/// bad seq otherwise.
int audit_verify(const log_source& from);
/// `waitroom audit quarantine`: sets an unreadable event aside (the server must be
/// stopped: it needs the log writable).
int audit_quarantine(const quarantine_options& options);
/// What the operator can do about the unreadable event `seq`, as lines for stderr.
std::string unreadable_event_advice(std::uint64_t seq, const log_source& from);
/// The same for an error that names an unreadable event (`details.seq`); empty for any
/// other error.
std::string unreadable_event_advice(const events::error& e, const log_source& from);
/// `waitroom vapid generate-keys`: a fresh VAPID key pair for Web Push, as environment
/// lines on stdout.
int vapid_generate_keys();

/// Exit statuses of the client subcommands (API.md "Command-line client").
enum client_exit : int {
  exit_approved = 0,     ///< approved, by a person, the policy or a timeout
  exit_not_approved = 1, ///< rejected, expired, withdrawn, or still undecided
  exit_usage = 2,        ///< usage error, or the server refused the request (4xx)
  exit_gave_up = 2,      ///< API.md: giving up (the server stayed away) is 2 as well
  exit_modified = 3,     ///< modified: the modifications JSON is on stdout
  exit_recorded = 0,     ///< approve|reject|modify: the decision is recorded
};

/// Where a client subcommand finds the server, and with which credential.
struct client_options {
  std::string server = "http://127.0.0.1:8080"; ///< `--server`, `WAITROOM_URL`
  std::string token; ///< a human's token: `--token`, `WAITROOM_TOKEN`
  std::string key;   ///< an agent's key: `--key`, `WAITROOM_API_KEY`
  /// The token when there is one, else the key.
  const std::string& credential() const { return token.empty() ? key : token; }
};

struct checkin_options {
  client_options client;
  std::string room;
  std::string action;
  std::optional<std::string> reason;
  std::optional<std::string> risk_level;
  std::optional<std::string> urgency;
  std::optional<std::string> metadata;    ///< a JSON object
  std::optional<std::int64_t> timeout_ms; ///< the check-in's deadline
  std::optional<std::string> timeout_action;
  std::optional<int> required_approvals;
  std::optional<std::string> idempotency_key; ///< else a fresh one per run
  bool wait = false;
  std::optional<std::int64_t> max_wait_ms; ///< bound on the client's wait
};
/// `waitroom checkin`: creates a check-in as an agent and, with `--wait`, waits for its
/// decision on the long-poll. Returns a `client_exit`.
int checkin(const checkin_options& options);

struct status_options {
  client_options client;
  std::string id;
  bool wait = false;
  std::optional<std::int64_t> max_wait_ms;
  bool json = false;
};
/// `waitroom status ID`: the check-in's status, after waiting for a decision with
/// `--wait`; the exit status says the outcome as for `checkin`.
int status(const status_options& options);

struct decide_options {
  client_options client;
  std::string verb; ///< approve, reject or modify
  std::string id;
  std::optional<std::string> reason;
  std::optional<std::string> modifications; ///< a JSON object (modify only)
  bool json = false;
  std::optional<std::int64_t> max_wait_ms; ///< retrying an unreachable server (15 s)
};
/// `waitroom approve|reject|modify ID`: a person's decision. 0 when recorded.
int decide(const decide_options& options);

struct tail_options {
  client_options client;
  std::string room;
  std::optional<std::uint64_t> since; ///< replay after this seq first (0: everything)
  bool json = false;                  ///< print envelopes, not readable lines
};
/// `waitroom tail ROOM`: one line per room event, following the SSE stream.
int tail(const tail_options& options);

} // namespace waitroom::app
