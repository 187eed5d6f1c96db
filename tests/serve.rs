//! `backscratch serve --stdio`: the live answers add up to the batch scan of the same rows
//! (the sample and Bitcoin Alpha's positive ratings, each in two arrival orders), and a server
//! killed with SIGKILL at random moments under load, 50 times, loses no acknowledged row and
//! stores none twice: after each restart its state is a batch count of the rows it holds.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_backscratch");

fn start(state: &Path, k: usize) -> Child {
    Command::new(BIN)
        .args(["serve", "--stdio", "--max-len", &k.to_string(), "--state"])
        .arg(state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts")
}

/// Submit `rows` to a server on `state` and then ask for its totals; every answer, in order.
fn serve_all(state: &Path, k: usize, rows: &[(String, String)]) -> Vec<Value> {
    let mut child = start(state, k);
    let mut stdin = child.stdin.take().unwrap();
    let lines: Vec<String> = rows.iter().map(|(a, b)| json!({"from": a, "to": b}).to_string()).collect();
    let writer = std::thread::spawn(move || {
        for l in lines {
            writeln!(stdin, "{l}").unwrap();
        }
        writeln!(stdin, "{}", json!({"op": "totals"})).unwrap();
    });
    let answers: Vec<Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    writer.join().unwrap();
    assert!(child.wait().unwrap().success());
    answers
}

/// What a batch scan counts for `rows`: reciprocal pairs and cycles by length (3..=k).
fn batch(rows: &[(String, String)], k: usize) -> (u64, BTreeMap<String, u64>) {
    let g = backscratch::graph::Graph::from_edges(rows.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let cycles = backscratch::detect::count_cycles(&g, k, &AtomicBool::new(false));
    let by_len = (3..=k).filter(|&l| cycles[l] > 0).map(|l| (l.to_string(), cycles[l])).collect();
    (backscratch::detect::pairs::reciprocal_pairs(&g).len() as u64, by_len)
}

fn totals_match_batch(totals: &Value, rows: &[(String, String)], k: usize, what: &str) {
    let (pairs, cycles) = batch(rows, k);
    assert_eq!(totals["pairs"].as_u64(), Some(pairs), "{what}: pairs");
    let served: BTreeMap<String, u64> =
        totals["cycles"].as_object().unwrap().iter().map(|(l, n)| (l.clone(), n.as_u64().unwrap())).collect();
    assert_eq!(served, cycles, "{what}: cycles by length");
    assert_eq!(totals["incomplete"], 0, "{what}: no search may hit the budget here");
}

#[test]
fn the_sample_served_row_by_row_adds_up_to_its_scan() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample/recommendations.csv")).unwrap();
    let mut rows: Vec<(String, String)> =
        common::parse_csv(&text).into_iter().skip(1).map(|r| (r[0].clone(), r[1].clone())).collect();
    for order in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let answers = serve_all(dir.path(), 5, &rows);
        assert_eq!(answers.len(), rows.len() + 1);
        let totals = &answers.last().unwrap()["totals"];
        totals_match_batch(totals, &rows, 5, "the sample");
        // The scan's own report of the sample, for the two counts it leads with.
        let out = Command::new(BIN)
            .args(["scan", "data/sample/recommendations.csv", "--max-len", "5", "--count-only", "--format", "json"])
            .args(["--no-timestamp", "--exit-zero"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(totals["pairs"], report["summary"]["reciprocal_pairs"]);
        assert_eq!(totals["recommendations"], report["summary"]["recommendations"]);
        assert_eq!(totals["people"], report["summary"]["people"]);
        // Every closing answer lists a path that starts at the row's recommender.
        for (a, (from, _)) in answers.iter().zip(&rows) {
            for path in a["closing"].as_array().unwrap() {
                assert_eq!(path[0].as_str(), Some(from.trim()), "{a}");
            }
        }
        if order == 0 {
            rows.reverse();
        }
    }
}

#[test]
fn bitcoin_alpha_served_in_time_order_and_shuffled_adds_up_to_the_batch() {
    let Some(real) = common::shared("the serve parity test on Bitcoin Alpha") else { return };
    let file = std::fs::File::open(real.join("snap/soc-sign-bitcoinalpha.csv.gz")).unwrap();
    let mut rows: Vec<(i64, String, String)> = Vec::new();
    for line in BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let line = line.unwrap();
        let f: Vec<&str> = line.split(',').collect();
        if f[2].parse::<f64>().unwrap() > 0.0 {
            rows.push((f[3].trim().parse::<f64>().unwrap() as i64, f[0].to_string(), f[1].to_string()));
        }
    }
    rows.sort_by_key(|r| r.0);
    let mut rows: Vec<(String, String)> = rows.into_iter().map(|(_, a, b)| (a, b)).collect();
    for order in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let answers = serve_all(dir.path(), 4, &rows);
        totals_match_batch(&answers.last().unwrap()["totals"], &rows, 4, "Bitcoin Alpha");
        if order == 0 {
            // A seeded shuffle: another arrival order, the same final graph.
            let mut x = 0x9E37_79B9_7F4A_7C15u64;
            for i in (1..rows.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                rows.swap(i, (x % (i as u64 + 1)) as usize);
            }
        }
    }
}

