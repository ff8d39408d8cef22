#!/usr/bin/env bash
# Decision-to-delivery latency: how long after a person approves does the waiting agent
# hear it on its server-sent-event stream?
#
# For each run: start `waitroom serve` on a fresh temporary data directory and a free
# port on 127.0.0.1, register one agent, then `waitroom_sse_bench decisions`:
#   1. the agent creates enough check-ins for the whole run; `general` has no rules, so
#      each stays pending (the client fails the run if one does not);
#   2. the agent opens GET /v1/rooms/general/events; one probe approval shows it is live;
#   3. the owner approves the check-ins on a fixed schedule, --rate per second (open
#      loop), --warmup seconds not counted, then --duration seconds measured.
# Per decision: the approve answer and the `checkin.approved` frame on the agent's
# stream, both timed from the scheduled send time (a stall delays the clock of every
# decision scheduled behind it: no coordinated omission).
#
# Output (stdout): per run one JSON line {"bench":"decision_latency",...} and one human
# line; with --runs > 1 a summary JSON line and a human line. Progress goes to stderr.
# Exit 1 on any non-2xx answer, missing, duplicate or out-of-order event, or failure.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/decision_latency.sh [options]
  --rate R            approvals per second, open loop (default 1000)
  --duration S        measured seconds (default 10)
  --warmup S          seconds on the schedule before measuring (default 2)
  --connections C     the owner's keep-alive connections (default 64)
  --runs N            repeat, a fresh server each (default 1)
  --durability MODE   fsync | none (default fsync)
  --rate-limit R      the server's per-principal limit, requests/s (default 0: off; the
                      server's own default, 1000/s, is what one owner issues here)
  --io-threads N, --actor-threads N, --stream-threads N
                      passed to waitroom serve (default: the server's)
environment: WAITROOM (server binary, default build/waitroom),
             WAITROOM_SSE_BENCH (client, default build/bench/waitroom_sse_bench)
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
waitroom=${WAITROOM:-$root/build/waitroom}

bench_name=decision_latency
# shellcheck source=bench/server_under_test.sh
source "$here/server_under_test.sh"

rate=1000 duration=10 warmup=2 connections=64 runs=1
while (($#)); do
  case $1 in
    --rate) positive "$1" "${2-}"; rate=$2; shift 2 ;;
    --duration) positive "$1" "${2-}"; duration=$2; shift 2 ;;
    --warmup) [[ ${2-} =~ ^[0-9]+$ ]] || die "--warmup needs an integer"; warmup=$2; shift 2 ;;
    --connections) positive "$1" "${2-}"; connections=$2; shift 2 ;;
    --runs) positive "$1" "${2-}"; runs=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) server_option "$1" "${2-}" || { usage >&2; die "unknown option '$1'"; }; shift 2 ;;
  esac
done

sse_bench_tools
serve_args+=(--rate-limit "$rate_limit")

bench_workdir

# One run on a fresh server; sets `measured` to the client's JSON line with the run's
# settings. Runs in the main shell (not in $(...)), so that cleanup knows the server.
measure() {
  local run=$1 dir="$work/data-$1" out status=0
  start_server "$dir" "$durability" "${serve_args[@]}"
  note "run $run: server on 127.0.0.1:$port; $((rate * (warmup + duration))) check-ins, then" \
    "${warmup}s warm-up and ${duration}s of $rate approvals/s"
  register_agents 1 "$work/keys.txt"
  local load1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  out=$("$client" decisions --port "$port" --token "$token" --agent-key "$(cat "$work/keys.txt")" \
    --server-pid "$server_pid" --rate "$rate" --duration "$duration" --warmup "$warmup" \
    --connections "$connections") || status=$?
  stop_server || status=1
  [[ -n $out ]] || die "run $run: no result from the client (exit $status)"
  measured=$(python3 -c 'import json, sys
d = json.loads(sys.argv[1])
d.update(run=int(sys.argv[2]), durability=sys.argv[3], rate_limit=int(sys.argv[4]),
         load1_before=float(sys.argv[5]), client_exit=int(sys.argv[6]), serve_args=sys.argv[7:])
print(json.dumps(d))' "$out" "$run" "$durability" "$rate_limit" "$load1" "$status" "${serve_args[@]}")
  rm -rf "$dir" "$dir.out" "$dir.err"
}

human() {
  python3 - "$1" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
if "delivery_ms" not in d:  # failed before the measured phase
    print(f"run {d['run']}: no measurement", file=sys.stderr)
    print("decision_latency: FAILED: " + "; ".join(d["problems"]), file=sys.stderr)
    sys.exit(3)
dl, ap = d["delivery_ms"], d["approve_ms"]
print(f"run {d['run']}: {d['rate']:.0f} approvals/s for {d['duration_s']:.0f} s ({d['durability']}, "
      f"sent {d['sent_per_s']:.0f}/s): delivery p50 {dl.get('p50')} ms, p99 {dl.get('p99')} ms, "
      f"max {dl.get('max')} ms; approve answer p50 {ap.get('p50')} ms, p99 {ap.get('p99')} ms; "
      f"event before answer {d['event_before_answer_pct']}%; server CPU "
      f"{d.get('server_cpu_us_per_decision')} us/decision, client {d.get('client_cpu_s')} s, "
      f"others {d.get('others_cpu_s')} s (softirq {d.get('softirq_s')} s), steal {d.get('steal_s')} s; "
      f"missing {d['missing_events']}, non-2xx {d['non_2xx']}")
if not d["ok"] or d["client_exit"]:
    print("decision_latency: FAILED: " + "; ".join(d["problems"] or [f"client exit {d['client_exit']}"]),
          file=sys.stderr)
    sys.exit(3)
EOF
}

summarize() {
  python3 - "$@" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in sys.argv[1:]]
out = {"bench": "decision_latency", "summary": True, "runs": len(runs)}
for k in ("rate", "duration_s", "durability", "rate_limit"):
    out[k] = runs[0][k]
def agg(xs):
    return {"median": round(statistics.median(xs), 3), "min": min(xs), "max": max(xs)}
for k in ("delivery_ms", "approve_ms", "approve_service_ms"):
    for q in ("p50", "p99", "max"):
        out[f"{k[:-3]}_{q}_ms"] = agg([r[k][q] for r in runs])
for k in ("sent_per_s", "event_before_answer_pct", "server_cpu_us_per_decision", "client_cpu_s",
          "others_cpu_s", "steal_s"):
    out[k] = agg([r[k] for r in runs])
print(json.dumps(out))
m = lambda k: out[k]
print(f"summary of {len(runs)} runs (median [min-max]): delivery p50 {m('delivery_p50_ms')['median']} ms "
      f"[{m('delivery_p50_ms')['min']}-{m('delivery_p50_ms')['max']}], p99 {m('delivery_p99_ms')['median']} ms "
      f"[{m('delivery_p99_ms')['min']}-{m('delivery_p99_ms')['max']}]; approve p50 {m('approve_p50_ms')['median']} ms, "
      f"p99 {m('approve_p99_ms')['median']} ms [{m('approve_p99_ms')['min']}-{m('approve_p99_ms')['max']}]")
EOF
}

results=()
for ((run = 1; run <= runs; run++)); do
  measure "$run"
  printf '%s\n' "$measured"
  human "$measured" || exit 1
  results+=("$measured")
done
((runs > 1)) && summarize "${results[@]}"
exit 0
