//! Criterion benchmarks of the pipeline stages on generated graphs: ingest (parse + intern),
//! graph building, reciprocal pairs, and the cycle search (count-only and listing) with 1
//! and 2 threads. Run with `cargo bench --bench detect`.

use std::hint::black_box;
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use backscratch::detect::{count_cycles, detect, pairs::reciprocal_pairs, DetectOptions};
use backscratch::graph::Graph;
use backscratch::ingest::{read_inputs, IngestOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Uniform random directed edges.
fn uniform(n: u64, m: usize, seed: u64) -> Vec<(String, String)> {
    let mut r = Rng(seed);
    (0..m).map(|_| (r.below(n).to_string(), r.below(n).to_string())).collect()
}

/// Preferential-attachment-like graph with correlated in- and out-degree (hubs), the shape
/// where one root holds most of the work.
fn hubby(n: u64, m: usize, seed: u64) -> Vec<(String, String)> {
    let mut r = Rng(seed);
    let mut ends: Vec<u64> = (0..16).collect();
    let mut edges = Vec::with_capacity(m);
    while edges.len() < m {
        let a = if r.below(4) == 0 { r.below(n) } else { ends[r.below(ends.len() as u64) as usize] };
        let b = if r.below(4) == 0 { r.below(n) } else { ends[r.below(ends.len() as u64) as usize] };
        ends.push(a);
        ends.push(b);
        edges.push((a.to_string(), b.to_string()));
    }
    edges
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

fn bench_ingest(c: &mut Criterion) {
    let edges = uniform(20_000, 200_000, 7);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for (a, b) in &edges {
        writeln!(file, "{a},{b},2023-01-01").unwrap();
    }
    file.flush().unwrap();
    let paths = vec![file.path().to_path_buf()];
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.bench_function("parse 200k rows", |b| b.iter(|| read_inputs(black_box(&paths), &IngestOptions::default())));
    g.bench_function("parse + build 200k rows", |b| {
        b.iter(|| Graph::build(read_inputs(black_box(&paths), &IngestOptions::default()).unwrap()))
    });
    g.finish();
}

fn bench_detect(c: &mut Criterion) {
    let stop = AtomicBool::new(false);
    let graphs = [
        ("uniform 20k/200k k=4", Graph::from_edges(uniform(20_000, 200_000, 1)), 4),
        ("hubs 10k/100k k=4", Graph::from_edges(hubby(10_000, 100_000, 3)), 4),
        ("uniform 5k/50k k=6", Graph::from_edges(uniform(5_000, 50_000, 5)), 6),
    ];
    let mut g = c.benchmark_group("detect");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for (name, graph, k) in &graphs {
        g.bench_with_input(BenchmarkId::new("reciprocal pairs", name), graph, |b, gr| b.iter(|| reciprocal_pairs(gr)));
        for threads in [1, 2] {
            g.bench_with_input(BenchmarkId::new(format!("count cycles, {threads} thread(s)"), name), graph, |b, gr| {
                b.iter(|| in_pool(threads, || count_cycles(gr, *k, &stop)))
            });
            g.bench_with_input(
                BenchmarkId::new(format!("detect and list, {threads} thread(s)"), name),
                graph,
                |b, gr| {
                    b.iter(|| in_pool(threads, || detect(gr, DetectOptions { max_len: *k, list_limit: 10_000 }, &stop)))
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench_ingest, bench_detect);
criterion_main!(benches);
