//! The scoring flags end to end: rings, the allowlist, `--window`, `--count-only`, verdicts.

use assert_cmd::Command;
use serde_json::Value;

const SAMPLE: &str = "data/sample/recommendations.csv";
const JOBS: &str = "data/sample/employment.csv";

fn scan(args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["scan", "--format", "json", "--no-timestamp"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap())
}

fn person<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["people"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()
}

#[test]
fn honest_colleagues_pass_and_strangers_fail() {
    let (code, v) = scan(&[SAMPLE, "--people", JOBS]);
    assert_eq!(code, 1);
    for honest in ["Amara Okafor", "Ben Hartley", "Chen Wei", "Dana Ruiz", "Farah Siddiqui", "Gabriel Costa"] {
        assert_eq!(person(&v, honest)["verdict"], "pass", "{honest}");
    }
    for trader in ["Ivan Petrov", "Jade Morgan", "Kofi Mensah", "Nina Berg", "Quinn Murphy"] {
        assert_eq!(person(&v, trader)["verdict"], "fail", "{trader}");
        assert_eq!(person(&v, trader)["traded_share"], 1.0);
    }
    // Every finding carries every signal of the rule, with value, baseline and points.
    for f in v["findings"].as_array().unwrap() {
        let names: Vec<&str> = f["signals"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 11, "{names:?}");
        assert!(f["signals"].as_array().unwrap().iter().all(|s| s.get("baseline").is_some() && s["points"].is_i64()));
    }
    assert!(v["params"]["severity_rule"].as_str().unwrap().starts_with("evidence-v3"));
}

#[test]
fn without_employment_nothing_is_high_and_the_report_says_why() {
    let (code, v) = scan(&[SAMPLE]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["by_severity"]["high"], 0);
    let notes = v["summary"]["checks_unavailable"].as_array().unwrap();
    assert!(notes.iter().any(|n| n.as_str().unwrap().starts_with("employment: no histories")), "{notes:?}");
}

#[test]
fn allowlisted_findings_stay_listed_but_do_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    let allow = dir.path().join("allow.csv");
    std::fs::write(&allow, "members,reason\nIvan Petrov;Jade Morgan,\"co-founders, vouched for by HR\"\n").unwrap();
    let (_, v) = scan(&[SAMPLE, "--people", JOBS, "--allow", allow.to_str().unwrap()]);
    let pair = v["findings"].as_array().unwrap().iter().find(|f| f["members"][0] == "Ivan Petrov").unwrap();
    assert!(pair["suppressed_by"].as_str().unwrap().ends_with("allow.csv:2: co-founders, vouched for by HR"));
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(v["summary"]["by_severity"]["high"], 2, "the two rings");
    assert_eq!(person(&v, "Ivan Petrov")["verdict"], "pass");
}

#[test]
fn window_keeps_only_tight_cycles() {
    let (_, v) = scan(&[SAMPLE, "--people", JOBS, "--window", "6d"]);
    assert_eq!(v["params"]["window_days"], 6.0);
    assert_eq!(v["summary"]["outside_window"], 1, "the 9-day ring");
    assert_eq!(v["summary"]["cycles"]["4"], 1, "counts stay structural");
    let kinds: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "cycle").count(), 1);
}

