//! Strongly connected components. Only people in a component of two or more can be on a
//! cycle.
//!
//! Three steps, each exact: people with no recommendation given or none received (counting
//! only the people still in play) are trimmed away, repeatedly, since they can be on no
//! cycle; the component of one pivot (the most connected person left) is the intersection of
//! what it reaches and what reaches it, two breadth-first searches run side by side, which on
//! social networks takes in most of the graph at once (the forward-backward method of
//! Fleischer, Hendrickson and Pinar, 2000); whoever is left goes to petgraph's iterative
//! Kosaraju algorithm, run on our CSR through petgraph's visitor traits, with the trimmed and
//! the pivot's component filtered out.

use petgraph::visit::{GraphBase, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, VisitMap, Visitable};
use petgraph::Direction;

use super::Graph;

/// A visited-set over dense `u32` ids, one bit each.
#[derive(Debug, Clone)]
pub struct VisitedBits(Vec<u64>);

impl VisitMap<u32> for VisitedBits {
    fn visit(&mut self, a: u32) -> bool {
        let (w, b) = (a as usize / 64, 1u64 << (a % 64));
        let first = self.0[w] & b == 0;
        self.0[w] |= b;
        first
    }
    fn is_visited(&self, a: &u32) -> bool {
        self.0[*a as usize / 64] & (1u64 << (a % 64)) != 0
    }
    fn unvisit(&mut self, a: u32) -> bool {
        let (w, b) = (a as usize / 64, 1u64 << (a % 64));
        let was = self.0[w] & b != 0;
        self.0[w] &= !b;
        was
    }
}

impl GraphBase for Graph {
    type NodeId = u32;
    type EdgeId = u32;
}

impl Visitable for Graph {
    type Map = VisitedBits;
    fn visit_map(&self) -> VisitedBits {
        VisitedBits(vec![0; self.node_count().div_ceil(64)])
    }
    fn reset_map(&self, map: &mut VisitedBits) {
        map.0.clear();
        map.0.resize(self.node_count().div_ceil(64), 0);
    }
}

impl<'a> IntoNeighbors for &'a Graph {
    type Neighbors = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors(self, a: u32) -> Self::Neighbors {
        self.out_neighbors(a).iter().copied()
    }
}

impl<'a> IntoNeighborsDirected for &'a Graph {
    type NeighborsDirected = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors_directed(self, a: u32, d: Direction) -> Self::NeighborsDirected {
        match d {
            Direction::Outgoing => self.out_neighbors(a).iter().copied(),
            Direction::Incoming => self.in_neighbors(a).iter().copied(),
        }
    }
}

impl IntoNodeIdentifiers for &Graph {
    type NodeIdentifiers = std::ops::Range<u32>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        0..self.node_count() as u32
    }
}

/// Marks used for people outside any component of two or more.
pub(crate) const TRIVIAL: u32 = u32::MAX;

/// Component label of every person: equal labels for people in the same non-trivial
/// strongly connected component, [`TRIVIAL`] for everyone else. Labels are the smallest id
/// of the component, so they do not depend on traversal order.
pub(crate) fn component_labels(g: &Graph) -> Vec<u32> {
    let n = g.node_count();
    let mut labels = vec![TRIVIAL; n];
    let mut alive = trimmed(g);
    let Some(pivot) = (0..n as u32)
        .filter(|&v| alive[v as usize])
        .max_by_key(|&v| (g.out_neighbors(v).len() as u64 * g.in_neighbors(v).len() as u64, std::cmp::Reverse(v)))
    else {
        return labels;
    };
    let (forward, backward) = rayon::join(
        || reached(pivot, &alive, |v| g.out_neighbors(v)),
        || reached(pivot, &alive, |v| g.in_neighbors(v)),
    );
    let giant: Vec<u32> = forward.into_iter().filter(|&v| backward.contains(v)).collect();
    if giant.len() > 1 {
        let label = *giant.iter().min().expect("the pivot is in it");
        for &v in &giant {
            labels[v as usize] = label;
        }
    }
    for &v in &giant {
        alive[v as usize] = false;
    }
    // Kosaraju walks only whoever is left (usually few), not every person.
    let people: Vec<u32> = (0..n as u32).filter(|&v| alive[v as usize]).collect();
    if !people.is_empty() {
        for comp in petgraph::algo::kosaraju_scc(&Within { g, alive: &alive, people }) {
            if comp.len() > 1 {
                let label = *comp.iter().min().expect("non-empty component");
                for v in comp {
                    labels[v as usize] = label;
                }
            }
        }
    }
    labels
}

