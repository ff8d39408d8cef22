#!/usr/bin/env bash
# Replay throughput: how fast `waitroom replay` folds a log of >= 1M events into every
# projection, and how fast `waitroom audit verify` re-checks its hash chain.
#
# Builds the log once in a temporary directory with build/bench/waitroom_log_filler
# (the real deciders, the real RocksDB log; see log_filler.cpp), replays it once to warm
# the page cache, then runs `waitroom replay --data DIR` and `waitroom audit verify
# --data DIR` R times each. Reports replay's own events_per_second (the fold, excluding
# process start and opening the log), the wall time of the whole command, peak RSS, and
# verify events/s (wall), and the wall time of `waitroom replay --until 1` (start the
# process and open the log, fold one event): the fixed cost of opening this log.
#
# Output (stdout): one JSON line {"bench":"replay_throughput",...} and human lines.
# Progress goes to stderr.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/replay_throughput.sh [options]
  --events N     events in the generated log (default 1000000)
  --runs R       timed runs of replay and of audit verify (default 5)
  --data DIR     use this existing data directory instead of generating one (kept)
  --seed S       seed of the generated log (default 42)
  --perf FILE    also record one extra, untimed replay with `perf record -g` into FILE
environment: WAITROOM (default build/waitroom), WAITROOM_LOG_FILLER (default
             build/bench/waitroom_log_filler)
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
waitroom=${WAITROOM:-$root/build/waitroom}
filler=${WAITROOM_LOG_FILLER:-$root/build/bench/waitroom_log_filler}

events=1000000 runs=5 data="" seed=42 perf_out=""

die() { echo "replay_throughput: $*" >&2; exit 1; }
note() { echo "replay_throughput: $*" >&2; }
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive integer, got '$2'"; }

