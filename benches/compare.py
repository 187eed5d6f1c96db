#!/usr/bin/env python3
"""Side-by-side comparison of `backscratch scan` with python-igraph and networkx.

For each case it runs, in one process and one sitting:
  * backscratch end to end (read, parse, build, detect, score, render JSON listing the default
    10,000 findings) with 2 threads and with 1 thread, and with `--count-only` (every count,
    nothing judged or listed), best of --repeat runs;
  * python-igraph 0.11.9 `Graph.simple_cycles(mode=OUT, min=2, max=k)` (only that call is
    timed; loading the graph into igraph is not);
  * networkx 3.6.1 `simple_cycles(G, length_bound=k)` where it can finish (--networkx);
and checks that every finished method reports the same reciprocal pairs and cycle counts.
It prints a Markdown table of times and ratios (and writes it with --out).

  --check   correctness only, on the small real graphs: exit 1 on any disagreement (CI).
  --quick   skip the 1M-edge random graph.

Usage: benches/compare.py [--check] [--quick] [--networkx] [--out FILE] [--bin PATH]
"""
import argparse
import gzip
import json
import os
import platform
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REAL = os.path.join(ROOT, "..", "shared", "data", "real")

# (label, path relative to REAL or None for generated, k, extra backscratch args, in --check)
CASES = [
    # Every rating, negative ones too (--keep-negative: by default a signed column keeps
    # positive rows only), so that the graph is SNAP's whole file.
    ("Bitcoin Alpha", "snap/soc-sign-bitcoinalpha.csv.gz", 4, ["--time-col", "4", "--keep-negative"], True),
    ("Bitcoin OTC", "snap/soc-sign-bitcoinotc.csv.gz", 4, ["--time-col", "4", "--keep-negative"], True),
    ("email-Eu-core", "snap/email-Eu-core.txt.gz", 4, [], True),
    ("CollegeMsg", "snap/CollegeMsg.txt", 4, [], True),
    ("Advogato", "konect-advogato/out.advogato", 4, [], True),
    ("wiki-Vote", "snap/wiki-Vote.txt", 4, [], False),
    ("Bitcoin Alpha", "snap/soc-sign-bitcoinalpha.csv.gz", 5, ["--keep-negative"], False),
    ("Bitcoin OTC", "snap/soc-sign-bitcoinotc.csv.gz", 5, ["--keep-negative"], False),
    ("Slashdot", "snap/soc-Slashdot0902.txt.gz", 3, [], False),
    ("random 100k people, 1M edges", None, 4, [], False),
    # Signed networks, positive edges only (the oracle gets the same filter, applied here).
    ("Bitcoin OTC, ratings >= 1", "snap/soc-sign-bitcoinotc.csv.gz", 4, ["--weight-col", "3", "--min-weight", "1"], True),
    ("Bitcoin Alpha, ratings >= 1", "snap/soc-sign-bitcoinalpha.csv.gz", 4, ["--weight-col", "3", "--min-weight", "1"],
     True),
    ("wiki-RfA, support votes", "wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz", 3,
     ["--weight-col", "VOT", "--min-weight", "1"], True),
    # Default flags: the signed column is found by itself and positive rows kept (the
    # ratings are integers, so > 0 is >= 1 for the oracle's filter).
    ("Bitcoin OTC, default flags", "snap/soc-sign-bitcoinotc.csv.gz", 4, [], True),
    ("wiki-RfA, default flags", "wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz", 3, [], True),
]

# Cases whose edges the oracle must filter: label -> (0-based weight column, floor, has header).
SIGNED = {
    "Bitcoin OTC, ratings >= 1": (2, 1.0, False),
    "Bitcoin Alpha, ratings >= 1": (2, 1.0, False),
    "wiki-RfA, support votes": (2, 1.0, True),
    "Bitcoin OTC, default flags": (2, 1.0, False),
    "wiki-RfA, default flags": (2, 1.0, True),
}


def read_signed(path, weight, floor, header):
    """Edges with weight >= floor, read with Python's csv module (names may be quoted),
    blank names and self-loops left out, as the scan counts them."""
    import csv
    ids, edges = {}, set()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        if header:
            next(rows)
        for r in rows:
            a, b = r[0].strip(), r[1].strip()
            if not a or not b or a == b or float(r[weight]) < floor:
                continue
            edges.add((ids.setdefault(a, len(ids)), ids.setdefault(b, len(ids))))
    return len(ids), sorted(edges)


def random_graph(path, n=100_000, m=1_000_000, seed=42):
    """A uniform random directed graph (G(n, m) without self-loops or repeats)."""
    if os.path.exists(path):
        return path
    rng = random.Random(seed)
    seen = set()
    while len(seen) < m:
        u, v = rng.randrange(n), rng.randrange(n)
        if u != v:
            seen.add((u, v))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".part", "w") as f:
        for u, v in sorted(seen):
            f.write(f"{u} {v}\n")
    os.replace(path + ".part", path)
    return path


def read_edges(path):
    """Edges as the oracle reads them: first two fields, '#' comments, header skipped if not numeric."""
    opener = gzip.open if path.endswith(".gz") else open
    ids, edges = {}, set()
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            parts = s.split(",") if "," in s else s.split()
            if len(parts) < 2:
                continue
            a, b = parts[0].strip(), parts[1].strip()
            if not (a.isdigit() and b.isdigit()):
                continue  # a header such as "source_id target_id"
            if a == b:
                continue
            u = ids.setdefault(a, len(ids))
            v = ids.setdefault(b, len(ids))
            edges.add((u, v))
    return len(ids), sorted(edges)