#[test]
fn a_lone_line_is_answered_while_the_input_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start(dir.path(), 4);
    let mut stdin = child.stdin.take().unwrap();
    let mut answers = BufReader::new(child.stdout.take().unwrap());
    for (i, (a, b)) in [("a", "b"), ("b", "a")].into_iter().enumerate() {
        writeln!(stdin, "{}", json!({"from": a, "to": b})).unwrap();
        let mut line = String::new();
        answers.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert_eq!((answer["seq"].as_u64(), answer["pair"].as_bool()), (Some(i as u64), Some(i == 1)), "{line}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

/// Row `i` of the crash test's endless input: a random graph of 400 people (with repeats and
/// self-recommendations, which are stored and counted like the rest).
fn row(i: u64) -> (String, String) {
    let h = |x: u64| x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (format!("p{}", h(2 * i) % 400), format!("p{}", h(2 * i + 1) % 400))
}

#[test]
fn a_server_killed_50_times_under_load_keeps_every_acknowledged_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let k = 4;
    let mut stored = 0u64;
    let mut acknowledged = 0u64;
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for round in 0..50 {
        let mut child = start(dir.path(), k);
        let mut stdin = child.stdin.take().unwrap();
        let mut answers = BufReader::new(child.stdout.take().unwrap());
        // What the restarted server holds: it must be every row acknowledged so far, each once.
        writeln!(stdin, "{}", json!({"op": "totals"})).unwrap();
        let mut line = String::new();
        answers.read_line(&mut line).unwrap();
        let totals = serde_json::from_str::<Value>(&line).unwrap()["totals"].clone();
        let held = totals["rows"].as_u64().unwrap();
        assert!(held >= acknowledged && held >= stored, "round {round}: holds {held}, acknowledged {acknowledged}");
        stored = held;
        let rows: Vec<(String, String)> = (0..stored).map(row).collect();
        totals_match_batch(&totals, &rows, k, &format!("round {round}"));
        let distinct: HashSet<&(String, String)> = rows.iter().filter(|(a, b)| a != b).collect();
        assert_eq!(totals["recommendations"].as_u64(), Some(distinct.len() as u64), "round {round}: stored twice?");
        // Load: rows from where the store ends, read back as they are answered, until a kill
        // at a random moment (1..40 ms in).
        let start_at = stored;
        let writer = std::thread::spawn(move || {
            for i in start_at..start_at + 200_000 {
                let (a, b) = row(i);
                if writeln!(stdin, "{}", json!({"from": a, "to": b})).is_err() {
                    return;
                }
            }
        });
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1 + rng % 40);
        let pid = child.id();
        let killer = std::thread::spawn(move || {
            std::thread::sleep(deadline.saturating_duration_since(std::time::Instant::now()));
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        });
        let mut answered = 0u64;
        for l in answers.lines() {
            let Ok(l) = l else { break };
            let a: Value = serde_json::from_str(&l).unwrap();
            assert_eq!(a["seq"].as_u64(), Some(start_at + answered), "round {round}: answers in order");
            answered += 1;
        }
        killer.join().unwrap();
        let _ = child.wait();
        writer.join().unwrap();
        acknowledged = start_at + answered;
    }
    assert!(acknowledged > 1_000, "the load was too light to test anything: {acknowledged} rows");
}
