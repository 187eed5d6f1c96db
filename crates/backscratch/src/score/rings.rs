//! Rings: findings at or above medium that share a recommendation are merged into one group,
//! so that a trading club of six appears as one `ring` finding and not as dozens of cycles.
//!
//! The search marks the edges of every flagged finding in a concurrent union-find over edge
//! ids ([`FlaggedEdges`]): all edges of one finding are joined, so two findings that share an
//! edge end up in one set. A set whose edges outnumber its people holds more than one finding
//! (a single cycle or pair has as many edges as people) and becomes a ring, unless it has more
//! than [`MAX_RING_MEMBERS`] people: such a sprawling group is not one club, and its findings
//! are reported on their own (the summary counts these groups).

use std::sync::atomic::{AtomicU32, Ordering};

use crate::graph::Graph;

/// Groups with more people than this are not merged into one ring.
pub(crate) const MAX_RING_MEMBERS: usize = 12;
const UNFLAGGED: u32 = u32::MAX;

/// Edges of flagged findings, joined per finding (a lock-free union-find).
#[derive(Debug)]
pub struct FlaggedEdges {
    parent: Vec<AtomicU32>,
}

/// A group of flagged findings that share edges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// People, sorted.
    pub members: Vec<u32>,
    /// Edges, sorted.
    pub edges: Vec<u32>,
}

/// The groups of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    /// Groups merged into rings, in order of their smallest edge.
    pub rings: Vec<Group>,
    /// Sizes (people) of groups too large to be one ring.
    pub oversized: Vec<usize>,
}

impl FlaggedEdges {
    /// Nothing flagged yet, room for `m` edges.
    pub fn new(m: usize) -> Self {
        FlaggedEdges { parent: (0..m).map(|_| AtomicU32::new(UNFLAGGED)).collect() }
    }

    /// Whether edge `e` is in a flagged finding.
    pub fn contains(&self, e: u32) -> bool {
        self.parent[e as usize].load(Ordering::Relaxed) != UNFLAGGED
    }

    fn find(&self, mut x: u32) -> u32 {
        loop {
            let p = self.parent[x as usize].load(Ordering::Acquire);
            if p == x {
                return x;
            }
            let gp = self.parent[p as usize].load(Ordering::Acquire);
            if gp != p {
                // Path halving; losing the race only skips the shortcut.
                let _ = self.parent[x as usize].compare_exchange(p, gp, Ordering::AcqRel, Ordering::Relaxed);
            }
            x = p;
        }
    }

    fn union(&self, a: u32, b: u32) {
        loop {
            let (ra, rb) = (self.find(a), self.find(b));
            if ra == rb {
                return;
            }
            // Link the larger root under the smaller; retry if another thread moved it first.
            let (hi, lo) = (ra.max(rb), ra.min(rb));
            if self.parent[hi as usize].compare_exchange(hi, lo, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return;
            }
        }
    }

    /// Flag the edges of one finding and join them.
    pub fn flag(&self, edges: &[u32]) {
        for &e in edges {
            let _ = self.parent[e as usize].compare_exchange(UNFLAGGED, e, Ordering::AcqRel, Ordering::Relaxed);
        }
        for w in edges.windows(2) {
            self.union(w[0], w[1]);
        }
    }

    /// The representative of a flagged edge's set (stable once the search is over).
    pub fn root(&self, e: u32) -> Option<u32> {
        self.contains(e).then(|| self.find(e))
    }

    /// The flagged edges, one sorted set per connected group of flagged findings, in order
    /// of their root (call after the search).
    pub fn edge_sets(&self) -> Vec<Vec<u32>> {
        let mut by_root: Vec<(u32, u32)> =
            (0..self.parent.len() as u32).filter(|&e| self.contains(e)).map(|e| (self.find(e), e)).collect();
        by_root.sort_unstable();
        by_root.chunk_by(|a, b| a.0 == b.0).map(|chunk| chunk.iter().map(|&(_, e)| e).collect()).collect()
    }

    /// Group the flagged edges (call after the search). A ring is made of recommendations:
    /// endorsements in flagged findings are left out of the groups.
    pub fn groups(&self, g: &Graph) -> Groups {
        groups_of(g, &self.edge_sets())
    }
}

/// The rings and oversized groups of the flagged edges' `sets` ([`FlaggedEdges::edge_sets`]).
pub(crate) fn groups_of(g: &Graph, sets: &[Vec<u32>]) -> Groups {
    let mut out = Groups::default();
    for set in sets {
        let edges: Vec<u32> = set.iter().copied().filter(|&e| g.kind(e).is_none()).collect();
        let members = endpoints(g, &edges);
        if edges.len() <= members.len() {
            continue; // one finding on its own
        }
        if members.len() > MAX_RING_MEMBERS {
            out.oversized.push(members.len());
        } else {
            out.rings.push(Group { members, edges });
        }
    }
    out.rings.sort_by_key(|r| r.edges[0]);
    out.oversized.sort_unstable_by(|a, b| b.cmp(a));
    out
}

/// The people at either end of `edges`, sorted.
pub(crate) fn endpoints(g: &Graph, edges: &[u32]) -> Vec<u32> {
    let mut members: Vec<u32> = edges
        .iter()
        .flat_map(|&e| {
            let (a, b) = g.endpoints(e);
            [a, b]
        })
        .collect();
    members.sort_unstable();
    members.dedup();
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_sharing_an_edge_merge_and_lone_ones_do_not() {
        // A pair a<->b, a triangle a->b->c->a sharing a->b, and a lone pair x<->y.
        let g = Graph::from_edges([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "x")]);
        let e = |a: u32, b: u32| g.edge_id(a, b).unwrap();
        let f = FlaggedEdges::new(g.edge_count());
        f.flag(&[e(0, 1), e(1, 0)]);
        f.flag(&[e(0, 1), e(1, 2), e(2, 0)]);
        f.flag(&[e(3, 4), e(4, 3)]);
        assert!(f.contains(e(1, 2)));
        assert_eq!(f.root(e(1, 0)), f.root(e(2, 0)));
        assert_ne!(f.root(e(1, 0)), f.root(e(3, 4)));
        let groups = f.groups(&g);
        assert_eq!(groups.rings, vec![Group { members: vec![0, 1, 2], edges: vec![0, 1, 2, 3] }]);
        assert!(groups.oversized.is_empty());
    }

    #[test]
    fn sprawling_groups_are_not_one_ring() {
        let names: Vec<String> = (0..20).map(|i| format!("p{i:02}")).collect();
        let mut edges: Vec<(&str, &str)> = Vec::new();
        for i in 0..20 {
            edges.push((&names[i], &names[(i + 1) % 20]));
            edges.push((&names[(i + 1) % 20], &names[i]));
        }
        let g = Graph::from_edges(edges);
        let f = FlaggedEdges::new(g.edge_count());
        for i in 0..20u32 {
            let j = (i + 1) % 20;
            f.flag(&[g.edge_id(i, j).unwrap(), g.edge_id(j, i).unwrap()]);
        }
        for i in 0..18u32 {
            // Triangles are absent, so join neighbouring pairs through a shared edge instead.
            f.flag(&[g.edge_id(i, i + 1).unwrap(), g.edge_id(i + 1, i + 2).unwrap()]);
        }
        let groups = f.groups(&g);
        assert!(groups.rings.is_empty());
        assert_eq!(groups.oversized, vec![20]);
    }
}
