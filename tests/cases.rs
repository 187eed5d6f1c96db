//! Cases (issue 25): flagged findings grouped into reviewable cases, oversized groups split
//! into dense cores of at most 50 people, on the sample and on every real graph.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn scan(args: &[&str]) -> Value {
    run("scan", args)
}

fn run(command: &str, args: &[&str]) -> Value {
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .arg(command)
        .args(args)
        .args(["--format", "json", "--no-timestamp", "--exit-zero"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

/// Every count of the cases adds up: each flagged finding is in one case or counted between.
fn check_accounting(r: &Value, what: &str) {
    let s = &r["summary"];
    let cases = r["cases"].as_array().unwrap();
    let flagged = s["by_severity"]["medium"].as_u64().unwrap() + s["by_severity"]["high"].as_u64().unwrap();
    let in_cases: u64 = cases.iter().map(|c| c["findings"].as_u64().unwrap()).sum();
    assert_eq!(s["cases_listed"].as_u64().unwrap(), cases.len() as u64, "{what}");
    if s["cases"] == s["cases_listed"] {
        assert_eq!(in_cases + s["findings_between_cases"].as_u64().unwrap(), flagged, "{what}: every flagged finding");
    }
    for c in cases {
        let members = c["members"].as_array().unwrap();
        assert!(members.len() <= 50, "{what}: case {} has {} people", c["id"], members.len());
        assert!(c["findings"].as_u64().unwrap() >= 1, "{what}: case {} holds no finding", c["id"]);
        assert!(!c["reason"].as_str().unwrap().is_empty());
    }
    // Cases are ranked most severe first, then by score.
    let keys: Vec<(u8, u64)> = cases
        .iter()
        .map(|c| {
            let sev = match c["severity"].as_str().unwrap() {
                "high" => 3,
                "medium" => 2,
                _ => 1,
            };
            (sev, c["score"].as_u64().unwrap())
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] >= w[1]), "{what}: cases in order");
}

#[test]
fn the_samples_three_trades_are_three_cases_and_the_honest_pass() {
    let r = scan(&["data/sample/recommendations.csv", "--people", "data/sample/employment.csv"]);
    let cases = r["cases"].as_array().unwrap();
    let members: Vec<Vec<&str>> = cases.iter().map(|c| strs(&c["members"])).collect();
    assert_eq!(
        members,
        [
            vec!["Kofi Mensah", "Lena Fischer", "Marco Rossi"],
            vec!["Nina Berg", "Omar Haddad", "Priya Nair", "Quinn Murphy"],
            vec!["Ivan Petrov", "Jade Morgan"],
        ]
    );
    check_accounting(&r, "sample");
    // Each finding points at its case, each case lists its findings, each member their case.
    for c in cases {
        for id in strs(&c["listed"]) {
            let f = r["findings"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap();
            assert_eq!(f["case"], c["id"]);
        }
        for m in strs(&c["members"]) {
            let p = r["people"].as_array().unwrap().iter().find(|p| p["name"] == m).unwrap();
            assert_eq!(p["case"], c["id"], "{m}");
        }
    }
    for honest in ["Amara Okafor", "Ben Hartley", "Chen Wei", "Dana Ruiz", "Farah Siddiqui", "Gabriel Costa"] {
        let p = r["people"].as_array().unwrap().iter().find(|p| p["name"] == honest).unwrap();
        assert_eq!(p["verdict"], "pass", "{honest}");
        assert!(p.get("case").is_none(), "{honest} is in no case");
    }
    // The same people make the same case id from run to run.
    let again = scan(&["data/sample/recommendations.csv", "--people", "data/sample/employment.csv"]);
    assert_eq!(again["cases"], r["cases"]);
}

#[test]
fn check_shows_the_case_of_a_candidate_wherever_it_ranks() {
    let r = run(
        "check",
        &[
            "data/sample/recommendations.csv",
            "--people",
            "data/sample/employment.csv",
            "--max-cases",
            "1",
            "--subject",
            "Ivan Petrov",
        ],
    );
    let cases = r["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(strs(&cases[0]["members"]), ["Ivan Petrov", "Jade Morgan"]);
    assert_eq!(r["subjects"][0]["person"]["case"], cases[0]["id"]);
}

#[test]
fn max_cases_lists_fewer_cases_and_counts_them_all() {
    let r = scan(&["data/sample/recommendations.csv", "--people", "data/sample/employment.csv", "--max-cases", "1"]);
    assert_eq!(r["cases"].as_array().unwrap().len(), 1);
    assert_eq!(r["summary"]["cases"], 3);
    assert_eq!(r["summary"]["cases_listed"], 1);
    // The other cases' findings are counted, not listed; the honest pairs (in no case) are.
    let kinds: Vec<&str> = r["findings"].as_array().unwrap().iter().map(|f| f["severity"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["high", "info", "info", "info"]);
}

fn real() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/data/real is missing");
        None
    }
}

/// Bitcoin OTC's positive, dated ratings hold a flagged group of 2,156 people: it is split
/// into cores of at most 50, and every flagged finding is still in a case or counted between.
#[test]
fn an_oversized_group_on_bitcoin_otc_is_split_into_cores() {
    let Some(real) = real() else { return };
    let otc = real.join("snap/soc-sign-bitcoinotc.csv.gz");
    let r = scan(&[otc.to_str().unwrap(), "--time-col", "4", "--max-len", "4", "--max-cases", "100000"]);
    check_accounting(&r, "Bitcoin OTC");
    let split: Vec<&Value> = r["cases"].as_array().unwrap().iter().filter(|c| c.get("split_from").is_some()).collect();
    assert!(!split.is_empty(), "the large group is split");
    assert!(split.iter().all(|c| c["split_from"].as_u64().unwrap() > 50));
    assert!(r["summary"]["oversized_groups"][0].as_u64().unwrap() > 1000);
}

/// No case on any real graph has more than 50 people (default flags, k = 3 to stay quick on
/// the large ones).
#[test]
fn no_case_on_a_real_graph_has_more_than_50_people() {
    let Some(real) = real() else { return };
    for (file, extra) in [
        ("snap/wiki-Vote.txt", vec![]),
        ("snap/soc-sign-bitcoinalpha.csv.gz", vec!["--time-col", "4"]),
        ("snap/email-Eu-core.txt.gz", vec![]),
        ("snap/CollegeMsg.txt", vec![]),
        ("snap/soc-Slashdot0902.txt.gz", vec![]),
        ("konect-advogato/out.advogato", vec![]),
        ("wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz", vec![]),
    ] {
        let path = real.join(file);
        let mut args =
            vec![path.to_str().unwrap(), "--max-len", "3", "--max-cases", "100000", "--max-findings", "20000"];
        args.extend(extra);
        let r = scan(&args);
        check_accounting(&r, file);
    }
}
