//! Corroboration: whether each recommendation is backed by a working relationship.
//!
//! Every edge gets one [`Backing`], computed once before the search:
//! - **employment**: both people have a history on file and held jobs at the same company at
//!   overlapping dates;
//! - **claimed**: the recommendation states a relationship that the histories do not
//!   contradict (no history on file, or a relationship that is not about a shared employer,
//!   such as "was a client of");
//! - **hollow claim**: a claim as above that nothing can check, in a text of stock praise
//!   ("a dynamic team player"): the writer's word alone, with nothing in the text that shows
//!   the work. Traders state relationships too; it counts neither for nor against;
//! - **uncorroborated**: both histories are on file, they never overlapped at one company,
//!   and the recommendation claims nothing;
//! - **contradicted**: it claims a working relationship ("managed", "worked with", "reported
//!   to", "senior to") that the histories rule out;
//! - **unknown**: no history for at least one of them and no claim. Unknown is *not* "no
//!   relationship": it never counts as evidence of a trade.

use rayon::prelude::*;

use super::employment::{dedup_companies, relation_of, Employment, Job, Relation};
use crate::graph::Graph;

/// How one recommendation is backed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Backing {
    /// Overlapping jobs at one company.
    Employment,
    /// A stated relationship the histories do not contradict.
    Claimed,
    /// A stated relationship nothing can check, in a text of stock praise.
    HollowClaim,
    /// Histories on file, no shared employer at the same time, no claim.
    Uncorroborated,
    /// A claimed working relationship the histories rule out.
    Contradicted,
    /// Not enough data to say.
    Unknown,
}

/// What a recommendation's relationship field claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Nothing stated.
    None,
    /// A working relationship at one employer (managed, reported to, worked with, senior to).
    Colleague,
    /// Another relationship (client, studied together, mentor, teacher).
    Other,
}

/// Words in a relationship field that claim a shared employer, as LinkedIn phrases them
/// ("managed X directly", "reported directly to X", "worked with X in the same group", "was
/// senior to X").
const COLLEAGUE_WORDS: &[&str] =
    &["managed", "manage", "reported", "reports", "worked", "works", "senior", "colleague", "coworker", "teammate"];

/// Classify a relationship field.
pub(crate) fn claim_of(relationship: Option<&str>) -> Claim {
    let Some(text) = relationship.map(str::trim).filter(|t| !t.is_empty()) else {
        return Claim::None;
    };
    let lower = text.to_lowercase();
    // "was a client of" and "studied together" are not about an employer, even when the
    // sentence also says "worked".
    if ["client", "studied", "student", "teacher", "mentor", "advisor"].iter().any(|w| lower.contains(w)) {
        return Claim::Other;
    }
    let colleague = lower.split(|c: char| !c.is_alphanumeric()).any(|w| COLLEAGUE_WORDS.contains(&w));
    if colleague {
        Claim::Colleague
    } else {
        Claim::Other
    }
}

/// Combine what the histories say with what the recommendation claims.
pub(crate) fn backing(relation: &Relation<'_>, claim: Claim) -> Backing {
    match (relation, claim) {
        (Relation::WorkedTogether { .. }, _) => Backing::Employment,
        (Relation::Unknown, Claim::None) => Backing::Unknown,
        (Relation::Unknown, _) | (_, Claim::Other) => Backing::Claimed,
        (_, Claim::Colleague) => Backing::Contradicted,
        (_, Claim::None) => Backing::Uncorroborated,
    }
}

