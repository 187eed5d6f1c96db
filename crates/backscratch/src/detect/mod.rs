//! Detect: the structures that can be trades — reciprocal pairs and short directed cycles.
//!
//! [`detect`] runs one parallel pass that counts every cycle of length 3..=k exactly, marks
//! every edge that lies on at least one of them, and keeps the first `list_limit` cycles in
//! canonical order (shorter first, then by member ids, which follow name order). With
//! nothing to list it only counts, which is several times faster.

pub mod closing;
pub(crate) mod cycles;
pub(crate) mod estimate;
pub mod pairs;
pub mod reference;
pub(crate) mod topn;

use std::cmp::Ordering as CmpOrdering;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::graph::Graph;
pub use cycles::{CycleCounts, CycleVisitor, SearchOutcome, MAX_CYCLE_LEN};
pub use pairs::Pair;
use topn::TopN;

/// A directed simple cycle, rotated to start at its smallest id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    len: u8,
    vertices: [u32; MAX_CYCLE_LEN],
    edges: [u32; MAX_CYCLE_LEN],
}

impl Cycle {
    /// A cycle from its vertices (smallest first) and edges (`edges[i]` leaves `vertices[i]`).
    pub fn new(vertices: &[u32], edges: &[u32]) -> Cycle {
        let mut c = Cycle { len: vertices.len() as u8, vertices: [0; MAX_CYCLE_LEN], edges: [0; MAX_CYCLE_LEN] };
        c.vertices[..vertices.len()].copy_from_slice(vertices);
        c.edges[..edges.len()].copy_from_slice(edges);
        c
    }
    /// The people around the cycle, starting at the smallest id.
    pub fn vertices(&self) -> &[u32] {
        &self.vertices[..self.len as usize]
    }
    /// The edge ids around the cycle, parallel to [`Cycle::vertices`].
    pub fn edges(&self) -> &[u32] {
        &self.edges[..self.len as usize]
    }
    /// Number of people on the cycle.
    pub fn len(&self) -> usize {
        self.len as usize
    }
    /// Always false: a cycle has at least three people.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Ord for Cycle {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        self.len.cmp(&other.len).then_with(|| self.vertices().cmp(other.vertices()))
    }
}

impl PartialOrd for Cycle {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

/// A set of edge ids shared by all threads.
#[derive(Debug)]
pub struct EdgeMarks(Vec<AtomicU64>);

impl EdgeMarks {
    /// No edge marked, room for `m` edges.
    pub fn new(m: usize) -> Self {
        EdgeMarks((0..m.div_ceil(64)).map(|_| AtomicU64::new(0)).collect())
    }
    /// Mark edge `e`. Reads first: most edges on cycles are marked early, and a shared read
    /// is far cheaper than a contended atomic write.
    pub fn mark(&self, e: u32) {
        let word = &self.0[e as usize / 64];
        let bit = 1 << (e % 64);
        if word.load(Ordering::Relaxed) & bit == 0 {
            word.fetch_or(bit, Ordering::Relaxed);
        }
    }
    /// Whether there is room for no edge at all (a set that was never needed).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Whether edge `e` is marked.
    pub fn contains(&self, e: u32) -> bool {
        self.0[e as usize / 64].load(Ordering::Relaxed) & (1 << (e % 64)) != 0
    }
}

/// Keeps the first cycles in canonical order and marks the edges of all of them.
struct Lister<'a> {
    top: TopN<Cycle>,
    marks: &'a EdgeMarks,
}

impl CycleVisitor for Lister<'_> {
    fn cycle(&mut self, vertices: &[u32], edges: &[u32]) {
        for &e in edges {
            self.marks.mark(e);
        }
        self.top.push(Cycle::new(vertices, edges));
    }
    fn merge(&mut self, other: Self) {
        self.top.merge(other.top);
    }
}

/// Detection settings.
#[derive(Debug, Clone, Copy)]
pub struct DetectOptions {
    /// Longest cycle searched, 3..=[`MAX_CYCLE_LEN`].
    pub max_len: usize,
    /// How many cycles to keep for listing.
    pub list_limit: usize,
}

