//! Cases: the flagged findings of a scan cut into pieces a reviewer can work through.
//!
//! Every connected group of flagged findings (findings at or above medium that share a
//! recommendation, as joined by [`crate::score::rings::FlaggedEdges`]) is one case, a lone flagged
//! pair or cycle included. A group of more than [`MAX_CASE_MEMBERS`] people is not one club
//! and is split into its dense cores by greedy peeling (Charikar's 2-approximation of the
//! densest subgraph, the idea FRAUDAR builds on, Hooi et al., KDD 2016): the people with the
//! fewest flagged recommendations among the rest are peeled off one by one, and the densest
//! remainder (flagged recommendations per person) is a case; if it is still too large, the
//! last [`MAX_CASE_MEMBERS`] people peeled are. What is left is split again the same way. A
//! person left with no flagged recommendation inside the remainder belongs to no case; their
//! findings link cases and are counted as such.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::rings::endpoints;
use crate::graph::Graph;

/// No case has more people than this.
pub(crate) const MAX_CASE_MEMBERS: usize = 50;

/// One case before it is judged: its people and the flagged recommendations among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaseGroup {
    /// People, sorted.
    pub members: Vec<u32>,
    /// Flagged recommendations with both ends in the case, sorted.
    pub edges: Vec<u32>,
    /// For a core split from a larger group: that group's size in people.
    pub split_from: Option<usize>,
}

/// Cut the flagged findings of a scan into cases, in order of their smallest edge. `sets`
/// are the flagged recommendations per connected group (`FlaggedEdges::edge_sets`).
pub(crate) fn case_groups(g: &Graph, sets: Vec<Vec<u32>>) -> Vec<CaseGroup> {
    let mut out = Vec::new();
    for edges in sets {
        let members = endpoints(g, &edges);
        if members.len() <= MAX_CASE_MEMBERS {
            out.push(CaseGroup { members, edges, split_from: None });
        } else {
            let size = members.len();
            out.extend(split(g, edges).into_iter().map(|(members, edges)| CaseGroup {
                members,
                edges,
                split_from: Some(size),
            }));
        }
    }
    out.sort_by_key(|c| c.edges[0]);
    out
}

/// A group's people as local indices, with undirected weighted adjacency (a reciprocal pair
/// weighs two).
struct Local {
    people: Vec<u32>,
    adjacency: Vec<Vec<(usize, u32)>>,
    /// Per edge of the group: its local ends.
    ends: Vec<(usize, usize)>,
}

impl Local {
    fn new(g: &Graph, edges: &[u32]) -> Local {
        let people = endpoints(g, edges);
        let at = |v: u32| people.binary_search(&v).expect("an edge's end is a member");
        let ends: Vec<(usize, usize)> = edges
            .iter()
            .map(|&e| {
                let (a, b) = g.endpoints(e);
                (at(a), at(b))
            })
            .collect();
        let mut adjacency = vec![Vec::new(); people.len()];
        for &(a, b) in &ends {
            adjacency[a].push((b, 1));
            adjacency[b].push((a, 1));
        }
        Local { people, adjacency, ends }
    }

    /// Peeling order: repeatedly the person with the least weight to the rest. Returns the
    /// order and the size of the densest remainder (people left when density peaked).
    fn peel(&self) -> (Vec<usize>, usize) {
        let n = self.people.len();
        let mut degree: Vec<u32> = self.adjacency.iter().map(|a| a.iter().map(|&(_, w)| w).sum()).collect();
        let mut weight: u64 = degree.iter().map(|&d| u64::from(d)).sum::<u64>() / 2;
        let mut heap: BinaryHeap<Reverse<(u32, usize)>> = (0..n).map(|v| Reverse((degree[v], v))).collect();
        let mut gone = vec![false; n];
        let mut order = Vec::with_capacity(n);
        // Best density as a fraction weight/left; ties keep the smaller remainder.
        let (mut best_w, mut best_left) = (weight, n);
        while let Some(Reverse((d, v))) = heap.pop() {
            if gone[v] || d != degree[v] {
                continue;
            }
            gone[v] = true;
            order.push(v);
            weight -= u64::from(d);
            for &(u, w) in &self.adjacency[v] {
                if !gone[u] {
                    degree[u] -= w;
                    heap.push(Reverse((degree[u], u)));
                }
            }
            let left = n - order.len();
            if left >= 2 && weight * best_left as u64 >= best_w * left as u64 {
                (best_w, best_left) = (weight, left);
            }
        }
        (order, best_left)
    }

