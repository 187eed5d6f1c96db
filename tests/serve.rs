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
    let mut text: String = rows.iter().map(|(a, b)| json!({"from": a, "to": b}).to_string() + "\n").collect();
    text += &(json!({"op": "totals"}).to_string() + "\n");
    serve_text(state, k, &text, false).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
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

/// Bitcoin Alpha's positive ratings in file order: rater, rated, Unix seconds as text (`None`,
/// with a message, when ../shared is missing).
fn alpha_positive(what: &str) -> Option<Vec<(String, String, String)>> {
    let real = common::shared(what)?;
    let file = std::fs::File::open(real.join("snap/soc-sign-bitcoinalpha.csv.gz")).unwrap();
    let mut rows = Vec::new();
    for line in BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let line = line.unwrap();
        let f: Vec<&str> = line.split(',').collect();
        if f[2].parse::<f64>().unwrap() > 0.0 {
            rows.push((f[0].to_string(), f[1].to_string(), f[3].trim().to_string()));
        }
    }
    Some(rows)
}

#[test]
fn bitcoin_alpha_served_in_time_order_and_shuffled_adds_up_to_the_batch() {
    let Some(mut rows) = alpha_positive("the serve parity test on Bitcoin Alpha") else { return };
    rows.sort_by_key(|r| r.2.parse::<f64>().unwrap() as i64);
    let mut rows: Vec<(String, String)> = rows.into_iter().map(|(a, b, _)| (a, b)).collect();
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

/// Serve `text` over stdio on `state` at `k`: written in one go, or in uneven chunks with
/// pauses between them (so the server reads it in other groups); the answers as written.
fn serve_text(state: &Path, k: usize, text: &str, chunked: bool) -> String {
    let mut child = start(state, k);
    let mut stdin = child.stdin.take().unwrap();
    let text = text.to_string();
    let writer = std::thread::spawn(move || {
        if !chunked {
            return stdin.write_all(text.as_bytes()).unwrap();
        }
        let bytes = text.as_bytes();
        let (mut at, mut x) = (0, 0x2545_F491_4F6C_DD1Du64);
        while at < bytes.len() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let end = (at + 1 + (x % 40_000) as usize).min(bytes.len());
            stdin.write_all(&bytes[at..end]).unwrap();
            stdin.flush().unwrap();
            at = end;
            std::thread::sleep(std::time::Duration::from_millis(x % 3));
        }
    });
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    writer.join().unwrap();
    assert!(child.wait().unwrap().success());
    out
}

/// Over stdio, judgements are made at fixed rows: Bitcoin Alpha's dated positive ratings in
/// time order give the same answers byte for byte however the input arrives, and once the
/// first judgement is made, answers judge what they close by the rule and name the cases it
/// joins.
#[test]
fn stdio_answers_quote_judgements_made_at_fixed_rows() {
    let Some(mut rows) = alpha_positive("the stdio judgement test on Bitcoin Alpha") else { return };
    rows.sort_by_key(|r| r.2.parse::<f64>().unwrap() as i64);
    let text: String = rows.iter().map(|(a, b, d)| json!({"from": a, "to": b, "date": d}).to_string() + "\n").collect();
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let whole = serve_text(first.path(), 4, &text, false);
    assert!(whole == serve_text(second.path(), 4, &text, true), "the answers depend on how the input arrived");
    let answers: Vec<Value> = whole.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), rows.len());
    // The first answer comes before any judgement; from the second on, each quotes one.
    assert!(answers[0].get("judged_rows").is_none() && answers[1]["judged_rows"] == 1);
    let judged: HashSet<u64> = answers.iter().filter_map(|a| a["judged_rows"].as_u64()).collect();
    assert!(judged.contains(&1001) && judged.len() > 5, "judged at {judged:?}");
    let flagged: Vec<&Value> = answers
        .iter()
        .flat_map(|a| a["findings"].as_array().into_iter().flatten())
        .filter(|f| matches!(f["severity"].as_str(), Some("medium" | "high")))
        .collect();
    assert!(flagged.len() > 100, "{} flagged", flagged.len());
    assert!(flagged.iter().filter(|f| f["cases"].as_array().is_some_and(|c| !c.is_empty())).count() > 10);
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

