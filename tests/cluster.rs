//! `scan --hosts FILE --process I`: two and three processes on 127.0.0.1 give the report of
//! one process (summary, findings, people; byte for byte where the inputs allow), and a peer
//! that never starts, dies mid-scan or was started differently is an exit-2 error naming it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("backscratch")
}

/// A host file for `n` processes on free loopback ports.
fn host_file(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let listeners: Vec<std::net::TcpListener> =
        (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    let hosts: Vec<String> = listeners.iter().map(|l| l.local_addr().unwrap().to_string()).collect();
    drop(listeners);
    let path = dir.join(format!("hosts-{n}"));
    std::fs::write(&path, hosts.join("\n") + "\n").unwrap();
    (path, hosts)
}

fn start(args: &[&str], hosts: &Path, i: usize) -> Child {
    Command::new(binary())
        .args(args)
        .args(["--hosts", hosts.to_str().unwrap(), "--process", &i.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Run `args` as `n` processes; every process's output, in process order.
fn cluster(args: &[&str], n: usize) -> Vec<Output> {
    let dir = tempfile::tempdir().unwrap();
    let (hosts, _) = host_file(dir.path(), n);
    let children: Vec<Child> = (0..n).rev().map(|i| start(args, &hosts, i)).collect();
    // Read every process's pipes at once: process 0 writes the report before the others
    // can finish, and a full pipe would stop it.
    let waits: Vec<_> =
        children.into_iter().map(|c| std::thread::spawn(move || c.wait_with_output().unwrap())).collect();
    let mut outs: Vec<Output> = waits.into_iter().map(|w| w.join().unwrap()).collect();
    outs.reverse();
    outs
}

fn single(args: &[&str]) -> Output {
    Command::new(binary()).args(args).output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// One process and `n` processes agree: same exit code everywhere, process 0's summary,
/// findings and people equal the single process's, the others print nothing.
fn same_as_one(args: &[&str], n: usize) -> Value {
    let one = single(args);
    let many = cluster(args, n);
    for (i, out) in many.iter().enumerate() {
        assert_eq!(out.status.code(), one.status.code(), "process {i}: {}", String::from_utf8_lossy(&out.stderr));
        if i > 0 {
            assert!(out.stdout.is_empty(), "only process 0 writes the report");
        }
    }
    let (a, b) = (json(&one), json(&many[0]));
    for key in ["summary", "cases", "findings", "people", "inputs", "params"] {
        assert_eq!(a[key], b[key], "{key} differs with {n} processes");
    }
    b
}

const SAMPLE: [&str; 7] = [
    "scan",
    "data/sample/recommendations.csv",
    "--people",
    "data/sample/employment.csv",
    "--format",
    "json",
    "--no-timestamp",
];

#[test]
fn the_sample_on_two_and_three_processes_is_the_sample_report_byte_for_byte() {
    let one = single(&SAMPLE);
    for n in [2, 3] {
        let many = cluster(&SAMPLE, n);
        assert_eq!(many[0].stdout, one.stdout, "{n} processes");
        assert!(many.iter().all(|o| o.status.code() == Some(1)), "findings at high: exit 1 everywhere");
    }
}

#[test]
fn a_generated_network_with_histories_on_two_and_three_processes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("net");
    let made = single(&["generate", "-o", out.to_str().unwrap(), "--people", "3000", "--seed", "4"]);
    assert!(made.status.success());
    let recs = out.join("recommendations.csv");
    let jobs = out.join("employment.csv");
    let args =
        ["scan", recs.to_str().unwrap(), "--people", jobs.to_str().unwrap(), "--format", "json", "--no-timestamp"];
    for n in [2, 3] {
        let v = same_as_one(&args, n);
        assert!(v["summary"]["by_severity"]["high"].as_u64().unwrap() > 0);
    }
}

#[test]
fn a_plain_file_read_in_ranges_keeps_every_row_and_line() {
    // Quote-free, so each process reads its own byte range: rows that are duplicates of rows
    // in another range, self-recommendations and bad rows at range edges all keep their
    // accounting, and findings point at the same lines.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edges.csv");
    let mut text = String::from("from,to,date\n");
    let mut state = 12345u64;
    for i in 0..30_000u64 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (a, b) = ((state >> 20) % 3000, (state >> 40) % 3000);
        text.push_str(&format!("p{a},p{b},2020-01-{:02}\n", 1 + i % 28));
        if i % 997 == 0 {
            text.push_str(&format!("p{a},p{a},2020-02-01\n,p{b},2020-02-02\np{b},p{a},not a date\n"));
        }
    }
    text.push_str("p1,p2,2021-01-01\n"); // a late copy of an early row
    std::fs::write(&path, &text).unwrap();
    let args = ["scan", path.to_str().unwrap(), "--format", "json", "--no-timestamp", "--max-len", "4"];
    for n in [2, 3] {
        let v = same_as_one(&args, n);
        let input = &v["inputs"][0];
        assert!(input["duplicates"].as_u64().unwrap() > 0 && input["self_loops"].as_u64().unwrap() > 0, "{input}");
    }
    // A file shorter than the rows read ahead to find its header: no row is read twice.
    let tiny = dir.path().join("tiny.csv");
    std::fs::write(&tiny, "from,to\nann,bob\nbob,ann\n").unwrap();
    let args = ["scan", tiny.to_str().unwrap(), "--format", "json", "--no-timestamp", "--max-len", "4"];
    let v = same_as_one(&args, 3);
    assert_eq!(v["inputs"][0]["rows"], 2);
}

#[test]
fn count_only_keeps_the_earliest_dated_copy_across_inputs() {
    // The same recommendations in three inputs: dated late, dated early, undated. Whichever
    // process reads a copy, the kept one is the earliest dated (as one process keeps it), so
    // each input is charged the same duplicates.
    let dir = tempfile::tempdir().unwrap();
    let (mut late, mut early, mut undated) =
        (String::from("from,to,date\n"), String::from("from,to,date\n"), String::from("from,to\n"));
    let mut state = 777u64;
    for i in 0..6_000u64 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (a, b) = ((state >> 20) % 900, (state >> 40) % 900);
        late.push_str(&format!("p{a},p{b},2021-03-{:02}\n", 1 + i % 28));
        if i % 3 == 0 {
            early.push_str(&format!("p{a},p{b},2020-01-{:02}\n", 1 + i % 28));
        }
        if i % 5 == 0 {
            undated.push_str(&format!("p{b},p{a}\np{a},p{b}\n"));
        }
    }
    let paths: Vec<PathBuf> = [("late.csv", &late), ("early.csv", &early), ("undated.csv", &undated)]
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let mut args: Vec<&str> = vec!["scan"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--count-only", "--max-len", "4", "--format", "json", "--no-timestamp"]);
    for n in [2, 3] {
        let v = same_as_one(&args, n);
        let inputs = v["inputs"].as_array().unwrap();
        assert!(inputs.iter().all(|i| i["duplicates"].as_u64().unwrap() > 0), "{inputs:?}");
    }
}

#[test]
fn bitcoin_alpha_with_dates_on_two_and_three_processes() {
    let Some(real) = common::shared("the Bitcoin Alpha cluster test") else { return };
    let alpha = real.join("snap/soc-sign-bitcoinalpha.csv.gz");
    let args = ["scan", alpha.to_str().unwrap(), "--time-col", "4", "--format", "json", "--no-timestamp"];
    for n in [2, 3] {
        let v = same_as_one(&args, n);
        assert!(v["summary"]["reciprocal_pairs"].as_u64().unwrap() > 0);
    }
}

/// Plain edge lists (no dates, texts, relationships or weights) are judged from the core:
/// process 0 receives only the recommendations around pairs and cycles, and the report is
/// still one process's. `--verbose` shows the distributed stage as `core`.
#[test]
fn plain_edge_lists_are_judged_from_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.csv");
    let mut text = String::from("from,to\n");
    let mut state = 99u64;
    for i in 0..40_000u64 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (a, b) = ((state >> 20) % 4000, (state >> 40) % 4000);
        text.push_str(&format!("p{a},p{b}\n"));
        if i % 991 == 0 {
            // A self-recommendation, a row without a recommender, a repeat of an earlier row.
            text.push_str(&format!("p{a},p{a}\n,p{b}\np{a},p{b}\n"));
        }
    }
    std::fs::write(&path, &text).unwrap();
    let small = dir.path().join("more.tsv.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, b"p1\tp2\np2\tp1\np2\tp3\np3\tp1\np1\tp2\n").unwrap();
    std::fs::write(&small, gz.finish().unwrap()).unwrap();
    let (p, s) = (path.to_str().unwrap(), small.to_str().unwrap());
    let core = |outs: &[Output]| String::from_utf8_lossy(&outs[0].stderr).contains("backscratch: core");
    for (args, n) in [(vec!["scan", p, "--max-len", "5"], 2), (vec!["scan", p, s, "--max-len", "4"], 3)] {
        let args = [&args[..], &["--format", "json", "--no-timestamp", "--verbose"]].concat();
        let v = same_as_one(&args, n);
        assert!(v["summary"]["cycles"]["4"].as_u64().unwrap() > 0, "{}", v["summary"]);
        assert!(
            v["inputs"][0]["duplicates"].as_u64().unwrap() > 0 && v["inputs"][0]["self_loops"].as_u64().unwrap() > 0
        );
        assert!(core(&cluster(&args, n)), "judged from the core");
    }
    // With dates (or texts, histories, ...) the rows are gathered instead.
    let dated = dir.path().join("dated.csv");
    std::fs::write(&dated, "from,to,date\nann,bob,2024-01-01\nbob,ann,2024-01-02\n").unwrap();
    let args = ["scan", dated.to_str().unwrap(), "--format", "json", "--no-timestamp", "--verbose"];
    assert!(!core(&cluster(&args, 2)));
}

#[test]
fn wiki_vote_is_judged_from_the_core_on_two_processes() {
    let Some(real) = common::shared("the wiki-Vote cluster test") else { return };
    let vote = real.join("snap/wiki-Vote.txt");
    let args = ["scan", vote.to_str().unwrap(), "--max-len", "4", "--format", "json", "--no-timestamp"];
    let v = same_as_one(&args, 2);
    assert!(v["summary"]["findings"].as_u64().unwrap() > 100_000);
    // The default scan (`--max-len auto`): the cluster labels components as one process
    // does, so it chooses the same k (5) for the same reason and the report is the same.
    let auto = ["scan", vote.to_str().unwrap(), "--format", "json", "--no-timestamp"];
    let v = same_as_one(&auto, 2);
    assert_eq!(v["params"]["max_cycle_len"], 5);
}

/// Wait for `child` at most `limit`; its output, or `None` if it is still running (then it
/// is killed).
fn wait_at_most(mut child: Child, limit: Duration) -> Option<Output> {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[test]
fn a_peer_that_never_starts_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (hosts, addrs) = host_file(dir.path(), 3);
    let args = [&SAMPLE[..], &["--connect-timeout", "1s"]].concat();
    let started = Instant::now();
    let p0 = start(&args, &hosts, 0);
    let p1 = start(&args, &hosts, 1);
    for (i, child) in [p0, p1].into_iter().enumerate() {
        let out = wait_at_most(child, Duration::from_secs(20)).expect("exits instead of hanging");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "process {i}: {err}");
        assert!(err.contains(&format!("process 2 ({})", addrs[2])), "process {i}: {err}");
    }
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn a_peer_started_with_other_flags_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (hosts, _) = host_file(dir.path(), 2);
    let p1 = start(&[&SAMPLE[..], &["--max-len", "3"]].concat(), &hosts, 1);
    let p0 = start(&SAMPLE, &hosts, 0);
    for child in [p0, p1] {
        let out = wait_at_most(child, Duration::from_secs(20)).expect("exits instead of hanging");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("was started differently: --max-len differs"), "{err}");
    }
}

