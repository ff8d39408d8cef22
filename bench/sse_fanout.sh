#!/usr/bin/env bash
# Fan-out of one room's events to N server-sent-event streams: delivery latency across
# all streams, and what each open stream costs the server in resident memory.
#
# For each N of --subscribers (a fresh server each): start `waitroom serve` on a fresh
# temporary data directory and a free port on 127.0.0.1, register one agent, then
# `waitroom_sse_bench fanout`:
#   1. one signal with no stream open (warms the signal path), then the server's RSS;
#   2. N streams GET /v1/rooms/general/events with the agent's key, --connect-window at
#      a time per client thread; a probe signal that every stream must receive shows
#      they are all subscribed; then the server's RSS again;
#   3. the owner posts signals (POST /v1/rooms/general/signal, payload {"n": k}) on a
#      fixed schedule, --rate per second (open loop), --warmup seconds not counted, then
#      --duration seconds measured. Every stream must receive every signal, in order.
#      Meanwhile GET /healthz 20 times a second on its own connection (a bystander).
# Per delivery: receipt time minus the signal's scheduled send time.
#
# Output (stdout): per N one JSON line {"bench":"sse_fanout",...} and one human line.
# Progress goes to stderr. Exit 1 on any non-2xx answer, a stream that ended, a missing,
# duplicate or out-of-order signal, or failure.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/sse_fanout.sh [options]
  --subscribers LIST     streams on the room, comma-separated sweep (default 100,1000,10000)
  --rate R               signals per second, open loop (default 5)
  --duration S           measured seconds (default 10)
  --warmup S             seconds on the schedule before measuring (default 2)
  --threads T            client threads reading the streams (default 2)
  --stream-buffer-kib K  passed to waitroom serve: bytes queued per stream before a slow
                         client is dropped, also its SO_SNDBUF (default 1024, the server's)
  --durability MODE      fsync | none (default fsync)
  --rate-limit R         the server's per-principal limit, requests/s (default 0: off; all
                         N streams open with one agent key)
  --io-threads N, --actor-threads N, --stream-threads N
                         passed to waitroom serve (default: the server's)
environment: WAITROOM (server binary, default build/waitroom),
             WAITROOM_SSE_BENCH (client, default build/bench/waitroom_sse_bench)
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
waitroom=${WAITROOM:-$root/build/waitroom}

bench_name=sse_fanout
# shellcheck source=bench/server_under_test.sh
source "$here/server_under_test.sh"

subscribers=100,1000,10000 rate=5 duration=10 warmup=2 threads=2 buffer_kib=1024
while (($#)); do
  case $1 in
    --subscribers)
      [[ ${2-} =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--subscribers needs N[,N...]"
      subscribers=$2; shift 2 ;;
    --rate) positive "$1" "${2-}"; rate=$2; shift 2 ;;
    --duration) positive "$1" "${2-}"; duration=$2; shift 2 ;;
    --warmup) [[ ${2-} =~ ^[0-9]+$ ]] || die "--warmup needs an integer"; warmup=$2; shift 2 ;;
    --threads) positive "$1" "${2-}"; threads=$2; shift 2 ;;
    --stream-buffer-kib) positive "$1" "${2-}"; buffer_kib=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) server_option "$1" "${2-}" || { usage >&2; die "unknown option '$1'"; }; shift 2 ;;
  esac
done

sse_bench_tools

# Both the server and the client hold one descriptor per stream (plus RocksDB's files
# and a few connections): raise the soft limit as far as the hard one allows.
most=$(tr ',' '\n' <<<"$subscribers" | sort -n | tail -n1)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) >= most + 1000)) ||
  die "ulimit -n is $(ulimit -n); $most streams need at least $((most + 1000)) descriptors"

bench_workdir

# One N on a fresh server; sets `measured` to the client's JSON line with the run's
# settings. Runs in the main shell (not in $(...)), so that cleanup knows the server.
measure() {
  local n=$1 dir="$work/data-$1" out status=0
  start_server "$dir" "$durability" --rate-limit "$rate_limit" --stream-buffer-kib "$buffer_kib" \
    "${serve_args[@]}"
  note "$n streams: server on 127.0.0.1:$port; ${warmup}s warm-up and ${duration}s of $rate signals/s"
  register_agents 1 "$work/keys.txt"
  local load1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  out=$("$client" fanout --port "$port" --token "$token" --agent-key "$(cat "$work/keys.txt")" \
    --server-pid "$server_pid" --subscribers "$n" --rate "$rate" --duration "$duration" \
    --warmup "$warmup" --threads "$threads") || status=$?
  stop_server || status=1
  [[ -n $out ]] || die "$n streams: no result from the client (exit $status)"
  measured=$(python3 -c 'import json, sys
d = json.loads(sys.argv[1])
d.update(durability=sys.argv[2], stream_buffer_kib=int(sys.argv[3]), rate_limit=int(sys.argv[4]),
         load1_before=float(sys.argv[5]), client_exit=int(sys.argv[6]), serve_args=sys.argv[7:])
print(json.dumps(d))' "$out" "$durability" "$buffer_kib" "$rate_limit" "$load1" "$status" "${serve_args[@]}")
  rm -rf "$dir" "$dir.out" "$dir.err"
}

human() {
  python3 - "$1" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
if not d["ok"] and not d["deliveries"]:  # failed before the measured phase
    print(f"{d['subscribers']} streams: no measurement", file=sys.stderr)
    print("sse_fanout: FAILED: " + "; ".join(d["problems"]), file=sys.stderr)
    sys.exit(3)
dl, al, sg = d["delivery_ms"], d["all_delivered_ms"], d["signal_ms"]
print(f"{d['subscribers']} streams, {d['rate']:.0f} signals/s for {d['duration_s']:.0f} s: "
      f"delivery p50 {dl.get('p50')} ms, p99 {dl.get('p99')} ms, max {dl.get('max')} ms "
      f"({d['deliveries']} deliveries); last stream p50 {al.get('p50')} ms, max {al.get('max')} ms; "
      f"signal answer p50 {sg.get('p50')} ms, p99 {sg.get('p99')} ms; meanwhile healthz p50 "
      f"{d['healthz_ms'].get('p50')} ms, p99 {d['healthz_ms'].get('p99')} ms; server RSS "
      f"{d.get('rss_kib_per_stream')} KiB/stream ({d['server_rss_before_kib'] / 1024:.0f} -> "
      f"{d['server_rss_connected_kib'] / 1024:.0f} MiB), kernel TCP "
      f"{d.get('tcp_mem_kib_per_stream')} KiB/stream (both ends); connect {d['connect_s']} s; "
      f"server CPU {d.get('server_cpu_us_per_delivery')} us/delivery, client "
      f"{d.get('client_cpu_us_per_delivery')} us/delivery, others {d.get('others_cpu_s')} s (softirq {d.get('softirq_s')} s), "
      f"steal {d.get('steal_s')} s; stream buffer {d['stream_buffer_kib']} KiB")
if not d["ok"] or d["client_exit"]:
    print("sse_fanout: FAILED: " + "; ".join(d["problems"] or [f"client exit {d['client_exit']}"]),
          file=sys.stderr)
    sys.exit(3)
EOF
}

for n in ${subscribers//,/ }; do
  measure "$n"
  printf '%s\n' "$measured"
  human "$measured" || exit 1
done
exit 0
