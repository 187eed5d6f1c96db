//! Building the CSR graph from ingested rows: renumber people in name order, drop repeated
//! recommendations (keeping the earliest dated copy, then the first in input order), and
//! account for every duplicate in its input's statistics.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::names::Names;
use super::shards::ShardedInterner;
use super::{EdgeSource, Graph};
use crate::ingest::store::{RowLayout, RowStore};
use crate::ingest::{Ingested, InputStats, Row, NO_DATE};
use crate::intern::pages;
use crate::warning::Warning;

/// The graph and the final per-input accounting (used and duplicate rows filled in).
#[derive(Debug)]
pub struct BuildOutcome {
    /// The de-duplicated graph.
    pub graph: Graph,
    /// Per-input statistics, in input order.
    pub inputs: Vec<InputStats>,
    /// Jobs read from LinkedIn exports (name, company, start, end).
    pub jobs: Vec<(String, String, i64, i64)>,
    /// Warnings about the inputs.
    pub warnings: Vec<Warning>,
}

/// The adjacency arrays built from the rows, and the per-edge columns in edge order.
#[derive(Debug, Default)]
pub(super) struct Csr {
    /// Out-edges of `v` are `out_offsets[v]..out_offsets[v + 1]` (their edge ids).
    pub out_offsets: Vec<usize>,
    /// Recommendee of each edge.
    pub targets: Vec<u32>,
    /// In-edges of `v` are `in_offsets[v]..in_offsets[v + 1]` of the two arrays below.
    pub in_offsets: Vec<usize>,
    /// Recommender of each in-edge, sorted within each person.
    pub in_sources: Vec<u32>,
    /// Edge id of each in-edge.
    pub in_edges: Vec<u32>,
    /// Date of each edge, when any edge has one.
    pub created: Option<Vec<i64>>,
    /// Input row of each edge.
    pub sources: Vec<EdgeSource>,
}

/// Sort `rows` (ids already final) by recommendation, keep the first of each (the earliest
/// dated copy, then the first in input order), count the others as duplicates of their
/// input, and build both adjacencies. The rows are dropped before the in-adjacency is built.
fn csr<R: RowLayout>(mut rows: Vec<R>, n: usize, inputs: &mut [InputStats]) -> Csr {
    // Undated copies sort after every dated copy of the same recommendation.
    let key = |r: &R| {
        let (from, to) = r.ids();
        let created = if r.created() == NO_DATE { i64::MAX } else { r.created() };
        ((u64::from(from) << 32) | u64::from(to), created, r.source())
    };
    if crate::par::small(rows.len()) {
        rows.sort_unstable_by_key(key);
    } else {
        rows.par_sort_unstable_by_key(key);
    }
    let mut kept = 0usize;
    for i in 0..rows.len() {
        let r = rows[i];
        if kept > 0 && rows[kept - 1].ids() == r.ids() {
            inputs[r.source().file as usize].duplicates += 1;
            continue;
        }
        rows[kept] = r;
        kept += 1;
    }
    rows.truncate(kept);
    assert!(kept <= u32::MAX as usize, "more than 4 billion distinct recommendations");

    let mut out_offsets = pages::filled(n + 1, 0usize);
    let mut in_offsets = pages::filled(n + 1, 0usize);
    for r in &rows {
        let (from, to) = r.ids();
        out_offsets[from as usize + 1] += 1;
        in_offsets[to as usize + 1] += 1;
    }
    for v in 0..n {
        out_offsets[v + 1] += out_offsets[v];
        in_offsets[v + 1] += in_offsets[v];
    }
    let mut targets = Vec::new();
    rows.par_iter().with_min_len(crate::par::MIN_LEN).map(|r| r.ids().1).collect_into_vec(&mut targets);
    let mut sources = Vec::new();
    rows.par_iter().with_min_len(crate::par::MIN_LEN).map(|r| r.source()).collect_into_vec(&mut sources);
    let created = rows.iter().any(|r| r.created() != NO_DATE).then(|| {
        let mut c = Vec::new();
        rows.par_iter().with_min_len(crate::par::MIN_LEN).map(|r| r.created()).collect_into_vec(&mut c);
        c
    });
    // The rows are no longer needed: the in-adjacency comes from the out-adjacency, so
    // the rows and the in-arrays never take memory at the same time.
    drop(rows);
    let (in_sources, in_edges) = in_adjacency(&out_offsets, &targets, &in_offsets);
    Csr { out_offsets, targets, in_offsets, in_sources, in_edges, created, sources }
}

