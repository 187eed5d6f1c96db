//! Signed and weighted networks: `--weight-col` and `--min-weight` on real signed graphs,
//! checked against counts computed here independently of the scanner's reader, and the row
//! accounting of weights that are missing, unreadable or below the floor.

use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn shared() -> Option<PathBuf> {
    common::shared("the signed-network tests")
}

fn scan_json(args: &[&str]) -> Value {
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .arg("scan")
        .args(args)
        .args(["--format", "json", "--no-timestamp", "--fail-on", "never", "--max-findings", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn gunzip(path: &std::path::Path) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    text
}

#[test]
fn bitcoin_otc_positive_ratings_are_the_distinct_positive_pairs() {
    let Some(dir) = shared() else { return };
    let path = dir.join("snap/soc-sign-bitcoinotc.csv.gz");
    // SNAP's format: rater,ratee,rating,time, no header, no quotes.
    let (mut rows, mut below, mut positive) = (0u64, 0u64, HashSet::new());
    for line in gunzip(&path).lines().filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        rows += 1;
        let rating: f64 = cells[2].parse().unwrap();
        if rating < 1.0 {
            below += 1;
        } else if cells[0] != cells[1] {
            positive.insert((cells[0].to_string(), cells[1].to_string()));
        }
    }
    assert!(below > 3000, "the file has negative ratings: {below}");
    let report = scan_json(&[path.to_str().unwrap(), "--weight-col", "3", "--min-weight", "1", "--count-only"]);
    let input = &report["inputs"][0];
    assert_eq!(input["rows"], rows);
    assert_eq!(input["skipped_reasons"]["below --min-weight"], below);
    assert_eq!(input["skipped"], below);
    assert_eq!(report["summary"]["recommendations"], positive.len() as u64);
    assert_eq!(report["params"]["min_weight"], 1.0);
    assert_eq!(report["params"]["columns"]["weight"], "3");

    // With --keep-negative every row counts, and the listed edges carry their rating.
    let all = scan_json(&[path.to_str().unwrap(), "--weight-col", "3", "--time-col", "4", "--keep-negative"]);
    assert_eq!(all["inputs"][0]["skipped"], 0);
    let edge = &all["findings"][0]["edges"][0];
    assert!(edge["weight"].as_f64().is_some_and(|w| (-10.0..=10.0).contains(&w)), "{edge}");
}

#[test]
fn wiki_rfa_support_votes_are_the_distinct_support_pairs() {
    let Some(dir) = shared() else { return };
    let path = dir.join("wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz");
    // Names are quoted where they hold commas: Python's csv module reads them, independently
    // of the scanner's reader.
    let script = "import csv,gzip,sys\n\
        rows=list(csv.reader(gzip.open(sys.argv[1],'rt',encoding='utf-8',newline='')))[1:]\n\
        s={(r[0].strip(),r[1].strip()) for r in rows if r[0].strip() and r[1].strip() and r[0].strip()!=r[1].strip() and float(r[2])>=1}\n\
        below=sum(1 for r in rows if r[0].strip() and r[1].strip() and float(r[2])<1)\n\
        print(len(s), below)";
    let out = std::process::Command::new("python3").arg("-c").arg(script).arg(&path).output();
    let Some(out) = out.ok().filter(|o| o.status.success()) else {
        common::skip("python3 could not compute the expected support pairs");
        return;
    };
    let text = String::from_utf8(out.stdout).unwrap();
    let expected: Vec<u64> = text.split_whitespace().map(|n| n.parse().unwrap()).collect();
    let report = scan_json(&[path.to_str().unwrap(), "--weight-col", "VOT", "--min-weight", "1", "--count-only"]);
    assert_eq!(report["summary"]["recommendations"], expected[0]);
    assert_eq!(report["inputs"][0]["skipped_reasons"]["below --min-weight"], expected[1]);
    // The header's VOT column is found by itself too.
    let by_header = scan_json(&[path.to_str().unwrap(), "--min-weight", "1", "--count-only"]);
    assert_eq!(by_header["summary"]["recommendations"], expected[0]);
}

#[test]
fn weights_that_are_missing_unreadable_or_low_are_accounted() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ratings.csv");
    std::fs::write(&csv, "from,to,rating\na,b,5\nb,a,+3\nb,c,-2\nc,a,lots\nc,d,\nd,c,1.5\n").unwrap();
    let path = csv.to_str().unwrap();
    let report = scan_json(&[path, "--min-weight", "1"]);
    let input = &report["inputs"][0];
    assert_eq!(input["rows"], 6);
    assert_eq!(input["used"], 3);
    assert_eq!(input["skipped_reasons"]["below --min-weight"], 1);
    assert_eq!(input["skipped_reasons"]["bad weight"], 2, "'lots' and the blank");
    let pair = report["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "pair").expect("a and b");
    let weights: Vec<f64> = pair["edges"].as_array().unwrap().iter().map(|e| e["weight"].as_f64().unwrap()).collect();
    assert_eq!(weights, [5.0, 3.0]);

    // Without a floor a blank weight is no weight, but text where a number belongs still
    // skips the row; --strict makes it an error naming the line.
    let open = scan_json(&[path]);
    assert_eq!(open["inputs"][0]["skipped_reasons"]["bad weight"], 1);
    let strict = Command::cargo_bin("backscratch").unwrap().args(["scan", path, "--strict"]).output().unwrap();
    assert_eq!(strict.status.code(), Some(2));
    let err = String::from_utf8_lossy(&strict.stderr);
    assert!(err.contains("ratings.csv:5:") && err.contains("bad weight 'lots'"), "{err}");

    // A floor without a weight column is an error that says so, not every row skipped.
    std::fs::write(&csv, "from,to\na,b\n").unwrap();
    let no_column =
        Command::cargo_bin("backscratch").unwrap().args(["scan", path, "--min-weight", "1"]).output().unwrap();
    assert_eq!(no_column.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_column.stderr).contains("--min-weight needs a weight column"));

    // A file without weights reports none, and no weight key appears.
    std::fs::write(&csv, "from,to\na,b\nb,a\n").unwrap();
    let plain = scan_json(&[path]);
    assert!(plain["findings"][0]["edges"][0].get("weight").is_none());
    assert!(plain["params"].get("min_weight").is_none());
}