/// The backing of every edge, indexed by edge id (all `Unknown` plus claims when there is no
/// employment data).
pub(crate) fn edge_backings(g: &Graph, employment: Option<&Employment>) -> Vec<Backing> {
    let jobs: Vec<Option<&[Job]>> = (0..g.node_count() as u32)
        .into_par_iter()
        .with_min_len(crate::par::MIN_LEN)
        .map(|v| employment.and_then(|e| e.jobs(g.name(v))))
        .collect();
    (0..g.node_count() as u32)
        .into_par_iter()
        .with_min_len(crate::par::MIN_LEN)
        .flat_map_iter(|v| {
            let first = g.first_out_edge(v);
            let jobs = &jobs;
            g.out_neighbors(v).iter().enumerate().map(move |(i, &w)| {
                let relation = match (jobs[v as usize], jobs[w as usize]) {
                    (Some(a), Some(b)) => relation_of(a, b),
                    _ => Relation::Unknown,
                };
                backing(&relation, claim_of(g.relationship(first + i as u32)))
            })
        })
        .collect()
}

/// Turn every [`Backing::Claimed`] edge whose claim nothing can check and whose text is
/// stock praise (`is_stock`) into a [`Backing::HollowClaim`]. A claim can be checked only
/// when it is about an employer and both histories are on file, and then it is never
/// `Claimed`; so every `Claimed` edge is unchecked.
pub(crate) fn mark_hollow_claims(backings: &mut [Backing], is_stock: impl Fn(u32) -> bool + Sync) {
    backings.par_iter_mut().with_min_len(crate::par::MIN_LEN).enumerate().for_each(|(e, b)| {
        if *b == Backing::Claimed && is_stock(e as u32) {
            *b = Backing::HollowClaim;
        }
    });
}

/// Backings of one finding's edges, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// [`Backing::Employment`].
    pub employment: u32,
    /// [`Backing::Claimed`].
    pub claimed: u32,
    /// [`Backing::HollowClaim`].
    pub hollow: u32,
    /// [`Backing::Uncorroborated`].
    pub uncorroborated: u32,
    /// [`Backing::Contradicted`].
    pub contradicted: u32,
    /// [`Backing::Unknown`].
    pub unknown: u32,
}

impl Tally {
    /// Count the backings of `edges`.
    pub fn of(backings: &[Backing], edges: &[u32]) -> Tally {
        let mut t = Tally::default();
        for &e in edges {
            match backings[e as usize] {
                Backing::Employment => t.employment += 1,
                Backing::Claimed => t.claimed += 1,
                Backing::HollowClaim => t.hollow += 1,
                Backing::Uncorroborated => t.uncorroborated += 1,
                Backing::Contradicted => t.contradicted += 1,
                Backing::Unknown => t.unknown += 1,
            }
        }
        t
    }
    /// Edges counted.
    pub fn total(&self) -> u32 {
        self.employment + self.claimed + self.hollow + self.uncorroborated + self.contradicted + self.unknown
    }
    /// Edges backed by employment or an uncontradicted claim.
    pub fn corroborated(&self) -> u32 {
        self.employment + self.claimed
    }
    /// Edges the data speaks against.
    pub fn against(&self) -> u32 {
        self.uncorroborated + self.contradicted
    }
    /// Whether anything could be checked at all.
    pub fn checked(&self) -> bool {
        self.unknown < self.total()
    }
    /// The `corroborated` signal: among the edges that could be checked, more are backed than
    /// not, and none is contradicted (unknown edges and hollow claims count neither way).
    pub fn mostly_corroborated(&self) -> bool {
        self.contradicted == 0 && self.corroborated() > self.against()
    }
    /// The `uncorroborated` signal: at least half the edges have no working relationship on
    /// record, and fewer are backed than not.
    pub fn mostly_uncorroborated(&self) -> bool {
        self.against() > 0 && 2 * self.against() >= self.total() && self.corroborated() < self.against()
    }
}

