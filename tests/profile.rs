//! A candidate's credibility profile (issue 19): every received recommendation with its
//! backing, counts by backing for everyone, and the verdict rule for unsubstantiated praise.

use assert_cmd::Command;
use serde_json::Value;

const SAMPLE: &str = "data/sample/recommendations.csv";
const JOBS: &str = "data/sample/employment.csv";

fn check(args: &[&str]) -> (Option<i32>, Value, String) {
    let json = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["check", "--format", "json", "--no-timestamp"])
        .args(args)
        .output()
        .unwrap();
    let html =
        Command::cargo_bin("backscratch").unwrap().args(["check", "--format", "html"]).args(args).output().unwrap();
    (json.status.code(), serde_json::from_slice(&json.stdout).unwrap(), String::from_utf8(html.stdout).unwrap())
}

#[test]
fn hanas_two_recommendations_come_out_different() {
    let (code, v, html) = check(&[SAMPLE, "--people", JOBS, "--subject", "Hana Sato"]);
    assert_eq!(code, Some(0));
    let hana = &v["subjects"][0];
    let counts = &hana["person"]["received_by_backing"];
    assert_eq!(counts["uncorroborated"], 1);
    assert_eq!(counts["employment"], 1, "Zoe's recommendation is backed");
    let received = hana["received"].as_array().unwrap();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0]["edge"]["from"], "Hugo Lindqvist");
    assert_eq!(received[0]["backing"], "uncorroborated");
    assert_eq!(received[1]["backing_text"], "worked together at Pixel Labs 2020-2023");
    assert_eq!(hana["status"], "pass", "one unsubstantiated recommendation is not a pattern");
    assert!(html.contains("Recommendations Hana Sato received") || html.contains("Hana Sato</bdi> received"));
    assert!(
        html.contains("worked together at Pixel Labs 2020-2023") && html.contains("no working relationship on record")
    );
    // The honest colleagues stay clean.
    let (_, v, _) = check(&[SAMPLE, "--people", JOBS, "--subject", "Amara Okafor", "--subject", "Chen Wei"]);
    for s in v["subjects"].as_array().unwrap() {
        assert_eq!(s["status"], "pass", "{s}");
        assert!(s["received"].as_array().unwrap().iter().all(|r| r["backing"] == "employment"), "{s}");
    }
}

/// `cand` receives one recommendation of each backing; `warned` receives two from strangers;
/// `client` only from clients; `private` has no history.
fn every_backing(dir: &std::path::Path) -> (String, String) {
    let recs = "from,to,date,relationship,text\n\
        colleague,cand,2023-01-01,,x\n\
        buyer,cand,2023-01-02,buyer was a client of cand,x\n\
        stranger,cand,2023-01-03,,x\n\
        liar,cand,2023-01-04,liar managed cand directly,x\n\
        nobody,cand,2023-01-05,,x\n\
        stranger,warned,2023-02-01,,x\nliar,warned,2023-02-02,,x\ncolleague2,warned,2023-02-03,,x\n\
        buyer,client,2023-03-01,buyer was a client of client,x\nstranger,client,2023-03-02,stranger was a client of client,x\n\
        stranger,private,2023-04-01,,x\nliar,private,2023-04-02,,x\n";
    let jobs = "name,company,start,end\n\
        cand,Acme,2018-01-01,\ncolleague,Acme,2019-01-01,2022-12-31\nbuyer,Globex,2015-01-01,\n\
        stranger,Initech,2015-01-01,\nliar,Umbrella,2015-01-01,\n\
        warned,Hooli,2015-01-01,\ncolleague2,Hooli,2016-01-01,\nclient,Vandelay,2015-01-01,\n";
    let r = dir.join("recs.csv");
    let p = dir.join("jobs.csv");
    std::fs::write(&r, recs).unwrap();
    std::fs::write(&p, jobs).unwrap();
    (r.display().to_string(), p.display().to_string())
}

#[test]
fn each_backing_kind_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let (recs, jobs) = every_backing(dir.path());
    let (_, v, _) = check(&[&recs, "--people", &jobs, "--subject", "cand"]);
    let got: Vec<(String, String)> = v["subjects"][0]["received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["backing"].as_str().unwrap().to_string(), r["backing_text"].as_str().unwrap().to_string()))
        .collect();
    let kinds: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["employment", "claimed", "uncorroborated", "contradicted", "unknown"]);
    assert_eq!(got[0].1, "worked together at Acme 2019-2022");
    assert!(got[1].1.starts_with("client relationship stated"), "{}", got[1].1);
    assert!(got[2].1.starts_with("no working relationship on record"));
    assert!(got[3].1.starts_with("stated relationship contradicted by the histories"));
    assert_eq!(got[4].1, "cannot be checked: no history on file for nobody");
    let counts = &v["subjects"][0]["person"]["received_by_backing"];
    assert_eq!(
        counts,
        &serde_json::json!({"employment": 1, "claimed": 1, "hollow_claim": 0, "uncorroborated": 1, "contradicted": 1, "unknown": 1})
    );
}

#[test]
fn the_verdict_rule_warns_on_unsubstantiated_praise_and_spares_clients_and_private_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let (recs, jobs) = every_backing(dir.path());
    let (_, v, _) =
        check(&[&recs, "--people", &jobs, "--subject", "warned", "--subject", "client", "--subject", "cand"]);
    let s = v["subjects"].as_array().unwrap();
    assert_eq!(s[0]["status"], "warn", "2 of 3 checkable from strangers: {}", s[0]);
    assert!(s[0]["reason"].as_str().unwrap().contains("2 of their 3 checkable received recommendations"));
    assert_eq!(s[1]["status"], "pass", "client recommendations never count against: {}", s[1]);
    assert_eq!(s[2]["status"], "pass", "2 of 4 checkable is not most: {}", s[2]);
    // Without histories nothing can be concluded.
    let (_, v, _) = check(&[&recs, "--subject", "warned"]);
    assert_eq!(v["subjects"][0]["status"], "pass");
    // A person with no history on file is never warned by the rule.
    let (_, v, _) = check(&[&recs, "--people", &jobs, "--subject", "private"]);
    assert_eq!(v["subjects"][0]["status"], "pass", "{}", v["subjects"][0]);
}

#[test]
fn the_profile_is_redacted_too() {
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["check", SAMPLE, "--people", JOBS, "--subject", "Hana Sato", "--redact", "--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for name in ["Hana", "Hugo", "Lindqvist", "Zoe", "Adler", "recommendations.csv"] {
        assert!(!text.contains(name), "{name} leaked");
    }
    assert!(text.contains("worked together at Pixel Labs"), "company names are kept");
}
