#!/usr/bin/env python3
"""One timing line from Python on Bitcoin Alpha (k = 4): backscratch's package (default scan
with DataFrames, and count_only) against python-igraph's and networkx's simple_cycles, in one
process and one sitting (best of --repeat; networkx once, it takes minutes). Loading the graph
into igraph and networkx is not timed; backscratch's time includes reading the file.

Usage: .venv/bin/python benches/python_timing.py [--repeat 3] [--no-networkx] [--out FILE]
"""
import argparse
import gzip
import os
import platform
import time

import backscratch

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = os.path.join(HERE, "..", "..", "shared", "data", "real", "snap", "soc-sign-bitcoinalpha.csv.gz")


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-networkx", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "python.md"))
    a = ap.parse_args()
    edges = set()
    with gzip.open(ALPHA, "rt") as f:
        for line in f:
            s, t = line.split(",")[:2]
            if s != t:
                edges.add((int(s), int(t)))
    ids = {v: i for i, v in enumerate(sorted({v for e in edges for v in e}))}
    pairs = [(ids[s], ids[t]) for s, t in edges]

    t_default, r = best(lambda: backscratch.scan(ALPHA, max_len=4, time_col=4, keep_negative=True), a.repeat)
    frames = len(r.findings), len(r.people)
    t_count, c = best(lambda: backscratch.scan(ALPHA, max_len=4, count_only=True, keep_negative=True), a.repeat)

    import igraph as ig
    g = ig.Graph(n=len(ids), edges=pairs, directed=True)
    t_igraph, cycles = best(lambda: g.simple_cycles(mode=ig.OUT, min=3, max=4), a.repeat)
    assert len(cycles) == sum(c.summary["cycles"].values()), "counts differ"
    t_nx = None
    if not a.no_networkx:
        import networkx as nx
        G = nx.DiGraph(pairs)
        t0 = time.perf_counter()
        n = sum(1 for cyc in nx.simple_cycles(G, length_bound=4) if len(cyc) >= 3)
        t_nx = time.perf_counter() - t0
        assert n == len(cycles)
    line = (
        f"Bitcoin Alpha, k = 4, from Python ({platform.python_version()}, {os.cpu_count()} cores): "
        f"`backscratch.scan(..., time_col=4)` {t_default:.3f} s (every cycle judged, {frames[0]:,} findings and "
        f"{frames[1]:,} people in the report, parsed from its JSON; the DataFrames are built when first read), "
        f"`count_only=True` {t_count:.3f} s; igraph "
        f"{ig.__version__} `simple_cycles` {t_igraph:.3f} s"
        + (f"; networkx `simple_cycles` {t_nx:.1f} s" if t_nx is not None else "")
        + f" ({len(cycles):,} cycles, counts agree; best of {a.repeat}, networkx once)."
    )
    print(line)
    with open(a.out, "w") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