/// Everything the detectors found.
#[derive(Debug)]
pub struct Detection {
    /// Every reciprocal pair, sorted.
    pub pairs: Vec<Pair>,
    /// Exact number of cycles per length (lower bounds if `stopped`).
    pub cycle_counts: CycleCounts,
    /// The first `list_limit` cycles in canonical order.
    pub listed_cycles: Vec<Cycle>,
    /// Edges that lie on at least one cycle of length 3..=k (empty when nothing is listed).
    pub cycle_edges: EdgeMarks,
    /// Whether the stop flag cut the cycle search short.
    pub stopped: bool,
}

impl Detection {
    /// Total number of cycles over all lengths.
    pub fn total_cycles(&self) -> u64 {
        self.cycle_counts.iter().sum()
    }
}

/// Find all reciprocal pairs and all cycles of length 3..=`max_len`. Raising `stop` ends the
/// cycle search early (the outcome then says `stopped`).
pub fn detect(g: &Graph, options: DetectOptions, stop: &AtomicBool) -> Detection {
    let pairs = pairs::reciprocal_pairs(g);
    let params = cycles::SearchParams { max_len: options.max_len, components: g.components(), stop };
    if options.list_limit == 0 {
        // Nothing is listed, so no one's traded share is reported: counting is enough.
        let outcome = cycles::search::<false, _, _>(g, params, || cycles::NoVisitor);
        let (cycle_counts, stopped) = (outcome.counts, outcome.stopped);
        return Detection { pairs, cycle_counts, listed_cycles: Vec::new(), cycle_edges: EdgeMarks::new(0), stopped };
    }
    let marks = EdgeMarks::new(g.edge_count());
    let outcome =
        cycles::search::<true, _, _>(g, params, || Lister { top: TopN::new(options.list_limit), marks: &marks });
    let cycles::SearchOutcome { counts, visitor: Lister { top, .. }, stopped } = outcome;
    Detection { pairs, cycle_counts: counts, listed_cycles: top.into_sorted_vec(), cycle_edges: marks, stopped }
}

/// Hand every cycle of length 3..=`max_len` to visitors made by `make_visitor` (one per
/// parallel task, merged at the end), counting them exactly as [`detect`] does.
pub fn visit_cycles<V, F>(g: &Graph, max_len: usize, stop: &AtomicBool, make_visitor: F) -> cycles::SearchOutcome<V>
where
    V: CycleVisitor,
    F: Fn() -> V + Sync,
{
    let params = cycles::SearchParams { max_len, components: g.components(), stop };
    cycles::search::<true, _, _>(g, params, make_visitor)
}

/// Count cycles of length 3..=`max_len` without listing them (the fastest path).
pub fn count_cycles(g: &Graph, max_len: usize, stop: &AtomicBool) -> CycleCounts {
    let params = cycles::SearchParams { max_len, components: g.components(), stop };
    cycles::search::<false, _, _>(g, params, || cycles::NoVisitor).counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Graph {
        Graph::from_edges([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "a"), ("a", "c"), ("x", "y")])
    }

    #[test]
    fn counts_lists_and_marks() {
        let g = sample();
        let stop = AtomicBool::new(false);
        let d = detect(&g, DetectOptions { max_len: 4, list_limit: 2 }, &stop);
        assert_eq!(d.pairs.len(), 1);
        assert_eq!(&d.cycle_counts[3..=4], &[2, 1]);
        assert_eq!(d.listed_cycles.len(), 2);
        assert_eq!(d.listed_cycles[0].vertices(), &[0, 1, 2]);
        assert_eq!(d.listed_cycles[1].vertices(), &[0, 2, 3]);
        assert!(d.cycle_edges.contains(g.edge_id(0, 1).unwrap()));
        assert!(!d.cycle_edges.contains(g.edge_id(4, 5).unwrap()));
        assert_eq!(count_cycles(&g, 4, &stop), d.cycle_counts);
    }

    #[test]
    fn stop_flag_is_reported() {
        let stop = AtomicBool::new(true);
        let d = detect(&sample(), DetectOptions { max_len: 4, list_limit: 10 }, &stop);
        assert!(d.stopped);
    }
}