// ---- HTTP (`serve --listen`), on loopback only ----

use backscratch_serve::client::{Connection, Response};
use std::net::SocketAddr;

/// A server process that is killed if a test ends without stopping it (a failed assertion
/// must not leave servers behind).
struct Server(Child);

impl std::ops::Deref for Server {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Both are no-ops for a child already waited for.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server on a free loopback port, and its address (read from its first line on stderr).
fn listen(state: &Path, extra: &[&str]) -> (Server, SocketAddr) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--state"])
        .arg(state)
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).and_then(|s| s.split('/').next()).expect(&line);
    (Server(child), addr.parse().unwrap())
}

fn ndjson(rows: &[(String, String)]) -> String {
    rows.iter().map(|(a, b)| json!({"from": a, "to": b}).to_string()).collect::<Vec<_>>().join("\n")
}

fn totals_over(conn: &mut Connection) -> Value {
    let r = conn.request("GET", "/v1/totals", b"").unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice::<Value>(&r.body).unwrap()["totals"].clone()
}

fn stop(mut child: Server) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(child.wait().unwrap().success(), "SIGTERM ends the server cleanly");
}

#[test]
fn the_sample_over_http_adds_up_to_its_scan() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample/recommendations.csv")).unwrap();
    let rows: Vec<(String, String)> =
        common::parse_csv(&text).into_iter().skip(1).map(|r| (r[0].clone(), r[1].clone())).collect();
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = listen(dir.path(), &["--max-len", "5"]);
    let mut conn = Connection::open(addr, None).unwrap();
    let mut answered = 0;
    for chunk in rows.chunks(7) {
        let r = conn.request("POST", "/v1/recommendations", ndjson(chunk).as_bytes()).unwrap();
        assert_eq!((r.status, r.header("content-type")), (200, Some("application/x-ndjson")), "{}", r.text());
        answered += r.text().lines().count();
    }
    assert_eq!(answered, rows.len());
    totals_match_batch(&totals_over(&mut conn), &rows, 5, "the sample over HTTP");
    let r = conn.request("GET", "/v1/people/nobody%20at%20all", b"").unwrap();
    assert_eq!(r.status, 404, "{}", r.text());
    let metrics = conn.request("GET", "/v1/metrics", b"").unwrap().text();
    assert!(metrics.contains(&format!("backscratch_rows_total {}\n", rows.len())), "{metrics}");
    stop(child);
}

#[test]
fn a_token_guards_every_route_and_off_loopback_needs_one() {
    let out =
        Command::new(BIN).args(["serve", "--state", "/nonexistent/never", "--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("without --token-file"), "{out:?}");
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret-token\n").unwrap();
    let (child, addr) = listen(&dir.path().join("state"), &["--token-file", token_file.to_str().unwrap()]);
    let row = br#"{"from":"a","to":"b"}"#;
    for token in [None, Some("wrong")] {
        for (method, path, body) in
            [("GET", "/v1/health", &b""[..]), ("GET", "/v1/metrics", b""), ("POST", "/v1/recommendations", row)]
        {
            // A fresh connection each time: after refusing a request whose body it did not
            // read, the server may close the connection.
            let r = Connection::open(addr, token).unwrap().request(method, path, body).unwrap();
            assert_eq!((r.status, r.header("www-authenticate")), (401, Some("Bearer")), "{path}: {}", r.text());
        }
    }
    let mut conn = Connection::open(addr, Some("s3cret-token")).unwrap();
    assert_eq!(conn.request("POST", "/v1/recommendations", row).unwrap().status, 200);
    assert_eq!(totals_over(&mut conn)["rows"], 1, "the refused requests stored nothing");
    stop(child);
}

#[test]
fn oversized_and_malformed_bodies_get_a_clear_4xx_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = listen(dir.path(), &["--max-body", "1000"]);
    let big = ndjson(&(0..100).map(|i| (format!("a{i}"), format!("b{i}"))).collect::<Vec<_>>());
    let cases: [(&[u8], u16, &str); 5] = [
        (big.as_bytes(), 413, "larger than --max-body"),
        (b"{\"from\":\"a\",\"to\":\"b\"}\n{\"from\":\"a\"", 400, "line 2: not JSON"),
        (b"{\"from\":\"a\",\"to\":\"b\"}\n[1,2]", 400, "line 2: not a JSON object"),
        (b"\xff\xfe", 400, "not UTF-8"),
        (b"", 400, "the body is empty"),
    ];
    for (body, status, says) in cases {
        // A fresh connection each time: after a body it did not read, the server may close one.
        let r = Connection::open(addr, None).unwrap().request("POST", "/v1/recommendations", body).unwrap();
        assert_eq!(r.status, status, "{}", r.text());
        let error = serde_json::from_slice::<Value>(&r.body).unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.contains(says), "{error}");
    }
    // Nothing was stored.
    let mut conn = Connection::open(addr, None).unwrap();
    assert_eq!(totals_over(&mut conn)["rows"], 0);
    let metrics = conn.request("GET", "/v1/metrics", b"").unwrap().text();
    assert!(metrics.contains("backscratch_refused_total{reason=\"too-large\"} 1\n"), "{metrics}");
    assert!(metrics.contains("backscratch_refused_total{reason=\"malformed\"} 4\n"), "{metrics}");
    stop(child);
}

