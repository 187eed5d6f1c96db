//! Each person's exposure: what the whole scan found against them, counted while every pair
//! and cycle is judged (not only over the listed findings), so that people can be ranked by
//! the strength of the evidence rather than by their single worst finding.
//!
//! Counted per person, over unsuppressed findings: how many pairs and cycles at medium or
//! above they are in, and the sum of those findings' scores; and, over every dated reciprocal
//! pair, how often they were the one who returned a recommendation, and how often that return
//! was fast by the rule's own standard (the `time` check of [`super::rule`]).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::rule::{Check, Outcome};
use super::Severity;
use crate::graph::Graph;

/// The counters of every person of a scan, filled from many threads.
#[derive(Debug, Default)]
pub struct Exposure {
    flagged: Vec<AtomicU32>,
    score_sum: Vec<AtomicU64>,
    returns: Vec<AtomicU32>,
    fast_returns: Vec<AtomicU32>,
}

/// One person's counters, read after the scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PersonExposure {
    /// Unsuppressed pairs and cycles at medium or above that they are in.
    pub flagged_findings: u32,
    /// The sum of those findings' scores.
    pub flagged_score_sum: u64,
    /// Dated reciprocal pairs in which they wrote the second recommendation.
    pub returns: u32,
    /// Those returns that the rule's time check calls fast.
    pub fast_returns: u32,
}

fn counters<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}

impl Exposure {
    /// Counters for `people` people, all zero.
    pub fn new(people: usize) -> Self {
        Exposure {
            flagged: counters(people),
            score_sum: counters(people),
            returns: counters(people),
            fast_returns: counters(people),
        }
    }

    /// Count one judged, unsuppressed pair or cycle for its members.
    pub fn record(&self, members: &[u32], o: &Outcome) {
        if o.severity < Severity::Medium || self.flagged.is_empty() {
            return;
        }
        for &m in members {
            self.flagged[m as usize].fetch_add(1, Ordering::Relaxed);
            self.score_sum[m as usize].fetch_add(u64::from(o.score), Ordering::Relaxed);
        }
    }

    /// Count who returned the recommendation of the reciprocal pair `a -> b` (edge `ab`),
    /// `b -> a` (edge `ba`), and whether the return was fast (undated pairs are not counted;
    /// of two written the same second, `b` counts as the one who returned).
    pub fn record_return(&self, g: &Graph, [a, b]: [u32; 2], [ab, ba]: [u32; 2], o: &Outcome) {
        let (Some(t_ab), Some(t_ba)) = (g.created(ab), g.created(ba)) else { return };
        if self.returns.is_empty() {
            return;
        }
        let returner = if t_ba >= t_ab { b } else { a } as usize;
        self.returns[returner].fetch_add(1, Ordering::Relaxed);
        if o.fired(Check::Time) {
            self.fast_returns[returner].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Person `v`'s counters (all zero when nothing was counted).
    pub fn of(&self, v: u32) -> PersonExposure {
        let get32 = |c: &Vec<AtomicU32>| c.get(v as usize).map_or(0, |a| a.load(Ordering::Relaxed));
        PersonExposure {
            flagged_findings: get32(&self.flagged),
            flagged_score_sum: self.score_sum.get(v as usize).map_or(0, |a| a.load(Ordering::Relaxed)),
            returns: get32(&self.returns),
            fast_returns: get32(&self.fast_returns),
        }
    }

    /// Every person with at least one flagged finding, in id order.
    pub fn flagged_people(&self) -> impl Iterator<Item = u32> + '_ {
        self.flagged.iter().enumerate().filter(|(_, c)| c.load(Ordering::Relaxed) > 0).map(|(v, _)| v as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeRecord;

    fn outcome(score: u8, severity: Severity, fast: bool) -> Outcome {
        let mut fired = [false; 11];
        fired[Check::ALL.iter().position(|&c| c == Check::Time).unwrap()] = fast;
        Outcome { score, severity, fired }
    }

    #[test]
    fn counts_flagged_findings_and_who_returned_fast() {
        let dated = |from, to, t| EdgeRecord { from, to, created: Some(t), ..Default::default() };
        let g = Graph::from_records([dated("a", "b", 0), dated("b", "a", 86_400), dated("c", "a", 5)]);
        let x = Exposure::new(g.node_count());
        let (a, b) = (0, 1);
        let ab = g.edge_id(a, b).unwrap();
        let ba = g.edge_id(b, a).unwrap();
        let o = outcome(50, Severity::Medium, true);
        x.record(&[a, b], &o);
        x.record(&[a, b], &outcome(30, Severity::Low, false));
        x.record_return(&g, [a, b], [ab, ba], &o);
        x.record_return(&g, [b, a], [ba, ab], &o);
        assert_eq!(x.of(a), PersonExposure { flagged_findings: 1, flagged_score_sum: 50, returns: 0, fast_returns: 0 });
        assert_eq!(x.of(b), PersonExposure { flagged_findings: 1, flagged_score_sum: 50, returns: 2, fast_returns: 2 });
        assert_eq!(x.flagged_people().collect::<Vec<_>>(), vec![a, b]);
        assert_eq!(x.of(99), PersonExposure::default());
    }
}
