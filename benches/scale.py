#!/usr/bin/env python3
"""Scale benchmark: the default scan and `--count-only` on uniform random graphs of 1M, 10M and
100M edges, with stage times, ingest MB/s, peak memory and bytes per edge.

The graphs are written by `examples/uniform.rs` (CSV `from,to`, names `p<number>`, splitmix64, so
the same size gives the same bytes on every machine) into --dir, and are not committed:

    size   edges        people      file
    1m     1,000,000    100,000     ~14 MB
    10m    10,000,000   1,000,000   ~158 MB
    100m   100,000,000  10,000,000  ~1.7 GB

Each run is `backscratch scan FILE -v -o OUT.json --no-timestamp`, the run users get by default
(`--max-len auto`, every finding judged, 10,000 listed as JSON; the k that auto chose is in the
table), and the same with `--count-only`; best of --repeat by wall time, peak memory from
/usr/bin/time. The floor columns time what no scan can avoid: reading
the bytes (`cat FILE > /dev/null`, page cache warm) and hashing them (`sha256sum`, which the
report's `inputs[].sha256` needs).

With --before PATH (an older binary), its default run is measured in the same sitting, for the
ratio. Writes a Markdown table to --out (default benches/results/scale.md).

Usage: benches/scale.py [--sizes 1m,10m,100m] [--repeat 1] [--dir DIR] [--before BIN] [--out FILE]
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIZES = {
    "1m": (1_000_000, 100_000),
    "10m": (10_000_000, 1_000_000),
    "30m": (30_000_000, 3_000_000),  # the cluster capability test
    "100m": (100_000_000, 10_000_000),
}
STAGES = ["ingest", "graph", "detect+score", "report", "write"]


def build():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "backscratch", "--example", "uniform"],
                   cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "backscratch"), os.path.join(ROOT, "target", "release",
                                                                                  "examples", "uniform")


def graph_file(generator, directory, size):
    edges, people = SIZES[size]
    path = os.path.join(directory, f"uniform-{size}.csv")
    if not os.path.exists(path):
        os.makedirs(directory, exist_ok=True)
        with open(path + ".part", "wb") as f:
            subprocess.run([generator, str(edges), str(people), "1"], stdout=f, check=True)
        os.replace(path + ".part", path)
    return path, edges


def timed(cmd, **kw):
    """Wall seconds, peak KiB and stderr of one run under /usr/bin/time."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "PEAK %M"] + cmd, stderr=subprocess.PIPE, text=True, **kw)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    peak = int(re.search(r"PEAK (\d+)", p.stderr).group(1))
    return wall, peak, p.stderr


def scan(binary, path, extra, out, repeat):
    best = None
    for _ in range(repeat):
        wall, peak, err = timed([binary, "scan", path, "-v", "--no-timestamp", "-o", out] + extra)
        stages = {m.group(1): float(m.group(2)) for m in re.finditer(r"backscratch: (\S+)\s+([\d.]+) s", err)}
        if best is None or wall < best["wall"]:
            with open(out) as f:
                k = json.load(f)["params"]["max_cycle_len"]
            best = {"wall": wall, "peak": peak, "stages": stages, "k": k}
    return best


def floor(path, repeat):
    with open(path, "rb") as f:  # warm the page cache
        while f.read(1 << 24):
            pass
    read = min(timed(["sh", "-c", f"cat '{path}' > /dev/null"])[0] for _ in range(repeat))
    sha = min(timed(["sha256sum", path], stdout=subprocess.DEVNULL)[0] for _ in range(repeat))
    return read, sha


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1m,10m,100m")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "scale-data"))
    ap.add_argument("--before", help="an older backscratch binary to measure beside this one")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "scale.md"))
    a = ap.parse_args()
    binary, generator = build()
    rows = []
    for size in a.sizes.split(","):
        path, edges = graph_file(generator, a.dir, size)
        mb = os.path.getsize(path) / 1e6
        read, sha = floor(path, a.repeat)
        out = os.path.join(a.dir, f"out-{size}.json")
        runs = [("default", scan(binary, path, [], out, a.repeat)),
                ("--count-only", scan(binary, path, ["--count-only"], out, a.repeat))]
        if a.before:
            runs.append(("default, before", scan(a.before, path, [], out, a.repeat)))
        for label, r in runs:
            s = r["stages"]
            rows.append((size, edges, mb, read, sha, label, r, s))
            print(f"{size} {label}: {r['wall']:.2f} s, peak {r['peak'] / 1024:.0f} MiB, "
                  f"{r['peak'] * 1024 / edges:.1f} B/edge, stages {s}", flush=True)
    write_table(a, rows)


def write_table(a, rows):
    lines = [
        "# Scale: uniform random graphs, default runs",
        "",
        f"Measured by `benches/scale.py --sizes {a.sizes} --repeat {a.repeat}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.system()} (best of {a.repeat} by wall time). Stage times are the scan's "
        "own `-v` lines; peak memory is /usr/bin/time's maximum resident set; MB/s is the file's size over the ingest "
        "stage (the graph stage includes the components and the estimate behind `--max-len auto`). Floors: reading the "
        "bytes from the page cache (`cat`) and hashing them with coreutils' `sha256sum` on one core (the scan hashes "
        "with the sha2 crate, which uses the CPU's SHA extensions where present).",
        "",
        "| graph | file | run | k | total | ingest | MB/s | graph | detect+score | report+write | peak | B/edge "
        "| floor: read | floor: sha256sum |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, edges, mb, read, sha, label, r, s in rows:
        ingest = s.get("ingest", 0.0)
        rate = mb / ingest if ingest else float("nan")
        lines.append(
            f"| {edges / 1e6:g}M edges | {mb:,.0f} MB | {label} | {r['k']} | {r['wall']:.2f} s | {ingest:.2f} s | "
            f"{rate:,.0f} | "
            f"{s.get('graph', 0):.2f} s | {s.get('detect+score', 0):.2f} s | "
            f"{s.get('report', 0) + s.get('write', 0):.2f} s | {r['peak'] / 1024:,.0f} MiB | "
            f"{r['peak'] * 1024 / edges:.1f} | {read:.2f} s | {sha:.2f} s |")
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
