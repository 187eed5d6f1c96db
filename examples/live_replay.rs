//! Replay a dated edge list in time order through live detection's closing search
//! (`detect::closing`), one recommendation at a time, and print a Markdown table: how long
//! each answer took (p50, p99, p99.9, max), the throughput of the engine alone (no server,
//! no durability), the share of arrivals that closed a pair or a cycle, and the naive
//! alternative measured in the same run: a batch count of the whole graph so far per arrival
//! (timed at ten points along the replay). At the end the summed closures must equal a batch
//! count of the whole graph, or it exits 1.
//!
//! Usage: cargo run --release --example live_replay -- [FILE.csv.gz] [K] [BUDGET]
//! FILE is SNAP's signed format (source,target,rating,time); positive ratings are replayed.
//! Default: ../shared/data/real/snap/soc-sign-bitcoinotc.csv.gz, K = 4, BUDGET = 1,000,000.

use std::io::{BufRead, BufReader};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use backscratch::detect::closing::{closed_by, ClosingLimits, ClosingScratch};
use backscratch::detect::count_cycles;
use backscratch::graph::live::{Added, LiveGraph};
use backscratch::graph::Graph;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().cloned().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/real/snap/soc-sign-bitcoinotc.csv.gz").to_string()
    });
    let k: usize = args.get(1).map_or(4, |a| a.parse().expect("K: a number"));
    let budget: u64 = args.get(2).map_or(1_000_000, |a| a.parse().expect("BUDGET: a number"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let mut rows: Vec<(i64, String, String)> = Vec::new();
    for line in BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let line = line.expect("a readable line");
        let f: Vec<&str> = line.split(',').collect();
        let (Some(rating), Some(time)) = (f.get(2).and_then(|r| r.parse::<f64>().ok()), f.get(3)) else { continue };
        if rating > 0.0 {
            rows.push((time.trim().parse::<f64>().expect("a time") as i64, f[0].to_string(), f[1].to_string()));
        }
    }
    rows.sort_by_key(|r| r.0);
    let limits = ClosingLimits { max_len: k, budget, paths: 10 };
    let (mut g, mut scratch) = (LiveGraph::new(), ClosingScratch::default());
    let (mut latencies, mut pairs, mut closing, mut incomplete) = (Vec::with_capacity(rows.len()), 0u64, 0u64, 0u64);
    let mut counts = [0u64; 16];
    let checkpoints: Vec<usize> = (1..=10).map(|i| rows.len() * i / 10 - 1).collect();
    let mut naive = Vec::new();
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let mut engine_seconds = 0.0;
    for (i, (_, a, b)) in rows.iter().enumerate() {
        let t = Instant::now();
        if let Added::New { from, to, .. } = g.add(a, b) {
            let c = closed_by(&g, from, to, limits, &mut scratch);
            pairs += u64::from(c.pair);
            closing += u64::from(c.pair || c.total_cycles() > 0);
            incomplete += u64::from(!c.complete);
            counts.iter_mut().zip(c.cycles).for_each(|(x, y)| *x += y);
        }
        let dt = t.elapsed();
        engine_seconds += dt.as_secs_f64();
        latencies.push(dt.as_nanos() as u64);
        if checkpoints.contains(&i) {
            // The naive alternative: build the graph so far and count it in full.
            let t = Instant::now();
            let batch = Graph::from_edges(rows[..=i].iter().map(|(_, a, b)| (a.as_str(), b.as_str())));
            let _ = count_cycles(&batch, k, &stop);
            naive.push(t.elapsed().as_secs_f64());
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let whole = Graph::from_edges(rows.iter().map(|(_, a, b)| (a.as_str(), b.as_str())));
    let batch = count_cycles(&whole, k, &stop);
    let batch_pairs = backscratch::detect::pairs::reciprocal_pairs(&whole).len() as u64;
    let agree = incomplete > 0 || (counts[3..=k] == batch[3..=k] && pairs == batch_pairs);
    latencies.sort_unstable();
    let q = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize] as f64 / 1_000.0;
    let naive_mean = naive.iter().sum::<f64>() / naive.len() as f64;
    let name = std::path::Path::new(&path).file_name().map_or(path.clone(), |n| n.to_string_lossy().into_owned());
    println!(
        "{name}, positive ratings in time order: {} arrivals, {} distinct recommendations, {} people; k = {k}, budget {budget} steps.\n",
        rows.len(),
        g.recommendations(),
        g.people()
    );
    println!("| measure | value |\n|---|---:|");
    println!(
        "| engine throughput (arrivals/s, one thread, no server, no durability) | {:.0} |",
        rows.len() as f64 / engine_seconds
    );
    println!(
        "| latency p50 / p99 / p99.9 / max (µs) | {:.1} / {:.1} / {:.1} / {:.1} |",
        q(0.5),
        q(0.99),
        q(0.999),
        q(1.0)
    );
    println!("| arrivals that closed a pair or a cycle | {:.1} % |", 100.0 * closing as f64 / rows.len() as f64);
    println!("| searches that hit the budget | {incomplete} |");
    println!(
        "| naive: a batch count of the graph so far, per arrival (mean of 10 points) (µs) | {:.0} |",
        naive_mean * 1e6
    );
    println!("| naive ÷ engine, per arrival (mean) | {:.0}x |", naive_mean / (engine_seconds / rows.len() as f64));
    println!(
        "| summed closures = batch count of the whole graph (pairs {pairs}, cycles {}) | {} |",
        counts[3..=k].iter().sum::<u64>(),
        if incomplete > 0 {
            "not checked (budget hit)"
        } else if agree {
            "yes"
        } else {
            "NO"
        }
    );
    eprintln!("replay wall time {wall:.2} s (with the naive points)");
    if !agree {
        std::process::exit(1);
    }
}
