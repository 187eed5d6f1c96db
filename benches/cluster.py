#!/usr/bin/env python3
"""COST table for scale-out: one process against 1, 2 and 4 processes on 127.0.0.1.

The graph is the 10M-edge uniform network of benches/scale.py (`examples/uniform.rs`, 10,000,000
edges among 1,000,000 people, ~158 MB of quote-free CSV, so a cluster reads it in byte ranges).
Rows of the table, each measured in this sitting:

- one process, default threads (all cores) and `--threads 1`: the single-process scan;
- P = 1, 2, 4 processes, `--threads 1` each, started together with one host file on free loopback
  ports: wall time until the last process exits, and every process's peak memory.

Both the default (judged) scan and `--count-only` are measured. Both count by distributed joins;
the graph is a plain edge list, so the judged scan then sends process 0 only the recommendations
around pairs and cycles (the core), which it judges as one process does. Every run's report must
equal the single-process report (summary and inputs), or the script fails.

Peak memory is /usr/bin/time's maximum resident set per process. The machine has 2 cores, so 4
processes share them: the table shows the overhead of distribution, not a speed-up.

Then the capability test: on 30M uniform edges (3,000,000 people), `--count-only` and the default
scan each run once as one process (their peak resident set is the reference), then as one
process and as 4 processes with every process started under `prlimit --data` at 40 % of that
peak. RLIMIT_DATA caps a process's private writable memory (its heap and anonymous maps, whether
touched or not), so an allocation past it fails: the one process must stop with an allocation
failure, and the 4 processes must finish with the one-process report.

Usage: benches/cluster.py [--dir DIR] [--processes 1,2,4] [--skip-capability] [--out benches/results/cluster.md]
"""
import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import scale  # noqa: E402  (the graph generator and its sizes)


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def peak_kib(stderr):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(m.group(1)) if m else None


def cpu_seconds(stderr):
    """User plus system CPU seconds of one process, from /usr/bin/time -v."""
    user = re.search(r"User time \(seconds\): ([0-9.]+)", stderr)
    system = re.search(r"System time \(seconds\): ([0-9.]+)", stderr)
    return float(user.group(1)) + float(system.group(1)) if user and system else None


def limited(limit_kib):
    """The command prefix that starts a process under RLIMIT_DATA of `limit_kib` (none: no prefix)."""
    return [] if limit_kib is None else ["prlimit", f"--data={limit_kib * 1024}", "--"]


def run_single(binary, path, extra, out, limit_kib=None, may_fail=False):
    cmd = limited(limit_kib) + ["/usr/bin/time", "-v", binary, "scan", path, "--no-timestamp", "-o", out] + extra
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 1):
        if may_fail:
            return wall, p.stderr
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    if may_fail:
        return wall, None
    return wall, [peak_kib(p.stderr)], cpu_seconds(p.stderr)


