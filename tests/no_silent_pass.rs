//! No silent pass: each case a new user met that gave a wrong or misleading answer with exit
//! 0 and no warning (issue 16), as an integration test of the binary.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

const SAMPLE: &str = "data/sample/recommendations.csv";
const EMPLOYMENT: &str = "data/sample/employment.csv";
const EXPORTS: &str = "tests/fixtures/linkedin/exports";

fn bs() -> Command {
    let mut c = Command::cargo_bin("backscratch").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH").env_remove("GITHUB_ACTIONS").env_remove("GITHUB_STEP_SUMMARY");
    c
}

fn run(args: &[&str]) -> Output {
    bs().args(args).output().unwrap()
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let out = bs().args(args).args(["--format", "json", "--no-timestamp"]).output().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    path
}

/// Case 1: Histories whose names are written differently still match; an empty or foreign
/// histories file is said first, not passed over.
#[test]
fn case1_unmatched_histories_do_not_turn_fail_into_pass() {
    let dir = tempfile::tempdir().unwrap();
    let lower = write(dir.path(), "lower.csv", &fs::read_to_string(EMPLOYMENT).unwrap().to_lowercase());
    let lower = lower.to_str().unwrap();
    let out = run(&["check", SAMPLE, "--people", lower, "--subject", "Ivan Petrov"]);
    assert_eq!(out.status.code(), Some(1), "lower-cased histories still match: {}", text(&out.stdout));
    assert!(text(&out.stdout).contains("FAIL        Ivan Petrov"));

    let empty = write(dir.path(), "empty.csv", "");
    let (_, v) = json(&["check", SAMPLE, "--people", empty.to_str().unwrap(), "--subject", "Ivan Petrov"]);
    let note = v["summary"]["checks_unavailable"][0].as_str().unwrap();
    assert!(note.starts_with("employment coverage: only 0 of the 15 people"), "{note}");
    assert_eq!(v["summary"]["coverage"]["with_history"], 0);
    assert!(v["subjects"][0]["reason"].as_str().unwrap().contains("histories were missing"));
    let table = text(&run(&["check", SAMPLE, "--people", empty.to_str().unwrap(), "--subject", "Ivan Petrov"]).stdout);
    // Right under the verdict, before the candidates.
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].starts_with("verdict: ") && lines[2].starts_with("not checked: employment coverage"), "{table}");

    let foreign = write(dir.path(), "foreign.csv", "name,company,start,end\nZed Unknown,Acme,2019-01-01,\n");
    let (_, v) = json(&["scan", SAMPLE, "--people", foreign.to_str().unwrap(), "--exit-zero"]);
    assert_eq!(v["summary"]["coverage"]["history_unmatched"], 1);
    assert_eq!(v["summary"]["coverage"]["unmatched_examples"][0], "Zed Unknown");
    assert!(v["summary"]["checks_unavailable"][0].as_str().unwrap().contains("'Zed Unknown'"));
}

/// Case 2: Dates the detector cannot read keep the recommendation, undated and counted; an input
/// none of whose rows is usable is an error.
#[test]
fn case2_unreadable_dates_and_unusable_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let dotted: String = fs::read_to_string(SAMPLE)
        .unwrap()
        .lines()
        .map(|l| {
            let mut cells: Vec<String> = l.splitn(4, ',').map(str::to_string).collect();
            if let Some(d) = cells.get(2).filter(|d| d.len() == 10 && d.as_bytes()[4] == b'-') {
                cells[2] = format!("{}.{}.{}", &d[8..10], &d[5..7], &d[..4]);
            }
            cells.join(",") + "\n"
        })
        .collect();
    let path = write(dir.path(), "dotted.csv", &dotted);
    let p = path.to_str().unwrap();
    let (code, v) = json(&["scan", p, "--exit-zero"]);
    assert_eq!(code, Some(0));
    assert_eq!(v["inputs"][0]["used"], 28, "a bad date no longer drops the recommendation");
    assert_eq!(v["inputs"][0]["undated_bad_date"], 30);
    assert!(v["summary"]["warnings"][0].as_str().unwrap().contains("--date-format"));
    let (_, v) = json(&["scan", p, "--date-format", "%d.%m.%Y", "--exit-zero"]);
    assert!(v["inputs"][0].get("undated_bad_date").is_none());
    assert_eq!(v["findings"][0]["edges"][0]["created"].as_str().unwrap().len(), 20);

    let blank = write(dir.path(), "blank.csv", "from,to\nann,\n,bob\n");
    let out = run(&["scan", blank.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("blank.csv")
            && err.contains("the file has rows, but none became a recommendation")
            && err.contains("empty name")
    );
    assert!(text(&run(&["scan", SAMPLE, "--date-format", "%Y"]).stderr).contains("must name a year, a month and a day"));
}

