//! Detection on networks it was not tuned on (issue 10): `--max-len auto` on real graphs,
//! clubs taken whole with their beneficiaries and donors, and people ordered by risk.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn scan(args: &[&str]) -> Value {
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["scan", "--format", "json", "--no-timestamp", "--fail-on", "never"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

mod common;

fn shared() -> Option<PathBuf> {
    common::shared("the --max-len auto test")
}

#[test]
fn auto_searches_5_where_it_is_cheap_and_4_on_slashdot() {
    let Some(dir) = shared() else { return };
    let alpha = dir.join("snap/soc-sign-bitcoinalpha.csv.gz");
    // Every rating (by default a signed column keeps positive rows only).
    let v = scan(&[alpha.to_str().unwrap(), "--count-only", "--keep-negative"]);
    assert_eq!(v["params"]["max_cycle_len"], 5, "{}", v["params"]);
    assert_eq!(v["summary"]["cycles"]["5"], 19_269_200, "exact 5-cycle count (as tests/real_data.rs)");
    let slashdot = dir.join("snap/soc-Slashdot0902.txt.gz");
    let v = scan(&[slashdot.to_str().unwrap(), "--count-only"]);
    assert_eq!(v["params"]["max_cycle_len"], 4);
    let choice = &v["params"]["max_len_choice"];
    assert!(choice["predicted_seconds_k5"].as_f64().unwrap() > 100.0, "{choice}");
    assert!(choice["reason"].as_str().unwrap().contains("--max-len K overrides"));
    // A number given is a number kept, with no choice reported.
    let v = scan(&[alpha.to_str().unwrap(), "--count-only", "--max-len", "3"]);
    assert_eq!(v["params"]["max_cycle_len"], 3);
    assert!(v["params"].get("max_len_choice").is_none());
}

/// A club of strangers (a, b, c trade with each other), a beneficiary x they praise and who
/// writes nothing back, a donor y who praises them and gets nothing back, and honest
/// colleagues h1, h2.
fn club(dir: &std::path::Path) -> (String, String) {
    let recs = "from,to,date,text\n\
        a,b,2023-03-01,great\nb,a,2023-03-02,great\nb,c,2023-03-03,great\nc,b,2023-03-04,great\n\
        c,a,2023-03-05,great\na,c,2023-03-06,great\n\
        a,x,2023-03-07,great\nb,x,2023-03-08,great\n\
        y,a,2023-03-02,great\ny,c,2023-03-04,great\n\
        h1,h2,2021-01-01,We shipped the billing migration together\nh2,h1,2021-06-01,She ran the audit\n";
    let jobs = "name,company,start,end\na,A Corp,2015-01-01,\nb,B Corp,2015-01-01,\nc,C Corp,2015-01-01,\n\
        x,X Corp,2015-01-01,\ny,Y Corp,2015-01-01,\nh1,H Corp,2015-01-01,\nh2,H Corp,2016-01-01,\n";
    let r = dir.join("recs.csv");
    let p = dir.join("jobs.csv");
    std::fs::write(&r, recs).unwrap();
    std::fs::write(&p, jobs).unwrap();
    (r.display().to_string(), p.display().to_string())
}

#[test]
fn a_club_comes_whole_with_its_beneficiary_and_donor() {
    let dir = tempfile::tempdir().unwrap();
    let (recs, jobs) = club(dir.path());
    let v = scan(&[&recs, "--people", &jobs]);
    let ring = v["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "ring").expect("a ring");
    assert_eq!(ring["members"], serde_json::json!(["a", "b", "c"]));
    assert_eq!(ring["beneficiaries"][0]["name"], "x");
    assert_eq!(ring["beneficiaries"][0]["with_ring"], 2);
    assert!(ring["beneficiaries"][0]["reason"].as_str().unwrap().contains("wrote none back"));
    assert_eq!(ring["donors"][0]["name"], "y");
    // Every pair in the club is medium or above on its own: strangers trading.
    for f in v["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == "pair" && f["members"][0] != "h1") {
        assert!(f["severity"] == "high" || f["severity"] == "medium", "{f}");
    }
}

#[test]
fn people_are_listed_most_at_risk_first() {
    let dir = tempfile::tempdir().unwrap();
    let (recs, jobs) = club(dir.path());
    let v = scan(&[&recs, "--people", &jobs]);
    let people = v["people"].as_array().unwrap();
    let risks: Vec<u64> = people.iter().map(|p| p["risk"].as_u64().unwrap()).collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "{risks:?}");
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    let mut first: Vec<&str> = names[..3].to_vec();
    first.sort_unstable();
    assert_eq!(first, ["a", "b", "c"], "club members first: {names:?}");
    let x = people.iter().position(|p| p["name"] == "x").expect("the beneficiary is listed");
    let h1 = people.iter().position(|p| p["name"] == "h1").expect("the honest pair is listed");
    assert!(x < h1, "a beneficiary ranks above an honest colleague: {names:?}");
    assert!(people[x]["reason"].as_str().unwrap().contains("beneficiary of a"));
}
