//! Exactness on real networks nobody on this project wrote (`../shared/data/real`).
//!
//! The expected numbers were computed by the independent oracle (networkx 3.6.1, python-igraph
//! 0.11.9 and a plain exact search, which all agreed), with:
//!
//! ```text
//! python3 -m venv .venv && .venv/bin/pip install networkx==3.6.1 igraph==0.11.9
//! zcat FILE.gz > FILE            # the oracle reads plain text
//! .venv/bin/python ../shared/tools/oracle.py FILE -k K --methods igraph,brute
//! ```
//!
//! The signed files (Bitcoin OTC and Alpha, wiki-RfA) are scanned with `--keep-negative`: the
//! oracle counts every row, where by default a signed column keeps positive rows only.
//!
//! For wiki-RfA the oracle cannot take rows with an empty name (which backscratch skips and
//! counts), so it was given the file without them, header kept:
//! `python3 -c "import csv,sys; w=csv.writer(sys.stdout); [w.writerow(r[:2]) for r in csv.reader(sys.stdin) if r[0].strip() and r[1].strip()]" < rfa.csv > rfa_nonempty.csv`
//! then `oracle.py rfa_nonempty.csv -k 4 --header yes --methods igraph,brute`.
//!
//! The oracle's own outputs (with versions and timings) are kept in
//! `benches/results/oracle/`, and `run.sh` there is the exact list of commands.
//!
//! `.ci/run` also runs `benches/compare.py --check`, which recomputes a subset live with
//! igraph and fails on any difference.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

struct Case {
    file: &'static str,
    args: &'static [&'static str],
    k: usize,
    people: u64,
    recommendations: u64,
    reciprocal_pairs: u64,
    /// Cycles of length 3, 4, ... k.
    cycles: &'static [u64],
}

mod common;

fn shared() -> Option<PathBuf> {
    common::shared("the real-data exactness tests")
}

/// Run the case and compare; returns the report, or `None` when `../shared` is absent.
fn check(case: &Case) -> Option<Value> {
    let dir = shared()?;
    let k = case.k.to_string();
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .arg("scan")
        .arg(dir.join(case.file))
        .args(case.args)
        .args(["--max-len", &k, "--format", "json", "--no-timestamp", "--max-findings", "10", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}: {}", case.file, String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["summary"];
    assert_eq!(s["people"], case.people, "{} people", case.file);
    assert_eq!(s["recommendations"], case.recommendations, "{} recommendations", case.file);
    assert_eq!(s["reciprocal_pairs"], case.reciprocal_pairs, "{} reciprocal pairs", case.file);
    for (i, &n) in case.cycles.iter().enumerate() {
        let len = (i + 3).to_string();
        assert_eq!(s["cycles"][&len], n, "{} {len}-cycles", case.file);
    }
    assert_eq!(s["truncated"], false);
    let input = &v["inputs"][0];
    let buckets: u64 = ["used", "duplicates", "self_loops", "skipped"].iter().map(|k| input[k].as_u64().unwrap()).sum();
    assert_eq!(input["rows"].as_u64(), Some(buckets), "{}: every row accounted for", case.file);
    Some(v)
}

#[test]
fn wiki_vote_k4() {
    check(&Case {
        file: "snap/wiki-Vote.txt",
        args: &[],
        k: 4,
        people: 7115,
        recommendations: 103_689,
        reciprocal_pairs: 2927,
        cycles: &[43_975, 1_218_152],
    });
}

#[test]
fn bitcoin_otc_k4() {
    check(&Case {
        file: "snap/soc-sign-bitcoinotc.csv.gz",
        args: &["--time-col", "4", "--keep-negative"],
        k: 4,
        people: 5881,
        recommendations: 35_592,
        reciprocal_pairs: 14_100,
        cycles: &[38_581, 1_044_864],
    });
}

#[test]
fn bitcoin_otc_k5() {
    check(&Case {
        file: "snap/soc-sign-bitcoinotc.csv.gz",
        args: &["--keep-negative"],
        k: 5,
        people: 5881,
        recommendations: 35_592,
        reciprocal_pairs: 14_100,
        cycles: &[38_581, 1_044_864, 32_445_928],
    });
}

#[test]
fn bitcoin_alpha_k4() {
    check(&Case {
        file: "snap/soc-sign-bitcoinalpha.csv.gz",
        args: &["--time-col", "4", "--keep-negative"],
        k: 4,
        people: 3783,
        recommendations: 24_186,
        reciprocal_pairs: 10_062,
        cycles: &[28_151, 686_273],
    });
}

#[test]
fn bitcoin_alpha_k5() {
    check(&Case {
        file: "snap/soc-sign-bitcoinalpha.csv.gz",
        args: &["--keep-negative"],
        k: 5,
        people: 3783,
        recommendations: 24_186,
        reciprocal_pairs: 10_062,
        cycles: &[28_151, 686_273, 19_269_200],
    });
}

#[test]
fn email_eu_core_k4() {
    check(&Case {
        file: "snap/email-Eu-core.txt.gz",
        args: &[],
        k: 4,
        people: 986,
        recommendations: 24_929,
        reciprocal_pairs: 8865,
        cycles: &[115_900, 4_056_151],
    });
}

#[test]
fn college_msg_k4() {
    check(&Case {
        file: "snap/CollegeMsg.txt",
        args: &["--time-col", "3"],
        k: 4,
        people: 1899,
        recommendations: 20_296,
        reciprocal_pairs: 6458,
        cycles: &[10_932, 383_109],
    });
}

#[test]
fn advogato_k4() {
    check(&Case {
        file: "konect-advogato/out.advogato",
        args: &[],
        k: 4,
        people: 5155,
        recommendations: 47_135,
        reciprocal_pairs: 7850,
        cycles: &[30_886, 412_369],
    });
}

#[test]
fn wiki_rfa_with_user_names_k4() {
    let Some(v) = check(&Case {
        file: "wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz",
        args: &["--keep-negative"],
        k: 4,
        people: 11_374,
        recommendations: 187_790,
        reciprocal_pairs: 6986,
        cycles: &[132_964, 4_458_622],
    }) else {
        return;
    };
    // The oracle dropped 103 self-votes and 8,511 repeated pairs from the 196,404 rows with
    // both names; the 1,661 rows with an empty voter are skipped, and said so.
    let input = &v["inputs"][0];
    assert_eq!(input["rows"], 198_065);
    assert_eq!(input["self_loops"], 103);
    assert_eq!(input["duplicates"], 8511);
    assert_eq!(input["skipped_reasons"], serde_json::json!({"empty name": 1661}));
}

#[test]
fn slashdot_k3() {
    let Some(v) = check(&Case {
        file: "snap/soc-Slashdot0902.txt.gz",
        args: &[],
        k: 3,
        people: 82_168,
        recommendations: 870_161,
        reciprocal_pairs: 365_931,
        cycles: &[899_316],
    }) else {
        return;
    };
    assert_eq!(v["inputs"][0]["self_loops"], 78_303);
}