#[test]
fn a_cluster_key_lets_its_holders_in_and_names_a_peer_with_another() {
    let dir = tempfile::tempdir().unwrap();
    let key = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (ours, theirs, short) = (
        key("ours", "a secret of more than 16 bytes\n"),
        key("theirs", "another secret, also long\n"),
        key("short", "abc"),
    );
    // The same key: the one-process report.
    let keyed = [&SAMPLE[..], &["--cluster-key", &ours]].concat();
    let (hosts, _) = host_file(dir.path(), 2);
    let p1 = start(&keyed, &hosts, 1);
    let p0 = start(&keyed, &hosts, 0);
    let one = single(&SAMPLE);
    for (i, child) in [p0, p1].into_iter().enumerate() {
        let out = wait_at_most(child, Duration::from_secs(30)).expect("exits instead of hanging");
        assert_eq!(out.status.code(), one.status.code(), "process {i}: {}", String::from_utf8_lossy(&out.stderr));
        if i == 0 {
            assert_eq!(json(&out)["findings"], json(&one)["findings"]);
        }
    }
    // Another key (or none) on process 1: it is told the key is not proved, and process 0
    // names the dropped connection when it gives up.
    for other in [Some(theirs.as_str()), None] {
        let (hosts, _) = host_file(dir.path(), 2);
        let second = match other {
            Some(k) => [&SAMPLE[..], &["--cluster-key", k]].concat(),
            None => SAMPLE.to_vec(),
        };
        let p0 = start(&[&keyed[..], &["--connect-timeout", "3s"]].concat(), &hosts, 0);
        let p1 = start(&second, &hosts, 1);
        let out = wait_at_most(p1, Duration::from_secs(20)).expect("exits instead of hanging");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("did not prove the cluster key"), "{err}");
        let out = wait_at_most(p0, Duration::from_secs(20)).expect("exits instead of hanging");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("it did not prove the cluster key"), "{err}");
    }
    // A key too short to keep anyone out is refused before any connection.
    let (hosts, _) = host_file(dir.path(), 2);
    let out =
        wait_at_most(start(&[&SAMPLE[..], &["--cluster-key", &short]].concat(), &hosts, 0), Duration::from_secs(10))
            .expect("exits");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("too short"), "{err}");
}

