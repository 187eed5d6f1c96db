//! Reciprocal pairs: `{a, b}` with both `a -> b` and `b -> a`, found by merging each
//! person's sorted out- and in-adjacency, in parallel over people.

use rayon::prelude::*;

use crate::graph::Graph;

/// A reciprocal pair; `a < b` by id (and so by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    /// The person with the smaller id.
    pub a: u32,
    /// The person with the larger id.
    pub b: u32,
    /// Edge id of `a -> b`.
    pub ab: u32,
    /// Edge id of `b -> a`.
    pub ba: u32,
}

/// Every reciprocal pair, sorted by `(a, b)`.
pub fn reciprocal_pairs(g: &Graph) -> Vec<Pair> {
    (0..g.node_count() as u32)
        .into_par_iter()
        .flat_map_iter(|a| {
            let out = g.out_neighbors(a);
            let (ins, in_ids) = (g.in_neighbors(a), g.in_edge_ids(a));
            let first_out = out.partition_point(|&b| b <= a);
            let first_in = ins.partition_point(|&b| b <= a);
            let (mut i, mut j) = (first_out, first_in);
            let mut found = Vec::new();
            while i < out.len() && j < ins.len() {
                match out[i].cmp(&ins[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        found.push(Pair { a, b: out[i], ab: g.first_out_edge(a) + i as u32, ba: in_ids[j] });
                        i += 1;
                        j += 1;
                    }
                }
            }
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_pair_once_with_both_edges() {
        let g = Graph::from_edges([("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("c", "a")]);
        let pairs = reciprocal_pairs(&g);
        assert_eq!(pairs.len(), 2);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 1));
        assert_eq!(g.endpoints(pairs[1].ab), (1, 2));
        assert_eq!(g.endpoints(pairs[1].ba), (2, 1));
    }
}
