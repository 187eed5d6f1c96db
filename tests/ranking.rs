//! The people ranking (issue 25): people are ordered by the strength of the evidence against
//! them, not by name, whenever that evidence differs.

use assert_cmd::Command;
use serde_json::Value;

/// Two three-person rings dated the same day; `z1` also collects praise from three people
/// they never recommended. Names put `a1` first; the evidence puts `z1` first.
fn data() -> String {
    let mut rows = vec!["from,to,date".to_string()];
    for (a, b) in [("a1", "a2"), ("a2", "a3"), ("a3", "a1"), ("z1", "z2"), ("z2", "z3"), ("z3", "z1")] {
        rows.push(format!("{a},{b},2024-03-01"));
    }
    for k in 0..3 {
        rows.push(format!("fan{k},z1,2023-0{}-15", k + 1));
    }
    for k in 0..40 {
        rows.push(format!("p{k},q{k},20{}-0{}-1{}", 10 + k % 10, 1 + k % 9, k % 9));
    }
    rows.join("\n") + "\n"
}

#[test]
fn people_are_ordered_by_evidence_not_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ties.csv");
    std::fs::write(&path, data()).unwrap();
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["scan", path.to_str().unwrap(), "--format", "json", "--no-timestamp", "--exit-zero"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let people = r["people"].as_array().unwrap();
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["z1", "a1", "a2", "a3", "z2", "z3"]);
    let z1 = &people[0];
    assert_eq!(z1["evidence"]["received_unreturned"], 4);
    assert_eq!(z1["evidence"]["flagged_findings"], 1);
    assert!(z1["risk"].as_u64() > people[1]["risk"].as_u64());
    assert!(z1["reason"].as_str().unwrap().contains("4 received from people they never recommended"));
    // Whenever two neighbours in the list have the same risk and verdict, their evidence is
    // the same too, or the strength orders them.
    for w in people.windows(2) {
        let (s0, s1) = (w[0]["evidence"]["strength"].as_f64().unwrap(), w[1]["evidence"]["strength"].as_f64().unwrap());
        assert!(w[0]["risk"].as_u64() > w[1]["risk"].as_u64() || s0 >= s1);
        if w[0]["evidence"] != w[1]["evidence"] && w[0]["risk"] == w[1]["risk"] {
            assert!(s0 > s1, "{} and {} tie by name with different evidence", w[0]["name"], w[1]["name"]);
        }
    }
}
