#!/usr/bin/env python3
"""Timings from Python, in one process and one sitting (best of --repeat; networkx once, it
takes minutes), written as a table to benches/results/python.md:

1. Bitcoin Alpha, k = 4: backscratch's default scan with `findings` and `people` read as pandas
   DataFrames (through Arrow, no JSON), the same read as Polars DataFrames, and count_only,
   against python-igraph's and networkx's simple_cycles. Loading the graph into igraph and
   networkx is not timed; backscratch's time includes reading the file.
2. A generated uniform graph of --rows recommendations (default 10M): the default scan of a
   pandas DataFrame and of a Polars DataFrame already in memory (both enter through the Arrow
   C stream interface), against the default scan of the same rows from a CSV file.

Usage: .venv/bin/python benches/python_timing.py [--repeat 3] [--rows 10000000] [--no-networkx] [--out FILE]
"""
import argparse
import gzip
import os
import platform
import subprocess
import time

import backscratch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ALPHA = os.path.join(HERE, "..", "..", "shared", "data", "real", "snap", "soc-sign-bitcoinalpha.csv.gz")


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def uniform_csv(rows):
    """A uniform random graph of `rows` recommendations among rows / 10 people, as CSV
    (examples/uniform, seed 1), made once under /tmp/graphs."""
    path = f"/tmp/graphs/uniform-{rows}.csv"
    if not os.path.exists(path):
        subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "uniform"], cwd=ROOT, check=True)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".part", "wb") as f:
            generator = os.path.join(ROOT, "target", "release", "examples", "uniform")
            subprocess.run([generator, str(rows), str(max(rows // 10, 3)), "1"], stdout=f, check=True)
        os.replace(path + ".part", path)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--no-networkx", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "python.md"))
    a = ap.parse_args()
    import pandas
    import polars

    edges = set()
    with gzip.open(ALPHA, "rt") as f:
        for line in f:
            s, t = line.split(",")[:2]
            if s != t:
                edges.add((int(s), int(t)))
    ids = {v: i for i, v in enumerate(sorted({v for e in edges for v in e}))}
    pairs = [(ids[s], ids[t]) for s, t in edges]
    options = dict(max_len=4, time_col=4, keep_negative=True)

    def with_pandas():
        r = backscratch.scan(ALPHA, **options)
        return r, r.findings, r.people

    def with_polars():
        r = backscratch.scan(ALPHA, **options)
        return r, polars.DataFrame(r.table("findings")), polars.DataFrame(r.table("people"))

    t_pandas, (r, findings, people) = best(with_pandas, a.repeat)
    assert len(findings) == len(r.report["findings"]) and len(people) == len(r.report["people"])
    t_polars, _ = best(with_polars, a.repeat)
    t_json, _ = best(lambda: backscratch.scan(ALPHA, **options).report, a.repeat)
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

    path = uniform_csv(a.rows)
    frame = pandas.read_csv(path, engine="pyarrow", dtype_backend="pyarrow")
    pl_frame = polars.read_csv(path)
    big_repeat = max(1, min(a.repeat, 2))
    t_file, from_file = best(lambda: backscratch.scan(path).summary, big_repeat)
    t_frame, from_frame = best(lambda: backscratch.scan(frame).summary, big_repeat)
    t_pl, from_pl = best(lambda: backscratch.scan(pl_frame).summary, big_repeat)
    for s in (from_frame, from_pl):
        assert {k: v for k, v in s.items() if k != "warnings"} == {k: v for k, v in from_file.items() if k != "warnings"}

    rows = [
        ("Bitcoin Alpha k = 4: `scan(...)`, `findings` and `people` as pandas DataFrames (Arrow)", t_pandas, t_igraph / t_pandas),
        ("the same, as Polars DataFrames (`polars.DataFrame(r.table(...))`)", t_polars, t_igraph / t_polars),
        ("the same, the whole JSON report parsed into dicts (`r.report`)", t_json, t_igraph / t_json),
        ("`count_only=True`", t_count, t_igraph / t_count),
        (f"igraph {ig.__version__} `simple_cycles` ({len(cycles):,} cycles, counts agree)", t_igraph, 1.0),
    ]
    if t_nx is not None:
        rows.append(("networkx `simple_cycles` (once)", t_nx, t_igraph / t_nx))
    lines = [
        f"Python {platform.python_version()}, {os.cpu_count()} cores, one sitting, best of {a.repeat}. "
        f"Bitcoin Alpha, k = 4, `time_col=4, keep_negative=True`: {len(findings):,} findings and {len(people):,} "
        f"people listed. Reproduce: `.venv/bin/python benches/python_timing.py`.",
        "",
        "| run | seconds | igraph's time / this |",
        "|---|---:|---:|",
        *(f"| {name} | {sec:.3f} | {ratio:.1f}x |" for name, sec, ratio in rows),
        "",
        f"A uniform graph of {a.rows:,} recommendations (examples/uniform, seed 1), default scan, best of {big_repeat}; "
        "the DataFrames are in memory before the clock starts, and the summaries agree:",
        "",
        "| input | seconds | / the CSV file's |",
        "|---|---:|---:|",
        f"| the CSV file | {t_file:.2f} | 1.00 |",
        f"| a pandas DataFrame (pyarrow dtypes) | {t_frame:.2f} | {t_frame / t_file:.2f} |",
        f"| a Polars DataFrame | {t_pl:.2f} | {t_pl / t_file:.2f} |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