#[test]
fn a_hub_whose_search_hits_the_budget_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = listen(dir.path(), &["--budget", "50", "--max-len", "4"]);
    let mut conn = Connection::open(addr, None).unwrap();
    // hub -> x_i -> y for 300 people x_i: y -> hub closes 300 triangles, past a 50-step budget.
    let mut rows: Vec<(String, String)> = (0..300).map(|i| ("hub".to_string(), format!("x{i}"))).collect();
    rows.extend((0..300).map(|i| (format!("x{i}"), "y".to_string())));
    assert_eq!(conn.request("POST", "/v1/recommendations", ndjson(&rows).as_bytes()).unwrap().status, 200);
    let r = conn.request("POST", "/v1/recommendations", br#"{"from":"y","to":"hub"}"#).unwrap();
    let answer: Value = serde_json::from_str(r.text().trim()).unwrap();
    assert_eq!(answer["complete"], false, "{answer}");
    assert!(answer["cycles"]["3"].as_u64().unwrap_or(0) < 300, "a lower bound: {answer}");
    assert_eq!(totals_over(&mut conn)["incomplete"], 1);
    // The answer says where the exact result follows, and a judgement of it is under way.
    assert!(answer["exact"].as_str().is_some_and(|e| e.ends_with("judged_rows exceeds 600")), "{answer}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let r = conn.request("GET", "/v1/report", b"").unwrap();
        if r.status == 200 && r.header("x-judged-rows") == Some("601") {
            let report: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(report["summary"]["cycles"]["3"], 300, "the judgement's count is exact");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no judgement of the hub's row: {}", r.text());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    stop(child);
}

/// Clients that post batches of distinct rows until the server stops answering; the rows
/// acknowledged (a 200) and the requests refused with 503.
fn load(addr: SocketAddr, clients: usize, batch: usize, per_client: usize, retry: bool) -> (u64, u64) {
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            std::thread::spawn(move || {
                let (mut acked, mut busy) = (0u64, 0u64);
                let Ok(mut conn) = Connection::open(addr, None) else { return (0, 0) };
                for r in 0..per_client {
                    let rows: Vec<(String, String)> =
                        (0..batch).map(|i| (format!("c{c}r{r}i{i}"), format!("c{c}r{r}i{}", i + 1))).collect();
                    let resp: Response = match conn.request("POST", "/v1/recommendations", ndjson(&rows).as_bytes()) {
                        Ok(resp) => resp,
                        Err(_) => break,
                    };
                    match resp.status {
                        200 => {
                            assert_eq!(resp.text().lines().count(), batch);
                            acked += batch as u64;
                        }
                        503 => {
                            assert_eq!(resp.header("retry-after"), Some("1"));
                            busy += 1;
                            if !retry {
                                continue;
                            }
                        }
                        s => panic!("status {s}: {}", resp.text()),
                    }
                }
                (acked, busy)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
}

#[test]
fn a_full_queue_answers_503_with_retry_after_and_stores_only_what_it_answered() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = listen(dir.path(), &["--queue", "1"]);
    let (acked, busy) = load(addr, 6, 2000, 25, false);
    assert!(busy > 0, "six clients and a queue of one: some request must be pushed back");
    let mut conn = Connection::open(addr, None).unwrap();
    let totals = totals_over(&mut conn);
    assert_eq!(totals["rows"].as_u64(), Some(acked), "a 503 stores nothing; every 200 is stored");
    assert_eq!(totals["recommendations"].as_u64(), Some(acked), "each row once");
    stop(child);
}

#[test]
fn sigterm_during_load_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = listen(dir.path(), &[]);
    let pid = child.id();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    });
    let (acked, _) = load(addr, 4, 50, 1_000_000, true);
    killer.join().unwrap();
    let mut child = child;
    assert!(child.wait().unwrap().success(), "SIGTERM ends the server cleanly");
    assert!(acked > 0);
    let (child, addr) = listen(dir.path(), &[]);
    let totals = totals_over(&mut Connection::open(addr, None).unwrap());
    let held = totals["rows"].as_u64().unwrap();
    assert!(held >= acked, "acknowledged {acked}, held after restart {held}");
    assert!(held <= acked + 4 * 50, "at most one unanswered request per client may be stored: {held} vs {acked}");
    assert_eq!(totals["recommendations"].as_u64(), Some(held), "each row once");
    stop(child);
}

