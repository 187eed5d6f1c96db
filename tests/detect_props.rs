//! Property tests: the parallel detectors agree with a brute-force reference on random small
//! graphs (self-loops, repeats and dense cliques included), for k = 3..=6, and the result does
//! not depend on the number of threads.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use backscratch::detect::reference::{brute_force, ReferenceResult};
use backscratch::detect::{count_cycles, detect, DetectOptions, Detection};
use backscratch::graph::Graph;
use proptest::prelude::*;

/// Names that do not sort like numbers ("p10" < "p9"), so id order != creation order.
fn name(i: u32) -> String {
    format!("p{i}")
}

fn run(g: &Graph, k: usize, threads: usize) -> Detection {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| detect(g, DetectOptions { max_len: k, list_limit: usize::MAX }, &AtomicBool::new(false)))
}

fn names_of(g: &Graph, ids: &[u32]) -> Vec<String> {
    ids.iter().map(|&v| g.name(v).to_string()).collect()
}

fn assert_matches_reference(edges: &[(String, String)], k: usize) {
    let g = Graph::from_edges(edges.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let reference: ReferenceResult = brute_force(edges, k);
    let one = run(&g, k, 1);
    let two = run(&g, k, 2);

    assert_eq!(g.node_count(), reference.people, "people");
    assert_eq!(g.edge_count(), reference.recommendations, "recommendations");
    let pairs: BTreeSet<(String, String)> =
        one.pairs.iter().map(|p| (g.name(p.a).to_string(), g.name(p.b).to_string())).collect();
    assert_eq!(pairs, reference.pairs, "reciprocal pairs");
    for len in 3..=k {
        assert_eq!(one.cycle_counts[len], reference.count(len), "{len}-cycles, k={k}");
    }
    let listed: BTreeSet<Vec<String>> = one.listed_cycles.iter().map(|c| names_of(&g, c.vertices())).collect();
    assert_eq!(listed, reference.cycles, "the cycles themselves, k={k}");
    assert_eq!(one.listed_cycles.len() as u64, one.total_cycles(), "each cycle exactly once");
    for c in &one.listed_cycles {
        for (i, &e) in c.edges().iter().enumerate() {
            let next = c.vertices()[(i + 1) % c.len()];
            assert_eq!(g.endpoints(e), (c.vertices()[i], next), "edge ids follow the cycle");
        }
    }
    assert_eq!(count_cycles(&g, k, &AtomicBool::new(false)), one.cycle_counts, "count-only path");

    assert_eq!(one.cycle_counts, two.cycle_counts, "1 vs 2 threads: counts");
    assert_eq!(one.listed_cycles, two.listed_cycles, "1 vs 2 threads: listed cycles");
    assert_eq!(one.pairs, two.pairs, "1 vs 2 threads: pairs");
}

/// Random edges over up to 9 people, self-loops and repeats allowed.
fn sparse() -> impl Strategy<Value = Vec<(String, String)>> {
    (2u32..10)
        .prop_flat_map(|n| prop::collection::vec((0..n, 0..n), 0..45))
        .prop_map(|e| e.into_iter().map(|(a, b)| (name(a), name(b))).collect())
}

/// A complete directed graph on up to 7 people with some edges removed.
fn dense() -> impl Strategy<Value = Vec<(String, String)>> {
    (3u32..8).prop_flat_map(|n| {
        let all: Vec<(u32, u32)> = (0..n).flat_map(|a| (0..n).map(move |b| (a, b))).filter(|(a, b)| a != b).collect();
        let m = all.len();
        prop::collection::vec(any::<bool>(), m).prop_map(move |keep| {
            all.iter().zip(keep).filter(|(_, k)| *k || m < 12).map(|(&(a, b), _)| (name(a), name(b))).collect()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sparse_graphs_match_reference(edges in sparse(), k in 3usize..=6) {
        assert_matches_reference(&edges, k);
    }

    #[test]
    fn dense_graphs_match_reference(edges in dense(), k in 3usize..=6) {
        assert_matches_reference(&edges, k);
    }
}

#[test]
fn complete_graph_on_seven_people() {
    let edges: Vec<(String, String)> = (0..7).flat_map(|a| (0..7).map(move |b| (name(a), name(b)))).collect();
    assert_matches_reference(&edges, 6);
}

/// A hub reciprocally tied to 200 people who also recommend each other at random: the hub's
/// search tree is large enough to be split over threads, which must not change anything.
#[test]
fn hub_root_split_over_threads_matches_reference() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut edges = Vec::new();
    for i in 1..=200 {
        edges.push(("a-hub".to_string(), format!("m{i:03}")));
        edges.push((format!("m{i:03}"), "a-hub".to_string()));
    }
    for _ in 0..3200 {
        let (x, y) = (next() % 200 + 1, next() % 200 + 1);
        edges.push((format!("m{x:03}"), format!("m{y:03}")));
    }
    assert_matches_reference(&edges, 4);
}
