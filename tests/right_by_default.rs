//! Right by default, never a pass by accident (issue 24): each case is a command a new user
//! would type, on the sample or a file made here, with what it said before in a comment.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

mod common;

const SAMPLE: &str = "data/sample/recommendations.csv";
const EMPLOYMENT: &str = "data/sample/employment.csv";

fn run(args: &[&str]) -> Output {
    Command::cargo_bin("backscratch").unwrap().env_remove("GITHUB_ACTIONS").args(args).output().unwrap()
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let out = run(&[args, &["--format", "json", "--no-timestamp"]].concat());
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

/// Case 2: evidence missing or not matching is CANNOT TELL (exit 3), never PASS (was PASS,
/// exit 0, in all three).
#[test]
fn missing_or_unmatched_histories_are_cannot_tell_not_pass() {
    // --people forgotten: Ivan Petrov's pair (stock praise returned within a day).
    let (code, v) = json(&["check", SAMPLE, "--subject", "Ivan Petrov"]);
    assert_eq!(code, Some(3));
    let s = &v["subjects"][0];
    assert_eq!(s["status"], "cannot_tell");
    assert!(s["reason"].as_str().unwrap().contains("no employment histories are on file"), "{s}");

    // His name written "Petrov, Ivan" in the jobs file is still him: FAIL, exit 1.
    let dir = tempfile::tempdir().unwrap();
    let jobs = fs::read_to_string(EMPLOYMENT).unwrap();
    let comma = dir.path().join("comma.csv");
    fs::write(&comma, jobs.replace("\nIvan Petrov,", "\n\"Petrov, Ivan\",")).unwrap();
    let (code, v) = json(&["check", SAMPLE, "--people", comma.to_str().unwrap(), "--subject", "Ivan Petrov"]);
    assert_eq!((code, v["subjects"][0]["status"].as_str()), (Some(1), Some("fail")));
    // Written "Petrov Ivan", he is not matched: cannot tell, and the near name is given.
    let order = dir.path().join("order.csv");
    fs::write(&order, jobs.replace("\nIvan Petrov,", "\nPetrov Ivan,")).unwrap();
    let (code, v) = json(&["check", SAMPLE, "--people", order.to_str().unwrap(), "--subject", "Ivan Petrov"]);
    assert_eq!(code, Some(3));
    assert!(v["subjects"][0]["reason"].as_str().unwrap().contains("closest there: 'Petrov Ivan'"), "{v}");

    // Only the candidate's own LinkedIn export: her jobs, not her counterpart's. A swap of
    // stock praise 23 hours apart cannot be told, and the note does not claim no histories.
    let export = dir.path().join("zoe");
    fs::create_dir(&export).unwrap();
    let ben = Path::new("tests/fixtures/linkedin/exports/ben");
    fs::write(
        export.join("Profile.csv"),
        fs::read_to_string(ben.join("Profile.csv")).unwrap().replace("Ben,Okoro", "Zoe,Quinn"),
    )
    .unwrap();
    fs::copy(ben.join("Positions.csv"), export.join("Positions.csv")).unwrap();
    let praise = "A true team player and a hard worker who always goes above and beyond. Highly recommend!";
    let head = "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\n";
    fs::write(
        export.join("Recommendations_Received.csv"),
        format!("{head}Max,Hale,Globex,Manager,{praise},\"03/01/24, 10:00 AM\",VISIBLE\n"),
    )
    .unwrap();
    fs::write(
        export.join("Recommendations_Given.csv"),
        format!("{head}Max,Hale,Globex,Manager,{praise},\"03/02/24, 09:00 AM\",\n"),
    )
    .unwrap();
    let (code, v) = json(&["check", export.to_str().unwrap(), "--subject", "Zoe Quinn"]);
    assert_eq!(code, Some(3));
    assert!(v["subjects"][0]["reason"].as_str().unwrap().contains("no employment history is on file for Max Hale"));
    let notes = v["summary"]["checks_unavailable"].to_string();
    assert!(!notes.contains("no employment histories on file"), "Positions.csv was read: {notes}");
}

/// Case 3: `check --count-only` judges nothing, so it says so: CANNOT TELL and a skipped
/// JUnit case (was PASS and a passing test case).
#[test]
fn count_only_checks_tell_nothing() {
    let (code, v) = json(&["check", SAMPLE, "--count-only", "--subject", "Amara Okafor"]);
    assert_eq!((code, v["subjects"][0]["status"].as_str()), (Some(3), Some("cannot_tell")));
    let out = run(&["check", SAMPLE, "--count-only", "--subject", "Amara Okafor", "--format", "junit"]);
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains("<skipped message=\"cannot tell: nothing was judged") && xml.contains("skipped=\"1\""),
        "{xml}"
    );
    // --exit-zero makes it 0, as it does for findings.
    assert_eq!(
        run(&["check", SAMPLE, "--count-only", "--subject", "Amara Okafor", "--exit-zero"]).status.code(),
        Some(0)
    );
}