def run_cluster(binary, path, extra, out, n, workdir, limit_kib=None):
    hosts = os.path.join(workdir, f"hosts-{n}")
    with open(hosts, "w") as f:
        f.write("".join(f"127.0.0.1:{p}\n" for p in free_ports(n)))
    procs = []
    start = time.perf_counter()
    for i in reversed(range(n)):
        cmd = limited(limit_kib) + ["/usr/bin/time", "-v", binary, "scan", path, "--no-timestamp", "-o", out,
                                    "--threads", "1", "--hosts", hosts, "--process", str(i)] + extra
        procs.append((i, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
    peaks, cpu = {}, 0.0
    for i, p in procs:
        _, err = p.communicate()
        if p.returncode not in (0, 1):
            sys.exit(f"process {i} of {n} failed:\n{err}")
        peaks[i] = peak_kib(err)
        cpu += cpu_seconds(err)
    wall = time.perf_counter() - start
    return wall, [peaks[i] for i in range(n)], cpu


def same_report(a, b):
    ra, rb = json.load(open(a)), json.load(open(b))
    for key in ("summary", "inputs"):
        if ra[key] != rb[key]:
            sys.exit(f"{key} differs between {a} and {b}")
    return ra


def capability(binary, generator, directory, work):
    """Rows of the capability table: (scan, run, limit KiB, outcome, peaks KiB)."""
    path, edges = scale.graph_file(generator, directory, "30m")
    rows = []
    for mode, extra in (("--count-only", ["--count-only"]), ("default", [])):
        reference = os.path.join(work, f"cap-single-{mode}.json")
        _, peaks, _ = run_single(binary, path, extra + ["--threads", "1", "--max-len", "4"], reference)
        limit = peaks[0] * 4 // 10
        rows.append((mode, "one process, no limit", None, "finished", peaks))
        out = os.path.join(work, "cap-limited.json")
        _, err = run_single(binary, path, extra + ["--threads", "1", "--max-len", "4"], out, limit, may_fail=True)
        if err is None:
            sys.exit(f"{mode}: one process finished under {limit} KiB: the capability test proves nothing")
        if "memory allocation of" not in err:
            sys.exit(f"{mode}: one process under {limit} KiB failed, but not at an allocation:\n{err[-2000:]}")
        failed = re.search(r"memory allocation of (\d+) bytes failed", err).group(1)
        rows.append((mode, "one process, limited", limit, f"stopped: allocation of {int(failed):,} bytes failed", []))
        out = os.path.join(work, f"cap-cluster-{mode}.json")
        _, peaks, _ = run_cluster(binary, path, extra + ["--max-len", "4"], out, 4, work, limit)
        same_report(reference, out)
        rows.append((mode, "4 processes, each limited", limit, "finished, report equal to one process's", peaks))
        print(f"capability {mode}: limit {limit} KiB, 4 processes peaked at {peaks} KiB", file=sys.stderr)
    return edges, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "scale-data"))
    ap.add_argument("--processes", default="1,2,4")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "cluster.md"))
    ap.add_argument("--skip-capability", action="store_true", help="only the COST table (no 30M-edge graph)")
    args = ap.parse_args()
    binary, generator = scale.build()
    path, edges = scale.graph_file(generator, args.dir, "10m")
    counts = [int(x) for x in args.processes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for mode, extra in (("default", []), ("--count-only", ["--count-only"])):
            reference = os.path.join(work, f"single-{mode}.json")
            wall, peaks, cpu = run_single(binary, path, extra, reference)
            report = json.load(open(reference))
            k = report["params"]["max_cycle_len"]
            rows.append((mode, "one process, all cores", wall, peaks, k, cpu))
            out = os.path.join(work, "one-thread.json")
            # --max-len as the cluster runs get it, so that every row does the same search.
            wall, peaks, cpu = run_single(binary, path, extra + ["--threads", "1", "--max-len", str(k)], out)
            same_report(reference, out)
            rows.append((mode, "one process, --threads 1", wall, peaks, k, cpu))
            single_peak = peaks[0]
            for n in counts:
                out = os.path.join(work, f"cluster-{mode}-{n}.json")
                # --max-len as one process chose it, so that the counts compare.
                wall, peaks, cpu = run_cluster(binary, path, extra + ["--max-len", str(k)], out, n, work)
                same_report(reference, out)
                rows.append((mode, f"{n} process(es), --threads 1 each", wall, peaks, k, cpu))
                print(f"{mode} {n}: {wall:.2f} s, {cpu:.2f} CPU s, peaks {peaks} KiB (one thread: {single_peak} KiB)",
                      file=sys.stderr)
        capable = None if args.skip_capability else capability(binary, generator, args.dir, work)
    lines = [
        f"COST table: {edges:,} edges (uniform, 1,000,000 people, quote-free CSV read in byte ranges), "
        f"{platform.machine()}, {os.cpu_count()} cores, one sitting (`benches/cluster.py`). Wall time until the last "
        "process exits; CPU seconds (user + system) summed over every process; peak memory (maximum resident set) of "
        "each process, process 0 first. The one-process `--threads 1` row is the COST baseline: the issue's goal is "
        "CPU at most 1.3x it, and the largest process at most 1.25 / P of its peak. Every report's summary and inputs "
        "equal the one-process report.",
        "",
        "| scan | run | k | wall s | CPU s | CPU / one process --threads 1 | peak MiB per process "
        "| largest / one process --threads 1 |",
        "|---|---|---:|---:|---:|---:|---|---:|",
    ]
    base, base_cpu = {}, {}
    for mode, run, wall, peaks, k, cpu in rows:
        if run == "one process, --threads 1":
            base[mode], base_cpu[mode] = peaks[0], cpu
    for mode, run, wall, peaks, k, cpu in rows:
        mib = ", ".join(f"{p / 1024:.0f}" for p in peaks)
        ratio = max(peaks) / base[mode]
        lines.append(f"| {mode} | {run} | {k} | {wall:.2f} | {cpu:.2f} | {cpu / base_cpu[mode]:.2f} | {mib} "
                     f"| {ratio:.2f} |")
    if capable:
        cap_edges, cap_rows = capable
        lines += [
            "",
            f"Capability: {cap_edges:,} edges (uniform, 3,000,000 people), `--max-len 4`, `--threads 1`. Each "
            "limited process is started under `prlimit --data` (RLIMIT_DATA: its private writable memory, touched "
            "or not) at 40 % of the one-process peak resident set of the same scan, measured just before.",
            "",
            "| scan | run | limit MiB | outcome | peak MiB per process |",
            "|---|---|---:|---|---|",
        ]
        for mode, run, limit, outcome, peaks in cap_rows:
            shown = "—" if limit is None else f"{limit / 1024:.0f}"
            mib = ", ".join(f"{p / 1024:.0f}" for p in peaks) or "—"
            lines.append(f"| {mode} | {run} | {shown} | {outcome} | {mib} |")
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