#[test]
fn a_trading_club_is_one_ring_with_its_parts() {
    let dir = tempfile::tempdir().unwrap();
    let (recs, jobs) = (dir.path().join("recs.csv"), dir.path().join("jobs.csv"));
    let club = ["Ann", "Bob", "Cid", "Dee"];
    let mut text = String::from("from,to,date,text\n");
    for (i, a) in club.iter().enumerate() {
        for (j, b) in club.iter().enumerate().filter(|(j, _)| *j != i) {
            text.push_str(&format!("{a},{b},2024-03-{:02},{b} is a true professional and a team player.\n", 1 + i + j));
        }
    }
    for k in 0..30 {
        text.push_str(&format!("P{k},Q{k},20{:02}-01-01,Q{k} shipped release {k} of the router.\n", 10 + k % 14));
    }
    std::fs::write(&recs, text).unwrap();
    std::fs::write(&jobs, "name,company,start,end\nAnn,A Co,2015-01-01,\nBob,B Co,2015-01-01,\nCid,C Co,2015-01-01,\nDee,D Co,2015-01-01,\n")
        .unwrap();
    let (code, v) = scan(&[recs.to_str().unwrap(), "--people", jobs.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["rings"], 1);
    let findings = v["findings"].as_array().unwrap();
    let ring = &findings[0];
    assert_eq!(ring["kind"], "ring");
    assert_eq!(ring["severity"], "high");
    assert_eq!(ring["members"], serde_json::json!(club));
    assert_eq!(ring["edges"].as_array().unwrap().len(), 12);
    let parts = ring["parts"].as_array().unwrap();
    assert_eq!(parts.len() as u64, findings.len() as u64 - 1, "every other finding is a part");
    assert!(findings[1..].iter().all(|f| f["part_of"] == ring["id"]));
    let fired: Vec<&str> = ring["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["fired"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for name in ["structure", "ring_span_days", "uncorroborated", "concentration", "group_shape", "generic_text"] {
        assert!(fired.contains(&name), "{name} did not fire: {fired:?}");
    }
}

#[test]
fn count_only_judges_nothing() {
    let (code, v) = scan(&[SAMPLE, "--count-only"]);
    assert_eq!(code, 0);
    assert_eq!(v["params"]["scored"], false);
    assert_eq!(v["summary"]["findings"], 0);
    assert_eq!(v["summary"]["reciprocal_pairs"], 4);
    assert_eq!(v["summary"]["cycles"]["3"], 1);
    assert_eq!(v["summary"]["checks_unavailable_codes"], serde_json::json!(["count_only"]));
    Command::cargo_bin("backscratch")
        .unwrap()
        .args(["scan", SAMPLE, "--window", "0d"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("longer than zero"));
}

#[test]
fn a_claim_nobody_can_check_backs_a_specific_text_but_not_stock_praise() {
    // Both pairs: one member's history is private, one side claims a working relationship,
    // they reciprocate the next day. Only the texts differ. Thirty honest exchanges between
    // colleagues on file, with specific texts, make stock praise rare in the data.
    let dir = tempfile::tempdir().unwrap();
    let mut recs = String::from("recommender,recommendee,date,relationship,text\n");
    let mut jobs = String::from("name,company,start,end\ntom,Acme,2015-01-01,\nhal,Globex,2015-01-01,\n");
    let topics = ["billing", "search", "payroll", "audit", "mobile", "ledger"];
    for i in 0..30 {
        let (a, b) = (format!("a{i}"), format!("b{i}"));
        jobs.push_str(&format!("{a},Co{i},2010-01-01,\n{b},Co{i},2011-01-01,\n"));
        let topic = topics[i % topics.len()];
        recs.push_str(&format!(
            "{a},{b},2020-02-{:02},,\"{b} rebuilt our {topic} pipeline in week {i} and cut errors by {}%\"\n",
            1 + i % 27,
            10 + i
        ));
    }
    let stock = "is a dynamic, passionate team player who always goes the extra mile";
    recs.push_str(&format!("tom,pia,2021-03-01,worked with pia in the same group,\"pia {stock}\"\n"));
    recs.push_str(&format!("pia,tom,2021-03-02,,\"tom {stock}\"\n"));
    recs.push_str("hal,ivy,2021-03-01,worked with ivy in the same group,\"ivy ran the Q3 vendor migration\"\n");
    recs.push_str("ivy,hal,2021-03-02,,\"hal wrote the cutover runbook for our warehouse move\"\n");
    let (r, p) = (dir.path().join("recs.csv"), dir.path().join("jobs.csv"));
    std::fs::write(&r, recs).unwrap();
    std::fs::write(&p, jobs).unwrap();
    let (_, v) = scan(&[r.to_str().unwrap(), "--people", p.to_str().unwrap()]);
    let pair = |name: &str| v["findings"].as_array().unwrap().iter().find(|f| f["members"][0] == name).unwrap().clone();
    let signal =
        |f: &Value, name: &str| f["signals"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap().clone();
    let traded = pair("pia");
    assert_eq!(traded["severity"], "medium", "{traded}");
    assert_eq!(signal(&traded, "corroborated")["value"]["hollow_claim"], 1);
    assert_eq!(signal(&traded, "corroborated")["fired"], false);
    assert_eq!(signal(&traded, "stock_praise_only")["fired"], true);
    assert_ne!(traded["severity"], "high", "nothing is high without evidence from the histories");
    let honest = pair("hal");
    assert_eq!(signal(&honest, "corroborated")["value"]["claimed"], 1);
    assert_eq!(signal(&honest, "corroborated")["fired"], true);
    assert_eq!(honest["severity"], "info", "{honest}");
}