/// Case 3: Year-only dates cannot make a ring "written within 0 days"; a rating column read as
/// dates is called out.
#[test]
fn case3_rough_or_wrong_dates_are_not_treated_as_exact() {
    let dir = tempfile::tempdir().unwrap();
    let years = write(
        dir.path(),
        "years.csv",
        "from,to,year\nann,bob,2013\nbob,cid,2013\ncid,ann,2013\nbob,ann,2013\ndan,eve,2014\n",
    );
    let (_, v) = json(&["scan", years.to_str().unwrap(), "--time-col", "year", "--exit-zero"]);
    for f in v["findings"].as_array().unwrap() {
        for s in f["signals"].as_array().unwrap() {
            if s["name"] == "ring_span_days" || s["name"] == "reciprocation_lag_days" {
                assert_eq!(s["fired"], false, "{s}");
                assert!(s["explanation"].as_str().unwrap().contains("years only"), "{s}");
            }
        }
    }
    assert!(v["summary"]["checks_unavailable"].to_string().contains("years only"));

    let ratings = write(dir.path(), "ratings.csv", "from,to,rating\nann,bob,4\nbob,ann,-10\ncid,ann,7\n");
    let (_, v) = json(&["scan", ratings.to_str().unwrap(), "--time-col", "3", "--exit-zero"]);
    let w = v["summary"]["warnings"].to_string();
    assert!(w.contains("column 3 ('rating')") && w.contains("3 date(s) before 1990"), "{w}");
}

mod common;

fn shared() -> Option<PathBuf> {
    common::shared("the id uniqueness test")
}

