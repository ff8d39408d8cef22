// The waitroom binary: the server and its operator tools.
#include "app/commands.hpp"
#include "waitroom/version.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace waitroom::app;

/// `<int>(ms|s|m|h|d)` in milliseconds; nothing for anything else or an overflow.
std::optional<std::int64_t> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0 || digits > 10) return std::nullopt;
  const auto unit = text.substr(digits);
  std::int64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else if (unit == "d")
    factor = 86'400'000;
  else
    return std::nullopt;
  return std::stoll(std::string(text.substr(0, digits))) * factor;
}

/// Turns a duration argument into its milliseconds.
CLI::Validator duration_ms() {
  CLI::Validator v(
      [](std::string& s) -> std::string {
        auto ms = parse_duration(s);
        if (!ms)
          return "a duration is <int>(ms|s|m|h|d), e.g. 90s or 30m; got '" + s + "'";
        s = std::to_string(*ms);
        return {};
      },
      "DURATION");
  return v;
}

/// Accepts a JSON object only.
CLI::Validator json_object() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        std::error_code ec;
        auto v = boost::json::parse(s, ec);
        if (ec || !v.is_object())
          return "must be a JSON object, e.g. '{\"env\":\"prod\"}'";
        return {};
      },
      "JSON");
}

enum class credential_kind { agent, human, any };

/// `--server` and the credential options a client subcommand takes.
void add_client_options(CLI::App* cmd, client_options& c, credential_kind who) {
  cmd->add_option("--server", c.server,
                  "Server URL, or the nodes of a cluster separated by commas (a wait "
                  "moves to the next when one is unreachable)")
      ->envname("WAITROOM_URL")
      ->capture_default_str();
  if (who != credential_kind::agent)
    cmd->add_option("--token", c.token, "A person's token (wrh_...)")
        ->envname("WAITROOM_TOKEN");
  if (who != credential_kind::human)
    cmd->add_option("--key", c.key, "An agent's API key (wr_...)")
        ->envname("WAITROOM_API_KEY");
}

/// `--data DIR` or `--nats URLS` (one of them) for an operator tool that reads the log.
void add_log_source(CLI::App* cmd, log_source& from) {
  auto* data =
      cmd->add_option("--data", from.data, "Data directory")->envname("WAITROOM_DATA");
  auto* nats = cmd->add_option("--nats", from.nats,
                               "A cluster's NATS servers instead (comma-separated "
                               "nats://host:port)")
                   ->envname("WAITROOM_NATS_URL");
  data->excludes(nats);
  cmd->callback([cmd, &from] {
    if (from.data.empty() && from.nats.empty())
      throw CLI::RequiredError(cmd->get_name() + ": --data or --nats");
  });
}

/// The footer lines on the exit statuses of `checkin` and `status`.
constexpr std::string_view client_exit_statuses =
    "Exit status: 0 approved (also at once by the policy), 3 modified,\n"
    "1 rejected (a policy forbid too: the rule on stderr), expired, withdrawn,\n"
    "  still pending, or gave up (the reason on stderr),\n"
    "2 usage error or refused by the server (4xx).\n";

} // namespace

