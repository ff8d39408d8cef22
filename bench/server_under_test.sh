# shellcheck shell=bash
# shellcheck disable=SC2154  # bench_name and waitroom are the sourcing script's
# The server under test, as every benchmark script starts, measures and stops it
# (sourced, not run).
#
# The sourcing script sets, before calling anything here:
#   bench_name   prefix of its messages (e.g. create_vs_healthz)
#   waitroom     the server binary
# and calls `bench_workdir` once, which creates the temporary directory `work`, removed
# on exit (also on Ctrl-C) after stopping the server it started.
#
# start_server sets server_pid, port and token (the owner's bootstrap token).

die() { echo "$bench_name: $*" >&2; exit 1; }
note() { echo "$bench_name: $*" >&2; }
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive integer, got '$2'"; }

server_pid=""

# The server options the SSE benchmarks share: --durability, --rate-limit (default 0:
# off), --io-threads, --actor-threads, --stream-threads. `server_option NAME VALUE`
# returns 0 when it took them (into durability, rate_limit and serve_args).
durability=fsync rate_limit=0 serve_args=()
server_option() {
  case $1 in
    --durability) [[ $2 == fsync || $2 == none ]] || die "--durability is fsync or none"
      durability=$2 ;;
    --rate-limit) [[ $2 =~ ^[0-9]+$ ]] || die "--rate-limit needs an integer"; rate_limit=$2 ;;
    --io-threads | --actor-threads | --stream-threads) positive "$1" "$2"
      serve_args+=("$1" "$2") ;;
    *) return 1 ;;
  esac
}

# The SSE benchmarks' client (`client`, from WAITROOM_SSE_BENCH or beside the server)
# and what they need; dies naming what is missing.
sse_bench_tools() {
  client=${WAITROOM_SSE_BENCH:-$(dirname "$waitroom")/bench/waitroom_sse_bench}
  command -v python3 >/dev/null || die "needs python3"
  [[ -x $waitroom ]] || die "no server binary at $waitroom (build it: ninja -C build waitroom)"
  [[ -x $client ]] || die "no client at $client (build it: ninja -C build waitroom_sse_bench)"
}

# Creates `work` (a fresh temporary directory) and the traps that clean up.
bench_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/waitroom-bench.XXXXXX")
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# shellcheck disable=SC2317  # invoked by the trap
bench_cleanup() {
  local status=$?
  stop_server || true
  rm -rf "$work"
  exit "$status"
}

# stop_server: SIGTERM, then waits up to 15 s; returns 1 unless the server exited 0.
stop_server() {
  [[ -n $server_pid ]] || return 0
  local pid=$server_pid status=0
  server_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    note "server $pid did not stop within 15 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" || status=$?
  ((status == 0)) || { note "server exited with status $status"; return 1; }
}

# start_server DIR MODE [SERVE_ARGS...]: starts `waitroom serve` on the fresh data
# directory DIR with --durability MODE on a free port of 127.0.0.1 (the server picks it
# and prints it: no race), with a random bootstrap token. Sets server_pid, port, token.
# The server's stdout and stderr go to DIR.out and DIR.err.
start_server() {
  local dir=$1 mode=$2
  shift 2
  token=wrh_$(python3 -c 'import secrets, string
print("".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32)))')
  # The output files exist before the server does: the loop below may read them before
  # the forked shell has opened them.
  : >"$dir.out"
  : >"$dir.err"
  WAITROOM_BOOTSTRAP_TOKEN=$token "$waitroom" serve --data "$dir" --listen 127.0.0.1:0 \
    --durability "$mode" "$@" >"$dir.out" 2>"$dir.err" &
  server_pid=$!
  port=""
  for _ in $(seq 300); do
    port=$(sed -n 's|^waitroom listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$dir.out")
    [[ -n $port ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$dir.err" >&2
      server_pid=""
      die "the server did not start"
    fi
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$dir.err" >&2; die "the server did not listen within 30 s"; }
}

# register_agents N FILE: registers N agents with the owner token; writes their API
# keys, one a line, to FILE.
register_agents() {
  python3 - "$port" "$token" "$1" >"$2" <<'EOF'
import json, sys, urllib.request
port, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/agents/register",
        data=json.dumps({"name": f"bench-agent-{i + 1}"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status != 201:
            sys.exit(f"register answered {r.status}")
        print(json.load(r)["data"]["api_key"])
EOF
  [[ $(wc -l <"$2") -eq $1 ]] || die "registered $(wc -l <"$2") of $1 agents"
}

# CPU seconds (user + system) the server has used so far.
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / hz }' \
    "/proc/$server_pid/stat"
}

# Resident memory of the server now, KiB.
server_rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"
}

# Busy and stolen CPU seconds of the whole machine so far ("busy steal").
machine_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / {
    printf "%.3f %.3f\n", ($2 + $3 + $4 + $7 + $8) / hz, $9 / hz }' /proc/stat
}
