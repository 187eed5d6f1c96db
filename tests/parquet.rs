//! Parquet input: real graphs written as Parquet by pyarrow (at test time, not committed) scan
//! to the summary of their CSV; column types (integer names, timestamps, dates); damaged and
//! truncated files and missing columns are errors naming the file; random damage never panics.
//!
//! pyarrow comes from `.venv` (`.ci/run` installs it there) or the system's python3; without it
//! the tests are skipped with a message, except in CI (`CI=true`), where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;

fn python() -> Option<PathBuf> {
    common::python_with(&["pyarrow"])
}

mod common;

fn shared() -> Option<PathBuf> {
    common::shared("the Parquet comparisons")
}

/// Run a pyarrow script with `args`; panics with its error output if it fails.
fn pyarrow(python: &Path, script: &str, args: &[&Path]) {
    let out = Process::new(python).arg("-c").arg(script).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn scan(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("backscratch")
        .unwrap()
        .arg("scan")
        .args(args)
        .args(["--format", "json", "--no-timestamp", "--fail-on", "never", "--max-findings", "20"])
        .output()
        .unwrap()
}

fn report(args: &[&str]) -> Value {
    let out = scan(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The parts of a report that must not depend on the file format (warnings with the input's
/// path taken out).
fn essentials(r: &Value) -> Value {
    let mut s = r["summary"].clone();
    let i = &r["inputs"][0];
    let path = i["path"].as_str().unwrap();
    if let Some(list) = s["warnings"].as_array() {
        let warnings: Vec<String> = list.iter().map(|w| w.as_str().unwrap().replace(path, "INPUT")).collect();
        s["warnings"] = serde_json::json!(warnings);
    }
    serde_json::json!({
        "summary": s,
        "rows": [i["rows"], i["used"], i["duplicates"], i["self_loops"], i["skipped"], i["skipped_reasons"]],
    })
}

/// `csv` written as Parquet by the pyarrow `script` (arguments: the CSV, the Parquet file),
/// in a temporary folder that lives as long as the first value.
fn converted(py: &Path, csv: &Path, script: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let parquet = tmp.path().join("converted.parquet");
    pyarrow(py, script, &[csv, &parquet]);
    (tmp, parquet)
}

#[test]
fn bitcoin_alpha_as_parquet_scans_like_its_csv() {
    let (Some(py), Some(dir)) = (python(), shared()) else { return };
    let csv = dir.join("snap/soc-sign-bitcoinalpha.csv.gz");
    // Several row groups, integer names, a double timestamp column.
    let (_tmp, parquet) = converted(
        &py,
        &csv,
        "import sys, pyarrow.csv as c, pyarrow.parquet as p\n\
         t = c.read_csv(sys.argv[1], read_options=c.ReadOptions(column_names=['src','tgt','rating','time']))\n\
         p.write_table(t, sys.argv[2], row_group_size=5000)",
    );
    let from_csv = report(&[csv.to_str().unwrap(), "--weight-col", "3", "--time-col", "4", "--max-len", "4"]);
    let from_parquet =
        report(&[parquet.to_str().unwrap(), "--weight-col", "rating", "--time-col", "time", "--max-len", "4"]);
    assert_eq!(essentials(&from_parquet), essentials(&from_csv));
    // By default the rating column keeps positive ratings only, from either file.
    assert_eq!(from_parquet["summary"]["recommendations"], 22650);
    let every = |path: &std::path::Path, weight: &str, time: &str| {
        report(&[path.to_str().unwrap(), "--weight-col", weight, "--time-col", time, "--keep-negative", "--count-only"])
    };
    assert_eq!(every(&parquet, "rating", "time")["summary"]["recommendations"], 24186);
    assert_eq!(essentials(&every(&parquet, "rating", "time")), essentials(&every(&csv, "3", "4")));
    // Rows are numbered as the CSV's lines (it has no header), so findings match too.
    let edges = |r: &Value| {
        r["findings"][0]["edges"].as_array().unwrap().iter().map(|e| e["source"]["line"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(edges(&from_parquet), edges(&from_csv));
    // Positive ratings only, by name of the column.
    let positive = report(&[
        parquet.to_str().unwrap(),
        "--weight-col",
        "rating",
        "--time-col",
        "time",
        "--min-weight",
        "1",
        "--count-only",
    ]);
    let positive_csv =
        report(&[csv.to_str().unwrap(), "--weight-col", "3", "--time-col", "4", "--min-weight", "1", "--count-only"]);
    assert_eq!(essentials(&positive), essentials(&positive_csv));
}

#[test]
fn wiki_rfa_as_parquet_scans_like_its_csv() {
    let (Some(py), Some(dir)) = (python(), shared()) else { return };
    let csv = dir.join("wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz");
    // String names read as strings (empty ones stay empty strings, as in the CSV).
    let (_tmp, parquet) = converted(
        &py,
        &csv,
        "import sys, pyarrow as pa, pyarrow.csv as c, pyarrow.parquet as p\n\
         types = {'SRC': pa.string(), 'TGT': pa.string()}\n\
         t = c.read_csv(sys.argv[1], convert_options=c.ConvertOptions(column_types=types, strings_can_be_null=False))\n\
         p.write_table(t, sys.argv[2], row_group_size=40000)",
    );
    let args = ["--min-weight", "1", "--time-col", "YEA", "--max-len", "4"];
    let from_csv = report(&[&[csv.to_str().unwrap()][..], &args].concat());
    let from_parquet = report(&[&[parquet.to_str().unwrap()][..], &args].concat());
    assert_eq!(essentials(&from_parquet), essentials(&from_csv));
    assert!(from_parquet["inputs"][0]["skipped_reasons"]["below --min-weight"].as_u64().unwrap() > 40_000);
}

#[test]
fn column_types_dates_and_damage() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("typed.parquet");
    pyarrow(
        &py,
        "import sys, datetime as d, pyarrow as pa, pyarrow.parquet as p\n\
         ts = [d.datetime(2024,5,1,12), d.datetime(2024,5,2,9), None, d.datetime(2024,5,3)]\n\
         t = pa.table({'recommender': pa.array([1, 2, 2, 3], pa.int64()), 'recommendee': pa.array([2, 1, 3, 1], pa.int32()),\n\
                       'created': pa.array(ts, pa.timestamp('ms')), 'day': pa.array([d.date(2024,5,1)]*4, pa.date32())})\n\
         p.write_table(t, sys.argv[1])",
        &[&good],
    );
    let r = report(&[good.to_str().unwrap()]);
    assert_eq!(r["summary"]["recommendations"], 4);
    assert_eq!(r["summary"]["reciprocal_pairs"], 1);
    let pair = r["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "pair").unwrap();
    assert_eq!(pair["edges"][0]["created"], "2024-05-01T12:00:00Z");
    let by_day = report(&[good.to_str().unwrap(), "--time-col", "day", "--count-only"]);
    assert_eq!(by_day["summary"]["recommendations"], 4);

    // A missing column, a truncated file and a damaged footer: exit 2, the file named.
    let missing = scan(&[good.to_str().unwrap(), "--from-col", "nobody"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("typed.parquet"));
    let bytes = std::fs::read(&good).unwrap();
    let truncated = tmp.path().join("truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let out = scan(&[truncated.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated.parquet") && err.contains("Parquet"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_parquet_bomb_is_refused_before_reading() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let bomb = tmp.path().join("bomb.parquet");
    // 280 million identical rows in a file of a few hundred kilobytes (run-length encoded).
    pyarrow(
        &py,
        "import sys, pyarrow as pa, pyarrow.parquet as p\n\
         t = pa.table({'from': pa.array([1] * 10_000_000, pa.int8()), 'to': pa.array([2] * 10_000_000, pa.int8())})\n\
         w = p.ParquetWriter(sys.argv[1], t.schema)\n\
         for _ in range(28): w.write_table(t)\n\
         w.close()",
        &[&bomb],
    );
    assert!(std::fs::metadata(&bomb).unwrap().len() < 5_000_000);
    let started = std::time::Instant::now();
    let out = scan(&[bomb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bomb.parquet") && err.contains("decompression bomb"), "{err}");
    assert!(started.elapsed().as_secs() < 10, "refused before reading, not after");
}

fn tiny_parquet() -> Option<Vec<u8>> {
    let py = python()?;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("tiny.parquet");
    pyarrow(
        &py,
        "import sys, pyarrow as pa, pyarrow.parquet as p\n\
         t = pa.table({'from': ['a','b','c','a'], 'to': ['b','a','a','c'], 'rating': [1.0, 2.0, -1.0, 3.0]})\n\
         p.write_table(t, sys.argv[1], row_group_size=2)",
        &[&path],
    );
    Some(std::fs::read(path).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random damage (bytes overwritten, the end cut off) gives a report or an error, never
    /// a panic or a hang.
    #[test]
    fn damaged_parquet_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6), cut in 0.5f64..1.0) {
        let Some(mut bytes) = tiny_parquet() else { return Ok(()) };
        for (at, value) in flips {
            let i = at.index(bytes.len() - 4);
            bytes[i + 4] = value; // keep the leading magic, so the Parquet reader is the one tried
        }
        bytes.truncate(((bytes.len() as f64) * cut) as usize);
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("fuzzed.parquet");
        std::fs::write(&path, &bytes).unwrap();
        let mut config = backscratch::ScanConfig::default();
        config.inputs = vec![path];
        config.max_cycle_len = Some(4);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backscratch::scan(&config).map(|_| ())));
        prop_assert!(outcome.is_ok(), "the scan panicked");
    }
}

/// Hostile Parquet files cost bounded time and memory (issue 30's cases): a dictionary of a
/// few long strings behind many rows is refused as a bomb, not copied row by row; names over
/// `--max-line-bytes` skip their rows unread; thousands of row groups read in linear time (the
/// footer is parsed once); an invalid UTF-8 cell skips its row as a CSV does; a wide file
/// reads only the columns with a role; and nothing a damaged file does prints a panic.
#[test]
fn hostile_parquet_is_bounded_and_accounted() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let path = |name: &str| tmp.path().join(name);
    pyarrow(
        &py,
        "import sys, pyarrow as pa, pyarrow.parquet as p\n\
         big = ['x' * 500_000 + str(i) for i in range(4)]\n\
         n = 40_000\n\
         d = lambda k: pa.DictionaryArray.from_arrays(pa.array([(i + k) % 4 for i in range(n)], pa.int32()), pa.array(big))\n\
         t = pa.table({'from': d(0), 'to': d(1)})\n\
         p.write_table(t, sys.argv[1], compression='zstd', use_dictionary=True)\n\
         huge = ['n' * 3_000_000, 'm' * 3_000_000]\n\
         t = pa.table({'from': ['a', huge[0], 'b', 'c'], 'to': ['b', 'x', 'a', huge[1]]})\n\
         p.write_table(t, sys.argv[2], compression='zstd')\n\
         t = pa.table({'from': [f'p{i % 50}' for i in range(10_000)], 'to': [f'p{(i * 7 + 1) % 50}' for i in range(10_000)]})\n\
         p.write_table(t, sys.argv[3], row_group_size=2)\n\
         t = pa.table({'from': pa.array([b'a', b'\\xff\\xfe', b'b', b'c'], pa.binary()), 'to': ['b', 'a', 'a', 'a']})\n\
         p.write_table(t, sys.argv[4])\n\
         cols = {'from': ['a', 'b'], 'to': ['b', 'a']}\n\
         cols.update({f'extra{i}': ['v', 'w'] for i in range(5000)})\n\
         p.write_table(pa.table(cols), sys.argv[5])",
        &[&path("dict.parquet"), &path("huge.parquet"), &path("groups.parquet"), &path("utf8.parquet"), &path("wide.parquet")],
    );
    let timed = |file: &str| {
        let started = std::time::Instant::now();
        let out = scan(&[path(file).to_str().unwrap(), "--count-only"]);
        (out, started.elapsed())
    };
    let (out, took) = timed("dict.parquet");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("dict.parquet") && err.contains("decompression bomb"), "{err}");
    assert!(took.as_secs() < 30, "{took:?}");

    let (out, _) = timed("huge.parquet");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["skipped_reasons"]["line too long"], 2, "{}", v["inputs"]);
    assert_eq!(v["inputs"][0]["used"], 2);

    let (out, took) = timed("groups.parquet");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["rows"], 10_000);
    assert!(took.as_secs() < 20, "5,000 row groups took {took:?}");

    let (out, _) = timed("utf8.parquet");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["skipped_reasons"]["invalid UTF-8"], 1, "{}", v["inputs"]);
    assert_eq!(v["summary"]["reciprocal_pairs"], 1);

    let (out, _) = timed("wide.parquet");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["reciprocal_pairs"], 1);

    // A damaged file's reader failure is an error, and no panic message reaches stderr.
    let mut bytes = std::fs::read(path("groups.parquet")).unwrap();
    let n = bytes.len();
    for i in (n / 3..n / 2).step_by(7) {
        bytes[i] = 0xff;
    }
    std::fs::write(path("damaged.parquet"), &bytes).unwrap();
    let (out, _) = timed("damaged.parquet");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

/// A footer whose schema list claims two billion entries (found by the Parquet fuzzer: the
/// reader used to reserve room for all of them before reading one, about 50 GB, and abort)
/// is an error naming the file, read in bounded memory.
#[test]
fn a_footer_claiming_a_huge_list_is_an_error_not_an_abort() {
    // Compact Thrift FileMetaData: version = 1, then field 2 (schema) as a list of structs
    // whose size is the varint 2^31 - 1, and eight bytes where the entries should be.
    let mut meta = vec![0x15, 0x02, 0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07];
    meta.extend_from_slice(&[0; 8]);
    let mut file = b"PAR1".to_vec();
    file.extend_from_slice(&meta);
    file.extend_from_slice(&(meta.len() as u32).to_le_bytes());
    file.extend_from_slice(b"PAR1");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("footer.parquet");
    std::fs::write(&path, &file).unwrap();
    let out = scan(&[path.to_str().unwrap(), "--count-only"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("footer.parquet") && err.contains("damaged or truncated Parquet"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_page_header_that_reads_past_the_end_is_an_error_not_a_hang() {
    // Found by fuzzing: a 1.3 KB file whose damaged page header made the Parquet crate read at
    // the end of the file 80,000 times a second for 92 s before it gave up.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parquet/endless-page-header.parquet");
    let started = std::time::Instant::now();
    let out = scan(&[path, "--count-only"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("endless-page-header.parquet") && err.contains("read past the end of the file"), "{err}");
    // Not a timing test: the bound is 30 s against 92 s before, so only a hang fails it.
    assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
}
