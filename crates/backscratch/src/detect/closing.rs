//! What one new recommendation closes, for live detection: `u -> v` closes a reciprocal pair
//! when `v -> u` exists, and a cycle of length `L` (3..=k) for each simple path `v ~> u` of
//! `L - 1` hops. Every cycle that holds the new recommendation is new, and each is one such
//! path, so adding the recommendations of a graph one at a time and summing what each closes
//! gives the batch search's counts exactly, in any arrival order (the tests check it).
//!
//! The paths are found from both ends: a breadth-first search backwards from `u` gives the
//! people within `k - 2` hops of it, and a depth-first search forwards from `v` only steps
//! onto people close enough to `u` to still come back in time (the batch search's pruning,
//! applied to one edge). Both count their steps against a budget: a hub's search that would
//! run past it stops and says so ([`Closure::complete`] is false and the counts are lower
//! bounds), never a silently partial answer.

use super::cycles::{CycleCounts, MAX_CYCLE_LEN};
use crate::graph::live::LiveGraph;

/// What a new recommendation closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closure {
    /// Whether the opposite recommendation exists (a reciprocal pair).
    pub pair: bool,
    /// Cycles closed, by length (index 3..=k).
    pub cycles: CycleCounts,
    /// The first cycles closed (at most the limit asked for), each as its people starting at
    /// the recommender: `u, v, ..., back to u`.
    pub paths: Vec<Vec<u32>>,
    /// False when the search hit its budget: the counts are then lower bounds.
    pub complete: bool,
    /// Steps taken (people and recommendations looked at), against the budget.
    pub steps: u64,
}

impl Closure {
    /// Cycles closed, of every length.
    pub fn total_cycles(&self) -> u64 {
        self.cycles.iter().sum()
    }
}

/// How far and how long to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosingLimits {
    /// Longest cycle, 3..=[`MAX_CYCLE_LEN`].
    pub max_len: usize,
    /// Most steps one search may take.
    pub budget: u64,
    /// Most closing cycles to return as paths (all are counted).
    pub paths: usize,
}

