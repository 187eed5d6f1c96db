"""Tables through Arrow, both ways: the DataFrames and Arrow tables of a report hold what its
JSON holds (the sample, Bitcoin Alpha); a pandas, Polars or pyarrow table given as input
scans like the same rows in a CSV file, with nulls, mixed types and non-ASCII names; a
column of a type that is no name, date or weight is an error naming it."""

import csv
import datetime
import importlib.util
import json
import os

import pandas
import pytest

import backscratch

pa = pytest.importorskip("pyarrow")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "data", "sample", "recommendations.csv")
EMPLOYMENT = os.path.join(ROOT, "data", "sample", "employment.csv")
ALPHA = os.path.join(ROOT, "..", "shared", "data", "real", "snap", "soc-sign-bitcoinalpha.csv.gz")

_spec = importlib.util.spec_from_file_location("compare_parquet", os.path.join(ROOT, "tests", "fixtures", "compare_parquet.py"))
tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tables)


def compare(result):
    """The report's DataFrames (pandas, through Arrow) hold what its JSON holds, by the same
    standard as the Parquet files (tests/fixtures/compare_parquet.py)."""
    report = json.loads(result.to_json())
    findings = result.findings
    assert list(findings.columns)[:6] == ["id", "kind", "members", "edges", "score", "severity"]
    for name, frame in [("findings", findings), ("people", result.people), ("cases", result.cases)]:
        tables.agree(name, report.get(name) or [], frame.to_dict("records"), "pandas")
    return report


def test_the_samples_frames_hold_its_report():
    r = backscratch.scan(SAMPLE, people=EMPLOYMENT)
    report = compare(r)
    assert len(report["findings"]) == 6 and len(report["cases"]) == 3
    assert isinstance(r.findings["members"].iloc[0], list)
    assert r.findings["score"].iloc[0] == report["findings"][0]["score"]
    polars = pytest.importorskip("polars")
    people = polars.DataFrame(r.table("people"))
    assert people["name"].to_list() == [p["name"] for p in report["people"]]
    assert people["risk"].to_list() == [p["risk"] for p in report["people"]]
    assert len(r.table("inputs")) == 1 and len(r.table("subjects")) == 0
    with pytest.raises(backscratch.UsageError, match="not a table of the report"):
        r.table("edges")


def test_bitcoin_alphas_frames_hold_its_report():
    if not os.path.exists(ALPHA):
        pytest.skip(f"{ALPHA} is missing (../shared is not here)")
    r = backscratch.scan(ALPHA, time_col=4, max_len=4)
    report = compare(r)
    assert len(report["findings"]) == 1000
    assert r.summary == report["summary"]


def rows_with_trouble():
    """Rows a real export has: non-ASCII names, a missing name, a self-recommendation, dates
    as datetimes with a gap, and three trades."""
    return [
        ("Zoë Ångström", "Łukasz Żółć", datetime.datetime(2023, 1, 2, 3, 4, 5)),
        ("Łukasz Żółć", "Zoë Ångström", datetime.datetime(2023, 1, 9)),
        ("李雷", "韩梅梅", None),
        ("韩梅梅", "李雷", datetime.datetime(2024, 5, 1)),
        ("a", "b", datetime.datetime(2022, 1, 1)),
        ("b", "c", datetime.datetime(2022, 1, 2)),
        ("c", "a", datetime.datetime(2022, 1, 3)),
        (None, "a", datetime.datetime(2022, 1, 4)),
        ("d", "d", datetime.datetime(2022, 1, 5)),
    ]


def scanned_as_csv(tmp_path, rows):
    path = tmp_path / "edges.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["from", "to", "date"])
        for a, b, d in rows:
            w.writerow([a or "", b or "", d.strftime("%Y-%m-%dT%H:%M:%S") if d else ""])
    # The file's report, as if the rows had come from a table (which the report calls so).
    # A table's row numbers count data rows; a file's lines count its header too.
    report = json.loads(backscratch.scan(str(path)).to_json().replace(str(path), "<dataframe>"))
    for finding in report["findings"]:
        for edge in finding["edges"]:
            edge["source"]["line"] -= 1
    return report


def same_scan(frame_result, file_report):
    got = json.loads(frame_result.to_json())
    for key in ("summary", "findings", "people", "cases"):
        assert got[key] == file_report[key], key
    accounting = lambda i: {k: v for k, v in i.items() if k not in ("path", "sha256", "format")}
    assert accounting(got["inputs"][0]) == accounting(file_report["inputs"][0])


def test_tables_as_input_scan_like_their_csv(tmp_path):
    rows = rows_with_trouble()
    want = scanned_as_csv(tmp_path, rows)
    assert want["summary"]["findings"] >= 3
    frame = pandas.DataFrame(rows, columns=["from", "to", "date"])
    same_scan(backscratch.scan(frame), want)
    same_scan(backscratch.scan(pa.Table.from_pandas(frame, preserve_index=False)), want)
    polars = pytest.importorskip("polars")
    same_scan(backscratch.scan(polars.from_pandas(frame)), want)
    categorical = frame.astype({"from": "category", "to": "category"})
    same_scan(backscratch.scan(categorical), want)


def test_mixed_types_and_integer_ids(tmp_path):
    # SNAP-style integer ids, a float column with a gap (3.0 is the id 3), and an object
    # column that holds ints and strings at once (no Arrow column: read cell by cell).
    frame = pandas.DataFrame({"from": [1, 2, 3, 4.0, None], "to": [2, 1, 4, 3, 1]})
    mixed = pandas.DataFrame({"from": [1, "2", 3, "4", None], "to": [2, 1, 4, 3, 1]}, dtype=object)
    ints = backscratch.scan(frame)
    assert ints.summary["reciprocal_pairs"] == 2
    assert sorted(ints.people["name"]) == ["1", "2", "3", "4"]
    assert ints.summary == backscratch.scan(mixed).summary
    skipped = ints.report["inputs"][0]["skipped_reasons"]
    assert sum(skipped.values()) == 1, skipped


def test_a_column_of_lists_is_an_error_naming_it():
    table = pa.table({"from": [["a"], ["b"]], "to": ["b", "a"]})
    with pytest.raises(backscratch.DataError, match="column 'from' holds List"):
        backscratch.scan(table)