#[test]
fn processes_started_with_other_per_process_options_or_flag_spellings_agree() {
    // The handshake compares the parsed options that change results: --threads (per
    // process), -q, the flag order and `--max-len=4` against `--max-len 4` may differ.
    let dir = tempfile::tempdir().unwrap();
    let (hosts, _) = host_file(dir.path(), 2);
    let second: Vec<&str> = ["scan", "--max-len=4", "--no-timestamp", "--threads", "1", "-q", "--format", "json"]
        .into_iter()
        .chain(["--people", "data/sample/employment.csv", "data/sample/recommendations.csv"])
        .collect();
    let report = dir.path().join("out.json");
    let first = [&SAMPLE[..], &["--max-len", "4", "--connect-timeout", "20s", "-o", report.to_str().unwrap()]].concat();
    let p1 = start(&second, &hosts, 1);
    let p0 = start(&first, &hosts, 0);
    let one = single(&[&SAMPLE[..], &["--max-len", "4"]].concat());
    for (i, child) in [p0, p1].into_iter().enumerate() {
        let out = wait_at_most(child, Duration::from_secs(30)).expect("exits instead of hanging");
        assert_eq!(out.status.code(), Some(1), "process {i}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "process {i}: the report goes to -o, nothing to standard output");
    }
    assert_eq!(std::fs::read(&report).unwrap(), one.stdout, "process 0 writes the one-process report");
}

/// A network whose 8-cycle search runs for minutes: long enough to stop a peer in.
fn dense_network(dir: &Path) -> PathBuf {
    let path = dir.join("dense.csv");
    let mut text = String::from("from,to\n");
    let mut state = 99u64;
    for _ in 0..60_000 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        text.push_str(&format!("p{},p{}\n", (state >> 20) % 4000, (state >> 40) % 4000));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_stopped_peer_is_named_after_its_silence_instead_of_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let path = dense_network(dir.path());
    let (hosts, addrs) = host_file(dir.path(), 2);
    let args = ["scan", path.to_str().unwrap(), "--max-len", "8", "--connect-timeout", "10s", "--format", "json"];
    let mut victim = start(&args, &hosts, 1);
    let survivor = start(&args, &hosts, 0);
    std::thread::sleep(Duration::from_millis(2500));
    assert!(victim.try_wait().unwrap().is_none(), "the scan must still be running to test this");
    let stopped = Command::new("kill").args(["-STOP", &victim.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    let started = Instant::now();
    let out = wait_at_most(survivor, Duration::from_secs(40)).expect("exits instead of hanging");
    let _ = victim.kill();
    let _ = victim.wait();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("lost process 1 ({}): not a sign of life", addrs[1])), "{err}");
    assert!(started.elapsed() >= Duration::from_secs(9), "not before the limit: {:?}", started.elapsed());
}

#[test]
fn a_peer_killed_mid_scan_stops_the_others_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dense_network(dir.path());
    let (hosts, addrs) = host_file(dir.path(), 3);
    let args = ["scan", path.to_str().unwrap(), "--max-len", "8", "--format", "json", "--no-timestamp"];
    let children: Vec<Child> = (0..3).rev().map(|i| start(&args, &hosts, i)).collect();
    let mut children: Vec<Child> = children.into_iter().rev().collect();
    std::thread::sleep(Duration::from_millis(2500));
    let mut victim = children.pop().unwrap(); // process 2
    assert!(victim.try_wait().unwrap().is_none(), "the scan must still be running to test this");
    victim.kill().unwrap();
    let _ = victim.wait();
    for (i, child) in children.into_iter().enumerate() {
        let out = wait_at_most(child, Duration::from_secs(30)).expect("exits instead of hanging");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "process {i}: {err}");
        assert!(err.contains(&format!("process 2 ({})", addrs[2])), "process {i}: {err}");
    }
}

