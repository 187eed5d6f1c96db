#!/usr/bin/env python3
"""Live detection (`backscratch serve`) over HTTP on loopback, measured in one sitting.

1. Bitcoin OTC's positive ratings (rating > 0), replayed in time order through HTTP by one
   client, one rating per request: throughput, latency from request to durable answer
   (p50/p99/p99.9), the share of ratings whose answer reports a closed pair or cycle, and the
   share whose answer judges one at medium or high (an alert). The
   naive alternative is a batch rescan per arriving rating: `scan --count-only` of all of
   OTC's positive ratings (median of 3), so one rescan per rating allows 1/that ratings/s
   (the last and largest rescan; earlier ones are smaller).
2. A 10M-edge uniform graph (examples/uniform.rs, 1,000,000 people) loaded over HTTP, then
   1,000,000 new recommendations from 16 concurrent keep-alive clients, 16 per request; and
   200,000 more from 64 clients, one per request. Memory per edge is the server's resident set
   after loading, less an empty server's, over the recommendations held. Then the restart:
   the time to recover the state and listen again.

Every answer is sent only after its rows are committed (fsync) to the state's redb store. The
load generator (crates/backscratch-serve/examples/serve_load.rs) runs on the same 2 cores as
the server, so the server has less than the whole machine.

Usage: benches/serve.py [--out benches/results/serve.md] [--edges 10000000] [--new 1000000]
"""
import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared", "data", "real", "snap", "soc-sign-bitcoinotc.csv.gz")
BIN = os.path.join(ROOT, "target", "release", "backscratch")
LOAD = os.path.join(ROOT, "target", "release", "examples", "serve_load")
UNIFORM = os.path.join(ROOT, "target", "release", "examples", "uniform")


def build():
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "backscratch", "--example", "uniform"],
                   cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "backscratch-serve", "--example", "serve_load"],
                   cwd=ROOT, check=True)


class Server:
    def __init__(self, state, extra=()):
        self.started = time.perf_counter()
        self.p = subprocess.Popen([BIN, "serve", "--state", state, "--listen", "127.0.0.1:0", *extra],
                                  stderr=subprocess.PIPE, text=True)
        line = self.p.stderr.readline()
        self.ready = time.perf_counter() - self.started
        if "http://" not in line:
            sys.exit(f"serve did not start: {line}{self.p.stderr.read()}")
        self.addr = line.split("http://")[1].split("/")[0]

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def peak_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def get(self, path):
        import urllib.request
        with urllib.request.urlopen(f"http://{self.addr}{path}") as r:
            return r.read().decode()

    def stop(self):
        self.p.terminate()
        self.p.wait()
        self.p.stderr.read()


