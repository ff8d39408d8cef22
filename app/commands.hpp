#pragma once
/// The subcommands of the `waitroom` binary. Each returns the process exit status.

#include <cstdint>
#include <optional>
#include <string>

namespace waitroom::app {

struct serve_options {
  std::string data = "./data";
  std::string listen = "127.0.0.1:8080";
  std::string durability = "fsync";
  std::optional<std::string> bootstrap_token;
  int io_threads = 1;
  int actor_threads = 1;
  double rate_limit = 1000; ///< requests per second per principal; 0: off
  double rate_burst = 2000;
  double self_register_per_minute = 10; ///< per client address
  double self_register_burst = 10;
  int stream_buffer_kib = 1024;      ///< per SSE stream, before a slow client is dropped
  double stream_ping_seconds = 15;   ///< `: ping` on an idle stream
  std::string redis_url;             ///< publish room events to Redis (empty: off)
  bool webhook_deny_private = false; ///< refuse loopback and private webhook URLs
  std::string vapid_public_key;      ///< base64url, 65-byte P-256 point (Web Push)
  std::string vapid_private_key;     ///< base64url, 32 bytes
  std::string vapid_subject = "mailto:admin@localhost"; ///< VAPID `sub` claim
};

struct replay_options {
  std::string data;
  std::optional<std::string> until; ///< a seq or an RFC 3339 time
  std::optional<std::string> room;  ///< slug or rm_ id
};

struct export_options {
  std::string data;
  std::optional<std::string> room;        ///< slug or rm_ id
  std::optional<std::uint64_t> since_seq; ///< events after this seq
  std::optional<std::string> type;        ///< type prefix, e.g. "checkin."
};

int serve(const serve_options& options);
int audit_export(const export_options& options);
int replay(const replay_options& options);
int audit_verify(const std::string& data);
/// `waitroom vapid generate-keys`: a fresh VAPID key pair for Web Push, as environment
/// lines on stdout.
int vapid_generate_keys();

/// Where a client subcommand finds the server, and with which credential.
struct client_options {
  std::string server = "http://127.0.0.1:8080"; ///< `--server`, `WAITROOM_URL`
  std::string token; ///< a human's token: `--token`, `WAITROOM_TOKEN`
  std::string key;   ///< an agent's key: `--key`, `WAITROOM_API_KEY`
  /// The token when there is one, else the key.
  const std::string& credential() const { return token.empty() ? key : token; }
};

struct tail_options {
  client_options client;
  std::string room;
  std::optional<std::uint64_t> since; ///< replay after this seq first (0: everything)
  bool json = false;                  ///< print envelopes, not readable lines
};
/// `waitroom tail ROOM`: one line per room event, following the SSE stream.
int tail(const tail_options& options);

} // namespace waitroom::app