#[test]
fn an_http_server_killed_50_times_under_load_keeps_every_acknowledged_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let k = 4;
    let mut acknowledged = 0u64;
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..50 {
        let (child, addr) = listen(dir.path(), &[]);
        let mut conn = Connection::open(addr, None).unwrap();
        let totals = totals_over(&mut conn);
        let held = totals["rows"].as_u64().unwrap();
        assert!(held >= acknowledged, "round {round}: holds {held}, acknowledged {acknowledged}");
        let rows: Vec<(String, String)> = (0..held).map(row).collect();
        totals_match_batch(&totals, &rows, k, &format!("HTTP round {round}"));
        // One client posting batches of rows from where the store ends, until the kill.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let pid = child.id();
        let wait = std::time::Duration::from_millis(1 + rng % 40);
        let killer = std::thread::spawn(move || {
            std::thread::sleep(wait);
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        });
        let mut next = held;
        loop {
            let batch: Vec<(String, String)> = (next..next + 64).map(row).collect();
            match conn.request("POST", "/v1/recommendations", ndjson(&batch).as_bytes()) {
                Ok(r) if r.status == 200 => {
                    let first: Value = serde_json::from_str(r.text().lines().next().unwrap()).unwrap();
                    assert_eq!(first["seq"].as_u64(), Some(next), "round {round}: rows in order, none twice");
                    next += 64;
                }
                _ => break,
            }
        }
        killer.join().unwrap();
        let mut child = child;
        let _ = child.wait();
        acknowledged = next;
    }
    assert!(acknowledged > 1_000, "the load was too light to test anything: {acknowledged} rows");
}

/// Every evidence `source` in `v` named as row numbers of one input: a judgement's sources
/// are the service's rows (`serve`, line = seq + 1), a file's are its lines (the header is 1).
fn as_rows(v: &mut Value, header_lines: u64) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(source)) = map.get_mut("source") {
                if let (Some(line), true) = (source.get("line").and_then(Value::as_u64), source.contains_key("path")) {
                    source.insert("line".into(), Value::from(line - header_lines));
                    source.insert("path".into(), Value::from("rows"));
                }
            }
            map.values_mut().for_each(|x| as_rows(x, header_lines));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| as_rows(x, header_lines)),
        _ => {}
    }
}

