//! The recommendation graph: people as dense ids, recommendations as a compressed sparse row
//! (CSR) structure with sorted, de-duplicated out- and in-adjacency, and edge attributes in
//! parallel arrays indexed by the edge's position in the out-adjacency.

pub(crate) mod build;
pub mod live;
pub(crate) mod scc;

pub(crate) use crate::intern::{names, shards};

pub use build::{BuildOutcome, EdgeRecord};
use names::Names;

pub use crate::ingest::SourcePos as EdgeSource;
use crate::ingest::{Sparse, SparseColumn};

/// A directed graph of distinct recommendations without self-loops.
#[derive(Debug, Default)]
pub struct Graph {
    names: Names,
    adj: build::Csr,
    /// Strongly connected component labels, computed once when first asked for.
    components: std::sync::OnceLock<Vec<u32>>,
    texts: SparseColumn,
    relationships: SparseColumn,
    weights: Sparse<f64>,
    contexts: SparseColumn,
    kinds: SparseColumn,
    date_precision: crate::ingest::date::DatePrecision,
    /// Recommendations received and given by each person in the whole network, when this
    /// graph holds only part of it (a cluster's core, see [`crate::cluster::core`]).
    whole_degrees: Option<Vec<(u32, u32)>>,
}

impl Graph {
    /// How many recommendations `v` received in the whole network (more than
    /// `in_neighbors(v).len()` only when this graph is a cluster's core).
    pub fn received_in_whole(&self, v: u32) -> usize {
        self.whole_degrees.as_ref().map_or(self.in_neighbors(v).len(), |d| d[v as usize].0 as usize)
    }

    /// How many recommendations `v` gave in the whole network (see
    /// [`Graph::received_in_whole`]).
    pub fn given_in_whole(&self, v: u32) -> usize {
        self.whole_degrees.as_ref().map_or(self.out_neighbors(v).len(), |d| d[v as usize].1 as usize)
    }

    /// Record the whole network's degrees (name, received, given) of the people of a graph
    /// that holds part of it; anyone not named keeps this graph's degrees.
    pub(crate) fn set_whole_degrees<'n>(&mut self, degrees: impl IntoIterator<Item = (&'n str, u32, u32)>) {
        let mut whole: Vec<(u32, u32)> = (0..self.node_count() as u32)
            .map(|v| (self.in_neighbors(v).len() as u32, self.out_neighbors(v).len() as u32))
            .collect();
        for (name, received, given) in degrees {
            if let Some(v) = self.names.get(name) {
                whole[v as usize] = (received, given);
            }
        }
        self.whole_degrees = Some(whole);
    }

    /// Take the date precision of the data this graph is part of (a finding judged on its
    /// own is judged as the dates of its whole dataset allow).
    pub(crate) fn set_date_precision(&mut self, precision: crate::ingest::date::DatePrecision) {
        self.date_precision = precision;
    }

    /// Number of people (vertices).
    pub fn node_count(&self) -> usize {
        self.names.len()
    }

    /// The strongly connected component label of every person (`scc::component_labels`),
    /// computed on first use and kept: the estimate of the search and the search itself
    /// both need it.
    pub fn components(&self) -> &[u32] {
        self.components.get_or_init(|| scc::component_labels(self))
    }

    /// Number of distinct recommendations (edges).
    pub fn edge_count(&self) -> usize {
        self.adj.targets.len()
    }

    /// The names of the people, ids in sorted name order.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// The name of person `v`.
    pub fn name(&self, v: u32) -> &str {
        self.names.name(v)
    }

    /// Recommendees of `v`, sorted by id.
    pub fn out_neighbors(&self, v: u32) -> &[u32] {
        &self.adj.targets[self.adj.out_offsets[v as usize]..self.adj.out_offsets[v as usize + 1]]
    }

    /// Edge id of the first out-edge of `v` (ids of `v`'s out-edges are consecutive).
    pub fn first_out_edge(&self, v: u32) -> u32 {
        self.adj.out_offsets[v as usize] as u32
    }

    /// Recommenders of `v`, sorted by id.
    pub fn in_neighbors(&self, v: u32) -> &[u32] {
        &self.adj.in_sources[self.adj.in_offsets[v as usize]..self.adj.in_offsets[v as usize + 1]]
    }

    /// Edge ids of the in-edges of `v`, parallel to [`Graph::in_neighbors`].
    pub fn in_edge_ids(&self, v: u32) -> &[u32] {
        &self.adj.in_edges[self.adj.in_offsets[v as usize]..self.adj.in_offsets[v as usize + 1]]
    }

    /// The id of edge `from -> to`, if it exists (binary search).
    pub fn edge_id(&self, from: u32, to: u32) -> Option<u32> {
        let out = self.out_neighbors(from);
        out.binary_search(&to).ok().map(|i| self.first_out_edge(from) + i as u32)
    }

    /// The endpoints of edge `e`.
    pub fn endpoints(&self, e: u32) -> (u32, u32) {
        let from = self.adj.out_offsets.partition_point(|&o| o <= e as usize) - 1;
        (from as u32, self.adj.targets[e as usize])
    }

    /// Unix seconds at which edge `e` was written, if known.
    pub fn created(&self, e: u32) -> Option<i64> {
        self.adj.created.as_ref().map(|c| c[e as usize]).filter(|&t| t != crate::ingest::NO_DATE)
    }

    /// Whether the input had a date column (some recommendations may still be undated).
    pub fn has_dates(&self) -> bool {
        self.adj.created.is_some()
    }

    /// The coarsest precision of any date in the data (a year-only date cannot support a
    /// lag of days).
    pub fn date_precision(&self) -> crate::ingest::date::DatePrecision {
        self.date_precision
    }

    /// The input row edge `e` was taken from.
    pub fn source(&self, e: u32) -> EdgeSource {
        self.adj.sources[e as usize]
    }

    /// The recommendation text of edge `e`, if the input had one.
    pub fn text(&self, e: u32) -> Option<&str> {
        self.texts.get(self.adj.sources[e as usize])
    }

    /// The weight of edge `e` (a rating, a vote), if the input had a weight column.
    pub fn weight(&self, e: u32) -> Option<f64> {
        self.weights.get(self.adj.sources[e as usize]).copied()
    }

    /// Whether any edge has a recommendation text.
    pub fn has_texts(&self) -> bool {
        !self.texts.is_empty()
    }

    /// The stated relationship of edge `e`, if the input had one.
    pub fn relationship(&self, e: u32) -> Option<&str> {
        self.relationships.get(self.adj.sources[e as usize])
    }

    /// Context of edge `e` (a LinkedIn counterpart's job, an endorsed skill, since when the two
    /// were connected), if any.
    pub fn context(&self, e: u32) -> Option<&str> {
        self.contexts.get(self.adj.sources[e as usize])
    }

    /// Whether any edge is of another kind than a recommendation.
    pub fn has_other_kinds(&self) -> bool {
        !self.kinds.is_empty()
    }

    /// The kind of edge `e` when it is not a recommendation (`endorsement`).
    pub fn kind(&self, e: u32) -> Option<&str> {
        self.kinds.get(self.adj.sources[e as usize])
    }
}
