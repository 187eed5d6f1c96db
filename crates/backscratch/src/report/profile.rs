//! A person's credibility profile: every recommendation counted by its backing (a working
//! relationship on record, a stated one, none, a contradicted one, or no data), and for a
//! `check` candidate each received recommendation with its backing in plain words and
//! whether it is traded.
//!
//! The profile also carries the one verdict rule that does not come from a finding
//! ([`unsubstantiated`]): a candidate most of whose checkable received recommendations have
//! no working relationship on record (at least [`MIN_UNSUBSTANTIATED`]) gets a warning.
//! Recommendations that cannot be checked (no history on file) and stated relationships
//! that are not about an employer (a client) never count against anyone.

use super::model::{BackingCounts, Edge, Received};
use crate::graph::Graph;
use crate::ingest::date::format_timestamp;
use crate::score::corroboration::{Backing, Tally};
use crate::score::employment::{overlap, Employment};
use crate::score::rings::FlaggedEdges;

/// Unsubstantiated received recommendations (uncorroborated or contradicted) from which
/// the profile rule can warn.
pub(crate) const MIN_UNSUBSTANTIATED: u64 = 2;

impl From<Tally> for BackingCounts {
    fn from(t: Tally) -> Self {
        BackingCounts {
            employment: t.employment.into(),
            claimed: t.claimed.into(),
            hollow_claim: t.hollow.into(),
            uncorroborated: t.uncorroborated.into(),
            contradicted: t.contradicted.into(),
            unknown: t.unknown.into(),
        }
    }
}

/// What a profile is computed from.
pub struct Backings<'a> {
    /// The backing of every edge.
    pub of_edge: &'a [Backing],
    /// The employment histories, for plain words.
    pub employment: Option<&'a Employment>,
}

/// The stable name of a backing.
pub(crate) fn backing_name(b: Backing) -> &'static str {
    match b {
        Backing::Employment => "employment",
        Backing::Claimed => "claimed",
        Backing::HollowClaim => "hollow_claim",
        Backing::Uncorroborated => "uncorroborated",
        Backing::Contradicted => "contradicted",
        Backing::Unknown => "unknown",
    }
}

fn year(t: i64) -> String {
    format_timestamp(t).get(..4).unwrap_or("?").to_string()
}

impl Backings<'_> {
    /// Counts over `edges`.
    pub fn counts(&self, edges: &[u32]) -> BackingCounts {
        Tally::of(self.of_edge, edges).into()
    }

    /// The backing of edge `e` in plain words.
    pub fn describe(&self, g: &Graph, e: u32) -> String {
        let (from, to) = g.endpoints(e);
        let (a, b) = (g.name(from), g.name(to));
        match self.of_edge[e as usize] {
            Backing::Employment => {
                let jobs = self.employment.and_then(|emp| Some((emp.jobs(a)?, emp.jobs(b)?)));
                match jobs.and_then(|(ja, jb)| overlap(ja, jb)) {
                    Some((company, start, end)) if end == i64::MAX => {
                        format!("worked together at {company} since {}", year(start))
                    }
                    Some((company, start, end)) => {
                        format!("worked together at {company} {}-{}", year(start), year(end))
                    }
                    None => "worked together".to_string(),
                }
            }
            Backing::Claimed => match g.relationship(e) {
                Some(r) if r.to_lowercase().contains("client") => format!("client relationship stated (\"{r}\")"),
                Some(r) if self.employment.is_none() => {
                    format!("relationship stated (\"{r}\"), no histories to check it")
                }
                Some(r) => format!("relationship stated (\"{r}\"), not contradicted by the histories"),
                None => "relationship stated".to_string(),
            },
            Backing::HollowClaim => format!(
                "relationship stated (\"{}\") that nothing can check, in a text of stock praise",
                g.relationship(e).unwrap_or_default()
            ),
            Backing::Uncorroborated => {
                "no working relationship on record: their histories never overlapped at an employer".to_string()
            }
            Backing::Contradicted => format!(
                "stated relationship contradicted by the histories (\"{}\")",
                g.relationship(e).unwrap_or_default()
            ),
            Backing::Unknown => {
                let missing: Vec<&str> = match self.employment {
                    Some(emp) => [a, b].into_iter().filter(|n| !emp.knows(n)).collect(),
                    None => Vec::new(),
                };
                if missing.is_empty() {
                    "cannot be checked: no employment histories given".to_string()
                } else {
                    format!("cannot be checked: no history on file for {}", missing.join(" and "))
                }
            }
        }
    }

    /// Every recommendation `v` received, oldest first, with its backing.
    pub fn received(&self, g: &Graph, v: u32, flagged: &FlaggedEdges, edge: impl Fn(u32) -> Edge) -> Vec<Received> {
        let mut ids: Vec<u32> = g.in_edge_ids(v).to_vec();
        ids.sort_by_key(|&e| (g.created(e).unwrap_or(i64::MAX), e));
        ids.into_iter()
            .map(|e| Received {
                edge: edge(e),
                backing: backing_name(self.of_edge[e as usize]).to_string(),
                backing_text: self.describe(g, e),
                traded: flagged.contains(e),
            })
            .collect()
    }
}

/// The profile rule: a warning sentence when at least [`MIN_UNSUBSTANTIATED`] received
/// recommendations, and more than half of the checkable ones, have no working relationship
/// on record or a contradicted one.
pub(crate) fn unsubstantiated(received: &BackingCounts) -> Option<String> {
    let bad = received.unsubstantiated();
    (bad >= MIN_UNSUBSTANTIATED && 2 * bad > received.checkable()).then(|| {
        format!(
            "{bad} of their {} checkable received recommendations have no working relationship on record or a \
             contradicted one",
            received.checkable()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_needs_two_and_a_majority_of_the_checkable() {
        let c = |employment, claimed, uncorroborated, contradicted, unknown| BackingCounts {
            employment,
            claimed,
            hollow_claim: 0,
            uncorroborated,
            contradicted,
            unknown,
        };
        assert!(unsubstantiated(&c(0, 0, 1, 0, 5)).is_none(), "one is not a pattern");
        assert!(unsubstantiated(&c(1, 0, 1, 0, 0)).is_none(), "half is not most");
        assert!(unsubstantiated(&c(0, 0, 1, 1, 9)).is_some(), "unknowns do not dilute or count");
        assert!(unsubstantiated(&c(0, 3, 0, 0, 0)).is_none(), "client recommendations never count against");
        assert!(unsubstantiated(&c(0, 0, 0, 0, 7)).is_none(), "no histories: nothing to conclude");
        assert!(unsubstantiated(&c(1, 0, 2, 0, 0)).unwrap().starts_with("2 of their 3 checkable"));
    }
}
