//! `--format parquet`: the five files read back with pyarrow and with Polars agree, table by
//! table and field by field, with the JSON report of the same run (the sample, a `check` with a
//! name that is not in the data, a `--baseline` run, Bitcoin Alpha); the bytes do not change
//! between runs; a Parquet report to standard output or a device, or one whose companion files
//! would replace an input, is refused before the scan with exit code 2.
//!
//! The readers come from `.venv` (`.ci/run` installs them there) or the system's python3;
//! without them the comparisons are skipped with a message, except in CI (`CI=true`).

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

mod common;

const SAMPLE: &str = "data/sample/recommendations.csv";
const EMPLOYMENT: &str = "data/sample/employment.csv";

fn backscratch(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("backscratch").unwrap().args(args).output().unwrap()
}

/// Run `args` twice, once to JSON and once to Parquet, in `dir`, each ending with exit code
/// `code`; the two reports' paths.
fn both(dir: &Path, name: &str, code: i32, args: &[&str]) -> (PathBuf, PathBuf) {
    let json = dir.join(format!("{name}.json"));
    let parquet = dir.join(format!("{name}.parquet"));
    for out in [&json, &parquet] {
        let o = backscratch(&[args, &["--no-timestamp", "--fail-on", "never", "-o", out.to_str().unwrap()]].concat());
        assert_eq!(o.status.code(), Some(code), "{}", String::from_utf8_lossy(&o.stderr));
    }
    (json, parquet)
}

fn compare(python: &Path, json: &Path, parquet: &Path) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compare_parquet.py");
    let out = Process::new(python).arg(script).arg(json).arg(parquet).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_sample_reads_back_like_its_json_with_two_readers() {
    let Some(py) = common::python_with(&["pyarrow", "polars"]) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (json, parquet) = both(dir.path(), "scan", 0, &["scan", SAMPLE, "--people", EMPLOYMENT]);
    let said = compare(&py, &json, &parquet);
    assert!(said.contains("findings: 6 rows agree"), "{said}");
    assert!(said.contains("cases: 3 rows agree"), "{said}");
    assert!(said.contains("inputs: 1 rows agree"), "{said}");
    for table in ["people", "cases", "inputs", "subjects"] {
        assert!(dir.path().join(format!("scan.{table}.parquet")).is_file(), "{table}");
    }

    let (json, parquet) = both(
        dir.path(),
        "check",
        2, // a name that is not in the data has no verdict
        &["check", SAMPLE, "--people", EMPLOYMENT, "--subject", "Ivan Petrov", "--subject", "Nobody Here"],
    );
    let said = compare(&py, &json, &parquet);
    assert!(said.contains("subjects: 2 rows agree"), "{said}");

    // A baseline run: findings carry their status as a struct, as in the JSON.
    let base = dir.path().join("base.json");
    let lower = ["scan", SAMPLE, "--no-timestamp", "--fail-on", "never", "-o", base.to_str().unwrap()];
    assert!(backscratch(&lower).status.success());
    let (json, parquet) =
        both(dir.path(), "since", 0, &["scan", SAMPLE, "--people", EMPLOYMENT, "--baseline", base.to_str().unwrap()]);
    let said = compare(&py, &json, &parquet);
    assert!(said.contains("findings: 3 rows agree"), "{said}");
}

#[test]
fn bitcoin_alpha_reads_back_like_its_json() {
    let (Some(py), Some(real)) = (common::python_with(&["pyarrow", "polars"]), common::shared("the Parquet report"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let alpha = real.join("snap/soc-sign-bitcoinalpha.csv.gz");
    let (json, parquet) =
        both(dir.path(), "alpha", 0, &["scan", alpha.to_str().unwrap(), "--time-col", "4", "--max-len", "4"]);
    let said = compare(&py, &json, &parquet);
    assert!(said.contains("findings: 1000 rows agree"), "{said}");
}

#[test]
fn the_bytes_do_not_change_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<Vec<Vec<u8>>> = ["a", "b"]
        .iter()
        .map(|name| {
            let base = dir.path().join(format!("{name}.parquet"));
            let o =
                backscratch(&["scan", SAMPLE, "--people", EMPLOYMENT, "--no-timestamp", "-o", base.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
            ["", ".people", ".cases", ".inputs", ".subjects"]
                .iter()
                .map(|t| std::fs::read(dir.path().join(format!("{name}{t}.parquet"))).unwrap())
                .collect()
        })
        .collect();
    assert_eq!(runs[0], runs[1]);
    assert_eq!(&runs[0][0][..4], b"PAR1");
}

#[test]
fn a_parquet_report_is_files_and_never_replaces_an_input() {
    let no_file = backscratch(&["scan", SAMPLE, "--format", "parquet"]);
    assert_eq!(no_file.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_file.stderr).contains("give -o FILE.parquet"));
    assert!(no_file.stdout.is_empty(), "nothing binary on standard output");

    let device = backscratch(&["scan", SAMPLE, "--format", "parquet", "-o", "/dev/null"]);
    assert_eq!(device.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&device.stderr).contains("five files"),
        "{}",
        String::from_utf8_lossy(&device.stderr)
    );

    // The people table of `r.parquet` is `r.people.parquet`: an input of that name is safe.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("r.people.parquet");
    std::fs::copy(SAMPLE, &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let target = dir.path().join("r.parquet");
    let o = backscratch(&["scan", input.to_str().unwrap(), "--format", "parquet", "-o", target.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains("beside it") && said.contains("r.people.parquet"), "{said}");
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert!(!target.exists());
}
