#!/usr/bin/env python3
"""Hostile inputs at full size: time and peak memory of `backscratch` on the attacks of issue 18,
one run each (the point is bounded against unbounded, not a ratio). Writes a Markdown table.

Cases are generated into a temporary folder (nothing is committed): 250,000 names crafted to
collide in the interner's fast hash (examples/colliding_names.rs), two people with 200,000 jobs
each, `check` of 2,000 absent names against 100,000 people, a 200 MB line without a newline, an
unclosed quote before a 200 MB body, a gzip expanding to a 1 GB line, and two LinkedIn exports
with 10,000 positions against 10,000 mentions.

Usage: benches/hostile.py [--out benches/results/hostile.md] [--bin PATH]
"""
import argparse
import gzip
import os
import random
import subprocess
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, budget="30s"):
    """Run with --time-budget and /usr/bin/time; return (exit code, seconds, peak MiB)."""
    full = ["/usr/bin/time", "-f", "%e %M"] + cmd + ["--time-budget", budget, "-q"]
    p = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    last = p.stderr.strip().splitlines()[-1].split()
    return p.returncode, float(last[0]), int(last[1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "backscratch"))
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--example", "colliding_names"], cwd=ROOT, check=True,
                   stderr=subprocess.DEVNULL)
    craft = os.path.join(ROOT, "target", "release", "examples", "colliding_names")
    rows = []
    with tempfile.TemporaryDirectory() as d:
        p = lambda name: os.path.join(d, name)  # noqa: E731

        names = subprocess.run([craft, "250000"], check=True, capture_output=True, text=True).stdout.split()
        with open(p("flood.csv"), "w") as f:
            f.write("from,to\n")
            for i, n in enumerate(names):
                f.write(f"{n},{names[(i + 1) % len(names)]}\n")
        rows.append(("250,000 names crafted to collide", "flood.csv", [a.bin, "scan", p("flood.csv")],
                     "61.7 s (ignored --time-budget 5s)"))

        with open(p("jobs.csv"), "w") as f:
            f.write("name,company,start,end\n")
            for i in range(200_000):
                f.write(f"ann,Co{i},2000-01-01,2000-01-02\nbob,Co{i},2001-01-01,2001-01-02\n")
        with open(p("two.csv"), "w") as f:
            f.write("from,to\nann,bob\nbob,ann\n")
        rows.append(("two people with 200,000 jobs each", "jobs.csv",
                     [a.bin, "scan", p("two.csv"), "--people", p("jobs.csv")], "88.6 s under --time-budget 5s"))

        subprocess.run([a.bin, "generate", "--out", p("big"), "--people", "100000"], check=True,
                       stderr=subprocess.DEVNULL)
        random.seed(1)
        with open(p("absent.txt"), "w") as f:
            for i in range(2000):
                f.write(f"Absent Person {i} {''.join(random.choice('abcdefgh') for _ in range(6))}\n")
        rows.append(("check: 2,000 absent names against 100,000 people", "absent.txt",
                     [a.bin, "check", p("big/recommendations.csv"), "--subjects", p("absent.txt")], "40 s"))

        with open(p("line.csv"), "w") as f:
            f.write("from,to\nann,bob\n")
            for _ in range(200):
                f.write("x" * (1 << 20))
        rows.append(("a 200 MB line without a newline", "line.csv", [a.bin, "scan", p("line.csv")],
                     "1 GB line: 77 s, 4.2 GB"))

        with open(p("quote.csv"), "w") as f:
            f.write('from,to,text\nann,bob,"')
            chunk = "text that goes on\n" * 10000
            for _ in range(200 * (1 << 20) // len(chunk)):
                f.write(chunk)
        rows.append(("an unclosed quote before a 200 MB body", "quote.csv", [a.bin, "scan", p("quote.csv")],
                     "500 MB body: 44.6 s"))

        with gzip.open(p("bomb.csv.gz"), "wb", compresslevel=9) as f:
            f.write(b"from,to\nann,bob\n")
            block = b"a" * (1 << 20)
            for _ in range(1024):
                f.write(block)
        rows.append(("a gzip expanding to one 1 GB line", "bomb.csv.gz", [a.bin, "scan", p("bomb.csv.gz")],
                     "18 MB gzip to a 4 GB line: killed at 400 s"))

        for who, other in (("Ava", "Ben"), ("Ben", "Ava")):
            with zipfile.ZipFile(p(f"{who}.zip"), "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("Profile.csv", f"First Name,Last Name\n{who},Stone\n")
                z.writestr("Positions.csv", "Company Name,Title,Description,Location,Started On,Finished On\n"
                           + "".join(f"Co{i},T,,,Jan 2010,Feb 2010\n" for i in range(10_000)))
                z.writestr("Recommendations_Given.csv",
                           "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\n"
                           + "".join(f"{other},Stone,Co{i},T,fine,05/01/24,VISIBLE\n" for i in range(10_000)))
        rows.append(("two exports: 10,000 positions against 10,000 mentions", "Ava.zip, Ben.zip",
                     [a.bin, "scan", p("Ava.zip"), p("Ben.zip")], "12 s"))

        row = "Ben,Stone,Co,T,fine,05/01/24,VISIBLE\n"
        with zipfile.ZipFile(p("fat.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr("Profile.csv", "First Name,Last Name\nAva,Stone\n")
            z.writestr("Recommendations_Given.csv", "First Name,Last Name,Company,Job Title,Text,Creation Date,"
                       "Status\n" + row * (31 * (1 << 20) // len(row)))
        rows.append(("a 0.1 MB zip of 870,000 recommendation rows (31 MB)", "fat.zip", [a.bin, "scan", p("fat.zip")],
                     "763 KB zip within the 256 MiB limit: 5.0 GB peak"))

        # Issue 30: LinkedIn context files are context, not edges: a 32 MiB Connections.csv in a
        # small zip, and a zip of four 32 MiB files.
        conn = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        cap = 32 * (1 << 20) - 4096  # just under the 32 MiB a file of an export may expand to
        body = "".join(f"P{i},Q,,,C,D,01 Jan 2020\n" for i in range(1_400_000))[:cap].rsplit("\n", 1)[0] + "\n"
        with zipfile.ZipFile(p("connected.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr("Profile.csv", "First Name,Last Name\nAva,Stone\n")
            z.writestr("Connections.csv", conn + body)
        size = os.path.getsize(p("connected.zip")) / 1024
        rows.append((f"a {size:.0f} KB zip holding a 32 MiB Connections.csv", "connected.zip",
                     [a.bin, "scan", p("connected.zip")], "239 KB zip: 634 MiB, 5.4 s (issue 30)"))
        pos = "".join(f"Co{i},Eng,,,Jan 2010,Feb 2010\n" for i in range(1_200_000))[:cap]
        with zipfile.ZipFile(p("four.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr("Profile.csv", "First Name,Last Name\nAva,Stone\n")
            z.writestr("Connections.csv", conn + body)
            z.writestr("Positions.csv", "Company Name,Title,Description,Location,Started On,Finished On\n"
                       + pos.rsplit("\n", 1)[0] + "\n")
            z.writestr("Recommendations_Given.csv", "First Name,Last Name,Company,Job Title,Text,Creation Date,"
                       "Status\n" + row * (cap // len(row)))
            z.writestr("Recommendations_Received.csv", "First Name,Last Name,Company,Job Title,Text,Creation Date,"
                       "Status\n" + row * (cap // len(row)))
        rows.append(("a zip of four 32 MiB files (connections, positions, both recommendation files)", "four.zip",
                     [a.bin, "scan", p("four.zip")], "733 MiB (issue 30)"))

        # A Parquet footer whose schema list claims 2^31 - 1 entries (found by fuzzing).
        meta = bytes([0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]) + bytes(8)
        with open(p("footer.parquet"), "wb") as f:
            f.write(b"PAR1" + meta + len(meta).to_bytes(4, "little") + b"PAR1")
        rows.append(("a 29-byte Parquet footer claiming two billion schema entries", "footer.parquet",
                     [a.bin, "scan", p("footer.parquet")], "abort (exit 134) reserving about 50 GB (fuzzing, issue 30)"))

        # Issue 30: a valid CSV of multi-line texts over 16 MiB, and hostile Parquet files.
        with open(p("texts.csv"), "w") as f:
            f.write("from,to,text\n")
            for i in range(100_000):
                f.write(f'p{i % 5000},p{(i * 7 + 3) % 5000},"Line one of {i}\nline two, with a comma\n'
                        + "and a third line that makes it long " * 6 + '"\n')
        rows.append(("100,000 rows of multi-line quoted texts (30 MB CSV)", "texts.csv",
                     [a.bin, "scan", p("texts.csv")], "exit 2: 'quoted field never closed' at line 168,047 (issue 30)"))
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            pa = None
        if pa is not None:
            n, big = 2_000_000, [("x" * 100_000) + str(i) for i in range(4)]
            idx = pa.array([i % 4 for i in range(n)], pa.int32())
            pq.write_table(pa.table({"from": pa.DictionaryArray.from_arrays(idx, pa.array(big)),
                                     "to": pa.DictionaryArray.from_arrays(idx, pa.array(big[::-1]))}),
                           p("dict.parquet"), compression="zstd")
            size = os.path.getsize(p("dict.parquet")) / 1024
            rows.append((f"Parquet dictionary bomb: {size:.0f} KB, 2M rows of 100 KB names", "dict.parquet",
                         [a.bin, "scan", p("dict.parquet")], "974 bytes: 4.0 GB; 3.8 KB: 8.3 GB, then a panic (issue 30)"))
            t = pa.table({"from": [f"p{i % 50}" for i in range(20_000)], "to": [f"p{(i * 7 + 1) % 50}" for i in range(20_000)]})
            pq.write_table(t, p("groups.parquet"), row_group_size=2)
            rows.append(("Parquet with 10,000 row groups", "groups.parquet", [a.bin, "scan", p("groups.parquet")],
                         "248 s (issue 30)"))
            huge = ["n" * 20_000_000 + str(i) for i in range(8)]
            pq.write_table(pa.table({"from": huge, "to": huge[1:] + huge[:1]}), p("huge.parquet"), compression="zstd")
            size = os.path.getsize(p("huge.parquet")) / 1024
            rows.append((f"Parquet of 20 MB names ({size:.0f} KB file)", "huge.parquet", [a.bin, "scan", p("huge.parquet")],
                         "17 KB file: 1.8 GB (issue 30)"))

        table = ["| attack | exit | time s | peak MiB | before (issue 18 or 30) |", "|---|---:|---:|---:|---|"]
        for what, _, cmd, before in rows:
            code, secs, mib = timed(cmd)
            line = f"| {what} | {code} | {secs:.2f} | {mib:.0f} | {before} |"
            print(line, flush=True)
            table.append(line)
    text = ("Hostile inputs, one run each on this 2-core machine, every run under `--time-budget 30s` "
            "(`benches/hostile.py`):\n\n" + "\n".join(table) + "\n")
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