/// Who is left after repeatedly removing people without an in- or out-neighbour among those
/// left (they are on no cycle).
fn trimmed(g: &Graph) -> Vec<bool> {
    let n = g.node_count();
    let mut out_deg: Vec<u32> = (0..n as u32).map(|v| g.out_neighbors(v).len() as u32).collect();
    let mut in_deg: Vec<u32> = (0..n as u32).map(|v| g.in_neighbors(v).len() as u32).collect();
    let mut alive = vec![true; n];
    let mut queue: Vec<u32> = (0..n as u32).filter(|&v| out_deg[v as usize] == 0 || in_deg[v as usize] == 0).collect();
    while let Some(v) = queue.pop() {
        if !std::mem::replace(&mut alive[v as usize], false) {
            continue;
        }
        for &w in g.out_neighbors(v) {
            let d = &mut in_deg[w as usize];
            *d -= 1;
            if *d == 0 && alive[w as usize] {
                queue.push(w);
            }
        }
        for &u in g.in_neighbors(v) {
            let d = &mut out_deg[u as usize];
            *d -= 1;
            if *d == 0 && alive[u as usize] {
                queue.push(u);
            }
        }
    }
    alive
}

/// Everyone alive that `start` reaches by `next` (in visiting order), and the same as a set.
fn reached<'g>(start: u32, alive: &[bool], next: impl Fn(u32) -> &'g [u32]) -> Reached {
    let mut seen = VisitedBits(vec![0; alive.len().div_ceil(64)]);
    seen.visit(start);
    let mut order = vec![start];
    let mut at = 0;
    while at < order.len() {
        let v = order[at];
        at += 1;
        for &w in next(v) {
            if alive[w as usize] && seen.visit(w) {
                order.push(w);
            }
        }
    }
    Reached { order, seen }
}

/// The people a search reached.
struct Reached {
    order: Vec<u32>,
    seen: VisitedBits,
}

impl Reached {
    fn contains(&self, v: u32) -> bool {
        self.seen.is_visited(&v)
    }
    fn into_iter(self) -> std::vec::IntoIter<u32> {
        self.order.into_iter()
    }
}

/// The graph restricted to the people still `alive` (listed in `people`), for petgraph.
struct Within<'a> {
    g: &'a Graph,
    alive: &'a [bool],
    people: Vec<u32>,
}

/// Neighbours that are alive.
struct AliveNeighbours<'a> {
    it: std::slice::Iter<'a, u32>,
    alive: &'a [bool],
}

impl Iterator for AliveNeighbours<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        self.it.by_ref().copied().find(|&w| self.alive[w as usize])
    }
}

impl GraphBase for Within<'_> {
    type NodeId = u32;
    type EdgeId = u32;
}

impl Visitable for Within<'_> {
    type Map = VisitedBits;
    fn visit_map(&self) -> VisitedBits {
        self.g.visit_map()
    }
    fn reset_map(&self, map: &mut VisitedBits) {
        self.g.reset_map(map)
    }
}

impl<'a> IntoNeighbors for &Within<'a> {
    type Neighbors = AliveNeighbours<'a>;
    fn neighbors(self, a: u32) -> Self::Neighbors {
        self.neighbors_directed(a, Direction::Outgoing)
    }
}

impl<'a> IntoNeighborsDirected for &Within<'a> {
    type NeighborsDirected = AliveNeighbours<'a>;
    fn neighbors_directed(self, a: u32, d: Direction) -> Self::NeighborsDirected {
        let list = if self.alive[a as usize] {
            match d {
                Direction::Outgoing => self.g.out_neighbors(a),
                Direction::Incoming => self.g.in_neighbors(a),
            }
        } else {
            &[]
        };
        AliveNeighbours { it: list.iter(), alive: self.alive }
    }
}

impl IntoNodeIdentifiers for &Within<'_> {
    type NodeIdentifiers = std::vec::IntoIter<u32>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        self.people.clone().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_of_a_ring_a_pair_and_a_tail() {
        let g = Graph::from_edges([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "f"), ("f", "e")]);
        let labels = component_labels(&g);
        assert_eq!(labels, vec![0, 0, 0, TRIVIAL, 4, 4]);
    }

    /// Labels by petgraph's Kosaraju alone, the way they were computed before.
    fn kosaraju_labels(g: &Graph) -> Vec<u32> {
        let mut labels = vec![TRIVIAL; g.node_count()];
        for comp in petgraph::algo::kosaraju_scc(g) {
            if comp.len() > 1 {
                let label = *comp.iter().min().unwrap();
                comp.into_iter().for_each(|v| labels[v as usize] = label);
            }
        }
        labels
    }

    #[test]
    fn trim_and_pivot_agree_with_kosaraju_on_random_graphs() {
        let mut rng = crate::rng::Rng(11);
        for round in 0..60 {
            let n = 2 + rng.below(60);
            let m = rng.below(n * 3);
            let edges: Vec<(String, String)> =
                (0..m).map(|_| (format!("v{}", rng.below(n)), format!("v{}", rng.below(n)))).collect();
            let g = Graph::from_edges(edges);
            assert_eq!(component_labels(&g), kosaraju_labels(&g), "round {round}");
        }
    }

    #[test]
    fn long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let names: Vec<String> = (0..n).map(|i| format!("p{i:06}")).collect();
        let edges = (0..n).map(|i| (names[i].clone(), names[(i + 1) % n].clone()));
        let g = Graph::from_edges(edges);
        let labels = component_labels(&g);
        assert!(labels.iter().all(|&l| l == 0));
    }
}