/// Case 4: No two findings share an id, on every real graph (the Bitcoin ones with dates, where
/// rings of the same people through different recommendations occur).
#[test]
fn case4_ids_are_unique_on_every_real_graph() {
    let Some(dir) = shared() else { return };
    let cases: [(&str, &[&str]); 10] = [
        ("snap/wiki-Vote.txt", &["--max-len", "4"]),
        ("snap/soc-sign-bitcoinotc.csv.gz", &["--time-col", "4", "--max-len", "4"]),
        ("snap/soc-sign-bitcoinotc.csv.gz", &["--max-len", "5"]),
        ("snap/soc-sign-bitcoinalpha.csv.gz", &["--time-col", "4", "--max-len", "4"]),
        ("snap/soc-sign-bitcoinalpha.csv.gz", &["--max-len", "5"]),
        ("snap/email-Eu-core.txt.gz", &["--max-len", "4"]),
        ("snap/CollegeMsg.txt", &["--time-col", "3", "--max-len", "4"]),
        ("konect-advogato/out.advogato", &["--max-len", "4"]),
        ("wiki-rfa/wiki-RfA_votes_SRC_TGT_VOT_RES_YEA.csv.gz", &["--max-len", "4"]),
        ("snap/soc-Slashdot0902.txt.gz", &["--max-len", "3"]),
    ];
    for (file, args) in cases {
        let path = dir.join(file);
        let mut all = vec!["scan", path.to_str().unwrap(), "--fail-on", "never", "--max-findings", "20000"];
        all.extend_from_slice(args);
        let (code, v) = json(&all);
        assert_eq!(code, Some(0), "{file}");
        let findings = v["findings"].as_array().unwrap();
        let ids: HashSet<&str> = findings.iter().map(|f| f["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), findings.len(), "{file} {args:?}: two findings share an id");
    }
}

/// Case 5: A baseline taken before histories were added does not hide findings that rose.
#[test]
fn case5_baselines_list_escalated_findings() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let out = run(&["scan", SAMPLE, "--exit-zero", "-o", base.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let (code, v) = json(&["scan", SAMPLE, "--people", EMPLOYMENT, "--baseline", base.to_str().unwrap()]);
    assert_eq!(code, Some(1), "the escalated findings count for --fail-on");
    assert_eq!(v["summary"]["baseline"]["escalated"], 3);
    assert_eq!(v["summary"]["baseline"]["new"], 0);
    let f = &v["findings"][0];
    assert_eq!(f["baseline"]["status"], "escalated");
    assert_eq!(f["severity"], "high");
    let table = text(&run(&["scan", SAMPLE, "--people", EMPLOYMENT, "--baseline", base.to_str().unwrap()]).stdout);
    assert!(table.contains("3 known, 0 new, 3 escalated") && table.contains("escalated from medium"), "{table}");
}

/// Case 6: A folder scan reads only what it recognises; an export file named alone is an export.
#[test]
fn case6_folder_scans_read_only_what_they_recognise() {
    let (_, v) = json(&["scan", "data/sample", "--exit-zero"]);
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1, "employment.csv is not an edge list");
    assert_eq!(v["summary"]["people"], 27);
    assert!(v["summary"]["warnings"][0].as_str().unwrap().contains("employment.csv: not read"));

    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    fs::create_dir(&export).unwrap();
    write(&export, "Profile.csv", "First Name,Last Name,Headline\nAva,Stone,Engineer\n");
    write(
        &export,
        "Recommendations_Given.csv",
        "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\nBen,Okoro,Acme,Lead,Great,05/01/24,VISIBLE\n",
    );
    let file = export.join("Recommendations_Given.csv");
    let (code, v) = json(&["scan", file.to_str().unwrap(), "--exit-zero"]);
    assert_eq!(code, Some(0), "{v}");
    assert!(v["inputs"][0]["path"].as_str().unwrap().ends_with("Recommendations_Given.csv"));
    let (_, people) = json(&["check", file.to_str().unwrap(), "--subject", "Ben Okoro", "--exit-zero"]);
    assert_eq!(people["subjects"][0]["status"], "pass", "Ava -> Ben, not 'First name -> Last name'");
}

/// Case 7: `check` names: matched by key, namesakes ambiguous, subjects files with BOMs and comments.
#[test]
fn case7_check_names() {
    let (code, v) = json(&["check", EXPORTS, "--subject", "Sam Park"]);
    assert_eq!(code, Some(2));
    assert_eq!(v["subjects"][0]["status"], "ambiguous");
    assert_eq!(v["subjects"][0]["suggestions"].as_array().unwrap().len(), 2);
    let (code, v) = json(&["check", SAMPLE, "--subject", "amara okafor", "--subject", " Amara Okafor "]);
    assert_eq!(code, Some(0));
    assert_eq!(v["subjects"][0]["status"], "pass");
    assert_eq!(v["subjects"][0]["person"]["name"], "Amara Okafor");
    assert_eq!(v["subjects"][1]["status"], "pass");
    let dir = tempfile::tempdir().unwrap();
    let list = write(dir.path(), "names.txt", "\u{feff}Ivan Petrov  # the candidate\n# a comment\n\n  Jade Morgan\n");
    let (code, v) = json(&["check", SAMPLE, "--subjects", list.to_str().unwrap()]);
    assert_eq!(code, Some(3), "their pair cannot be judged without histories: cannot tell, never a pass");
    assert_eq!(v["subjects"][0]["status"], "cannot_tell");
    let queries: Vec<&str> = v["subjects"].as_array().unwrap().iter().map(|s| s["query"].as_str().unwrap()).collect();
    assert_eq!(queries, ["Ivan Petrov", "Jade Morgan"]);
}

/// Case 8: Redaction reaches warnings and paths, and a key makes pseudonyms nobody can recompute.
#[test]
fn case8_redaction_leaks_nothing() {
    let out = run(&["scan", EXPORTS, "--redact", "--exit-zero", "--format", "json", "--no-timestamp"]);
    let all = text(&out.stdout) + &text(&out.stderr);
    for leak in ["Sam Park", "ava.zip", "Ava Stone", "/ben/", "/dana/"] {
        assert!(!all.contains(leak), "{leak} leaked: {all}");
    }
    let dir = tempfile::tempdir().unwrap();
    let key = write(dir.path(), "key", "0123456789abcdef0123456789abcdef\n");
    let keyed = |k: &Path| {
        json(&["scan", SAMPLE, "--redact-key", k.to_str().unwrap(), "--exit-zero"]).1["findings"][0]["members"].clone()
    };
    let (_, plain) = json(&["scan", SAMPLE, "--redact", "--exit-zero"]);
    assert_ne!(keyed(&key), plain["findings"][0]["members"], "a keyed pseudonym differs from the public hash");
    assert_eq!(keyed(&key), keyed(&key));
    let short = write(dir.path(), "short", "abc");
    let out = run(&["scan", SAMPLE, "--redact-key", short.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("at least 16 bytes"));
}

/// Case 9: The smaller ones.
#[test]
fn case9_smaller_silences() {
    let dir = tempfile::tempdir().unwrap();
    // Two outputs on one file.
    let x = dir.path().join("x.json");
    let out = run(&["scan", SAMPLE, "-o", x.to_str().unwrap(), "--report", &format!("html={}", x.display())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("name the same file"));
    // generate never overwrites silently, and never silently grows --people.
    let out_dir = dir.path().join("gen");
    let gen =
        |extra: &[&str]| bs().args(["generate", "--out", out_dir.to_str().unwrap()]).args(extra).output().unwrap();
    assert_eq!(gen(&["--people", "100"]).status.code(), Some(0));
    let again = gen(&["--people", "100"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("--force"));
    assert_eq!(gen(&["--people", "100", "--force"]).status.code(), Some(0));
    assert_eq!(gen(&["--people", "10", "--force"]).status.code(), Some(2));
    // An evidence file's error does not blame --strict.
    let bad = write(dir.path(), "jobs.csv", "name,company,start,end\nann,Acme,someday,\n");
    let err = text(&run(&["scan", SAMPLE, "--people", bad.to_str().unwrap()]).stderr);
    assert!(err.contains("jobs.csv:2: bad start date") && !err.contains("--strict"), "{err}");
    // The table says how many flagged people it did not show.
    let big = gen(&["--people", "2000", "--force"]);
    assert_eq!(big.status.code(), Some(0));
    let recs = out_dir.join("recommendations.csv");
    let people = out_dir.join("employment.csv");
    let table = text(&run(&["scan", recs.to_str().unwrap(), "--people", people.to_str().unwrap()]).stdout);
    assert!(table.contains("more with warn or fail"), "{table}");
    // A cycle left out by --window is named in its members' reasons.
    let slow = write(
        dir.path(),
        "slow.csv",
        "from,to,date\nann,bob,2020-01-01\nbob,cid,2021-01-01\ncid,ann,2022-01-01\nann,cid,2022-01-02\ncid,bob,2022-01-03\nbob,ann,2022-01-04\n",
    );
    let (_, v) = json(&["check", slow.to_str().unwrap(), "--window", "30d", "--subject", "ann", "--exit-zero"]);
    assert!(v["subjects"][0]["reason"].as_str().unwrap().contains("outside --window"), "{v}");
}