/// Serve `rows` (from, to, date) over HTTP, make a judgement, and compare its report with
/// `scan` of the same rows as a CSV file: everything but `inputs[]` (the file's name and bytes
/// differ from the store's table) and the evidence's sources (row numbers there, line numbers
/// here) must be equal.
fn judged_equals_scan(rows: &[(String, String, String)], k: usize, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr) = listen(&dir.path().join("state"), &["--max-len", &k.to_string()]);
    let mut conn = Connection::open(addr, None).unwrap();
    for chunk in rows.chunks(4096) {
        let body: Vec<String> =
            chunk.iter().map(|(a, b, d)| json!({"from": a, "to": b, "date": d}).to_string()).collect();
        assert_eq!(conn.request("POST", "/v1/recommendations", body.join("\n").as_bytes()).unwrap().status, 200);
    }
    let r = conn.request("POST", "/v1/rejudge", b"").unwrap();
    assert_eq!((r.status, r.header("x-judged-rows")), (200, Some(rows.len().to_string().as_str())), "{}", r.text());
    let mut served: Value = serde_json::from_slice(&conn.request("GET", "/v1/report", b"").unwrap().body).unwrap();
    let csv = dir.path().join("rows.csv");
    let mut text = String::from("from,to,date\n");
    for (a, b, d) in rows {
        text.push_str(&format!("{},{},{}\n", common::csv_field(a), common::csv_field(b), common::csv_field(d)));
    }
    std::fs::write(&csv, text).unwrap();
    let out = Command::new(BIN)
        .args(["scan", "--format", "json", "--no-timestamp", "--exit-zero", "--max-len", &k.to_string()])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut scanned: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings_as_served = served["findings"].clone();
    as_rows(&mut served, 0);
    as_rows(&mut scanned, 1);
    for key in ["params", "summary", "cases", "findings", "people"] {
        assert_eq!(served[key], scanned[key], "{what}: {key} differs between the judgement and the scan");
    }
    assert_eq!(served["inputs"][0]["rows"], scanned["inputs"][0]["rows"]);
    assert!(served["findings"].as_array().is_some_and(|f| !f.is_empty()), "{what}: nothing to compare");
    // The cases and findings endpoints list the judgement's own, at the severity asked.
    let listed: Value =
        serde_json::from_slice(&conn.request("GET", "/v1/findings?severity=info", b"").unwrap().body).unwrap();
    assert_eq!(listed["findings"], findings_as_served, "{what}");
    let r = conn.request("GET", "/v1/cases?severity=urgent", b"").unwrap();
    assert_eq!(r.status, 400, "{}", r.text());
    // A new pair's second half is judged in its answer, against this judgement's baselines.
    let body = [("zz new one", "zz new two"), ("zz new two", "zz new one")]
        .map(|(a, b)| json!({"from": a, "to": b, "date": "2030-01-01"}).to_string())
        .join("\n");
    let r = conn.request("POST", "/v1/recommendations", body.as_bytes()).unwrap();
    let answers: Vec<Value> = r.text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(answers[0].get("findings").is_none(), "{what}: {}", r.text());
    let found = &answers[1]["findings"][0];
    assert_eq!((&found["kind"], &found["members"]), (&json!("pair"), &json!(["zz new one", "zz new two"])), "{what}");
    assert!(found["id"].as_str().is_some_and(|id| id.starts_with("pair-")), "{what}: {found}");
    // Every signal of the rule, as the report lists them for each finding.
    let signals = |f: &Value| f["signals"].as_array().map(|s| s.iter().map(|x| x["name"].clone()).collect::<Vec<_>>());
    let pair_listed = findings_as_served.as_array().unwrap().iter().find(|f| f["kind"] == "pair");
    assert!(found["severity"].is_string() && signals(found).is_some(), "{found}");
    if let Some(listed) = pair_listed {
        assert_eq!(signals(found), signals(listed), "{what}");
    }
    assert_eq!(answers[1]["judged_rows"], json!(rows.len()), "{what}: the judgement it used");
    stop(child);
}

#[test]
fn a_judgement_of_the_sample_is_its_scan() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample/recommendations.csv")).unwrap();
    let rows: Vec<(String, String, String)> =
        common::parse_csv(&text).into_iter().skip(1).map(|r| (r[0].clone(), r[1].clone(), r[2].clone())).collect();
    judged_equals_scan(&rows, 4, "the sample");
}

#[test]
fn a_judgement_of_bitcoin_alpha_is_its_scan() {
    let Some(rows) = alpha_positive("the serve judgement parity test on Bitcoin Alpha") else { return };
    judged_equals_scan(&rows, 4, "Bitcoin Alpha");
}
