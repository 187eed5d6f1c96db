//! A cheap estimate of what the cycle search will cost, from the degree structure alone,
//! before searching: how `--max-len auto` chooses between 4 and 5.
//!
//! Cycles live inside strongly connected components, and the search extends paths only
//! through them. The number of walks of length `L` inside the components bounds the paths the
//! search can try for cycles of length `L + 1`; walks of length 4 are counted exactly in two
//! linear passes (`a(v)` = walks of 2 ending at `v`, `b(v)` = walks of 2 starting at `v`,
//! walks of 4 = Σ a(v)·b(v)). The search visits each path from its smallest member only, so
//! its work is a fraction of the walk count; [`NANOS_PER_WALK`] is that fraction times the
//! time per step, measured on this project's machine (2 cores) over the real graphs of
//! `../shared/data/real` (see the table in `benches/README.md`).

use rayon::prelude::*;

use crate::graph::{scc, Graph};

/// Predicted time of a default (scored) k = 5 scan per walk of length 4, in nanoseconds, on
/// this project's 2-core machine: the highest of the real graphs' measured ratios (0.15 on
/// Slashdot, 0.34 wiki-RfA, 0.41 Bitcoin OTC, 0.55 wiki-Vote, 1.05 email-Eu-core), so that the
/// prediction errs on the slow side.
pub(crate) const NANOS_PER_WALK: f64 = 1.0;

/// `auto` picks 5 when the k = 5 scan is predicted to take at most this long.
pub(crate) const AUTO_BUDGET_SECONDS: f64 = 5.0;

/// What the estimate found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SearchEstimate {
    /// People in strongly connected components of two or more.
    pub core_people: u64,
    /// Recommendations inside those components.
    pub core_edges: u64,
    /// Walks of length 4 inside the components.
    pub walks4: f64,
    /// Predicted seconds of the k = 5 search.
    pub seconds_k5: f64,
}

impl SearchEstimate {
    /// The longest cycle `auto` searches: 5 when the k = 5 search is predicted to fit
    /// [`AUTO_BUDGET_SECONDS`], else 4.
    pub(crate) fn auto_max_len(&self) -> usize {
        max_len_for(self.seconds_k5)
    }
}

/// The predicted seconds of the k = 5 search that makes `walks4` walks of length 4.
pub(crate) fn seconds_k5(walks4: f64) -> f64 {
    walks4 * NANOS_PER_WALK * 1e-9
}

/// `auto`'s choice for a k = 5 search predicted to take `seconds_k5`: 5 within the budget,
/// else 4.
pub(crate) fn max_len_for(seconds_k5: f64) -> usize {
    if seconds_k5 <= AUTO_BUDGET_SECONDS {
        5
    } else {
        4
    }
}

/// Estimate the cost of the cycle search on `g`.
pub(crate) fn estimate(g: &Graph) -> SearchEstimate {
    let labels = g.components();
    let n = g.node_count();
    let inside = |u: u32, v: u32| labels[u as usize] != scc::TRIVIAL && labels[u as usize] == labels[v as usize];
    // Both degrees in one pass: the label of `v` is read once for both of its lists.
    let (out_deg, in_deg): (Vec<u64>, Vec<u64>) = (0..n as u32)
        .into_par_iter()
        .map(|v| {
            let out = g.out_neighbors(v).iter().filter(|&&w| inside(v, w)).count() as u64;
            let inn = g.in_neighbors(v).iter().filter(|&&u| inside(u, v)).count() as u64;
            (out, inn)
        })
        .unzip();
    let walks4: f64 = (0..n as u32)
        .into_par_iter()
        .map(|v| {
            let ending: u64 = g.in_neighbors(v).iter().filter(|&&u| inside(u, v)).map(|&u| in_deg[u as usize]).sum();
            let starting: u64 =
                g.out_neighbors(v).iter().filter(|&&w| inside(v, w)).map(|&w| out_deg[w as usize]).sum();
            ending as f64 * starting as f64
        })
        .sum();
    SearchEstimate {
        core_people: labels.iter().filter(|&&l| l != scc::TRIVIAL).count() as u64,
        core_edges: out_deg.iter().sum(),
        walks4,
        seconds_k5: seconds_k5(walks4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_are_counted_inside_components_only() {
        // A 3-cycle (walks of 4 inside: 3, one from each start) and a tail outside.
        let g = Graph::from_edges([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")]);
        let e = estimate(&g);
        assert_eq!((e.core_people, e.core_edges), (3, 3));
        assert_eq!(e.walks4, 3.0);
        assert_eq!(e.auto_max_len(), 5);
        let acyclic = Graph::from_edges([("a", "b"), ("b", "c")]);
        assert_eq!(estimate(&acyclic).walks4, 0.0);
    }
}
