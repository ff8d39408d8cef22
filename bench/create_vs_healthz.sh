#!/usr/bin/env bash
# Durable check-in creates vs GET /healthz, on the same server in the same run.
#
# For each run: start `waitroom serve` on a fresh temporary data directory and a free
# port on 127.0.0.1, register N agents through the API, then
#   1. wrk against GET /healthz (after a short warm-up): the HTTP ceiling of this machine;
#   2. wrk with bench/checkin.lua (after a short warm-up): POST /v1/rooms/general/check-in
#      over keep-alive connections, taking the N agents' keys in turn. Every 2xx means
#      the check-in is in the log (fsync'd under --durability fsync).
# Report creates/s, p50/p99 latency, non-2xx responses (must be 0), healthz req/s and
# creates as a % of healthz. After SIGTERM the log is replayed to check that it holds at
# least as many check-ins as were acknowledged.
#
# Output (stdout): per run one JSON line {"bench":"create_vs_healthz",...} and one human
# line; with --runs > 1 also a summary JSON line (median, min, max) and a human line.
# Progress goes to stderr. Exit 1 on any non-2xx answer, socket error or failure.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/create_vs_healthz.sh [options]
  --agents N          agents registered and used concurrently (default 50)
  --connections C     wrk keep-alive connections (default 50)
  --duration S        seconds per measured phase (default 10)
  --durability MODE   fsync | none (default fsync)
  --compare-none      also measure creates on a second server with --durability none
  --runs R            repeat the whole run R times, fresh server each (default 1)
  --threads T         wrk threads (default 2)
  --warmup S          seconds of warm-up before each measured phase (default 3)
  --io-threads N      passed to waitroom serve (default: the server's)
  --actor-threads N   passed to waitroom serve (default: the server's)
  --perf FILE         record the server (perf, DWARF call graphs) during the measured creates
                      of run 1 into FILE (slows that run: its numbers are not comparable)
environment: WAITROOM (binary, default build/waitroom), TARGET_PCT (default 25)
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
waitroom=${WAITROOM:-$root/build/waitroom}
target_pct=${TARGET_PCT:-25}

agents=50 connections=50 duration=10 durability=fsync compare_none=0 runs=1 threads=2
warmup=3 io_threads="" actor_threads="" perf_out=""

bench_name=create_vs_healthz
# shellcheck source=bench/server_under_test.sh
source "$here/server_under_test.sh"

while (($#)); do
  case $1 in
    --agents) positive "$1" "${2-}"; agents=$2; shift 2 ;;
    --connections) positive "$1" "${2-}"; connections=$2; shift 2 ;;
    --duration) positive "$1" "${2-}"; duration=$2; shift 2 ;;
    --durability)
      [[ ${2-} == fsync || ${2-} == none ]] || die "--durability is fsync or none"
      durability=$2; shift 2 ;;
    --compare-none) compare_none=1; shift ;;
    --runs) positive "$1" "${2-}"; runs=$2; shift 2 ;;
    --threads) positive "$1" "${2-}"; threads=$2; shift 2 ;;
    --warmup) positive "$1" "${2-}"; warmup=$2; shift 2 ;;
    --io-threads) positive "$1" "${2-}"; io_threads=$2; shift 2 ;;
    --actor-threads) positive "$1" "${2-}"; actor_threads=$2; shift 2 ;;
    --perf) [[ -n ${2-} ]] || die "--perf needs a file"; perf_out=$(realpath -m "$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done
((connections >= threads)) || die "--connections must be at least --threads"

for tool in wrk python3; do
  command -v "$tool" >/dev/null || die "needs '$tool' (apt-get install $tool)"
done
[[ -x /usr/bin/time ]] || die "needs GNU time (apt-get install time)"
[[ -z $perf_out ]] || command -v perf >/dev/null || die "--perf needs 'perf' (apt-get install linux-perf)"
[[ -x $waitroom ]] || die "no server binary at $waitroom (build it: ninja -C build waitroom)"

bench_workdir
serve_args=()
[[ -n $io_threads ]] && serve_args+=(--io-threads "$io_threads")
[[ -n $actor_threads ]] && serve_args+=(--actor-threads "$actor_threads")

# wrk_phase NAME URL SECONDS [KEYS_FILE]: prints the WRK_JSON object with what the
# CPUs did meanwhile: "server_cpu_s", "wrk_cpu_s", "others_cpu_s" (every other process:
# a busy neighbour disturbs the run) and "steal_s" (time the hypervisor took away).
wrk_phase() {
  local name=$1 url=$2 secs=$3 keys=${4-} out="$work/wrk-$1.txt" s0 s1 m0 m1
  local args=(-t"$threads" -c"$connections" -d"${secs}s" --latency -s "$here/checkin.lua" "$url")
  [[ -n $keys ]] && args+=(-- "$keys" "$threads")
  local perf_pid=""
  if [[ $name == creates && -n $perf_out && ! -e $perf_out ]]; then
    perf record --call-graph dwarf,16384 -F 499 -p "$server_pid" -o "$perf_out" -- sleep "$secs" \
      >/dev/null 2>"$work/perf.txt" &
    perf_pid=$!
  fi
  s0=$(server_cpu)
  m0=$(machine_cpu)
  /usr/bin/time -f 'WRK_CPU %U %S' -o "$work/wrk-time.txt" wrk "${args[@]}" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk failed ($name)"; }
  m1=$(machine_cpu)
  s1=$(server_cpu)
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" || { cat "$work/perf.txt" >&2; die "perf record failed"; }
    note "perf profile of the server during the creates: $perf_out"
  fi
  local line
  line=$(sed -n 's/^WRK_JSON //p' "$out")
  [[ -n $line ]] || { cat "$out" >&2; die "no WRK_JSON line from wrk ($name)"; }
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
s0, s1 = float(sys.argv[2]), float(sys.argv[3])
(b0, st0), (b1, st1) = map(float, sys.argv[4].split()), map(float, sys.argv[5].split())
wrk = sum(map(float, sys.argv[6].split()[1:3]))
d["server_cpu_s"] = round(s1 - s0, 3)
d["wrk_cpu_s"] = round(wrk, 3)
d["others_cpu_s"] = round(max(0.0, (b1 - b0) - (s1 - s0) - wrk), 3)
d["steal_s"] = round(st1 - st0, 3)
print(json.dumps(d))' "$line" "$s0" "$s1" "$m0" "$m1" "$(grep '^WRK_CPU' "$work/wrk-time.txt")"
}

# One server: healthz (optional) and creates. Sets `measured` to a JSON object of both
# phases. Runs in the main shell (not in $(...)), so that cleanup knows the server.
measure_server() {
  local mode=$1 with_healthz=$2
  local dir="$work/data-$mode-$3"
  start_server "$dir" "$mode" "${serve_args[@]}"
  note "run $3: server ($mode) on 127.0.0.1:$port; registering $agents agents"
  register_agents "$agents" "$work/keys.txt"
  local base="http://127.0.0.1:$port" healthz="null" warm creates
  if ((with_healthz)); then
    note "run $3: healthz warm-up ${warmup}s, then ${duration}s"
    wrk_phase healthz-warmup "$base/healthz" "$warmup" >/dev/null
    healthz=$(wrk_phase healthz "$base/healthz" "$duration")
  fi
  note "run $3: creates warm-up ${warmup}s, then ${duration}s ($agents agents, $connections connections)"
  warm=$(wrk_phase creates-warmup "$base/v1/rooms/general/check-in" "$warmup" "$work/keys.txt")
  creates=$(wrk_phase creates "$base/v1/rooms/general/check-in" "$duration" "$work/keys.txt")
  local rss_kib
  rss_kib=$(server_rss_kib)
  stop_server
  # What a restart would find: the size of the RocksDB write-ahead log left behind, and
  # how long opening the log takes (replay of one event).
  local wal_bytes open_start open_us
  wal_bytes=$(find "$dir/log" -maxdepth 1 -name '*.log' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  open_start=$(date +%s%N)
  "$waitroom" replay --data "$dir" --until 1 >/dev/null 2>&1 || die "replay --until 1 of $dir failed"
  open_us=$((($(date +%s%N) - open_start) / 1000))
  # Every acknowledged create must be in the log.
  local replayed
  replayed=$("$waitroom" replay --data "$dir" 2>/dev/null) || die "replay of $dir failed"
  measured=$(python3 -c 'import json, sys
a = sys.argv
print(json.dumps({"durability": a[1], "healthz": json.loads(a[2]),
                  "creates_warmup": json.loads(a[3]), "creates": json.loads(a[4]),
                  "replay": json.loads(a[5]), "server_rss_kib": int(a[6]),
                  "wal_bytes": int(a[7]), "open_us": int(a[8])}))' \
    "$mode" "$healthz" "$warm" "$creates" "$replayed" "$rss_kib" "$wal_bytes" "$open_us")
  rm -rf "$dir" "$dir.out" "$dir.err"
}

# Turns the raw measurements of one run into the result line; exit 3 if it failed.
report_run() {
  python3 - "$@" <<'EOF'
import json, sys
run, main, none, cfg = int(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])

def rate(w): return w["requests"] / (w["duration_us"] / 1e6)
def ms(us): return round(us / 1000, 3)
def socket_errors(w): e = w["errors"]; return e["connect"] + e["read"] + e["write"] + e["timeout"]

h, c = main["healthz"], main["creates"]
problems = []
out = {"bench": "create_vs_healthz", "run": run, **cfg,
       "load1_before": cfg["load1_before"],
       "healthz_per_s": round(rate(h), 1), "healthz_p50_ms": ms(h["latency_us"]["p50"]),
       "healthz_p99_ms": ms(h["latency_us"]["p99"]),
       "healthz_server_cpu_us_per_req": round(h["server_cpu_s"] * 1e6 / max(h["requests"], 1), 1),
       "creates_per_s": round(rate(c), 1), "create_p50_ms": ms(c["latency_us"]["p50"]),
       "create_p90_ms": ms(c["latency_us"]["p90"]), "create_p99_ms": ms(c["latency_us"]["p99"]),
       "create_max_ms": ms(c["latency_us"]["max"]),
       "create_server_cpu_us_per_req": round(c["server_cpu_s"] * 1e6 / max(c["requests"], 1), 1),
       "creates": c["requests"],
       # CPU seconds other processes used, and stolen by the hypervisor, during the two
       # measured phases: well above ~0.5 s means the run was disturbed.
       "others_cpu_s": round(h["others_cpu_s"] + c["others_cpu_s"], 2),
       "steal_s": round(h["steal_s"] + c["steal_s"], 2)}
non_2xx = h["errors"]["status"] + c["errors"]["status"] + main["creates_warmup"]["errors"]["status"]
sock = socket_errors(h) + socket_errors(c) + socket_errors(main["creates_warmup"])
out["non_2xx"] = non_2xx
out["socket_errors"] = sock
acknowledged = (c["requests"] - c["errors"]["status"]) + (main["creates_warmup"]["requests"] - main["creates_warmup"]["errors"]["status"])
out["check_ins_in_log"] = main["replay"]["check_ins"]
# The state left behind: resident memory per check-in at the end, and what a restart
# pays to open the log (RocksDB write-ahead log still to recover, wall time of opening).
out["server_rss_mib"] = round(main["server_rss_kib"] / 1024, 1)
out["rss_kib_per_check_in"] = round(main["server_rss_kib"] / max(out["check_ins_in_log"], 1), 2)
out["events_in_log"] = main["replay"]["events"]
out["wal_mib_after"] = round(main["wal_bytes"] / 2**20, 1)
out["open_log_s"] = round(main["open_us"] / 1e6, 3)
out["ratio_pct"] = round(100 * out["creates_per_s"] / out["healthz_per_s"], 1)
out["target_pct"] = cfg["target_pct"]
out["target_met"] = out["ratio_pct"] >= cfg["target_pct"]
if none:
    n = none["creates"]
    out["none_creates_per_s"] = round(rate(n), 1)
    out["none_create_p50_ms"] = ms(n["latency_us"]["p50"])
    out["none_create_p99_ms"] = ms(n["latency_us"]["p99"])
    out["none_ratio_pct"] = round(100 * out["none_creates_per_s"] / out["healthz_per_s"], 1)
    non_2xx += n["errors"]["status"] + none["creates_warmup"]["errors"]["status"]
    sock += socket_errors(n) + socket_errors(none["creates_warmup"])
    out["non_2xx"], out["socket_errors"] = non_2xx, sock
if non_2xx: problems.append(f"{non_2xx} non-2xx answers")
if sock: problems.append(f"{sock} socket errors")
if out["check_ins_in_log"] < acknowledged:
    problems.append(f"only {out['check_ins_in_log']} check-ins in the log, {acknowledged} acknowledged")
out["ok"] = not problems
print(json.dumps(out))
human = (f"run {run}: {out['creates_per_s']:.0f} durable creates/s ({cfg['durability']}; p50 {out['create_p50_ms']} ms, "
         f"p99 {out['create_p99_ms']} ms) vs {out['healthz_per_s']:.0f} healthz/s = {out['ratio_pct']}% "
         f"(target {cfg['target_pct']}%: {'met' if out['target_met'] else 'NOT met'}); non-2xx {non_2xx}; "
         f"other processes {out['others_cpu_s']} s CPU, steal {out['steal_s']} s")
if none:
    human += f"; durability none: {out['none_creates_per_s']:.0f} creates/s ({out['none_ratio_pct']}%)"
print(human)
if problems:
    print("create_vs_healthz: FAILED: " + "; ".join(problems), file=sys.stderr)
    sys.exit(3)
EOF
}

summarize() {
  python3 - "$@" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in sys.argv[1:]]
keys = ["healthz_per_s", "healthz_p50_ms", "healthz_p99_ms", "creates_per_s", "create_p50_ms",
        "create_p99_ms", "ratio_pct", "none_creates_per_s", "none_create_p50_ms",
        "none_create_p99_ms", "none_ratio_pct", "create_server_cpu_us_per_req",
        "healthz_server_cpu_us_per_req", "others_cpu_s", "steal_s", "server_rss_mib",
        "check_ins_in_log", "events_in_log", "wal_mib_after", "open_log_s"]
out = {"bench": "create_vs_healthz", "summary": True, "runs": len(runs)}
for k in ("agents", "connections", "duration_s", "durability", "threads", "target_pct"):
    out[k] = runs[0][k]
for k in keys:
    xs = [r[k] for r in runs if k in r]
    if xs:
        out[k] = {"median": round(statistics.median(xs), 3), "min": min(xs), "max": max(xs)}
out["target_met"] = out["ratio_pct"]["median"] >= out["target_pct"]
out["non_2xx"] = sum(r["non_2xx"] for r in runs)
print(json.dumps(out))
m = lambda k: out[k]
line = (f"summary of {len(runs)} runs (median [min-max]): durable creates/s {m('creates_per_s')['median']:.0f} "
        f"[{m('creates_per_s')['min']:.0f}-{m('creates_per_s')['max']:.0f}], p50 {m('create_p50_ms')['median']} ms, "
        f"p99 {m('create_p99_ms')['median']} ms; healthz/s {m('healthz_per_s')['median']:.0f} "
        f"[{m('healthz_per_s')['min']:.0f}-{m('healthz_per_s')['max']:.0f}]; ratio {m('ratio_pct')['median']}% "
        f"[{m('ratio_pct')['min']}-{m('ratio_pct')['max']}] (target {out['target_pct']}%: "
        f"{'met' if out['target_met'] else 'NOT met'})")
if "none_creates_per_s" in out:
    line += f"; durability none creates/s {m('none_creates_per_s')['median']:.0f} [{m('none_creates_per_s')['min']:.0f}-{m('none_creates_per_s')['max']:.0f}]"
print(line)
EOF
}

results=()
for ((run = 1; run <= runs; run++)); do
  load1=$(cut -d' ' -f1 /proc/loadavg)
  cfg=$(python3 -c 'import json, sys
a = sys.argv
print(json.dumps({"agents": int(a[1]), "connections": int(a[2]), "duration_s": int(a[3]),
                  "durability": a[4], "threads": int(a[5]), "target_pct": float(a[6]),
                  "load1_before": float(a[7])}))' \
    "$agents" "$connections" "$duration" "$durability" "$threads" "$target_pct" "$load1")
  measure_server "$durability" 1 "$run"
  main=$measured
  none="null"
  if ((compare_none)); then
    measure_server none 0 "$run-none"
    none=$measured
  fi
  status=0
  report=$(report_run "$run" "$main" "$none" "$cfg") || status=$?
  printf '%s\n' "$report"
  ((status == 0)) || exit 1
  results+=("$(head -n1 <<<"$report")")
done
((runs > 1)) && summarize "${results[@]}"
exit 0