/// The in-adjacency (sources and edge ids, each bucket sorted by source) from the
/// out-adjacency. The people are split into one range per thread with about as many
/// in-edges each; every thread walks all edges in order and fills the buckets of its own
/// range, so the writes are disjoint and each bucket fills in source order.
fn in_adjacency(out_offsets: &[usize], targets: &[u32], in_offsets: &[usize]) -> (Vec<u32>, Vec<u32>) {
    let (n, m) = (in_offsets.len() - 1, targets.len());
    let mut in_sources = pages::filled(m, 0u32);
    let mut in_edges = pages::filled(m, 0u32);
    let parts = if crate::par::small(m) { 1 } else { rayon::current_num_threads().clamp(1, 64) };
    let mut bounds: Vec<usize> = (0..=parts).map(|p| in_offsets.partition_point(|&o| o < m * p / parts)).collect();
    bounds[0] = 0;
    bounds[parts] = n;
    // Cut both arrays at the ranges' first in-edges.
    let mut jobs = Vec::with_capacity(parts);
    let (mut src_rest, mut edge_rest) = (&mut in_sources[..], &mut in_edges[..]);
    for p in 0..parts {
        let (lo, hi) = (bounds[p], bounds[p + 1].max(bounds[p]));
        let len = in_offsets[hi] - in_offsets[lo];
        let (src, s_rest) = std::mem::take(&mut src_rest).split_at_mut(len);
        let (edge, e_rest) = std::mem::take(&mut edge_rest).split_at_mut(len);
        (src_rest, edge_rest) = (s_rest, e_rest);
        jobs.push((lo as u32, hi as u32, src, edge));
    }
    jobs.into_par_iter().for_each(|(lo, hi, src, edge)| {
        if lo == hi {
            return;
        }
        let base = in_offsets[lo as usize];
        let mut cursor: Vec<usize> = in_offsets[lo as usize..hi as usize].iter().map(|&o| o - base).collect();
        for from in 0..n {
            let first = out_offsets[from];
            for (i, &t) in targets[first..out_offsets[from + 1]].iter().enumerate() {
                let e = first + i;
                if (lo..hi).contains(&t) {
                    let slot = &mut cursor[(t - lo) as usize];
                    src[*slot] = from as u32;
                    edge[*slot] = e as u32;
                    *slot += 1;
                }
            }
        }
    });
    (in_sources, in_edges)
}

/// The names of everyone in a kept row of `rows` (names of self-recommendations only are
/// dropped), numbered in sorted order, and the map from the dictionary's ids to these
/// (`u32::MAX` for the dropped).
pub(crate) fn names_in_rows(names: ShardedInterner, rows: &RowStore) -> (Names, Vec<u32>) {
    let used: Vec<AtomicBool> = (0..names.id_space()).map(|_| AtomicBool::new(false)).collect();
    rows.par_for_each_ids(|from, to| {
        used[from as usize].store(true, Ordering::Relaxed);
        used[to as usize].store(true, Ordering::Relaxed);
    });
    names.into_sorted(|id| used[id as usize].load(Ordering::Relaxed))
}

impl Graph {
    /// Build a graph from ingested rows: renumber the people in name order, then sort,
    /// de-duplicate and lay out the rows (`RowStore` keeps them at 16 bytes each without
    /// dates, 24 with). The peak memory is the rows plus the out-side arrays (28 bytes per
    /// edge without dates).
    pub fn build(ingested: Ingested) -> BuildOutcome {
        let Ingested {
            names,
            mut rows,
            texts,
            relationships,
            weights,
            mut inputs,
            contexts,
            kinds,
            jobs,
            warnings,
            date_precision,
            stopped: _,
        } = ingested;
        let (names, remap) = names_in_rows(names, &rows);
        rows.map_ids(|from, to| (remap[from as usize], remap[to as usize]));
        drop(remap);
        let n = names.len();
        let c = match rows {
            RowStore::Undated(r) => csr(r, n, &mut inputs),
            RowStore::Dated(r) => csr(r, n, &mut inputs),
        };
        for input in &mut inputs {
            input.used = input.rows - input.duplicates - input.self_loops - input.skipped;
        }
        let graph = Graph {
            names,
            adj: c,
            components: Default::default(),
            texts,
            relationships,
            weights,
            contexts,
            kinds,
            date_precision,
            whole_degrees: None,
        };
        BuildOutcome { graph, inputs, jobs, warnings }
    }

