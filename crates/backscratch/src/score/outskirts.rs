//! The outskirts of a ring: people tied to a trading club without trading back, after
//! CIDRE's donor/recipient idea (Kojaku, Livan, Masuda, Scientific Reports 2021). A club
//! often praises a few people who never return the favour (a friend being pushed, a boss)
//! and is praised by a few who get nothing back; neither is a member, but a recruiter
//! checking them should know.
//!
//! - A **beneficiary** received at least [`MIN_TIES`] recommendations from the ring's
//!   members, most of everything they received, all within the ring's time window, and wrote
//!   none back to the ring.
//! - A **donor** wrote at least [`MIN_TIES`] recommendations to the ring's members, most of
//!   everything they wrote, within the window, and received none from the ring.

use std::collections::BTreeMap;

use super::corroboration::{Backing, Tally};
use crate::graph::Graph;

/// Recommendations to (or from) a ring that make a beneficiary (or donor).
pub(crate) const MIN_TIES: usize = 2;

/// Someone at a ring's outskirts, with their own evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Person id.
    pub person: u32,
    /// The recommendations between them and the ring.
    pub edges: Vec<u32>,
    /// How many they received (beneficiary) or gave (donor) in all.
    pub of_total: usize,
    /// Backing of the recommendations with the ring.
    pub backing: Tally,
}

/// Beneficiaries and donors of a ring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outskirts {
    /// Praised by the ring, never praising it back.
    pub beneficiaries: Vec<Party>,
    /// Praising the ring, never praised back.
    pub donors: Vec<Party>,
}

/// The outskirts of the ring of `members` (sorted) whose recommendations are `edges`:
/// parties' recommendations must fall within `window` seconds of the ring's own dates
/// (any, when the ring is undated).
pub(crate) fn of_ring(g: &Graph, backings: &[Backing], members: &[u32], edges: &[u32], window: i64) -> Outskirts {
    let is_member = |v: u32| members.binary_search(&v).is_ok();
    let dates: Vec<i64> = edges.iter().filter_map(|&e| g.created(e)).collect();
    let span = dates.iter().min().zip(dates.iter().max());
    let in_window = |e: u32| match (span, g.created(e)) {
        (Some((&lo, &hi)), Some(t)) => t >= lo - window && t <= hi + window,
        (Some(_), None) => false,
        (None, _) => true,
    };
    // Recommendations from members to outsiders, and from outsiders to members.
    let mut received: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut given: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for &m in members {
        let first = g.first_out_edge(m);
        for (i, &w) in g.out_neighbors(m).iter().enumerate() {
            if !is_member(w) {
                received.entry(w).or_default().push(first + i as u32);
            }
        }
        for (&u, &e) in g.in_neighbors(m).iter().zip(g.in_edge_ids(m)) {
            if !is_member(u) {
                given.entry(u).or_default().push(e);
            }
        }
    }
    let party = |person: u32, edges: Vec<u32>, of_total: usize| Party {
        person,
        backing: Tally::of(backings, &edges),
        edges,
        of_total,
    };
    let mut out = Outskirts::default();
    for (&v, ties) in &received {
        let total = g.received_in_whole(v);
        let trades_back = given.contains_key(&v);
        if ties.len() >= MIN_TIES && 2 * ties.len() > total && !trades_back && ties.iter().all(|&e| in_window(e)) {
            out.beneficiaries.push(party(v, ties.clone(), total));
        }
    }
    for (&v, ties) in &given {
        let total = g.given_in_whole(v);
        let praised_back = received.contains_key(&v);
        if ties.len() >= MIN_TIES && 2 * ties.len() > total && !praised_back && ties.iter().all(|&e| in_window(e)) {
            out.donors.push(party(v, ties.clone(), total));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeRecord;

    #[test]
    fn a_praised_outsider_is_a_beneficiary_and_a_praising_one_a_donor() {
        let day = |d: i64| Some(1_600_000_000 + d * 86_400);
        let rec =
            |a: &str, b: &str, d: i64| EdgeRecord { created: day(d), ..EdgeRecord::new(a.to_string(), b.to_string()) };
        let g = Graph::from_records([
            rec("a", "b", 0),
            rec("b", "c", 1),
            rec("c", "a", 2),
            rec("a", "x", 3), // x: praised by two members, gives nothing back
            rec("b", "x", 4),
            rec("y", "a", 3), // y: praises two members, gets nothing back
            rec("y", "c", 5),
            rec("z", "a", 200), // z: outside the window
            rec("z", "b", 201),
            rec("a", "w", 1), // w: praised once only
        ]);
        let id = |n: &str| g.names().get(n).unwrap();
        let members = [id("a"), id("b"), id("c")];
        let ring: Vec<u32> =
            [("a", "b"), ("b", "c"), ("c", "a")].iter().map(|(x, y)| g.edge_id(id(x), id(y)).unwrap()).collect();
        let backings = vec![Backing::Unknown; g.edge_count()];
        let o = of_ring(&g, &backings, &members, &ring, 30 * 86_400);
        assert_eq!(o.beneficiaries.iter().map(|p| p.person).collect::<Vec<_>>(), vec![id("x")]);
        assert_eq!(o.donors.iter().map(|p| p.person).collect::<Vec<_>>(), vec![id("y")]);
        assert_eq!(o.beneficiaries[0].of_total, 2);
    }
}