/// With default flags a signed file keeps positive rows only: SNAP's headerless Bitcoin
/// files (the rating column found by itself) and wiki-RfA (its `VOT` header) list no finding
/// with a rating of 0 or below, say so in a warning, and count the skipped rows; OTC's
/// recommendations are exactly its distinct positive pairs, counted here from the file.
#[test]
fn signed_files_with_default_flags_list_no_negative_rating() {
    let Some(dir) = shared() else { return };
    for (file, extra) in [
        ("snap/soc-sign-bitcoinotc.csv.gz", &["--time-col", "4"][..]),
        ("snap/soc-sign-bitcoinalpha.csv.gz", &[][..]),
        ("wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz", &[][..]),
    ] {
        let path = dir.join(file);
        let out = Command::cargo_bin("backscratch")
            .unwrap()
            .arg("scan")
            .arg(&path)
            .args(extra)
            .args(["--format", "json", "--no-timestamp", "--exit-zero", "--max-len", "4"])
            .args(["--max-cases", "1000", "--max-findings", "5000"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{file}: {}", String::from_utf8_lossy(&out.stderr));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let findings = report["findings"].as_array().unwrap();
        assert!(findings.len() > 1000, "{file}: many findings listed");
        for f in findings {
            for e in f["edges"].as_array().unwrap() {
                let w = e["weight"].as_f64().unwrap_or_else(|| panic!("{file}: an edge without its weight: {e}"));
                assert!(w > 0.0, "{file}: finding {} lists a rating of {w}", f["id"]);
            }
        }
        let skipped = report["inputs"][0]["skipped_reasons"]["weight 0 or below"].as_u64().unwrap();
        assert!(skipped > 1000, "{file}: {skipped}");
        let warnings = report["summary"]["warnings"].as_array().unwrap();
        assert!(
            warnings.iter().any(|w| w.as_str().unwrap().contains(&format!("{skipped} of"))),
            "{file}: the warning gives the count: {warnings:?}"
        );
        if file.contains("otc") {
            let positive: HashSet<(String, String)> = gunzip(&path)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split(',').collect::<Vec<_>>())
                .filter(|c| c[2].parse::<f64>().unwrap() > 0.0 && c[0] != c[1])
                .map(|c| (c[0].to_string(), c[1].to_string()))
                .collect();
            assert_eq!(report["summary"]["recommendations"], positive.len() as u64);
            assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("column 3 holds signed numbers")));
        }
    }
}

/// `--keep-negative` keeps every row of a signed file, and `--min-weight` skipping rows as
/// asked is no reason to "check the column flags".
#[test]
fn keep_negative_keeps_every_row_and_a_floor_asked_for_raises_no_alarm() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("signed.csv");
    std::fs::write(&csv, "a,b,5\nb,a,-3\nb,c,-2\nc,a,0\nc,d,1\nd,c,2\n").unwrap();
    let path = csv.to_str().unwrap();
    let kept = scan_json(&[path, "--keep-negative"]);
    assert_eq!(kept["inputs"][0]["used"], 6);
    assert_eq!(kept["params"]["keep_negative"], true);
    let default = scan_json(&[path]);
    assert_eq!(default["inputs"][0]["used"], 3);
    assert_eq!(default["inputs"][0]["skipped_reasons"]["weight 0 or below"], 3);
    let floor = scan_json(&[path, "--min-weight", "2"]);
    let warnings = floor["summary"]["warnings"].as_array().cloned().unwrap_or_default();
    assert!(
        warnings.iter().all(|w| !w.as_str().unwrap().contains("check the column flags")),
        "skipping what --min-weight asked to skip is no problem: {warnings:?}"
    );
    let both = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["scan", path, "--keep-negative", "--min-weight", "1"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
}
