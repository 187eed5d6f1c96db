//! `--format jsonl` from `scan` streams every finding (issue 25): one compact line per pair,
//! cycle and ring, each with its case, equal to the JSON report where both list a finding,
//! the same bytes whatever the threads, and with memory that does not grow with the number of
//! findings. One test in this file, so the peak memory of its child processes is theirs alone.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The largest peak resident memory of any child waited for so far, in KiB.
fn peak_of_children_kib() -> i64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage.ru_maxrss
    }
}

struct Streamed {
    /// The stream itself, when kept.
    text: Option<Vec<u8>>,
    lines: u64,
    report: Value,
}

/// Stream `input`'s findings at `k` on `threads` threads (read as they come, kept if asked),
/// with the JSON report beside them.
fn stream(input: &Path, k: &str, threads: &str, keep: bool, dir: &Path) -> Streamed {
    let report = dir.join(format!("report-{k}-{threads}.json"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_backscratch"))
        .args(["scan", "--time-col", "4", "--max-len", k, "--threads", threads, "--format", "jsonl"])
        .args(["--no-timestamp", "--fail-on", "never", "--report"])
        .arg(format!("json={}", report.display()))
        .arg(input)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let (mut lines, mut text, mut buf) = (0u64, Vec::new(), vec![0u8; 1 << 20]);
    loop {
        let n = out.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        if keep {
            text.extend_from_slice(&buf[..n]);
        }
    }
    assert!(child.wait().unwrap().success());
    let report = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    Streamed { text: keep.then_some(text), lines, report }
}

#[test]
fn jsonl_streams_every_finding_of_a_large_run_with_flat_memory() {
    let otc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real/snap/soc-sign-bitcoinotc.csv.gz");
    if !otc.exists() {
        eprintln!("skipped: {} is missing", otc.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();

    // Memory first, while this process is small (a child's peak counts what it was forked
    // from): k = 4 makes 879,587 findings, k = 5 makes 25,116,146 (4.7 GB of lines), in
    // about the same memory.
    let small = stream(&otc, "4", "2", false, dir.path());
    let peak_four = peak_of_children_kib();
    let five = stream(&otc, "5", "2", false, dir.path());
    let peak_five = peak_of_children_kib();
    assert_eq!(five.lines, five.report["summary"]["findings"].as_u64().unwrap());
    assert!(five.lines > 25 * small.lines, "{} against {}", five.lines, small.lines);
    assert!(
        peak_five as f64 <= peak_four as f64 * 1.25,
        "peak memory {peak_five} KiB streaming {} findings against {peak_four} KiB for {}",
        five.lines,
        small.lines
    );

    // Every finding of Bitcoin OTC (positive ratings, dated) at k = 4, checked line by line.
    let four = stream(&otc, "4", "2", true, dir.path());
    let summary = &four.report["summary"];
    assert_eq!(four.lines, summary["findings"].as_u64().unwrap(), "a line per finding");
    let text = four.text.as_ref().unwrap();
    let lines: Vec<Value> =
        text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    let by_id: HashMap<&str, &Value> = lines.iter().map(|l| (l["id"].as_str().unwrap(), l)).collect();
    assert_eq!(by_id.len(), lines.len(), "every finding once");
    let count = |kind: &str| lines.iter().filter(|l| l["kind"] == kind).count() as u64;
    assert_eq!(count("pair"), summary["reciprocal_pairs"].as_u64().unwrap());
    assert_eq!(count("ring"), summary["rings"].as_u64().unwrap());
    let cycles: u64 = summary["cycles"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(count("cycle"), cycles);
    for sev in ["info", "low", "medium", "high"] {
        let n = lines.iter().filter(|l| l["severity"] == sev).count() as u64;
        assert_eq!(n, summary["by_severity"][sev].as_u64().unwrap(), "{sev}");
    }
    // Where the report lists a finding, the stream says the same of it, its case included.
    for f in four.report["findings"].as_array().unwrap() {
        let l = by_id[f["id"].as_str().unwrap()];
        assert_eq!((&l["score"], &l["severity"], &l["members"]), (&f["score"], &f["severity"], &f["members"]));
        assert_eq!(l.get("case"), f.get("case"), "{}", f["id"]);
    }
    let streamed_cases: std::collections::HashSet<&str> = lines.iter().filter_map(|l| l["case"].as_str()).collect();
    assert_eq!(streamed_cases.len() as u64, summary["cases"].as_u64().unwrap(), "every case has its findings");
    drop(streamed_cases);
    drop(by_id);
    drop(lines);

    // The same bytes on one thread.
    let one = stream(&otc, "4", "1", true, dir.path());
    assert!(one.text == four.text, "the stream does not depend on the threads");
}
