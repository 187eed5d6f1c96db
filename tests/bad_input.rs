//! Bad input: whole-file problems exit 2 with a message naming the file (and line where there
//! is one) and never panic; row-level problems are skipped and counted with their reason, or
//! rejected with file and line under `--strict`.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn bs() -> Command {
    Command::cargo_bin("backscratch").unwrap()
}

fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Run a scan that must fail with exit 2 and return its stderr.
fn fails(args: &[&str]) -> String {
    let out = bs().arg("scan").args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "args {args:?}, stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn empty_dir(d: &std::path::Path, name: &str) -> PathBuf {
    let p = d.join(name);
    std::fs::create_dir(&p).unwrap();
    std::fs::write(p.join("notes.md"), "not data").unwrap();
    p
}

#[test]
fn whole_file_problems_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(PathBuf, &str)> = vec![
        (d.join("missing.csv"), "No such file"),
        (file(d, "empty.csv", b""), "no data rows"),
        (file(d, "comments.txt", b"# nothing here\n\n"), "no data rows"),
        (file(d, "header.csv", b"recommender,recommendee,date\n"), "a header and no data rows"),
        (
            file(d, "quote.csv", b"from,to,text\nann,bob,\"fine\"\ncid,dan,\"never closed\neve,fay,x\n"),
            ":3: a quoted field starts here and is never closed",
        ),
        (file(d, "garbage.bin", &[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0xff, 0xfe]), "binary data"),
        // A folder is read as a folder of exports and edge lists; one holding neither is an error.
        (empty_dir(d, "nothing-here"), "no LinkedIn export (.zip or folder with Profile.csv) and no edge-list file"),
    ];
    for (path, expected) in cases {
        let stderr = fails(&[path.to_str().unwrap()]);
        assert!(stderr.contains(path.to_str().unwrap()), "{stderr}");
        assert!(stderr.contains(expected), "expected {expected:?} in {stderr}");
    }
}

#[test]
fn truncated_gzip_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("from,to\n");
    for i in 0..5000 {
        text.push_str(&format!("person{i},person{}\n", (i * 7 + 1) % 5000));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let path = file(dir.path(), "cut.csv.gz", &gz[..gz.len() / 2]);
    let stderr = fails(&[path.to_str().unwrap()]);
    assert!(stderr.contains("cut.csv.gz") && stderr.contains("truncated gzip"), "{stderr}");
}

#[test]
fn column_flags_naming_no_column_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let with_header = file(dir.path(), "h.csv", b"from,to\nann,bob\n");
    let no_header = file(dir.path(), "n.csv", b"ann bob\ncid dan\n");
    let h = with_header.to_str().unwrap();
    let n = no_header.to_str().unwrap();
    assert!(fails(&[h, "--time-col", "created"]).contains("--time-col 'created' names no column"));
    assert!(fails(&[h, "--to-col", "7"]).contains("only 2 columns"));
    assert!(fails(&[n, "--from-col", "giver"]).contains("--from-col 'giver' names no column; the header has: ann, bob"));
    assert!(fails(&[n, "--header", "no", "--from-col", "giver"]).contains("the file has no header"));
    assert!(fails(&[n, "--time-col", "3"]).contains("no row has more than 2 column(s)"));
}

fn scan_json(path: &Path, extra: &[&str]) -> Value {
    let out = bs().arg("scan").arg(path).args(["--format", "json", "--no-timestamp"]).args(extra).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn row_problems_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"from,to,date\nann,bob,2023-01-01\nlonely\n,bob,2023-01-01\ncid,dan,13/45/22\n".to_vec();
    bytes.extend_from_slice(b"e\xffe,fay,2023-01-01\nann,ann,2023-01-02\nann,bob,2023-01-05\nbob,ann,\n");
    let path = file(dir.path(), "rows.csv", &bytes);
    let v = scan_json(&path, &[]);
    let input = &v["inputs"][0];
    assert_eq!(input["rows"], 8);
    // A bad date loses only the date: cid -> dan stays, undated, and is counted.
    assert_eq!(input["used"], 3);
    assert_eq!(input["undated_bad_date"], 1);
    assert_eq!(input["duplicates"], 1);
    assert_eq!(input["self_loops"], 1);
    assert_eq!(input["skipped"], 3);
    assert_eq!(
        input["skipped_reasons"],
        serde_json::json!({"empty name": 1, "invalid UTF-8": 1, "too few columns": 1})
    );
    let warnings = v["summary"]["warnings"].to_string();
    assert!(warnings.contains("3 of 8 rows skipped") && warnings.contains("line 5: '13/45/22'"), "{warnings}");
    // An empty date is a missing date, not a bad one.
    assert_eq!(v["findings"][0]["edges"][1]["created"], Value::Null);
}

#[test]
fn strict_turns_the_first_row_problem_into_an_error_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[u8], &str); 4] = [
        (b"from,to,date\nann,bob,2023-01-01\ncid,dan,yesterday\n", ":3: bad date 'yesterday'"),
        (b"from,to\nann,bob\nlonely\n", ":3: too few columns"),
        (b"from,to\n\nann, \n", ":3: empty name"),
        (b"from,to\nann,b\xffb\n", ":2: a field is not valid UTF-8"),
    ];
    for (i, (bytes, expected)) in cases.iter().enumerate() {
        let path = file(dir.path(), &format!("strict{i}.csv"), bytes);
        let stderr = fails(&[path.to_str().unwrap(), "--strict"]);
        assert!(stderr.contains(&format!("strict{i}.csv{expected}")), "expected {expected:?} in {stderr}");
        assert!(stderr.contains("--strict"), "{stderr}");
    }
}
