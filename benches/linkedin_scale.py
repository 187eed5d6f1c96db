#!/usr/bin/env python3
"""How long `backscratch scan` takes on a folder of N synthetic LinkedIn exports (zips).

Each owner recommends 5 random others (each recommendation written into the giver's Given and
the reader's Received file, as when both export their data), has one position, and 50
connections. Writes the exports into a temporary folder, runs the scan --repeat times, and
prints a Markdown row per N: exports, rows read, recommendations, seconds (median).

    python3 benches/linkedin_scale.py --sizes 500,2000,5000 --repeat 3
"""
import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
import zipfile

REC = "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\n"


def write_exports(folder, n, seed=1):
    rng = random.Random(seed)
    names = [(f"First{i}", f"Last{i}") for i in range(n)]
    given = {i: [] for i in range(n)}
    received = {i: [] for i in range(n)}
    for i in range(n):
        for j in rng.sample(range(n), 5):
            if j == i:
                continue
            m, d = rng.randint(1, 12), rng.randint(1, 28)
            date = f"{m:02d}/{d:02d}/23, 10:{rng.randint(10, 59)} AM"
            text = f"Worked with {names[j][0]} on project {rng.randint(1, 10**6)}; thorough and kind."
            given[i].append((j, text, date))
            received[j].append((i, text, date))
    for i in range(n):
        with zipfile.ZipFile(os.path.join(folder, f"export{i:06d}.zip"), "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("Profile.csv", f"First Name,Last Name\n{names[i][0]},{names[i][1]}\n")
            z.writestr("Positions.csv", f"Company Name,Title,Started On,Finished On\nCompany{i % 97},Engineer,Jan 2019,\n")
            z.writestr("Recommendations_Given.csv", REC + "".join(
                f"{names[j][0]},{names[j][1]},Company{j % 97},Engineer,\"{t}\",{d},\n" for j, t, d in given[i]))
            z.writestr("Recommendations_Received.csv", REC + "".join(
                f"{names[j][0]},{names[j][1]},Company{j % 97},Engineer,\"{t}\",{d},VISIBLE\n" for j, t, d in received[i]))
            z.writestr("Connections.csv", "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" + "".join(
                f"{names[k][0]},{names[k][1]},,,,,16 Dec 2020\n" for k in rng.sample(range(n), 50)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="500,2000,5000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default="target/release/backscratch")
    a = ap.parse_args()
    print("| exports | rows read | recommendations | scan seconds (median) |")
    print("|---:|---:|---:|---:|")
    for n in map(int, a.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            write_exports(folder, n)
            times, out = [], None
            for _ in range(a.repeat):
                start = time.perf_counter()
                out = subprocess.run([a.binary, "scan", folder, "--format", "json", "--no-timestamp", "--exit-zero",
                                      "--max-findings", "100"], capture_output=True, check=True)
                times.append(time.perf_counter() - start)
            import json
            r = json.loads(out.stdout)
            rows = sum(i["rows"] for i in r["inputs"])
            print(f"| {n} | {rows} | {r['summary']['recommendations']} | {statistics.median(times):.2f} |")


if __name__ == "__main__":
    main()