def load(server, path, clients, batch):
    out = subprocess.run([LOAD, server.addr, path, "--clients", str(clients), "--batch", str(batch)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def otc(work):
    if not os.path.exists(SHARED):
        return None
    rows = []
    with gzip.open(SHARED, "rt") as f:
        for line in f:
            a, b, rating, when = line.strip().split(",")
            if float(rating) > 0:
                rows.append((float(when), a, b))
    rows.sort(key=lambda r: r[0])
    nd = os.path.join(work, "otc.ndjson")
    csv = os.path.join(work, "otc.csv")
    with open(nd, "w") as f, open(csv, "w") as c:
        c.write("from,to,date\n")
        for when, a, b in rows:
            f.write(json.dumps({"from": a, "to": b, "date": int(when)}) + "\n")
            c.write(f"{a},{b},{int(when)}\n")
    server = Server(os.path.join(work, "otc-state"))
    live = load(server, nd, 1, 1)
    totals = json.loads(server.get("/v1/totals"))["totals"]
    server.stop()
    rescans = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([BIN, "scan", csv, "--count-only", "--max-len", "4", "--exit-zero", "-o", os.devnull], check=True,
                       capture_output=True)
        rescans.append(time.perf_counter() - t)
    return {"rows": len(rows), "live": live, "totals": totals, "rescan_s": statistics.median(rescans)}


def uniform(work, edges, new):
    csv = os.path.join(work, "u.csv")
    with open(csv, "w") as f:
        subprocess.run([UNIFORM, str(edges + new), "1000000", "7"], stdout=f, check=True)
    base, fresh, more = (os.path.join(work, n) for n in ("base.ndjson", "new.ndjson", "more.ndjson"))
    with open(csv) as f, open(base, "w") as b, open(fresh, "w") as n:
        next(f)
        for i, line in enumerate(f):
            a, c = line.rstrip("\n").split(",")
            (b if i < edges else n).write('{"from":"%s","to":"%s"}\n' % (a, c))
    extra = subprocess.run([UNIFORM, "200000", "1000000", "8"], capture_output=True, text=True, check=True).stdout
    with open(more, "w") as m:
        for line in extra.splitlines()[1:]:
            a, c = line.split(",")
            m.write('{"from":"%s","to":"%s"}\n' % (a, c))
    os.remove(csv)
    state = os.path.join(work, "u-state")
    server = Server(state)
    empty_kib = server.rss_kib()
    loaded = load(server, base, 2, 4096)
    # The graph's memory: read once no judgement is running (a finished one returns what it
    # used); the peak, with a judgement's table and scan, is VmHWM.
    judging_waited = time.perf_counter()
    while "backscratch_judging 1" in server.get("/v1/metrics").splitlines():
        time.sleep(0.5)
    judging_waited = time.perf_counter() - judging_waited
    loaded_kib = server.rss_kib()
    peak_kib = server.peak_kib()
    totals = json.loads(server.get("/v1/totals"))["totals"]
    batched = load(server, fresh, 16, 16)
    single = load(server, more, 64, 1)
    final = json.loads(server.get("/v1/totals"))["totals"]
    metrics = server.get("/v1/metrics")
    judgements = int(next(line.split()[1] for line in metrics.splitlines()
                          if line.startswith("backscratch_judgements_total ")))
    server.stop()
    restart = Server(state)
    recovered = restart.ready
    again = json.loads(restart.get("/v1/totals"))["totals"]
    restart.stop()
    return {
        "loaded": loaded, "batched": batched, "single": single, "totals": totals, "final": final,
        "again": again, "recovered_s": recovered,
        "bytes_per_edge": (loaded_kib - empty_kib) * 1024 / max(totals["recommendations"], 1),
        "loaded_mib": loaded_kib / 1024, "empty_mib": empty_kib / 1024, "peak_mib": peak_kib / 1024,
        "judging_waited_s": judging_waited, "judgements": judgements,
    }


def ms(x):
    return f"{x:.2f}"


def write(out, o, u, edges):
    lines = ["# Live detection over HTTP (`backscratch serve`)", "",
             f"Measured by `benches/serve.py` on {platform.machine()}, {os.cpu_count()} cores, one sitting; "
             "server and load generator share the machine. Latency is per request, from the first byte sent "
             "to the last byte of the answer, which the server sends only after the rows are committed "
             "(fsync) to redb. k = 4, default --budget and --queue.", ""]
    if o:
        live = o["live"]
        closing = live["closing"] / max(live["rows"], 1)
        naive = 1 / o["rescan_s"]
        lines += ["## Bitcoin OTC's positive ratings in time order, one client, one rating per request", "",
                  "| path | ratings/s | p50 ms | p99 ms | p99.9 ms | max ms |", "|---|---:|---:|---:|---:|---:|",
                  f"| serve, HTTP | {live['rows_per_second']:,.0f} | {ms(live['p50_ms'])} | {ms(live['p99_ms'])} | "
                  f"{ms(live['p999_ms'])} | {ms(live['max_ms'])} |",
                  f"| batch rescan per rating (`scan --count-only` of all {o['rows']:,}) | {naive:,.1f} | "
                  f"{ms(o['rescan_s'] * 1e3)} | | | |", "",
                  f"{live['rows']:,} ratings; {live['closing']:,} answers ({closing:.1%}) report a closed pair or "
                  f"cycle; {live['incomplete']} hit the budget. Served totals: {o['totals']['pairs']:,} pairs, "
                  f"cycles {o['totals']['cycles']}. The live answer is {live['rows_per_second'] * o['rescan_s']:,.0f}x "
                  "the naive path's rate.", "",
                  f"Alerts: {live['alerts']:,} answers ({live['alerts'] / max(live['rows'], 1):.1%} of the ratings) judge "
                  f"a pair or cycle they closed at medium or high, by the rule against the latest judgement's "
                  f"baselines; {live['judged']:,} answers quoted a judgement (the ones before the first could not "
                  "judge). A rescan per rating would raise the same alerts at its own rate: an answer's finding is "
                  "what a scan with those baselines gives the same pair or cycle (tested).", ""]
    else:
        lines += ["Bitcoin OTC skipped: ../shared is missing.", ""]
    lines += [f"## {edges:,}-edge uniform graph, then new recommendations from concurrent clients", "",
              "| phase | clients | per request | recommendations | recs/s | p50 ms | p99 ms | p99.9 ms | max ms | 503 retries |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in (("load the graph", u["loaded"]), ("new, batched", u["batched"]), ("new, one per request", u["single"])):
        lines.append(f"| {name} | {r['clients']} | {r['batch']} | {r['rows']:,} | {r['rows_per_second']:,.0f} | "
                     f"{ms(r['p50_ms'])} | {ms(r['p99_ms'])} | {ms(r['p999_ms'])} | {ms(r['max_ms'])} | {r['busy_retries']} |")
    f = u["final"]
    lines += ["",
              f"Resident set: {u['empty_mib']:.0f} MiB empty, {u['loaded_mib']:,.0f} MiB with "
              f"{u['totals']['recommendations']:,} recommendations among {u['totals']['people']:,} people, read "
              f"when no judgement was running ({u['judging_waited_s']:.1f} s wait after the load): "
              f"**{u['bytes_per_edge']:.0f} bytes per edge** (names, both adjacency lists, the edge index, the "
              "search's scratch and the latest judgement's report; redb's page cache is capped at 32 MiB). "
              f"Peak while loading, with a judgement's table and scan: {u['peak_mib']:,.0f} MiB. "
              f"{u['judgements']} judgements were made during the run (nice 10, one worker).",
              f"Final totals: {f['rows']:,} rows, {f['pairs']:,} pairs, cycles {f['cycles']}, {f['incomplete']} "
              f"incomplete. Restart: the state recovered and listening again in {u['recovered_s']:.1f} s, with "
              f"totals {'equal to' if u['again']['rows'] == f['rows'] and u['again']['cycles'] == f['cycles'] else 'DIFFERENT from'} "
              "those before the stop.", ""]
    with open(out, "w") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "results", "serve.md"))
    ap.add_argument("--edges", type=int, default=10_000_000)
    ap.add_argument("--new", type=int, default=1_000_000)
    args = ap.parse_args()
    build()
    work = tempfile.mkdtemp(prefix="serve-bench-")
    try:
        o = otc(work)
        u = uniform(work, args.edges, args.new)
        write(args.out, o, u, args.edges)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
