//! Strongly connected components, computed by petgraph's iterative Kosaraju algorithm
//! directly on our CSR (we implement petgraph's visitor traits; nothing is copied into a
//! `petgraph::Graph`). Only people in a component of two or more can be on a cycle.

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
pub const TRIVIAL: u32 = u32::MAX;

/// Component label of every person: equal labels for people in the same non-trivial
/// strongly connected component, [`TRIVIAL`] for everyone else. Labels are the smallest id
/// of the component, so they do not depend on traversal order.
pub fn component_labels(g: &Graph) -> Vec<u32> {
    let mut labels = vec![TRIVIAL; g.node_count()];
    for comp in petgraph::algo::kosaraju_scc(g) {
        if comp.len() > 1 {
            let label = *comp.iter().min().expect("non-empty component");
            for v in comp {
                labels[v as usize] = label;
            }
        }
    }
    labels
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