while (($#)); do
  case $1 in
    --events) positive "$1" "${2-}"; events=$2; shift 2 ;;
    --runs) positive "$1" "${2-}"; runs=$2; shift 2 ;;
    --data) [[ -d ${2-} ]] || die "--data needs an existing directory"; data=$2; shift 2 ;;
    --seed) [[ ${2-} =~ ^[0-9]+$ ]] || die "--seed needs a number"; seed=$2; shift 2 ;;
    --perf) [[ -n ${2-} ]] || die "--perf needs a file"; perf_out=$(realpath -m "$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done

command -v python3 >/dev/null || die "needs python3"
[[ -x /usr/bin/time ]] || die "needs GNU time (apt-get install time)"
[[ -x $waitroom ]] || die "no binary at $waitroom (build it: ninja -C build waitroom)"
[[ -z $perf_out ]] || command -v perf >/dev/null || die "--perf needs 'perf' (apt-get install linux-perf)"

work=$(mktemp -d "${TMPDIR:-/tmp}/waitroom-replay.XXXXXX")
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local status=$?
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fill="null"
if [[ -z $data ]]; then
  [[ -x $filler ]] || die "no log filler at $filler (build it: ninja -C build waitroom_log_filler)"
  data="$work/data"
  note "writing a log of $events events to $data"
  fill=$("$filler" --events "$events" --data "$data" --seed "$seed")
  note "filler: $fill"
fi
log_bytes=$(du -sb "$data/log" | cut -f1)
# The part of it that is RocksDB write-ahead log, which opening the log must recover.
wal_bytes=$(find "$data/log" -maxdepth 1 -name '*.log' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')

now_ns() { date +%s%N; }

# timed OUT_JSON_FILE CMD...: runs CMD with stdout to OUT_JSON_FILE; sets wall_us and
# rss_kib (peak resident set).
timed() {
  local out=$1 start end
  shift
  start=$(now_ns)
  /usr/bin/time -f '%M' -o "$work/time.txt" "$@" >"$out" 2>"$work/stderr.txt" ||
    { cat "$work/stderr.txt" >&2; die "failed: $*"; }
  end=$(now_ns)
  wall_us=$(((end - start) / 1000))
  rss_kib=$(tail -n1 "$work/time.txt")
}

note "warm-up replay (page cache)"
timed "$work/warm.json" "$waitroom" replay --data "$data"

replays=() verifies=() opens=()
for ((i = 1; i <= runs; i++)); do
  timed "$work/replay.json" "$waitroom" replay --data "$data"
  replays+=("$wall_us $rss_kib $(cat "$work/replay.json")")
  rate=$(sed -n 's/.*"events_per_second":\([^,]*\),.*/\1/p' "$work/replay.json")
  note "replay $i/$runs: $(printf '%.0f' "$rate") events/s (replay's own), wall $((wall_us / 1000)) ms"
done
for ((i = 1; i <= runs; i++)); do
  timed "$work/verify.json" "$waitroom" audit verify --data "$data"
  verifies+=("$wall_us $rss_kib $(cat "$work/verify.json")")
  note "verify $i/$runs: wall $((wall_us / 1000)) ms"
done

for ((i = 1; i <= runs; i++)); do
  timed "$work/open.json" "$waitroom" replay --data "$data" --until 1
  opens+=("$wall_us")
done
note "open only (replay --until 1): ${opens[*]} us"
if [[ -n $perf_out ]]; then
  perf record -g -o "$perf_out" -- "$waitroom" replay --data "$data" >/dev/null 2>"$work/perf.txt" ||
    { cat "$work/perf.txt" >&2; die "perf record failed"; }
  note "perf profile of one replay: $perf_out (perf report -i $perf_out --no-children --sort dso,symbol)"
fi

python3 - "$events" "$log_bytes:$wal_bytes" "$fill" "${opens[*]}" "${#replays[@]}" "${replays[@]}" \
  "${verifies[@]}" <<'EOF'
import json, statistics, sys
target, fill = int(sys.argv[1]), json.loads(sys.argv[3])
log_bytes, wal_bytes = map(int, sys.argv[2].split(":"))
opens, n = [int(x) / 1e6 for x in sys.argv[4].split()], int(sys.argv[5])
rows = sys.argv[6:]
def parse(row):
    us, rss, js = row.split(" ", 2)
    return int(us) / 1e6, int(rss), json.loads(js)
replays, verifies = [parse(r) for r in rows[:n]], [parse(r) for r in rows[n:]]
def stats(xs):
    return {"median": round(statistics.median(xs), 3), "min": round(min(xs), 3), "max": round(max(xs), 3)}
events = replays[0][2]["events"]
if any(r[2]["events"] != events for r in replays):
    sys.exit("replay_throughput: replays disagree on the number of events")
for v in verifies:
    if not v[2]["ok"] or v[2]["events"] != events:
        sys.exit(f"replay_throughput: audit verify failed: {v[2]}")
out = {
    "bench": "replay_throughput", "runs": n, "events": events, "log_bytes": log_bytes,
    "wal_bytes": wal_bytes,
    "fill": fill,
    "replay_events_per_s": stats([r[2]["events_per_second"] for r in replays]),
    "replay_fold_s": stats([r[2]["seconds"] for r in replays]),
    "replay_wall_s": stats([r[0] for r in replays]),
    "replay_wall_events_per_s": stats([events / r[0] for r in replays]),
    "replay_max_rss_mib": stats([r[1] / 1024 for r in replays]),
    "open_wall_s": stats(opens),
    "verify_wall_s": stats([v[0] for v in verifies]),
    "verify_events_per_s": stats([events / v[0] for v in verifies]),
    "check_ins": replays[0][2]["check_ins"],
    "check_ins_by_status": replays[0][2]["check_ins_by_status"],
}
print(json.dumps(out))
r, w, v = out["replay_events_per_s"], out["replay_wall_s"], out["verify_events_per_s"]
print(f"replay of {events} events ({log_bytes / 2**20:.0f} MiB log, of which {wal_bytes / 2**20:.0f} MiB WAL), "
      f"{n} runs, median [min-max]: "
      f"{r['median']:.0f} events/s [{r['min']:.0f}-{r['max']:.0f}] (replay's own fold time), "
      f"wall {w['median']} s [{w['min']}-{w['max']}] of which opening the log {out['open_wall_s']['median']} s, "
      f"peak RSS {out['replay_max_rss_mib']['median']:.0f} MiB")
print(f"audit verify of {events} events: {v['median']:.0f} events/s [{v['min']:.0f}-{v['max']:.0f}], "
      f"wall {out['verify_wall_s']['median']} s [{out['verify_wall_s']['min']}-{out['verify_wall_s']['max']}]")
EOF