def tally(lengths, k):
    counts = {str(L): 0 for L in range(3, k + 1)}
    two = 0
    for L in lengths:
        if L == 2:
            two += 1
        elif L >= 3:
            counts[str(L)] += 1
    return counts, two


def run_igraph(n, edges, k):
    import igraph as ig
    g = ig.Graph(n=n, edges=edges, directed=True)
    t0 = time.perf_counter()
    cycles = g.simple_cycles(mode=ig.OUT, min=2, max=k, output="vpath")
    dt = time.perf_counter() - t0
    counts, two = tally((len(c) for c in cycles), k)
    return dt, counts, two


def run_networkx(n, edges, k):
    import networkx as nx
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(edges)
    t0 = time.perf_counter()
    lens = [len(c) for c in nx.simple_cycles(G, length_bound=k)]
    dt = time.perf_counter() - t0
    counts, two = tally(lens, k)
    return dt, counts, two


def run_backscratch(binary, path, k, extra, threads, repeat, count_only=False):
    """Best wall time of `repeat` runs of `backscratch scan` writing JSON (the default 10,000
    findings listed), or with `count_only` nothing judged or listed."""
    best, summary = None, None
    report = os.path.join(ROOT, "target", "bench-data", "compare-report.json")
    for _ in range(repeat):
        cmd = [binary, "scan", path, "--max-len", str(k), "--format", "json", "--no-timestamp",
               "--fail-on", "never", "--threads", str(threads), "--output", report] + extra
        if count_only:
            cmd += ["--count-only"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        dt = time.perf_counter() - t0
        with open(report) as f:
            summary = json.load(f)["summary"]
        best = dt if best is None else min(best, dt)
    return best, summary


def fmt(t):
    return "—" if t is None else (f"{t:.3f}" if t < 10 else f"{t:.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--networkx", action="store_true", help="also time networkx (slow) on Bitcoin Alpha k=4")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "backscratch"))
    a = ap.parse_args()

    os.makedirs(os.path.join(ROOT, "target", "bench-data"), exist_ok=True)
    if not os.path.isdir(REAL):
        print(f"SKIPPED: {REAL} not found; the comparison needs ../shared")
        return 0
    rows, failures = [], 0
    for label, rel, k, extra, in_check in CASES:
        if a.check and not in_check:
            continue
        if rel is None:
            if a.quick or a.check:
                continue
            path = random_graph(os.path.join(ROOT, "target", "bench-data", "random-100k-1M.txt"))
        else:
            path = os.path.join(REAL, rel)
        n, edges = read_signed(path, *SIGNED[label]) if label in SIGNED else read_edges(path)
        repeat = 1 if a.check else a.repeat
        t2, s = run_backscratch(a.bin, path, k, extra, 2, repeat)
        t1 = None if a.check else run_backscratch(a.bin, path, k, extra, 1, repeat)[0]
        t0 = None if a.check else run_backscratch(a.bin, path, k, extra, 2, repeat, count_only=True)[0]
        ti, ci, two = run_igraph(n, edges, k)
        tn = None
        if a.networkx and label == "Bitcoin Alpha" and k == 4 and not a.check:
            tn, cn, twon = run_networkx(n, edges, k)
            if cn != ci or twon != two:
                print(f"DISAGREE networkx vs igraph on {label} k={k}: {cn} {ci}")
                failures += 1
        ours = {L: s["cycles"][L] for L in ci}
        agree = ours == ci and s["reciprocal_pairs"] == two and s["recommendations"] == len(edges)
        if not agree:
            failures += 1
            print(f"DISAGREE on {label} k={k}: backscratch {s['cycles']} pairs {s['reciprocal_pairs']} "
                  f"edges {s['recommendations']}; igraph {ci} pairs {two} edges {len(edges)}")
        total = sum(ci.values())
        rows.append((label, k, len(edges), total, t2, t1, t0, ti, tn, agree))
        print(f"{label} k={k}: {total} cycles, backscratch {fmt(t2)} s (1 thread {fmt(t1)} s), "
              f"igraph {fmt(ti)} s, agree={agree}", flush=True)

    lines = [
        f"Measured on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"igraph {__import__('igraph').__version__}"
        + (f", networkx {__import__('networkx').__version__}" if a.networkx else "") + ".",
        "",
        "| graph | k | edges | cycles 3..k | backscratch, 2 threads (s) | 1 thread (s) | 1→2 threads "
        "| counts only, 2 threads (s) | igraph simple_cycles (s) | igraph ÷ backscratch "
        "| igraph ÷ counts only | networkx (s) | counts agree |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, k, m, total, t2, t1, t0, ti, tn, agree in rows:
        speedup = f"{t1 / t2:.2f}x" if t1 else "—"
        counts_ratio = f"{ti / t0:.0f}x" if t0 else "—"
        lines.append(f"| {label} | {k} | {m:,} | {total:,} | {fmt(t2)} | {fmt(t1)} | {speedup} | {fmt(t0)} "
                     f"| {fmt(ti)} | {ti / t2:.0f}x | {counts_ratio} | {fmt(tn)} | {'yes' if agree else 'NO'} |")
    table = "\n".join(lines)
    print()
    print(table)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")
    print(f"\n{len(rows) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
