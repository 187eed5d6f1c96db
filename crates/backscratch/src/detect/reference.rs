//! A deliberately plain reference for tests: every simple path from every start, no
//! pruning, no CSR, no parallelism. Exponential; use it on small graphs only.

use std::collections::{BTreeMap, BTreeSet};

/// What the reference finds, in names.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReferenceResult {
    /// Distinct people in at least one non-self edge.
    pub people: usize,
    /// Distinct directed edges without self-loops.
    pub recommendations: usize,
    /// Reciprocal pairs `(a, b)` with `a < b`.
    pub pairs: BTreeSet<(String, String)>,
    /// Cycles of length 3..=k, each rotated to start at its smallest name.
    pub cycles: BTreeSet<Vec<String>>,
}

impl ReferenceResult {
    /// Number of cycles with exactly `len` people.
    pub fn count(&self, len: usize) -> u64 {
        self.cycles.iter().filter(|c| c.len() == len).count() as u64
    }
}

/// Brute-force pairs and cycles of length 3..=`k` of the edges (names trimmed, self-loops
/// and repeats dropped).
pub fn brute_force<S: AsRef<str>>(edges: &[(S, S)], k: usize) -> ReferenceResult {
    let mut adj: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in edges {
        let (a, b) = (a.as_ref().trim(), b.as_ref().trim());
        if a != b {
            adj.entry(a.to_string()).or_default().insert(b.to_string());
        }
    }
    let mut people = BTreeSet::new();
    let mut result = ReferenceResult::default();
    for (a, outs) in &adj {
        for b in outs {
            people.insert(a.clone());
            people.insert(b.clone());
            result.recommendations += 1;
            if a < b && adj.get(b).is_some_and(|o| o.contains(a)) {
                result.pairs.insert((a.clone(), b.clone()));
            }
        }
    }
    result.people = people.len();
    for start in &people {
        let mut path = vec![start.clone()];
        walk(&adj, start, &mut path, k, &mut result.cycles);
    }
    result
}

fn walk(
    adj: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    path: &mut Vec<String>,
    k: usize,
    out: &mut BTreeSet<Vec<String>>,
) {
    let last = path.last().expect("path starts with the start").clone();
    for next in adj.get(&last).into_iter().flatten() {
        if next == start && path.len() >= 3 {
            out.insert(path.clone());
        } else if next.as_str() > start && !path.contains(next) && path.len() < k {
            path.push(next.clone());
            walk(adj, start, path, k, out);
            path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_square_and_pair() {
        let edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "a"), ("a", "c")];
        let r = brute_force(&edges, 4);
        assert_eq!(r.pairs.len(), 1);
        assert_eq!(r.count(3), 2); // a-b-c and a-c-d
        assert_eq!(r.count(4), 1); // a-b-c-d
        assert!(r.cycles.contains(&vec!["a".to_string(), "c".to_string(), "d".to_string()]));
    }
}
