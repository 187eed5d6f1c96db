//! LinkedIn exports end to end, on the synthetic exports of `tests/fixtures/linkedin`
//! (`make.py` writes them): three owners' exports trading in a ring, an honest pair seen from
//! both sides, two different people called Sam Park, an Excel-resaved export, zips and
//! unpacked folders mixed with an edge list, and archives built to attack the reader.

use assert_cmd::Command;
use serde_json::Value;

const EXPORTS: &str = "tests/fixtures/linkedin/exports";

fn bs() -> Command {
    let mut c = Command::cargo_bin("backscratch").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH").env_remove("GITHUB_ACTIONS");
    c
}

fn scan(args: &[&str]) -> (Option<i32>, Value, String) {
    let out = bs().args(["scan", "--format", "json", "--no-timestamp", "--exit-zero"]).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), v, stderr)
}

fn finding<'a>(v: &'a Value, kind: &str, members: &[&str]) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["members"] == serde_json::json!(members))
        .unwrap_or_else(|| panic!("no {kind} of {members:?} in {:#}", v["findings"]))
}

#[test]
fn the_ring_across_three_exports_is_found_with_dates_and_evidence() {
    let (code, v, err) = scan(&[EXPORTS]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["summary"]["cycles"]["3"], 1);
    let ring = finding(&v, "cycle", &["Ava Stone", "Ben Okoro", "Cleo Marsh"]);
    assert_eq!(ring["severity"], "high", "strangers per their Positions.csv, praise returned within days");
    let edges: Vec<(&str, &str, &str)> = ring["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap(), e["created"].as_str().unwrap()))
        .collect();
    assert_eq!(
        edges,
        [
            ("Ava Stone", "Ben Okoro", "2024-03-01T10:00:00Z"),
            ("Ben Okoro", "Cleo Marsh", "2024-03-03T21:30:00Z"),
            ("Cleo Marsh", "Ava Stone", "2024-03-05T08:15:00Z"),
        ]
    );
    // The counterpart's job and the connection date are kept as evidence; the Excel-resaved
    // Connections.csv (Notes:,, preamble, 18-Jun-24) supplies Cleo's.
    assert_eq!(ring["edges"][0]["context"], "recommendee: Engineer at Harbor Labs; connected since 2022-12-16");
    assert_eq!(ring["edges"][2]["context"], "recommender: Product Manager at Orbit Travel; connected since 2024-06-18");
    assert_eq!(ring["edges"][0]["source"]["path"], format!("{EXPORTS}/ava.zip!Recommendations_Given.csv"));
    let uncorroborated = ring["signals"].as_array().unwrap().iter().find(|s| s["name"] == "uncorroborated").unwrap();
    assert_eq!(uncorroborated["fired"], true);
}

#[test]
fn a_recommendation_seen_from_both_sides_counts_once() {
    let (_, v, _) = scan(&[EXPORTS]);
    // Ten rows carry the ring's three recommendations and the pair's two (each in the giver's
    // Given and the reader's Received file), plus Sam Park's two rows, Ava's endorsement and
    // the edge list's one row: 14 rows, 8 recommendations, 5 duplicates, 1 skipped.
    assert_eq!(v["summary"]["recommendations"], 8);
    let inputs = v["inputs"].as_array().unwrap();
    let sum = |key: &str| inputs.iter().map(|i| i[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("rows"), 14);
    assert_eq!(sum("used"), 8);
    assert_eq!(sum("duplicates"), 5);
    assert_eq!(sum("skipped"), 1, "Ava's endorsement, not read by default");
    assert_eq!(sum("rows"), sum("used") + sum("duplicates") + sum("skipped") + sum("self_loops"));
    // The honest colleagues: one pair, corroborated by overlapping jobs at Harbor Labs.
    let pair = finding(&v, "pair", &["Ben Okoro", "Dana Reyes"]);
    assert_eq!(pair["severity"], "info");
    assert_eq!(pair["edges"].as_array().unwrap().len(), 2);
    let corroborated = pair["signals"].as_array().unwrap().iter().find(|s| s["name"] == "corroborated").unwrap();
    assert_eq!(corroborated["fired"], true, "{corroborated:#}");
    assert!(corroborated["explanation"].as_str().unwrap().contains("Harbor Labs"));
    assert!(pair["edges"][0]["context"].as_str().unwrap().contains("Staff Engineer at Harbor Labs"));
}

#[test]
fn one_name_two_people_is_a_warning_not_a_merge() {
    let (_, v, _) = scan(&[EXPORTS]);
    let warnings = v["summary"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let w = warnings[0].as_str().unwrap();
    assert!(w.contains("2 different people are named 'Sam Park'"), "{w}");
    assert!(w.contains("'Sam Park (Globex)' seen at") && w.contains("'Sam Park (Initech)' seen at"), "{w}");
    assert_eq!(v["summary"]["people"], 7, "Ava, Ben, Cleo, Dana, Eli and two Sam Parks");
    let out = bs().args(["scan", EXPORTS, "--exit-zero"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning: 2 different people are named 'Sam Park'"));
}

#[test]
fn zips_folders_and_edge_lists_mix() {
    // The same exports named one by one: two zips, two folders, one edge list.
    let one_by_one: Vec<String> =
        ["ava.zip", "ben", "cleo.zip", "dana", "referrals.csv"].iter().map(|p| format!("{EXPORTS}/{p}")).collect();
    let args: Vec<&str> = one_by_one.iter().map(String::as_str).collect();
    let (code, v, err) = scan(&args);
    assert_eq!(code, Some(0), "{err}");
    let (_, whole, _) = scan(&[EXPORTS]);
    assert_eq!(v["findings"], whole["findings"]);
    assert_eq!(v["summary"]["recommendations"], 8);
    // Eli Novak comes from the ordinary edge list and meets Cleo of the Excel-resaved zip.
    let people: Vec<&str> = whole["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["members"].as_array().unwrap())
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(!people.contains(&"Eli Novak"), "Eli is in no finding");
    let inputs: Vec<&str> = whole["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(inputs[0], format!("{EXPORTS}/referrals.csv"));
    assert!(inputs.contains(&format!("{EXPORTS}/cleo.zip!Recommendations_Received.csv").as_str()));
    assert!(inputs.contains(&format!("{EXPORTS}/ben/Recommendations_Given.csv").as_str()));
}

#[test]
fn endorsements_are_a_weaker_kind_read_only_when_asked() {
    let (_, v, _) = scan(&[EXPORTS, "--include", "endorsements"]);
    assert_eq!(v["params"]["include"], serde_json::json!(["endorsements"]));
    let pair = finding(&v, "pair", &["Ava Stone", "Ben Okoro"]);
    let endorsement = pair["edges"].as_array().unwrap().iter().find(|e| e["kind"] == "endorsement").unwrap();
    assert_eq!(endorsement["from"], "Ben Okoro");
    assert_eq!(endorsement["created"], "2024-03-02T09:00:00Z");
    assert!(endorsement["context"].as_str().unwrap().starts_with("endorsement of the skill 'Python'"));
    let recommendation = pair["edges"].as_array().unwrap().iter().find(|e| e["from"] == "Ava Stone").unwrap();
    assert!(recommendation.get("kind").is_none(), "recommendations carry no kind");
    // Weaker: a finding with an endorsement is at most medium, and endorsements do not join
    // findings into rings; the ring of written recommendations stays high.
    assert_eq!(pair["severity"], "medium");
    assert_eq!(v["summary"]["rings"], 0);
    assert_eq!(finding(&v, "cycle", &["Ava Stone", "Ben Okoro", "Cleo Marsh"])["severity"], "high");
}

#[test]
fn an_export_without_profile_needs_its_owner_named() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("anon");
    std::fs::create_dir(&export).unwrap();
    std::fs::copy(format!("{EXPORTS}/ben/Recommendations_Given.csv"), export.join("Recommendations_Given.csv"))
        .unwrap();
    let (code, _, err) = scan(&[export.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no Profile.csv") && err.contains("--owner"), "{err}");
    let owner = format!("{}=Ben Okoro", export.display());
    let (code, v, err) = scan(&[export.to_str().unwrap(), "--owner", &owner]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["summary"]["recommendations"], 2);
    assert_eq!(v["params"]["owners"][0], owner);
}

#[test]
fn malicious_and_damaged_archives_are_refused() {
    let (code, v, err) = scan(&["tests/fixtures/linkedin/malicious/slip.zip"]);
    assert_eq!(code, Some(2));
    assert_eq!(v, Value::Null, "no report");
    assert!(err.contains("slip.zip: ../../evil.csv: refused: the entry's path leaves the archive"), "{err}");
    assert!(!std::path::Path::new("tests/fixtures/evil.csv").exists() && !std::path::Path::new("evil.csv").exists());

    let (code, _, err) = scan(&["tests/fixtures/linkedin/malicious/damaged.zip"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("damaged.zip") && err.contains("damaged"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_zip_and_its_unpacked_folder_are_one_person() {
    let dir = tempfile::tempdir().unwrap();
    let zip = format!("{EXPORTS}/ava.zip");
    let folder = dir.path().join("ava-unpacked");
    std::fs::create_dir(&folder).unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    archive.extract(&folder).unwrap();
    let (_, alone, _) = scan(&[&zip]);
    let (code, both, err) = scan(&[&zip, folder.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(both["summary"]["recommendations"], alone["summary"]["recommendations"]);
    assert_eq!(both["summary"]["people"], alone["summary"]["people"]);
    let warnings = both["summary"]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w.as_str().unwrap().contains("are exports of the same person ('Ava Stone'")),
        "{warnings:?}"
    );
}

#[test]
fn strict_makes_a_bad_export_row_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("bad");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(export.join("Profile.csv"), "First Name,Last Name\nAva,Stone\n").unwrap();
    std::fs::write(
        export.join("Recommendations_Given.csv"),
        "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\nBen,Okoro,,,fine,someday,\n",
    )
    .unwrap();
    let (code, v, _) = scan(&[export.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    // A bad date loses only the date: the recommendation stays, undated and counted.
    assert_eq!(v["inputs"][0]["used"], 1);
    assert_eq!(v["inputs"][0]["undated_bad_date"], 1);
    assert!(v["summary"]["warnings"].to_string().contains("line 2: 'someday'"));
    let (code, _, err) = scan(&[export.to_str().unwrap(), "--strict"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("Recommendations_Given.csv:2: bad date"), "{err}");
}

#[test]
fn check_works_on_exports_and_points_at_both_sam_parks() {
    let out = bs()
        .args(["check", EXPORTS, "--format", "json", "--no-timestamp"])
        .args(["--subject", "Ava Stone", "--subject", "Dana Reyes", "--subject", "Sam Park"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "Sam Park is ambiguous: no verdict");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let status: Vec<&str> = v["subjects"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["fail", "pass", "ambiguous"]);
    assert_eq!(v["subjects"][2]["suggestions"], serde_json::json!(["Sam Park (Globex)", "Sam Park (Initech)"]));
}