    /// Build a graph straight from `(from, to)` name pairs (self-loops and repeats are
    /// dropped as in a scan). For tests, benchmarks and library users with edges in memory.
    pub fn from_edges<S: AsRef<str>>(edges: impl IntoIterator<Item = (S, S)>) -> Graph {
        Graph::from_records(edges.into_iter().map(|(a, b)| EdgeRecord::new(a, b)))
    }

    /// A graph of in-memory recommendations with attributes (for tests and library users);
    /// line `i + 1` of the pseudo-input `<memory>` is record `i`.
    pub fn from_records<S: AsRef<str>>(records: impl IntoIterator<Item = EdgeRecord<S>>) -> Graph {
        let mut ingested = Ingested::default();
        let mut stats = InputStats { path: "<memory>".into(), ..Default::default() };
        for (line, r) in records.into_iter().enumerate() {
            stats.rows += 1;
            let from = ingested.names.intern(r.from.as_ref().trim());
            let to = ingested.names.intern(r.to.as_ref().trim());
            if from == to {
                stats.self_loops += 1;
                continue;
            }
            let source = EdgeSource { file: 0, line: u32::try_from(line + 1).unwrap_or(u32::MAX) };
            ingested.rows.push(Row { from, to, created: r.created.unwrap_or(NO_DATE), source });
            ingested.texts.push(source, r.text.as_ref().map(AsRef::as_ref));
            ingested.relationships.push(source, r.relationship.as_ref().map(AsRef::as_ref));
            ingested.kinds.push(source, r.kind.as_ref().map(AsRef::as_ref));
        }
        ingested.inputs.push(stats);
        Graph::build(ingested).graph
    }
}

/// One in-memory recommendation for [`Graph::from_records`].
#[derive(Debug, Clone, Default)]
pub struct EdgeRecord<S> {
    /// Recommender.
    pub from: S,
    /// Recommendee.
    pub to: S,
    /// Unix seconds.
    pub created: Option<i64>,
    /// Stated relationship.
    pub relationship: Option<S>,
    /// Text.
    pub text: Option<S>,
    /// What kind of record it is when it is not a recommendation (`endorsement`).
    pub kind: Option<S>,
}

impl<S> EdgeRecord<S> {
    /// A recommendation without attributes.
    pub fn new(from: S, to: S) -> Self {
        EdgeRecord { from, to, created: None, relationship: None, text: None, kind: None }
    }
    /// With a date.
    pub fn at(mut self, created: i64) -> Self {
        self.created = Some(created);
        self
    }
    /// Of another kind than a recommendation (`endorsement`).
    pub fn kind(mut self, kind: S) -> Self {
        self.kind = Some(kind);
        self
    }
    /// With a text.
    pub fn text(mut self, text: S) -> Self {
        self.text = Some(text);
        self
    }
    /// With a stated relationship.
    pub fn relationship(mut self, relationship: S) -> Self {
        self.relationship = Some(relationship);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedups_sorts_and_builds_both_adjacencies() {
        let g = Graph::from_edges([("b", "a"), ("a", "c"), ("a", "b"), ("a", "b"), ("c", "c"), ("c", "a")]);
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 4);
        let (a, b, c) = (0, 1, 2);
        assert_eq!(g.out_neighbors(a), &[b, c]);
        assert_eq!(g.in_neighbors(a), &[b, c]);
        assert_eq!(g.edge_id(c, a), Some(3));
        assert_eq!(g.endpoints(3), (c, a));
        assert_eq!(g.in_edge_ids(a), &[g.edge_id(b, a).unwrap(), g.edge_id(c, a).unwrap()]);
        assert_eq!(g.edge_id(b, c), None);
        assert_eq!(g.source(g.edge_id(a, b).unwrap()).line, 3);
    }

    #[test]
    fn people_only_in_self_recommendations_are_not_people() {
        let g = Graph::from_edges([("a", "b"), ("z", "z")]);
        assert_eq!(g.node_count(), 2);
        assert_eq!(g.names().get("z"), None);
    }
}
