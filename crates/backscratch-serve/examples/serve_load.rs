//! Load generator for `backscratch serve`: sends the recommendations of an NDJSON file to a
//! running server over keep-alive connections and prints one JSON line of measurements.
//!
//! ```text
//! cargo run --release -p backscratch-serve --example serve_load -- ADDR FILE [--clients N] [--batch B] [--token T]
//! ```
//!
//! The file's lines are cut into requests of `--batch` lines; request `i` goes to client
//! `i % clients`, so with one client the server sees the file's order exactly. Latency is
//! per request, from the first byte sent to the last byte of the answer (which the server
//! sends only after the rows are durable). A 503 is retried after 1 ms and counted.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use backscratch_serve::client::Connection;

struct Args {
    addr: SocketAddr,
    file: String,
    clients: usize,
    batch: usize,
    token: Option<String>,
}

fn args() -> Args {
    let mut it = std::env::args().skip(1);
    let usage = "usage: serve_load ADDR FILE [--clients N] [--batch B] [--token T]";
    let addr = it.next().expect(usage).parse().expect("ADDR is host:port");
    let file = it.next().expect(usage);
    let mut a = Args { addr, file, clients: 1, batch: 1, token: None };
    while let Some(flag) = it.next() {
        let value = it.next().expect(usage);
        match flag.as_str() {
            "--clients" => a.clients = value.parse().expect("--clients N"),
            "--batch" => a.batch = value.parse().expect("--batch B"),
            "--token" => a.token = Some(value),
            _ => panic!("{usage}"),
        }
    }
    assert!(a.clients >= 1 && a.batch >= 1, "{usage}");
    a
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    rows: u64,
    busy: u64,
    closing: u64,
    incomplete: u64,
    /// Answers that judge a pair or cycle they closed at medium or high.
    alerts: u64,
    /// Answers that quote a judgement (before the first one, none can judge what it closed).
    judged: u64,
}

fn client(a: &Args, bodies: Vec<String>) -> Tally {
    let mut conn = Connection::open(a.addr, a.token.as_deref()).expect("connects");
    let mut t = Tally::default();
    for body in bodies {
        loop {
            let started = Instant::now();
            let r = conn.request("POST", "/v1/recommendations", body.as_bytes()).expect("a response");
            let took = started.elapsed();
            if r.status == 503 {
                t.busy += 1;
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            assert_eq!(r.status, 200, "{}", r.text());
            t.latencies.push(took);
            // The answers' keys are fixed (engine::Answer), so substrings are enough and keep
            // the client's share of the machine small.
            for line in r.text().lines() {
                t.rows += 1;
                let closed = line.contains("\"pair\":true") || !line.contains("\"cycles\":{}");
                t.closing += u64::from(closed);
                t.incomplete += u64::from(line.contains("\"complete\":false"));
                // Only the answer's findings carry a severity.
                let alert = line.contains("\"severity\":\"medium\"") || line.contains("\"severity\":\"high\"");
                t.alerts += u64::from(alert);
                t.judged += u64::from(line.contains("\"judged_rows\":"));
            }
            break;
        }
    }
    t
}

fn main() {
    let a = args();
    let text = std::fs::read_to_string(&a.file).expect("reads FILE");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut per_client: Vec<Vec<String>> = vec![Vec::new(); a.clients];
    for (i, chunk) in lines.chunks(a.batch).enumerate() {
        per_client[i % a.clients].push(chunk.join("\n"));
    }
    let started = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let a = &a;
        let handles: Vec<_> = per_client.into_iter().map(|bodies| s.spawn(move || client(a, bodies))).collect();
        handles.into_iter().map(|h| h.join().expect("a client")).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut all = Tally::default();
    for t in tallies {
        all.latencies.extend(t.latencies);
        all.rows += t.rows;
        all.busy += t.busy;
        all.closing += t.closing;
        all.incomplete += t.incomplete;
        all.alerts += t.alerts;
        all.judged += t.judged;
    }
    all.latencies.sort();
    let q = |p: f64| {
        let l = &all.latencies;
        l.get(((l.len() as f64 * p).ceil() as usize).saturating_sub(1).min(l.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{}",
        serde_json::json!({
            "rows": all.rows,
            "requests": all.latencies.len(),
            "clients": a.clients,
            "batch": a.batch,
            "seconds": seconds,
            "rows_per_second": all.rows as f64 / seconds,
            "p50_ms": q(0.50),
            "p99_ms": q(0.99),
            "p999_ms": q(0.999),
            "max_ms": q(1.0),
            "busy_retries": all.busy,
            "closing": all.closing,
            "incomplete": all.incomplete,
            "alerts": all.alerts,
            "judged": all.judged,
        })
    );
}