/// A sentence about the backing of `edges` for a report: counts, and the companies the
/// people shared.
pub(crate) fn describe(g: &Graph, edges: &[u32], backings: &[Backing], employment: Option<&Employment>) -> String {
    let t = Tally::of(backings, edges);
    let n = t.total();
    let mut parts = Vec::new();
    if t.employment > 0 {
        let mut companies: Vec<&str> = Vec::new();
        if let Some(employment) = employment {
            for &e in edges {
                let (a, b) = g.endpoints(e);
                if let Relation::WorkedTogether { company } = employment.relation(g.name(a), g.name(b)) {
                    companies.push(company);
                }
            }
        }
        dedup_companies(&mut companies);
        parts.push(format!("{} of {n} between people who worked together ({})", t.employment, companies.join(", ")));
    }
    if t.claimed > 0 {
        parts.push(format!("{} with a stated relationship the histories do not contradict", t.claimed));
    }
    if t.hollow > 0 {
        parts.push(format!("{} stating a relationship nothing can check, in stock praise", t.hollow));
    }
    if t.uncorroborated > 0 {
        parts.push(format!("{} between people whose histories show no shared employer at the time", t.uncorroborated));
    }
    if t.contradicted > 0 {
        parts.push(format!("{} claiming a working relationship the histories rule out", t.contradicted));
    }
    if t.unknown > 0 {
        let why =
            if employment.is_some() { "no history on file, no relationship stated" } else { "no employment data" };
        parts.push(format!("{} unknown ({why})", t.unknown));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_from_linkedin_phrases() {
        assert_eq!(claim_of(Some("Amara managed Ben directly")), Claim::Colleague);
        assert_eq!(claim_of(Some("Ben reported directly to Amara")), Claim::Colleague);
        assert_eq!(claim_of(Some("Tomas was senior to Uma but didn't manage directly")), Claim::Colleague);
        assert_eq!(claim_of(Some("Elif worked with Chen on different teams")), Claim::Colleague);
        assert_eq!(claim_of(Some("Wen was a client of Xavier")), Claim::Other);
        assert_eq!(claim_of(Some("Ann studied together with Bob")), Claim::Other);
        assert_eq!(claim_of(Some("  ")), Claim::None);
        assert_eq!(claim_of(None), Claim::None);
    }

    #[test]
    fn backing_table() {
        let together = Relation::WorkedTogether { company: "Acme" };
        let apart = Relation::SameCompanyDifferentTimes { company: "Acme" };
        assert_eq!(backing(&together, Claim::None), Backing::Employment);
        assert_eq!(backing(&Relation::NeverTogether, Claim::None), Backing::Uncorroborated);
        assert_eq!(backing(&apart, Claim::None), Backing::Uncorroborated);
        assert_eq!(backing(&apart, Claim::Colleague), Backing::Contradicted);
        assert_eq!(backing(&Relation::NeverTogether, Claim::Other), Backing::Claimed);
        assert_eq!(backing(&Relation::Unknown, Claim::Colleague), Backing::Claimed);
        assert_eq!(backing(&Relation::Unknown, Claim::None), Backing::Unknown);
    }

    #[test]
    fn tally_rules() {
        use Backing::*;
        let t = |b: &[Backing]| Tally::of(b, &(0..b.len() as u32).collect::<Vec<_>>());
        assert!(t(&[Uncorroborated, Uncorroborated]).mostly_uncorroborated());
        assert!(t(&[Uncorroborated, Uncorroborated, Unknown, Unknown]).mostly_uncorroborated());
        assert!(!t(&[Uncorroborated, Employment]).mostly_uncorroborated());
        assert!(!t(&[Uncorroborated, Employment]).mostly_corroborated(), "a tie is not corroboration");
        assert!(t(&[Employment, Employment, Unknown, Unknown, Unknown]).mostly_corroborated());
        assert!(t(&[Claimed, Unknown]).mostly_corroborated());
        assert!(!t(&[HollowClaim, Unknown]).mostly_corroborated(), "the writer's word in stock praise");
        assert!(!t(&[HollowClaim, HollowClaim]).mostly_uncorroborated(), "nor evidence against");
        assert!(!t(&[Contradicted, Employment]).mostly_corroborated());
        let unknown = t(&[Unknown, Unknown, Unknown]);
        assert!(!unknown.checked() && !unknown.mostly_corroborated() && !unknown.mostly_uncorroborated());
    }
}
