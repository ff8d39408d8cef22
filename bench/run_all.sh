#!/usr/bin/env bash
# Runs every benchmark with its defaults (`make bench`) and prints what machine and
# commit they ran on, then each benchmark's summary: JSON lines first, human lines after.
#
# environment: BUILD_DIR (default build), RUNS (create_vs_healthz runs, default 3),
#              REPLAY_RUNS (timed replays, default 5), DECISION_RUNS (decision_latency
#              runs, default 3), FANOUT_SUBSCRIBERS (sse_fanout sweep, default its own)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
runs=${RUNS:-3}
replay_runs=${REPLAY_RUNS:-5}
decision_runs=${DECISION_RUNS:-3}
fanout_args=()
[[ -n ${FANOUT_SUBSCRIBERS-} ]] && fanout_args+=(--subscribers "$FANOUT_SUBSCRIBERS")

die() { echo "run_all: $*" >&2; exit 1; }
[[ -f $build/build.ninja || -f $build/Makefile ]] ||
  die "no configured build in $build (run: make build)"
cmake --build "$build" --target waitroom waitroom_log_filler waitroom_sse_bench >&2
export WAITROOM=$build/waitroom WAITROOM_LOG_FILLER=$build/bench/waitroom_log_filler
export WAITROOM_SSE_BENCH=$build/bench/waitroom_sse_bench

# The commit is that of the sources the build directory was configured from (null when
# they are not a git checkout, e.g. an exported tree); "dirty": uncommitted changes to
# tracked files, so the binary may not be exactly that commit.
source_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
machine=$(python3 - "${source_dir:-$root}" "$WAITROOM" <<'EOF'
import json, os, platform, subprocess, sys, time
def sh(*cmd):
    try: return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except Exception: return None
lscpu = {}
for line in (sh("lscpu") or "").splitlines():
    k, _, v = line.partition(":")
    lscpu[k.strip()] = v.strip()
mem_kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
# The disk's durable-write latency: 200 appends of 4 KiB, each followed by fdatasync,
# in the temp directory (where the benchmarks put their logs).
import statistics, tempfile
with tempfile.NamedTemporaryFile(dir=os.environ.get("TMPDIR", "/tmp")) as f:
    lat = []
    for _ in range(200):
        t = time.perf_counter()
        os.write(f.fileno(), b"x" * 4096)
        os.fdatasync(f.fileno())
        lat.append((time.perf_counter() - t) * 1e6)
print(json.dumps({
    "bench": "machine",
    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "source": sys.argv[1], "binary": sys.argv[2],
    "binary_mtime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(sys.argv[2]))),
    "commit": sh("git", "-C", sys.argv[1], "rev-parse", "--short", "HEAD"),
    "dirty": None if not os.path.exists(os.path.join(sys.argv[1], ".git")) else
             bool(sh("git", "-C", sys.argv[1], "status", "--porcelain", "--untracked-files=no")),
    "cpu": lscpu.get("Model name"), "cpus": int(lscpu.get("CPU(s)", "0") or 0),
    "ram_gib": round(mem_kib / 2**20, 1), "kernel": platform.release(),
    "disk": sh("findmnt", "-no", "SOURCE,FSTYPE", "--target", os.environ.get("TMPDIR", "/tmp")),
    "fdatasync_4k_us": {"median": round(statistics.median(lat)), "p99": round(sorted(lat)[197])},
    "load_avg": open("/proc/loadavg").read().split()[:3],
}))
EOF
)

echo "run_all: create_vs_healthz ($runs runs)" >&2
creates=$("$here/create_vs_healthz.sh" --runs "$runs")
echo "run_all: replay_throughput ($replay_runs runs)" >&2
replay=$("$here/replay_throughput.sh" --runs "$replay_runs")
echo "run_all: decision_latency ($decision_runs runs)" >&2
decisions=$("$here/decision_latency.sh" --runs "$decision_runs")
echo "run_all: sse_fanout" >&2
fanout=$("$here/sse_fanout.sh" "${fanout_args[@]}")

echo "$machine"
grep '^{' <<<"$creates" | tail -n1
grep '^{' <<<"$replay"
grep '^{' <<<"$decisions" | tail -n1
grep '^{' <<<"$fanout"
echo
grep -v '^{' <<<"$creates"
grep -v '^{' <<<"$replay"
grep -v '^{' <<<"$decisions"
grep -v '^{' <<<"$fanout"