/// Reusable per-search state: hop distances to the recommender and the people on the
/// current path, marked with an epoch so that nothing is cleared between searches.
#[derive(Debug, Default)]
pub struct ClosingScratch {
    epoch: u32,
    /// `(epoch, hops)`: hops to `u`, valid when the epoch is the current one.
    dist: Vec<(u32, u8)>,
    /// The epoch in which a person was put on the current path.
    on_path: Vec<u32>,
    path: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl ClosingScratch {
    fn start(&mut self, people: usize) {
        if self.dist.len() < people {
            self.dist.resize(people, (0, 0));
            self.on_path.resize(people, 0);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // After 2^32 searches the marks wrap: clear them once.
            self.dist.iter_mut().for_each(|d| *d = (0, 0));
            self.on_path.iter_mut().for_each(|p| *p = 0);
            self.epoch = 1;
        }
    }

    fn hops(&self, w: u32) -> Option<u8> {
        let (epoch, hops) = self.dist[w as usize];
        (epoch == self.epoch).then_some(hops)
    }
}

/// What the recommendation `u -> v`, already added to `g`, closes.
pub fn closed_by(g: &LiveGraph, u: u32, v: u32, limits: ClosingLimits, scratch: &mut ClosingScratch) -> Closure {
    let k = limits.max_len.clamp(3, MAX_CYCLE_LEN);
    let mut out = Closure { pair: g.edge_id(v, u).is_some(), complete: true, ..Closure::default() };
    scratch.start(g.people());
    // Backwards from u: everyone within k - 2 hops (the forward search's first step is to a
    // person who must be at most k - 2 hops from u).
    let reach = (k - 2) as u8;
    scratch.dist[u as usize] = (scratch.epoch, 0);
    scratch.frontier.clear();
    scratch.frontier.push(u);
    for hops in 1..=reach {
        scratch.next.clear();
        for i in 0..scratch.frontier.len() {
            let w = scratch.frontier[i];
            for &x in g.in_neighbors(w) {
                out.steps += 1;
                if scratch.hops(x).is_none() {
                    scratch.dist[x as usize] = (scratch.epoch, hops);
                    scratch.next.push(x);
                }
            }
            if out.steps > limits.budget {
                out.complete = false;
                return out;
            }
        }
        std::mem::swap(&mut scratch.frontier, &mut scratch.next);
    }
    // Forwards from v along simple paths, each step onto someone who can still reach u.
    scratch.path.clear();
    scratch.path.extend([u, v]);
    scratch.on_path[u as usize] = scratch.epoch;
    scratch.on_path[v as usize] = scratch.epoch;
    out.complete = extend(g, k, limits, scratch, &mut out);
    out
}

/// Extend the path held in `scratch` (which ends at its last person, `path.len() - 1` hops
/// after `u`); false when the budget ran out.
fn extend(g: &LiveGraph, k: usize, limits: ClosingLimits, s: &mut ClosingScratch, out: &mut Closure) -> bool {
    let u = s.path[0];
    let w = *s.path.last().expect("the path holds u and v");
    // People on the path; the cycle closed by stepping back to u has this many people.
    let len = s.path.len();
    let left = (k - len) as u8;
    for &x in g.out_neighbors(w) {
        out.steps += 1;
        if out.steps > limits.budget {
            return false;
        }
        if x == u {
            if len >= 3 {
                out.cycles[len] += 1;
                if out.paths.len() < limits.paths {
                    out.paths.push(s.path.clone());
                }
            }
            continue;
        }
        // Stepping onto x makes a path of len + 1 people, which must close within k.
        if s.on_path[x as usize] == s.epoch || s.hops(x).is_none_or(|h| h > left) || left == 0 {
            continue;
        }
        s.on_path[x as usize] = s.epoch;
        s.path.push(x);
        let done = extend(g, k, limits, s, out);
        s.path.pop();
        s.on_path[x as usize] = 0;
        if !done {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::live::Added;
    use crate::graph::Graph;
    use std::collections::BTreeSet;
    use std::sync::atomic::AtomicBool;

    const ALL: ClosingLimits = ClosingLimits { max_len: 5, budget: u64::MAX, paths: usize::MAX };

    /// Add `edges` one at a time; what they closed, summed, and every closed cycle by names
    /// (rotated to start at its smallest name, as the reference writes them).
    fn replay(edges: &[(String, String)], limits: ClosingLimits) -> (u64, CycleCounts, BTreeSet<Vec<String>>) {
        let (mut g, mut scratch) = (LiveGraph::new(), ClosingScratch::default());
        let (mut pairs, mut counts, mut cycles) = (0, CycleCounts::default(), BTreeSet::new());
        for (a, b) in edges {
            if let Added::New { from, to, .. } = g.add(a, b) {
                let c = closed_by(&g, from, to, limits, &mut scratch);
                assert!(c.complete);
                pairs += u64::from(c.pair);
                counts.iter_mut().zip(c.cycles).for_each(|(x, y)| *x += y);
                for p in c.paths {
                    let names: Vec<String> = p.iter().map(|&v| g.name(v).to_string()).collect();
                    let at = (0..names.len()).min_by_key(|&i| &names[i]).unwrap();
                    cycles.insert(names[at..].iter().chain(&names[..at]).cloned().collect());
                }
            }
        }
        (pairs, counts, cycles)
    }

    fn random_edges(seed: u64, people: u64, m: usize) -> Vec<(String, String)> {
        let mut rng = crate::rng::Rng(seed);
        (0..m)
            .map(|_| (format!("p{}", rng.below(people as usize)), format!("p{}", rng.below(people as usize))))
            .collect()
    }

    #[test]
    fn summed_over_arrivals_equals_the_batch_search_in_any_order() {
        for seed in 1..=12 {
            let mut edges = random_edges(seed, 12 + seed % 5, 60);
            let reference = crate::detect::reference::brute_force(&edges, ALL.max_len);
            assert!(reference.cycles.len() > 20 && !reference.pairs.is_empty(), "seed {seed}: too sparse to test");
            for order in 0..3 {
                if order > 0 {
                    // Another arrival order: a seeded shuffle.
                    let mut rng = crate::rng::Rng(seed * 31 + order);
                    for i in (1..edges.len()).rev() {
                        edges.swap(i, rng.below(i + 1));
                    }
                }
                let (pairs, counts, cycles) = replay(&edges, ALL);
                assert_eq!(pairs as usize, reference.pairs.len(), "seed {seed} order {order}");
                assert_eq!(cycles, reference.cycles, "seed {seed} order {order}");
                let g = Graph::from_edges(edges.iter().map(|(a, b)| (a.as_str(), b.as_str())));
                let batch = crate::detect::count_cycles(&g, ALL.max_len, &AtomicBool::new(false));
                assert_eq!(counts[3..=5], batch[3..=5], "seed {seed} order {order}");
            }
        }
    }

    #[test]
    fn counts_every_cycle_and_lists_only_up_to_the_limit() {
        // a -> b closes a 3-cycle through c and a 4-cycle through d, e; b -> a is a pair.
        let edges = [("b", "c"), ("c", "a"), ("b", "d"), ("d", "e"), ("e", "a"), ("b", "a"), ("a", "b")];
        let mut g = LiveGraph::new();
        let mut last = Added::SelfRecommendation;
        for (a, b) in edges {
            last = g.add(a, b);
        }
        let Added::New { from, to, .. } = last else { panic!("{last:?}") };
        let c = closed_by(&g, from, to, ClosingLimits { max_len: 4, budget: 1_000, paths: 1 }, &mut Default::default());
        assert!(c.pair && c.complete);
        assert_eq!((c.cycles[3], c.cycles[4], c.total_cycles(), c.paths.len()), (1, 1, 2, 1));
        let names: Vec<&str> = c.paths[0].iter().map(|&v| g.name(v)).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn a_hub_past_the_budget_says_it_is_incomplete() {
        // A hub everyone recommends and who recommends everyone: the search around it is large.
        let mut g = LiveGraph::new();
        for i in 0..200 {
            g.add("hub", &format!("p{i}"));
            g.add(&format!("p{i}"), "hub");
            g.add(&format!("p{i}"), &format!("p{}", (i + 1) % 200));
        }
        let Added::New { from, to, .. } = g.add("p0", "p7") else { panic!() };
        let mut scratch = ClosingScratch::default();
        let small = closed_by(&g, from, to, ClosingLimits { max_len: 5, budget: 100, paths: 0 }, &mut scratch);
        let full = closed_by(&g, from, to, ClosingLimits { budget: u64::MAX, ..ALL }, &mut scratch);
        assert!(!small.complete && full.complete);
        assert!(small.total_cycles() < full.total_cycles() && full.steps > 100);
    }
}
