"""The Python package against the command line: same summary, findings and people from paths
and from DataFrames; errors with the command line's messages; the sample's story."""

import json
import os
import subprocess

import pandas
import pytest

import backscratch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "data", "sample", "recommendations.csv")
EMPLOYMENT = os.path.join(ROOT, "data", "sample", "employment.csv")
CLI = os.environ.get("BACKSCRATCH_BIN", os.path.join(ROOT, "target", "release", "backscratch"))
ALPHA = os.path.join(ROOT, "..", "shared", "data", "real", "snap", "soc-sign-bitcoinalpha.csv.gz")


def cli(*args):
    if not os.path.exists(CLI):
        pytest.skip(f"{CLI} not built (cargo build --release)")
    out = subprocess.run([CLI, *args, "--format", "json", "--no-timestamp", "--exit-zero"], capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout.decode()


def test_sample_gives_the_command_lines_report():
    r = backscratch.scan(SAMPLE, people=EMPLOYMENT)
    expected = cli("scan", SAMPLE, "--people", EMPLOYMENT)
    assert r.to_json() == expected
    report = json.loads(expected)
    assert r.summary == report["summary"]
    assert len(r.findings) == len(report["findings"]) > 0
    assert len(r.people) == len(report["people"]) > 0
    assert len(r.cases) == len(report["cases"]) == 3
    assert list(r.findings["severity"])[:3] == ["high", "high", "high"]
    assert isinstance(r.findings["members"].iloc[0], list)
    assert r.fails("high")


def test_a_dataframe_scans_like_its_file():
    from_file = backscratch.scan(SAMPLE, people=EMPLOYMENT)
    frame = pandas.read_csv(SAMPLE)
    from_frame = backscratch.scan(frame, people=EMPLOYMENT)
    assert from_frame.summary == from_file.summary
    assert list(from_frame.findings["id"]) == list(from_file.findings["id"])
    assert len(from_frame.people) == len(from_file.people)
    assert from_frame.report["inputs"][0]["path"] == "<dataframe>"


def test_pyarrow_tables_and_options():
    pa = pytest.importorskip("pyarrow.csv")
    table = pa.read_csv(SAMPLE)
    r = backscratch.scan(table, max_len=3, count_only=True)
    assert r.report["params"]["max_cycle_len"] == 3
    assert r.report["params"]["scored"] is False
    assert r.summary["reciprocal_pairs"] == backscratch.scan(SAMPLE, count_only=True).summary["reciprocal_pairs"]


def test_signed_network_with_a_floor():
    if not os.path.exists(ALPHA):
        pytest.skip("../shared not found")
    r = backscratch.scan(ALPHA, weight_col=3, min_weight=1, count_only=True)
    expected = json.loads(cli("scan", ALPHA, "--weight-col", "3", "--min-weight", "1", "--count-only"))
    assert r.summary == expected["summary"]
    assert r.report["inputs"][0]["skipped_reasons"] == {"below --min-weight": 1536}


def test_check_gives_each_candidate_a_verdict():
    people = pandas.read_csv(SAMPLE)["recommender"].drop_duplicates().tolist()[:2]
    r = backscratch.check(SAMPLE, people, people=EMPLOYMENT)
    expected = json.loads(cli("check", SAMPLE, "--people", EMPLOYMENT, *sum((["--subject", p] for p in people), [])))
    assert r.candidates == expected["subjects"]
    assert len(r.candidates) == 2


def test_every_format_is_written(tmp_path):
    r = backscratch.scan(SAMPLE, people=EMPLOYMENT)
    for fmt, name in [("html", "r.html"), ("markdown", "r.md"), ("junit", "r.xml"), ("csv", "r.csv")]:
        written = r.write(tmp_path / name)
        assert os.path.getsize(written[0]) > 0, fmt
    assert (tmp_path / "r.people.csv").exists()
    assert "reciprocal" in r.render("table")
    assert json.loads(r.render("json")) == r.report


def test_parquet_tables_read_back_as_the_report(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    r = backscratch.scan(SAMPLE, people=EMPLOYMENT)
    written = r.write(tmp_path / "r.parquet")
    assert [os.path.basename(p) for p in written] == [
        "r.parquet", "r.people.parquet", "r.cases.parquet", "r.inputs.parquet", "r.subjects.parquet"]
    findings = pandas.read_parquet(written[0])
    assert findings["id"].tolist() == [f["id"] for f in r.report["findings"]]
    assert findings["score"].tolist() == [f["score"] for f in r.report["findings"]]
    people = pq.read_table(written[1]).to_pylist()
    assert [(p["name"], p["risk"], p["verdict"]) for p in people] == [
        (p["name"], p["risk"], p["verdict"]) for p in r.report["people"]]
    with pytest.raises(backscratch.Error, match="five files"):
        r.render("parquet")


def test_errors_carry_the_command_lines_message(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(backscratch.InputError) as e:
        backscratch.scan(missing)
    assert isinstance(e.value, OSError) and isinstance(e.value, backscratch.Error)
    assert "nope.csv" in str(e.value)
    with pytest.raises(backscratch.DataError, match="names no column"):
        backscratch.scan(SAMPLE, from_col="nobody")
    with pytest.raises(backscratch.UsageError):
        backscratch.scan(SAMPLE, max_len=9)
    with pytest.raises(ValueError):
        backscratch.scan(SAMPLE, window="soon")
    with pytest.raises(backscratch.UsageError):
        backscratch.scan(42)


def test_check_never_passes_by_accident():
    # A name not in the data raises, as the command line exits 2; the report rides along.
    with pytest.raises(backscratch.CandidateNotFound) as e:
        backscratch.check(SAMPLE, ["Ivan Petorv"], people=EMPLOYMENT)
    assert "Ivan Petrov" in str(e.value) and e.value.names == ["Ivan Petorv"]
    assert e.value.result.exit_code() == 2 and e.value.result.status() == "error"
    # Without histories the trader's pair cannot be judged: cannot tell, exit 3, not a pass.
    r = backscratch.check(SAMPLE, ["Ivan Petrov"])
    assert r.candidates[0]["status"] == "cannot_tell"
    assert (r.exit_code(), r.status(), r.fails("high")) == (3, "cannot_tell", False)
    out = subprocess.run([CLI, "check", SAMPLE, "--subject", "Ivan Petrov", "--format", "json"], capture_output=True)
    if os.path.exists(CLI):
        assert out.returncode == r.exit_code()
    # With them, the same candidate fails, and the codes agree with the command line's.
    r = backscratch.check(SAMPLE, ["Ivan Petrov"], people=EMPLOYMENT)
    assert (r.exit_code(), r.status(), r.fails("high")) == (1, "findings", True)
    assert r.exit_code("never") == 0
    with pytest.raises(backscratch.UsageError, match="unknown severity"):
        r.fails("hgh")
    with pytest.raises(backscratch.UsageError):
        backscratch.check(SAMPLE, [None])


def test_signed_data_keeps_positive_rows_by_default():
    if not os.path.exists(ALPHA):
        pytest.skip("../shared not found")
    default = backscratch.scan(ALPHA, count_only=True)
    assert default.report["inputs"][0]["skipped_reasons"] == {"weight 0 or below": 1536}
    every = backscratch.scan(ALPHA, count_only=True, keep_negative=True)
    assert every.summary == json.loads(cli("scan", ALPHA, "--count-only", "--keep-negative"))["summary"]
    assert every.report["inputs"][0]["skipped"] == 0
    with pytest.raises(backscratch.UsageError):
        backscratch.scan(ALPHA, keep_negative=True, min_weight=1)


def test_hostile_options_are_usage_errors(tmp_path):
    # threads beyond four per core, a clock-breaking time budget, a line limit of 0, a date
    # format without a date, a lone surrogate: each a UsageError (never a PanicException).
    for bad in [dict(threads=20000), dict(time_budget=1e300), dict(max_line_bytes=0), dict(date_format="%"),
                dict(from_col="\udcff")]:
        with pytest.raises(backscratch.UsageError):
            backscratch.scan(SAMPLE, **bad)
    # A report never replaces a file it was read from.
    copy = tmp_path / "recs.csv"
    copy.write_bytes(open(SAMPLE, "rb").read())
    r = backscratch.scan(str(copy))
    with pytest.raises(backscratch.UsageError):
        r.write(copy)
    assert copy.read_bytes() == open(SAMPLE, "rb").read()


def test_durations_and_extensions_read_as_the_command_line_reads_them(tmp_path):
    # One parser in the library: `30m` is thirty minutes and `.gv` is Graphviz, in both doors.
    for window in ["30m", "36h", "2w", "3"]:
        expected = json.loads(cli("scan", SAMPLE, "--window", window))
        got = backscratch.scan(SAMPLE, window=window, timestamp=False).report
        assert got["params"]["window_days"] == expected["params"]["window_days"], window
    assert backscratch.scan(SAMPLE, window="30m").report["params"]["window_days"] == 30 / 1440
    r = backscratch.scan(SAMPLE)
    written = r.write(tmp_path / "r.gv")
    assert open(written[0]).read().startswith("digraph")
    assert json.loads(open(r.write(tmp_path / "r.unknown")[0]).read()) == r.report
    with pytest.raises(backscratch.UsageError, match="unknown unit"):
        backscratch.scan(SAMPLE, time_budget="3 fortnights")