    /// Connected parts of the people in `keep` through the group's edges, each as (people,
    /// edge positions), people sorted by local index.
    fn parts(&self, keep: &[bool]) -> Vec<(Vec<usize>, Vec<usize>)> {
        let n = self.people.len();
        let mut part = vec![usize::MAX; n];
        let mut parts: Vec<Vec<usize>> = Vec::new();
        for s in (0..n).filter(|&v| keep[v]) {
            if part[s] != usize::MAX {
                continue;
            }
            let id = parts.len();
            part[s] = id;
            let mut stack = vec![s];
            let mut people = Vec::new();
            while let Some(v) = stack.pop() {
                people.push(v);
                for &(u, _) in &self.adjacency[v] {
                    if keep[u] && part[u] == usize::MAX {
                        part[u] = id;
                        stack.push(u);
                    }
                }
            }
            people.sort_unstable();
            parts.push(people);
        }
        let mut edges = vec![Vec::new(); parts.len()];
        for (i, &(a, b)) in self.ends.iter().enumerate() {
            if keep[a] && keep[b] {
                edges[part[a]].push(i);
            }
        }
        parts.into_iter().zip(edges).filter(|(p, _)| p.len() >= 2).collect()
    }
}

/// Split a group's flagged edges into cores of at most [`MAX_CASE_MEMBERS`] people.
fn split(g: &Graph, edges: Vec<u32>) -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut out = Vec::new();
    let mut work = vec![edges];
    while let Some(edges) = work.pop() {
        let local = Local::new(g, &edges);
        let n = local.people.len();
        if n <= MAX_CASE_MEMBERS {
            out.push((local.people, edges));
            continue;
        }
        let (order, densest) = local.peel();
        let take = densest.min(MAX_CASE_MEMBERS);
        let mut core = vec![false; n];
        order[n - take..].iter().for_each(|&v| core[v] = true);
        let mut cores = local.parts(&core);
        if cores.is_empty() {
            // The last people peeled share no edge (rare): the best-connected person and
            // their partners are the core instead.
            core.iter_mut().for_each(|c| *c = false);
            let hub = (0..n).max_by_key(|&v| (local.adjacency[v].len(), Reverse(v))).expect("a group has people");
            core[hub] = true;
            for &(u, _) in local.adjacency[hub].iter().take(MAX_CASE_MEMBERS - 1) {
                core[u] = true;
            }
            cores = local.parts(&core);
        }
        for (people, positions) in &cores {
            out.push((
                people.iter().map(|&v| local.people[v]).collect(),
                positions.iter().map(|&i| edges[i]).collect(),
            ));
            people.iter().for_each(|&v| core[v] = true);
        }
        let rest: Vec<bool> = core.iter().map(|&c| !c).collect();
        for (_, positions) in local.parts(&rest) {
            work.push(positions.iter().map(|&i| edges[i]).collect());
        }
    }
    for (members, edges) in &mut out {
        members.sort_unstable();
        edges.sort_unstable();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::rings::FlaggedEdges;

    /// Flag every pair as one connected group (as findings sharing recommendations would).
    fn flag_all_pairs(g: &Graph, f: &FlaggedEdges, pairs: &[(u32, u32)]) {
        let edges: Vec<u32> =
            pairs.iter().flat_map(|&(a, b)| [g.edge_id(a, b).unwrap(), g.edge_id(b, a).unwrap()]).collect();
        f.flag(&edges);
    }

    #[test]
    fn every_flagged_group_is_a_case_lone_findings_too() {
        let g = Graph::from_edges([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "x")]);
        let e = |a: u32, b: u32| g.edge_id(a, b).unwrap();
        let f = FlaggedEdges::new(g.edge_count());
        f.flag(&[e(0, 1), e(1, 0)]);
        f.flag(&[e(0, 1), e(1, 2), e(2, 0)]);
        f.flag(&[e(3, 4), e(4, 3)]);
        let cases = case_groups(&g, f.edge_sets());
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].members, vec![0, 1, 2]);
        assert_eq!(cases[1].members, vec![3, 4]);
        assert!(cases.iter().all(|c| c.split_from.is_none()));
    }

    /// Two cliques of reciprocal pairs (30 people each) joined by a chain of 40 pairs: one
    /// group of 100 people that is split into the two cliques and the chain's pieces.
    #[test]
    fn an_oversized_group_splits_into_its_dense_cores() {
        let names: Vec<String> = (0..100).map(|i| format!("p{i:03}")).collect();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for base in [0u32, 30] {
            for i in 0..30 {
                for j in i + 1..30 {
                    pairs.push((base + i, base + j));
                }
            }
        }
        // Chain 59 - 60 - ... - 99 - 0.
        for i in 59..99u32 {
            pairs.push((i, i + 1));
        }
        pairs.push((99, 0));
        let edges: Vec<(&str, &str)> = pairs
            .iter()
            .flat_map(|&(a, b)| {
                [(names[a as usize].as_str(), names[b as usize].as_str()), (&names[b as usize], &names[a as usize])]
            })
            .collect();
        let g = Graph::from_edges(edges);
        let id = |s: &str| (0..g.node_count() as u32).find(|&v| g.name(v) == s).unwrap();
        let pairs: Vec<(u32, u32)> =
            pairs.iter().map(|&(a, b)| (id(&names[a as usize]), id(&names[b as usize]))).collect();
        let f = FlaggedEdges::new(g.edge_count());
        flag_all_pairs(&g, &f, &pairs);
        let cases = case_groups(&g, f.edge_sets());
        assert!(cases.iter().all(|c| c.members.len() <= MAX_CASE_MEMBERS && c.split_from == Some(100)));
        let clique = |base: usize| -> Vec<u32> {
            let mut v: Vec<u32> = (base..base + 30).map(|i| id(&names[i])).collect();
            v.sort_unstable();
            v
        };
        assert!(cases.iter().any(|c| c.members == clique(0)), "{cases:?}");
        assert!(cases.iter().any(|c| c.members == clique(30)));
        // Every flagged edge inside a case is counted once.
        let total: usize = cases.iter().map(|c| c.edges.len()).sum();
        assert!(total <= g.edge_count());
        let mut seen: Vec<u32> = cases.iter().flat_map(|c| c.edges.iter().copied()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), total);
    }

    /// A hub with 200 partners: no case is larger than the cap.
    #[test]
    fn a_star_is_cut_to_the_cap() {
        let names: Vec<String> = (0..200).map(|i| format!("leaf{i:03}")).collect();
        let edges: Vec<(&str, &str)> = names.iter().flat_map(|n| [("hub", n.as_str()), (n.as_str(), "hub")]).collect();
        let g = Graph::from_edges(edges);
        let hub = (0..g.node_count() as u32).find(|&v| g.name(v) == "hub").unwrap();
        let f = FlaggedEdges::new(g.edge_count());
        let pairs: Vec<(u32, u32)> = (0..g.node_count() as u32).filter(|&v| v != hub).map(|v| (hub, v)).collect();
        flag_all_pairs(&g, &f, &pairs);
        let cases = case_groups(&g, f.edge_sets());
        assert_eq!(cases.len(), 1, "the leaves left over share no edge among themselves");
        assert_eq!(cases[0].members.len(), MAX_CASE_MEMBERS);
        assert!(cases[0].members.contains(&hub));
    }
}
