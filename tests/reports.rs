//! Every report format on the sample data (snapshots), `check`, `--baseline`, `--redact`,
//! `--report`, GitHub Actions mode, and names built to break formats (`<script>`, quotes,
//! commas, right-to-left text, a direction override, emoji, spreadsheet formulas) surviving
//! every format intact and inert.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

mod common;
use serde_json::Value;

const SAMPLE: &str = "data/sample/recommendations.csv";
const EMPLOYMENT: &str = "data/sample/employment.csv";
const TRICKY: &str = "tests/fixtures/tricky/recommendations.csv";
const TRICKY_EMPLOYMENT: &str = "tests/fixtures/tricky/employment.csv";
const FORMATS: [&str; 8] = ["table", "json", "jsonl", "csv", "markdown", "html", "junit", "dot"];

fn bs() -> Command {
    let mut c = Command::cargo_bin("backscratch").unwrap();
    for var in ["SOURCE_DATE_EPOCH", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "CI"] {
        c.env_remove(var);
    }
    c
}

fn run(args: &[&str]) -> Output {
    bs().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn sample(format: &str) -> Output {
    run(&["scan", SAMPLE, "--people", EMPLOYMENT, "--no-timestamp", "--exit-zero", "--format", format])
}

#[test]
fn every_format_on_the_sample_data() {
    for format in FORMATS {
        let out = sample(format);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        insta::assert_snapshot!(format!("sample_people_{format}"), stdout(&out));
    }
}

#[test]
fn every_format_is_byte_identical_between_runs() {
    for format in FORMATS {
        assert_eq!(sample(format).stdout, sample(format).stdout, "{format}");
    }
}

#[test]
fn source_date_epoch_stamps_the_report() {
    let out = bs().env("SOURCE_DATE_EPOCH", "1700000000").args(["scan", SAMPLE, "--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["generated_at"], "2023-11-14T22:13:20Z");
}

fn check(args: &[&str]) -> (Option<i32>, Value) {
    let out = run(&[&["check", SAMPLE, "--people", EMPLOYMENT, "--format", "json", "--no-timestamp"], args].concat());
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

#[test]
fn check_passes_an_honest_candidate() {
    let (code, v) = check(&["--subject", "Amara Okafor"]);
    assert_eq!(code, Some(0));
    let s = &v["subjects"][0];
    assert_eq!(s["status"], "pass");
    assert_eq!(s["person"]["received"], 2);
    // The evidence that concerns her: the corroborated pair, info only.
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["findings"][0]["severity"], "info");
    assert_eq!(v["people"].as_array().unwrap().len(), 1);
}

#[test]
fn check_fails_a_trading_candidate_with_the_evidence() {
    let (code, v) = check(&["--subject", "Ivan Petrov", "--subject", "Amara Okafor"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["subjects"][0]["status"], "fail");
    assert_eq!(v["subjects"][0]["worst_severity"], "high");
    assert_eq!(v["subjects"][1]["status"], "pass");
    let ids: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.iter().any(|id| v["subjects"][0]["findings"][0] == *id));
    // --fail-on never and --exit-zero keep the verdicts but not the exit code.
    assert_eq!(check(&["--subject", "Ivan Petrov", "--fail-on", "never"]).0, Some(0));
    assert_eq!(check(&["--subject", "Ivan Petrov", "--exit-zero"]).0, Some(0));
}

#[test]
fn check_never_passes_a_name_it_cannot_find() {
    let (code, v) = check(&["--subject", "Petrov Ivan", "--subject", "Nobody Atall"]);
    assert_eq!(code, Some(2), "a missing name is not a pass");
    assert_eq!(v["subjects"][0]["status"], "not_found");
    assert_eq!(v["subjects"][0]["suggestions"][0], "Ivan Petrov");
    assert_eq!(v["subjects"][1]["suggestions"].as_array().unwrap().len(), 0);
    let out = run(&["check", SAMPLE, "--subject", "Ivan Petorv"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no verdict: Ivan Petorv"));
    assert!(stdout(&out).contains("Ivan Petrov"), "the table suggests the near match");
}

#[test]
fn check_reads_a_subjects_file() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("candidates.txt");
    std::fs::write(&list, "# shortlist\nJade Morgan\n\nChen Wei\nJade Morgan\n").unwrap();
    let (code, v) = check(&["--subjects", list.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let statuses: Vec<&str> = v["subjects"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["fail", "pass"], "in order, without repeats");
    assert_eq!(run(&["check", SAMPLE]).status.code(), Some(2), "no candidate named");
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    // The format follows the file's extension.
    let first = run(&["scan", SAMPLE, "--people", EMPLOYMENT, "-o", old.to_str().unwrap()]);
    assert_eq!(first.status.code(), Some(1));
    // Everything already known: nothing new, and nothing to fail on.
    let again = run(&["scan", SAMPLE, "--people", EMPLOYMENT, "--baseline", old.to_str().unwrap(), "--format", "json"]);
    assert_eq!(again.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["summary"]["baseline"]["already_known"], 6);
    assert_eq!(v["summary"]["baseline"]["new"], 0);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v["cases"].as_array().unwrap().len(), 0, "no case is left with nothing new");
    assert_eq!(v["summary"]["cases"], 3, "every case is still counted");
    // Forget the Ivan/Jade pair: it comes back as the one new finding, and fails the run.
    let mut old_json: Value = serde_json::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    old_json["findings"].as_array_mut().unwrap().retain(|f| f["members"][0] != "Ivan Petrov");
    std::fs::write(&old, old_json.to_string()).unwrap();
    let out = run(&["scan", SAMPLE, "--people", EMPLOYMENT, "--baseline", old.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["baseline"]["new"], 1);
    assert_eq!(v["findings"][0]["members"], serde_json::json!(["Ivan Petrov", "Jade Morgan"]));
    assert_eq!(v["cases"][0]["listed"], serde_json::json!([v["findings"][0]["id"]]));
    assert_eq!(v["cases"].as_array().unwrap().len(), 1);
    // A baseline that is not a report is an input error.
    std::fs::write(&old, "{\"hello\": 1}").unwrap();
    let bad = run(&["scan", SAMPLE, "--baseline", old.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a backscratch JSON report"));
}

#[test]
fn several_reports_in_one_run_and_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let args = ["scan", SAMPLE, "--people", EMPLOYMENT, "--no-timestamp", "-q"];
    let targets: Vec<String> = FORMATS.iter().map(|f| format!("{f}={}", p(&format!("r.{f}")))).collect();
    let mut cmd = bs();
    cmd.args(args);
    for t in &targets {
        cmd.args(["--report", t]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "--quiet prints nothing");
    for f in FORMATS {
        let written = std::fs::read_to_string(p(&format!("r.{f}"))).unwrap();
        let printed = stdout(&sample(f));
        match f {
            // The people sheet goes to its own file; on standard output it follows the findings.
            "csv" => assert_eq!(printed, format!("{written}\n{}", std::fs::read_to_string(p("r.people.csv")).unwrap())),
            _ => assert_eq!(written, printed, "{f}"),
        }
    }
    assert!(std::fs::read_to_string(p("r.people.csv")).unwrap().starts_with("name,verdict,"));
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    // A report that cannot be written is an error, and leaves nothing behind.
    let out = run(&["scan", SAMPLE, "--report", &format!("html={}", p("missing/dir/r.html"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!Path::new(&p("missing")).exists());
    assert_eq!(run(&["scan", SAMPLE, "--report", "pdf=x.pdf"]).status.code(), Some(2));
}

#[test]
fn github_actions_annotations_and_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = bs()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["scan", SAMPLE, "--people", EMPLOYMENT, "--format", "json", "--no-timestamp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_slice::<Value>(&out.stdout).expect("standard output stays the report");
    let err = String::from_utf8(out.stderr).unwrap();
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 3, "{err}");
    assert!(
        errors[0].starts_with("::error file=data/sample/recommendations.csv,line=15,title=backscratch%3A high cycle")
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.starts_with("earlier step\n## backscratch: 6 findings"), "appended: {written}");

    // More than ten flagged findings: ten annotations, then one notice counting the rest.
    let net = dir.path().join("net");
    assert!(run(&["generate", "--out", net.to_str().unwrap(), "--people", "2000"]).status.success());
    let out = bs()
        .args(["scan", "--github", "-q", "--people"])
        .arg(net.join("employment.csv"))
        .arg(net.join("recommendations.csv"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    let annotations = err.lines().filter(|l| l.starts_with("::error") || l.starts_with("::warning")).count();
    assert_eq!(annotations, 10, "{err}");
    let notice = err.lines().find(|l| l.starts_with("::notice")).expect("a notice counts the rest");
    assert!(notice.contains("more not annotated"), "{notice}");
}

#[test]
fn redaction_replaces_every_name_everywhere() {
    let real = ["Ivan Petrov", "Jade Morgan", "Amara", "Kofi Mensah", "Northwind Analytics"];
    let redacted = |flag: &str, format: &str| {
        run(&["scan", SAMPLE, "--people", EMPLOYMENT, "--no-timestamp", "--exit-zero", flag, "--format", format])
    };
    for format in FORMATS {
        let out = redacted("--redact", format);
        let text = stdout(&out);
        for name in &real[..4] {
            assert!(!text.contains(name), "{format} leaks {name}");
        }
        assert!(text.contains("person-"), "{format}");
        let again = redacted("--pseudonymize", format);
        assert_eq!(out.stdout, again.stdout, "{format}: pseudonyms are stable");
    }
    // Findings keep their ids, so a redacted report can serve as a baseline.
    let plain: Value = serde_json::from_slice(&sample("json").stdout).unwrap();
    let redacted: Value = serde_json::from_slice(&redacted("--redact", "json").stdout).unwrap();
    assert_eq!(plain["findings"][0]["id"], redacted["findings"][0]["id"]);
    assert!(redacted.to_string().contains(real[4]), "company names are kept");
}

fn tricky(format: &str) -> String {
    let out =
        run(&["scan", TRICKY, "--people", TRICKY_EMPLOYMENT, "--no-timestamp", "--exit-zero", "--format", format]);
    assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    stdout(&out)
}

fn tricky_names() -> Vec<String> {
    std::fs::read_to_string("tests/fixtures/tricky/names.txt").unwrap().lines().map(String::from).collect()
}

#[test]
fn tricky_names_survive_json_and_jsonl_exactly() {
    let names = tricky_names();
    let v: Value = serde_json::from_str(&tricky("json")).unwrap();
    let mut seen: Vec<String> =
        v["people"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().into()).collect();
    seen.sort();
    let mut want = names.clone();
    want.sort();
    assert_eq!(seen, want);
    for line in tricky("jsonl").lines() {
        let f: Value = serde_json::from_str(line).unwrap();
        assert_eq!(f["schema_version"], 1);
        assert!(f["members"].as_array().unwrap().iter().all(|m| names.iter().any(|n| m == n)));
    }
}

#[test]
fn tricky_names_are_inert_in_csv() {
    let people = tricky("csv");
    let rows = common::parse_csv(people.split("\n\n").nth(1).unwrap());
    assert_eq!(rows[0][0], "name");
    for name in tricky_names() {
        let cell = if name.starts_with(['=', '@', '+', '-']) { format!("'{name}") } else { name.clone() };
        assert!(rows.iter().any(|r| r[0] == cell), "{name} as {cell}");
    }
    assert!(rows.iter().skip(1).all(|r| !r[0].starts_with(['=', '@', '+', '-'])), "no cell starts a formula");
}

#[test]
fn tricky_names_are_escaped_in_html_markdown_junit_and_dot() {
    let html = tricky("html");
    assert!(!html.to_lowercase().contains("<script"), "no live script tag");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(html.contains("<bdi>Zoë 🚀 Nakamura</bdi>") && html.contains("<bdi>שרה כהן</bdi>"));
    assert!(html.contains("<bdi>Mallory \u{202e}gnp.exe</bdi>"), "the override stays inside its isolate");
    assert!(html.contains("O&#39;Brien &quot;Bobby&quot; Jr."));

    let md = tricky("markdown");
    assert!(!md.contains("<script"));
    assert!(md.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt;"));
    assert!(md.contains("\u{2068}Mallory \u{202e}gnp.exe\u{2069}"), "isolated in Markdown");
    assert!(md.contains("Lee, Ann") && md.contains("Zoë 🚀 Nakamura"));

    let junit = tricky("junit");
    assert!(junit.contains("name=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\""));
    assert!(junit.contains("name=\"=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)\""));

    let dot = tricky("dot");
    assert!(dot.contains("[label=\"O'Brien \\\"Bobby\\\" Jr.\"]"));
    assert!(dot.contains("[label=\"<script>alert(\\\"x\\\")</script>\"]"));

    let table = tricky("table");
    assert!(table.contains("\u{2068}Mallory \u{202e}gnp.exe\u{2069}"), "the override is isolated in the terminal");
}

/// A tool the test needs from the system: found, or (outside CI) a clear skip.
fn system_tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        common::skip(&format!("{name} is not installed (.ci/run installs it)"));
    }
    found
}

#[test]
fn junit_validates_against_the_schema_gitlab_reads() {
    if !system_tool("xmllint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<&str>); 3] = [
        ("scan", vec!["scan", SAMPLE, "--people", EMPLOYMENT]),
        ("tricky", vec!["scan", TRICKY, "--people", TRICKY_EMPLOYMENT]),
        (
            "check",
            vec![
                "check",
                SAMPLE,
                "--people",
                EMPLOYMENT,
                "--subject",
                "Ivan Petrov",
                "--subject",
                "Nobody",
                "--subject",
                "Chen Wei",
            ],
        ),
    ];
    for (name, args) in cases {
        let path = dir.path().join(format!("{name}.xml"));
        run(&[&args[..], &["--format", "junit", "-o", path.to_str().unwrap()]].concat());
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema", "tests/fixtures/junit.xsd"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let check = std::fs::read_to_string(dir.path().join("check.xml")).unwrap();
    assert!(check.contains("tests=\"3\" failures=\"1\" errors=\"1\""), "{check}");
}

#[test]
fn dot_output_is_valid_graphviz() {
    if !system_tool("dot") {
        return;
    }
    for input in [[SAMPLE, EMPLOYMENT], [TRICKY, TRICKY_EMPLOYMENT]] {
        let text = run(&["scan", input[0], "--people", input[1], "--format", "dot"]).stdout;
        let out = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(&text)?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
    }
}

#[test]
fn markdown_stays_under_its_byte_budget() {
    use backscratch::report::{Markdown, Render};
    let mut config = backscratch::ScanConfig::default();
    config.inputs = vec![SAMPLE.into()];
    config.people = Some(EMPLOYMENT.into());
    let report = backscratch::scan(&config).unwrap().report;
    let mut full = Vec::new();
    Markdown::default().render(&report, &mut full).unwrap();
    let budget = full.len() / 2;
    let mut cut = Vec::new();
    Markdown { max_bytes: budget }.render(&report, &mut cut).unwrap();
    let cut = String::from_utf8(cut).unwrap();
    assert!(cut.len() <= budget, "{} > {budget}", cut.len());
    assert!(cut.contains("more finding(s) did not fit in this summary"), "{cut}");
    assert_eq!(cut.matches("<details>").count(), cut.matches("</details>").count(), "no block cut in half");
}
