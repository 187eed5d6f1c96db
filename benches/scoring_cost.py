#!/usr/bin/env python3
"""What scoring costs: `backscratch scan` with scoring (the default: every pair and cycle
judged, 10,000 findings listed as JSON) against `--count-only` (exact counts, nothing judged),
alternating runs in one sitting, best of --repeat. Writes a Markdown table (--out).

Cases: the 1M-edge random graph of benches/compare.py (100k people, k=4), Bitcoin OTC with its
dates at k=4 and k=5 (hundreds of thousands to millions of cycles, each judged), and a generated
network of 50,000 people with texts, relationships and employment histories (k=5).

Usage: benches/scoring_cost.py [--repeat N] [--out FILE] [--bin PATH]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data", "real", "snap")
sys.path.insert(0, os.path.join(ROOT, "benches"))
from compare import random_graph  # noqa: E402


def best_time(cmd, repeat):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "backscratch"))
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    gen = os.path.join(tmp, "gen")
    subprocess.run([a.bin, "generate", "--people", "50000", "--out", gen], check=True, stderr=subprocess.DEVNULL)
    cases = [
        ("random 100k people, 1M edges, k=4",
         [random_graph(os.path.join(ROOT, "target", "bench-data", "random-100k-1M.txt")), "--max-len", "4"]),
        ("Bitcoin OTC (dated), k=4", [os.path.join(SHARED, "soc-sign-bitcoinotc.csv.gz"), "--time-col", "4",
                                      "--max-len", "4", "--keep-negative"]),
        ("Bitcoin OTC (dated), k=5", [os.path.join(SHARED, "soc-sign-bitcoinotc.csv.gz"), "--time-col", "4",
                                      "--max-len", "5", "--keep-negative"]),
        ("generated 50k people (texts, employment), k=5",
         [os.path.join(gen, "recommendations.csv"), "--people", os.path.join(gen, "employment.csv"),
          "--max-len", "5"]),
    ]
    rows = ["| case | scored (s) | --count-only (s) | scoring adds |", "|---|---:|---:|---:|"]
    for name, args in cases:
        base = [a.bin, "scan"] + args + ["--format", "json", "--no-timestamp", "--fail-on", "never",
                                         "--output", os.path.join(tmp, "r.json")]
        count_only = [x for x in base if x not in ("--people",)]
        if "--people" in base:
            i = base.index("--people")
            count_only = base[:i] + base[i + 2:]
        scored, counted = None, None
        for _ in range(a.repeat):  # alternate, so that both see the same machine state
            s = best_time(base, 1)
            c = best_time(count_only + ["--count-only"], 1)
            scored = s if scored is None else min(scored, s)
            counted = c if counted is None else min(counted, c)
        rows.append(f"| {name} | {scored:.3f} | {counted:.3f} | {scored / counted:.2f}x |")
        print(rows[-1], flush=True)
    table = "\n".join(rows) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