/// Case 5: a "date" column of ratings 1-5 (read as 1970) gives no time evidence: the report
/// equals the one without the column (was 10 medium findings and 14 WARN people more).
#[test]
fn a_date_column_of_ratings_is_not_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut rdr = common::parse_csv(&fs::read_to_string(SAMPLE).unwrap());
    let header = rdr.remove(0);
    let write = |name: &str, with_date: bool| {
        let path = dir.path().join(name);
        let mut text = String::new();
        let cells = |r: &Vec<String>, i: usize| format!("\"{}\"", r[i].replace('"', "\"\""));
        text.push_str(if with_date { "recommender,recommendee,date,text\n" } else { "recommender,recommendee,text\n" });
        for (i, r) in rdr.iter().enumerate() {
            let date = if with_date { format!("{},", 1 + i % 5) } else { String::new() };
            text.push_str(&format!("{},{},{date}{}\n", cells(r, 0), cells(r, 1), cells(r, 4)));
        }
        fs::write(&path, text).unwrap();
        path
    };
    assert_eq!(header[4], "text");
    let rated = write("rated.csv", true);
    let plain = write("plain.csv", false);
    let (_, a) = json(&["scan", rated.to_str().unwrap(), "--exit-zero"]);
    let (_, b) = json(&["scan", plain.to_str().unwrap(), "--exit-zero"]);
    assert_eq!(a["summary"]["by_severity"], b["summary"]["by_severity"]);
    assert_eq!(a["people"], b["people"]);
    let warnings = a["summary"]["warnings"].to_string();
    assert!(warnings.contains("its dates are not used"), "{warnings}");
}

/// Case 6: a header of unknown names above dates is a header (was the recommendation "From
/// Name -> To Name", dates dropped); a jobs file is refused saying what it looks like (was 28
/// recommendations and exit 0).
#[test]
fn odd_headers_and_a_jobs_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("named.csv");
    fs::write(&path, "From Name,To Name,Date\nAva,Bo,2021-03-04\nBo,Ava,2021-03-05\nCy,Ava,2021-04-01\n").unwrap();
    let (_, v) = json(&["scan", path.to_str().unwrap(), "--exit-zero"]);
    assert_eq!(v["inputs"][0]["rows"], 3);
    assert_eq!(v["summary"]["reciprocal_pairs"], 1);
    assert_eq!(v["findings"][0]["edges"][0]["created"], "2021-03-04T00:00:00Z");
    let out = run(&["scan", EMPLOYMENT]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("looks like an employment history"));
}

/// Case 8: `--baseline` gates `check` as it gates `scan`, and a verdict resting on known
/// findings names them (was FAIL, exit 1, with 0 findings listed and no reason).
#[test]
fn a_baseline_gates_check_as_it_gates_scan() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let made =
        run(&["scan", SAMPLE, "--people", EMPLOYMENT, "--format", "json", "-o", base.to_str().unwrap(), "--exit-zero"]);
    assert!(made.status.success());
    let b = base.to_str().unwrap();
    let scan = run(&["scan", SAMPLE, "--people", EMPLOYMENT, "--baseline", b]);
    let (code, v) = json(&["check", SAMPLE, "--people", EMPLOYMENT, "--baseline", b, "--subject", "Ivan Petrov"]);
    assert_eq!(scan.status.code(), Some(0));
    assert_eq!(code, Some(0), "the same baseline, the same gate");
    let s = &v["subjects"][0];
    assert_eq!(s["status"], "fail", "the verdict stands");
    let reason = s["reason"].as_str().unwrap();
    let id = s["findings"][0].as_str().unwrap();
    assert!(reason.contains("already known") && reason.contains(id), "{reason}");
}