#[test]
fn count_only_counts_pairs_and_cycles_by_distributed_joins() {
    // Nothing is gathered: the dictionary, the edges and the half-path joins are spread over
    // the processes; the counts must equal one process's (and so igraph's, see compare.py).
    let Some(real) = common::shared("the distributed counting test") else { return };
    let alpha = real.join("snap/soc-sign-bitcoinalpha.csv.gz");
    let vote = real.join("snap/wiki-Vote.txt"); // plain: read in byte ranges
    for (path, k) in [(&alpha, "5"), (&vote, "4")] {
        let args =
            ["scan", path.to_str().unwrap(), "--count-only", "--max-len", k, "--format", "json", "--no-timestamp"];
        for n in [2, 3] {
            let v = same_as_one(&args, n);
            assert!(v["summary"]["cycles"]["4"].as_u64().unwrap() > 100_000, "{}", v["summary"]);
        }
    }
    // With `auto`, a cluster estimates inside components as one process does: on wiki-Vote
    // both choose k = 5 (the cluster chose 4 when it counted walks in the whole network).
    let args = ["scan", vote.to_str().unwrap(), "--count-only", "--format", "json", "--no-timestamp"];
    let v = same_as_one(&args, 2);
    let choice = &v["params"]["max_len_choice"];
    assert!(choice["reason"].as_str().unwrap().contains("among the 1300 people of cyclic components"), "{choice}");
    assert_eq!(v["params"]["max_cycle_len"], 5);
}