int main(int argc, char** argv) {
  // stdout carries only machine-readable output (the listen line, reports); logs go to
  // stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("waitroom"));
  CLI::App cli{"Waitroom: AI agents check in with humans before they act."};
  cli.require_subcommand(1);
  cli.set_help_all_flag("--help-all", "Show help for every subcommand");
  cli.set_version_flag("--version", "waitroom " + std::string(waitroom::version),
                       "Print the version (that of the API document) and exit");

  serve_options so;
  auto* serve_cmd = cli.add_subcommand("serve", "Run the server");
  serve_cmd->add_option("--data", so.data, "Data directory (the event log)")
      ->envname("WAITROOM_DATA")
      ->capture_default_str();
  serve_cmd
      ->add_option("--listen", so.listen,
                   "HOST:PORT to listen on (port 0: any free port)")
      ->envname("WAITROOM_LISTEN")
      ->capture_default_str();
  serve_cmd
      ->add_option(
          "--durability", so.durability,
          "fsync: every acknowledged write is on disk; none: UNSAFE, a crash may lose "
          "acknowledged writes (benchmarks only)")
      ->envname("WAITROOM_DURABILITY")
      ->check(CLI::IsMember({"fsync", "none"}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--bootstrap-token", so.bootstrap_token,
                   "Owner token (wrh_ and 32 letters, digits, _ or -) for the first "
                   "start of an empty data directory; later starts ignore it")
      ->envname("WAITROOM_BOOTSTRAP_TOKEN");
  serve_cmd->add_option("--io-threads", so.io_threads, "HTTP io threads")
      ->envname("WAITROOM_IO_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve_cmd
      ->add_option("--stream-threads", so.stream_threads,
                   "io threads of SSE streams and WebSockets (apart from requests)")
      ->envname("WAITROOM_STREAM_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve_cmd->add_option("--actor-threads", so.actor_threads, "Actor scheduler threads")
      ->envname("WAITROOM_ACTOR_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve_cmd
      ->add_option("--rate-limit", so.rate_limit,
                   "Requests per second per principal (token bucket; 0 disables)")
      ->envname("WAITROOM_RATE_LIMIT")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_cmd->add_option("--rate-burst", so.rate_burst, "Burst of the per-principal limit")
      ->envname("WAITROOM_RATE_BURST")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve_cmd
      ->add_option("--self-register-per-minute", so.self_register_per_minute,
                   "Agent self-registrations per minute per client address (0 disables)")
      ->envname("WAITROOM_SELF_REGISTER_PER_MINUTE")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_cmd
      ->add_option("--self-register-burst", so.self_register_burst,
                   "Burst of the self-registration limit")
      ->envname("WAITROOM_SELF_REGISTER_BURST")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve_cmd
      ->add_option("--redis-url", so.redis_url,
                   "Publish every room event to Redis, channel room:{room_id}:events "
                   "(redis://[:password@]host:port[/db])")
      ->envname("WAITROOM_REDIS_URL");
  serve_cmd
      ->add_option("--supabase-url", so.supabase_url,
                   "Publish every room event to this Supabase project's Realtime "
                   "broadcast endpoint (https://<project>.supabase.co)")
      ->envname("WAITROOM_SUPABASE_URL");
  serve_cmd
      ->add_option("--supabase-key", so.supabase_key,
                   "The Supabase key sent as apikey and bearer with --supabase-url")
      ->envname("WAITROOM_SUPABASE_KEY");
  serve_cmd
      ->add_option(
          "--vapid-public-key", so.vapid_public_key,
          "Web Push VAPID public key (base64url; see waitroom vapid generate-keys)")
      ->envname("WAITROOM_VAPID_PUBLIC_KEY");
  serve_cmd
      ->add_option("--vapid-private-key", so.vapid_private_key,
                   "Web Push VAPID private key (base64url)")
      ->envname("WAITROOM_VAPID_PRIVATE_KEY");
  serve_cmd
      ->add_option("--vapid-subject", so.vapid_subject,
                   "VAPID contact (mailto: or https: URL) sent to push services")
      ->envname("WAITROOM_VAPID_SUBJECT")
      ->capture_default_str();
  auto* serve_nats =
      serve_cmd
          ->add_option("--nats", so.nats,
                       "Run as a node of a cluster whose log is in NATS JetStream "
                       "(comma-separated nats://host:port; see waitroom cluster init)")
          ->envname("WAITROOM_NATS_URL");
  serve_cmd
      ->add_option("--key-file", so.key_file,
                   "With --nats: the cluster's key file (the same on every node)")
      ->envname("WAITROOM_KEY_FILE")
      ->needs(serve_nats);
  serve_cmd
      ->add_option("--node", so.node,
                   "With --nats: this node's name, unique in the cluster")
      ->envname("WAITROOM_NODE")
      ->needs(serve_nats);
  serve_cmd
      ->add_option("--advertise-url", so.advertise_url,
                   "With --nats: the URL clients reach this node at, shown in "
                   "GET /v1/cluster (default: http://<--listen>)")
      ->envname("WAITROOM_ADVERTISE_URL")
      ->needs(serve_nats);
  serve_cmd
      ->add_option("--cors-origin", so.cors_origins,
                   "Let pages of this origin (e.g. https://ops.example.com; * for any) "
                   "call the API from a browser; repeatable, off by default")
      ->envname("WAITROOM_CORS_ORIGIN")
      ->delimiter(',')
      ->transform(CLI::Validator(
          [](std::string& s) -> std::string {
            // an origin is exactly what browsers send: scheme://host[:port], nothing else
            const auto first = s.find_first_not_of(" \t");
            const auto last = s.find_last_not_of(" \t");
            s = first == std::string::npos ? "" : s.substr(first, last - first + 1);
            if (s == "*") return {};
            const auto scheme_end = s.find("://");
            const auto scheme = s.substr(0, scheme_end == std::string::npos ? 0 : scheme_end);
            const auto rest =
                scheme_end == std::string::npos ? std::string() : s.substr(scheme_end + 3);
            if ((scheme != "http" && scheme != "https") || rest.empty() ||
                rest.find_first_of("/?#@ ") != std::string::npos)
              return "an origin is scheme://host[:port] with no path (e.g. "
                     "https://ops.example.com), or *; got '" +
                     s + "'";
            return {};
          },
          "ORIGIN"));
  serve_cmd
      ->add_flag("--webhook-deny-private", so.webhook_deny_private,
                 "Refuse webhook URLs on loopback and private addresses")
      ->envname("WAITROOM_WEBHOOK_DENY_PRIVATE");
  serve_cmd
      ->add_option("--stream-buffer-kib", so.stream_buffer_kib,
                   "KiB queued for one event stream before a slow client is disconnected")
      ->envname("WAITROOM_STREAM_BUFFER_KIB")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  serve_cmd
      ->add_option("--stream-ping-seconds", so.stream_ping_seconds,
                   "Seconds between ': ping' comments on an idle event stream")
      ->envname("WAITROOM_STREAM_PING_SECONDS")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str();
  serve_cmd
      ->add_option("--realtime-idle-seconds", so.realtime_idle_seconds,
                   "Seconds a Supabase Realtime socket may send nothing (heartbeats "
                   "included) before it is closed")
      ->envname("WAITROOM_REALTIME_IDLE_SECONDS")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  serve_cmd->footer("Example:\n  waitroom serve --data ./data --listen 127.0.0.1:8080");

  replay_options ro;
  auto* replay_cmd = cli.add_subcommand(
      "replay",
      "Rebuild every projection from the log (read-only; works beside a running server)");
  add_log_source(replay_cmd, ro.from);
  replay_cmd->add_option(
      "--until", ro.until,
      "Stop after this seq, or at this RFC 3339 time (state as it was then)");
  replay_cmd->add_option("--room", ro.room,
                         "Print this room's check-ins, queue and trust scores as JSON");
  replay_cmd->footer(
      "Example:\n  waitroom replay --data ./data --until 2026-11-24T10:00:00Z "
      "--room deployments");

  log_source audit_from;
  auto* audit_cmd = cli.add_subcommand("audit", "Audit the event log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify",
      "Recompute the hash chain; exit 1 and name the first bad seq on a mismatch");
  add_log_source(verify_cmd, audit_from);
  verify_cmd->footer("Example:\n  waitroom audit verify --data ./data\n"
                     "  waitroom audit verify --nats nats://10.0.0.1:4222");
  quarantine_options qo;
  auto* quarantine_cmd = audit_cmd->add_subcommand(
      "quarantine",
      "Set an unreadable event aside so that the server can start (its bytes stay; "
      "the server must be stopped)");
  quarantine_cmd->add_option("--data", qo.data, "Data directory")
      ->required()
      ->envname("WAITROOM_DATA");
  quarantine_cmd->add_option("--seq", qo.seq, "The unreadable event (audit verify names it)")
      ->required();
  quarantine_cmd
      ->add_option("--reason", qo.reason, "Why, for the audit trail (recorded in the log)")
      ->required()
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            return s.find_first_not_of(" \t") == std::string::npos ? "must not be empty"
                                                                   : "";
          },
          "TEXT"));
  quarantine_cmd->add_flag("--force", qo.force,
                           "Set it aside although more than a record of the past is lost "
                           "(a decision, a revocation, a creation): it says what");
  quarantine_cmd->footer(
      "Example:\n  waitroom audit quarantine --data ./data --seq 7 --reason \"written by "
      "an older build\"");
  export_options eo;
  auto* export_cmd = audit_cmd->add_subcommand(
      "export", "Write the log as JSON Lines (one event with its chain hash per line)");
  add_log_source(export_cmd, eo.from);
  export_cmd->add_option("--room", eo.room, "Only this room's events (slug or rm_ id)");
  export_cmd->add_option("--since-seq", eo.since_seq, "Only events after this seq");
  export_cmd->add_option("--type", eo.type,
                         "Only event types with this prefix, e.g. checkin.");
  export_cmd->footer("Example:\n  waitroom audit export --data ./data --room deployments "
                     "--type checkin. > deployments.jsonl");

  cluster_init_options cio;
  auto* cluster_cmd = cli.add_subcommand("cluster", "Several nodes on NATS JetStream");
  cluster_cmd->require_subcommand(1);
  auto* cluster_init_cmd = cluster_cmd->add_subcommand(
      "init",
      "Once per cluster: create the JetStream stream, the secrets key file and the "
      "organization, owner and room 'general' (changes nothing when initialized)");
  cluster_init_cmd
      ->add_option("--nats", cio.nats, "NATS servers (comma-separated nats://host:port)")
      ->required()
      ->envname("WAITROOM_NATS_URL");
  cluster_init_cmd
      ->add_option("--key-file", cio.key_file,
                   "The secrets key file every node gets (written, mode 0600, unless it "
                   "exists)")
      ->required()
      ->envname("WAITROOM_KEY_FILE");
  cluster_init_cmd
      ->add_option("--replicas", cio.replicas, "Replicas of every stream (NATS servers)")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  cluster_init_cmd
      ->add_option("--bootstrap-token", cio.bootstrap_token,
                   "The owner's token (wrh_ + 32 characters; default: generated and "
                   "printed once)")
      ->envname("WAITROOM_BOOTSTRAP_TOKEN");
  cluster_init_cmd->footer("Example:\n  waitroom cluster init --nats "
                           "nats://10.0.0.1:4222,nats://10.0.0.2:4222 "
                           "--key-file /etc/waitroom/secrets.key");

  auto* vapid_cmd = cli.add_subcommand("vapid", "Web Push (VAPID) keys");
  vapid_cmd->require_subcommand(1);
  auto* vapid_keys_cmd = vapid_cmd->add_subcommand(
      "generate-keys",
      "Print a fresh P-256 VAPID key pair (base64url) as environment lines");
  vapid_keys_cmd->footer("Example:\n  waitroom vapid generate-keys >> /etc/waitroom.env");

  // The client: agents check in and wait, people decide, anyone follows a room.
  checkin_options co;
  auto* checkin_cmd = cli.add_subcommand(
      "checkin",
      "Ask a room before acting, as an agent; with --wait, wait for the decision");
  checkin_cmd->add_option("--room", co.room, "Room slug or rm_ id")->required();
  checkin_cmd->add_option("--action", co.action, "What the agent wants to do")
      ->required();
  checkin_cmd->add_option("--reason,--description", co.reason, "Why");
  checkin_cmd
      ->add_option("--risk,--risk-level", co.risk_level,
                   "Risk level (room default: medium)")
      ->check(CLI::IsMember({"low", "medium", "high", "critical"}));
  checkin_cmd->add_option("--urgency", co.urgency, "Urgency (default: normal)")
      ->check(CLI::IsMember({"low", "normal", "high", "urgent"}));
  checkin_cmd
      ->add_option("--metadata,--context", co.metadata,
                   "JSON object for the people deciding and for policy rules")
      ->check(json_object());
  checkin_cmd
      ->add_option("--timeout", co.timeout_ms,
                   "How long the check-in may stay pending (room default otherwise)")
      ->transform(duration_ms())
      ->type_name("DURATION");
  checkin_cmd
      ->add_option("--timeout-action", co.timeout_action,
                   "What the deadline does (room default otherwise)")
      ->check(CLI::IsMember({"cancel", "auto_approve", "hold"}));
  checkin_cmd->add_option(
      "--required-approvals", co.required_approvals,
      "Distinct people who must approve (1-10; room default otherwise)");
  checkin_cmd->add_option(
      "--idempotency-key", co.idempotency_key,
      "Key of the create (default: a fresh one); a re-run with the same key and the same "
      "fields waits on the same check-in");
  auto* wait_flag = checkin_cmd->add_flag(
      "--wait", co.wait, "Wait for the decision (long-poll; survives server restarts)");
  checkin_cmd
      ->add_option("--max-wait", co.max_wait_ms,
                   "Stop waiting after this long: exit 1, \"still pending\" on stderr")
      ->transform(duration_ms())
      ->type_name("DURATION")
      ->needs(wait_flag);
  add_client_options(checkin_cmd, co.client, credential_kind::agent);
  checkin_cmd->footer(
      std::string("Example:\n"
                  "  export WAITROOM_URL=http://127.0.0.1:8080 WAITROOM_API_KEY=wr_...\n"
                  "  waitroom checkin --room deployments \\\n"
                  "      --action \"deploy v2.3.1 to production\" --risk high \\\n"
                  "      --metadata '{\"version\":\"2.3.1\"}' --timeout 30m --wait\n\n") +
      std::string(client_exit_statuses) +
      "stdout: only the final JSON (the status; the modifications on 3; without --wait,\n"
      "the created check-in). Progress goes to stderr. Durations: <int>(ms|s|m|h|d).");

  status_options sto;
  auto* status_cmd = cli.add_subcommand(
      "status", "A check-in's status; with --wait, wait for its decision");
  status_cmd->add_option("id", sto.id, "Check-in id (ci_...)")->required();
  auto* status_wait = status_cmd->add_flag("--wait", sto.wait, "Wait for the decision");
  status_cmd
      ->add_option("--max-wait", sto.max_wait_ms, "Stop waiting after this long (exit 1)")
      ->transform(duration_ms())
      ->type_name("DURATION")
      ->needs(status_wait);
  status_cmd->add_flag("--json", sto.json, "Print the status object as JSON");
  add_client_options(status_cmd, sto.client, credential_kind::any);
  status_cmd->footer("Example:\n"
                     "  waitroom status ci_a1b2c3d4e5 --wait --max-wait 10m --json\n"
                     "\n" +
                     std::string(client_exit_statuses));

  decide_options dopt;
  auto add_decision = [&](const char* verb, const char* what, const char* example) {
    auto* cmd = cli.add_subcommand(verb, what);
    cmd->add_option("id", dopt.id, "Check-in id (ci_...)")->required();
    cmd->add_option("--reason", dopt.reason, "Why; shown to the agent");
    cmd->add_flag("--json", dopt.json, "Print the check-in object as JSON");
    cmd->add_option("--max-wait", dopt.max_wait_ms,
                    "Retry an unreachable or busy server for this long, then give up "
                    "(exit 2)")
        ->transform(duration_ms())
        ->type_name("DURATION")
        ->default_str("15s");
    add_client_options(cmd, dopt.client, credential_kind::human);
    cmd->footer(
        std::string("Example:\n  export WAITROOM_TOKEN=$(cat data/owner-token)\n  ") +
        example +
        "\n\nExit status: 0 recorded, 2 usage error, refused by the server "
        "(4xx;\n409 when already decided), or gave up on an unreachable server.");
    return cmd;
  };
  auto* approve_cmd =
      add_decision("approve", "Approve a check-in (a person)",
                   "waitroom approve ci_a1b2c3d4e5 --reason \"go ahead\"");
  auto* reject_cmd =
      add_decision("reject", "Reject a check-in (a person)",
                   "waitroom reject ci_a1b2c3d4e5 --reason \"not on a Friday\"");
  auto* modify_cmd = add_decision(
      "modify", "Approve a check-in with changes (a person)",
      "waitroom modify ci_a1b2c3d4e5 --modifications '{\"environment\":\"staging\"}' "
      "--reason \"staging first\"");
  modify_cmd
      ->add_option("--modifications", dopt.modifications,
                   "JSON object: what to change; the agent receives it")
      ->required()
      ->check(json_object());

  tail_options to;
  auto* tail_cmd = cli.add_subcommand("tail", "Follow a room's events, one line each");
  tail_cmd->add_option("room", to.room, "Room slug or rm_ id")->required();
  tail_cmd->add_option("--since", to.since,
                       "Print the room's events after this seq first");
  tail_cmd->add_flag("--json", to.json, "Print each event envelope as one line of JSON");
  add_client_options(tail_cmd, to.client, credential_kind::any);
  tail_cmd->footer(
      "Example:\n  WAITROOM_TOKEN=$(cat data/owner-token) waitroom tail general "
      "--since 0");

  // An unknown first word is an unknown command, not a missing one.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string_view word = argv[1];
    std::string names;
    bool known = false;
    for (const auto* sub : cli.get_subcommands({})) {
      known = known || sub->get_name() == word;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "waitroom: unknown command '%s'; the commands are %s (see "
                           "waitroom --help)\n",
                   argv[1], names.c_str());
      return 2;
    }
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*serve_cmd) return serve(so);
    if (*replay_cmd) return replay(ro);
    if (*cluster_init_cmd) return cluster_init(cio);
    if (*verify_cmd) return audit_verify(audit_from);
    if (*export_cmd) return audit_export(eo);
    if (*quarantine_cmd) return audit_quarantine(qo);
    if (*vapid_keys_cmd) return vapid_generate_keys();
    if (*checkin_cmd) return checkin(co);
    if (*status_cmd) return status(sto);
    for (auto* cmd : {approve_cmd, reject_cmd, modify_cmd})
      if (*cmd) {
        dopt.verb = cmd->get_name();
        return decide(dopt);
      }
    if (*tail_cmd) return tail(to);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "waitroom: %s\n", e.what());
    return 1;
  }
  return 2;
}
