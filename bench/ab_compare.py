#!/usr/bin/env python3
"""Compares two builds from create_vs_healthz.sh runs: medians, ranges and a
Mann-Whitney U test per figure, over the runs with little CPU steal.

usage: bench/ab_compare.py BASE.jsonl NEW.jsonl [--max-steal SECONDS]

Each file holds the per-run JSON lines create_vs_healthz.sh prints (one build each),
e.g. from
  for i in $(seq 11); do for b in base new; do
    WAITROOM=/tmp/wr-$b/waitroom bench/create_vs_healthz.sh --runs 1 >> /tmp/ab-$b.jsonl
  done; done
Runs with more than --max-steal seconds of steal (default 1.0) are left out: on a
shared host they measure the neighbours. Standard library only.
"""
import argparse
import json
import statistics

FIGURES = [("creates_per_s", "durable creates/s"),
           ("create_server_cpu_us_per_req", "server CPU per create (µs)"),
           ("ratio_pct", "creates / healthz (%)"),
           ("create_p99_ms", "create p99 (ms)"),
           ("server_rss_mib", "RSS after the run (MiB)")]


def runs(path, max_steal):
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("{"):
                d = json.loads(line)
                if d.get("bench") == "create_vs_healthz" and d["steal_s"] < max_steal:
                    out.append(d)
    return out


def mann_whitney_u(a, b):
    """U of `a` against `b`: pairs (x, y) with x < y, ties counting one half."""
    return sum(1.0 if x < y else 0.5 if x == y else 0.0 for x in a for y in b)


# Two-sided 5% critical values of U for equal samples of n (Mann-Whitney tables):
# U <= low (or >= n*n - low) is significant.
CRITICAL_5PCT = {5: 2, 6: 5, 7: 8, 8: 13, 9: 17, 10: 23, 11: 30, 12: 37}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base")
    p.add_argument("new")
    p.add_argument("--max-steal", type=float, default=1.0)
    args = p.parse_args()
    base, new = runs(args.base, args.max_steal), runs(args.new, args.max_steal)
    print(f"runs kept (steal < {args.max_steal} s): base {len(base)}, new {len(new)}")
    n = min(len(base), len(new))
    base, new = base[:n], new[:n]  # equal samples, in the order they ran
    for key, label in FIGURES:
        a = [d[key] for d in base]
        b = [d[key] for d in new]
        u = mann_whitney_u(a, b)
        low = CRITICAL_5PCT.get(n)
        verdict = ("significant at 5%" if low is not None and (u <= low or u >= n * n - low)
                   else "not significant at 5%" if low is not None else "no table for n")
        print(f"{label}: base {statistics.median(a):g} [{min(a):g}-{max(a):g}], "
              f"new {statistics.median(b):g} [{min(b):g}-{max(b):g}]; "
              f"U = {u:g} of {n * n} ({verdict})")


if __name__ == "__main__":
    main()
