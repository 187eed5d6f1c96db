//! Judging one pair or cycle at a time, outside a scan, by the same rule and against the
//! baselines a scan measured ([`Baselines`]): what a live service says of the pair or cycle a
//! new recommendation closes, before the next scan of everything.
//!
//! A finding's facts are its own recommendations (their dates), its members' activity in the
//! whole data (recommendations given and received: the concentration and shape checks) and
//! the dataset's baselines (how quickly and how tightly people here return praise). Given the
//! same three, the outcome, score, severity and signals are those a scan gives the same
//! pair or cycle (this crate's tests and the service's check it). Texts, stated relationships
//! and employment histories are not carried: their checks say so, as a scan's do without them.

use std::borrow::Cow;

use super::assess::{Evidence, Thresholds};
use super::time::{LagBaseline, SpanBaseline};
use super::{FindingKind, Severity, Signal};
use crate::graph::{EdgeRecord, Graph};
use crate::ingest::date::DatePrecision;

/// What a scan measured of its whole dataset that the rule compares each finding with: the
/// reciprocation lags of its pairs, the spans of random sets of its dates, the windows and
/// the dates' precision. Kept by a scan run with `keep_baselines`.
#[derive(Debug, Clone)]
pub struct Baselines {
    pub(crate) lags: LagBaseline,
    pub(crate) spans: SpanBaseline,
    pub(crate) thresholds: Thresholds,
    pub(crate) precision: DatePrecision,
}

/// One recommendation of a finding to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link<'a> {
    /// The recommender.
    pub from: &'a str,
    /// The recommendee.
    pub to: &'a str,
    /// When it was written (Unix seconds), if known.
    pub created: Option<i64>,
}

/// A person's recommendations in the whole data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    /// Recommendations they gave.
    pub given: u32,
    /// Recommendations they received.
    pub received: u32,
}

/// The rule's verdict on one pair or cycle, members named as a scan's report names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// Pair or cycle.
    pub kind: FindingKind,
    /// A pair's two people in name order; a cycle's from the first name in byte order, in
    /// the cycle's direction.
    pub members: Vec<String>,
    /// Its recommendations as `(from, to)`: a pair's first member's first; around a cycle.
    pub edges: Vec<(String, String)>,
    /// 0..=100.
    pub score: u8,
    /// Severity from the score.
    pub severity: Severity,
    /// Every signal of the rule, as a scan lists them.
    pub signals: Vec<Signal>,
}

impl Baselines {
    /// Judge the pair (`links`: `a -> b` and `b -> a`) or cycle (`links` around it, each
    /// ending where the next starts) whose members' whole-data activity `activity` gives.
    /// `None` when `links` is neither.
    pub fn judge(&self, links: &[Link<'_>], activity: impl Fn(&str) -> Activity) -> Option<Judged> {
        let closes = |i: usize| links[i].to == links[(i + 1) % links.len()].from;
        let kind = match links.len() {
            2 => FindingKind::Pair,
            n if n >= 3 => FindingKind::Cycle,
            _ => return None,
        };
        if !(0..links.len()).all(closes) || links.iter().any(|l| l.from == l.to) {
            return None;
        }
        let records = links.iter().map(|l| {
            let r = EdgeRecord::new(l.from, l.to);
            match l.created {
                Some(t) => r.at(t),
                None => r,
            }
        });
        let mut g = Graph::from_records(records);
        if g.edge_count() != links.len() || g.node_count() != links.len() {
            return None; // a person twice: not a simple cycle
        }
        g.set_date_precision(self.precision);
        let names: Vec<String> = (0..g.node_count() as u32).map(|v| g.name(v).to_string()).collect();
        g.set_whole_degrees(names.iter().map(|n| {
            let a = activity(n);
            (n.as_str(), a.received, a.given)
        }));
        // Ids are in name order, so id 0 starts the cycle (and a pair), as in a scan.
        let mut members = vec![0u32];
        let mut edges = Vec::with_capacity(links.len());
        while edges.len() < links.len() {
            let at = *members.last().expect("starts with one");
            let next = g.out_neighbors(at)[0];
            edges.push(g.edge_id(at, next).expect("an edge of the finding"));
            if edges.len() < links.len() {
                members.push(next);
            }
        }
        if kind == FindingKind::Pair {
            members.truncate(2);
        }
        let ev =
            Evidence::with_baselines(&g, None, Cow::Borrowed(&self.lags), Cow::Borrowed(&self.spans), self.thresholds);
        let (facts, outcome) = ev.judge(kind, &members, &edges);
        let signals = ev.signals(&facts, &outcome, &edges);
        let name = |v: u32| g.name(v).to_string();
        Some(Judged {
            kind,
            members: members.iter().map(|&v| name(v)).collect(),
            edges: edges
                .iter()
                .map(|&e| {
                    let (a, b) = g.endpoints(e);
                    (name(a), name(b))
                })
                .collect(),
            score: outcome.score,
            severity: outcome.severity,
            signals,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lags(g: &Graph) -> Vec<Option<i64>> {
        crate::detect::pairs::reciprocal_pairs(g).iter().map(|p| super::super::time::pair_lag(g, p.ab, p.ba)).collect()
    }

    fn baselines(g: &Graph) -> Baselines {
        Baselines {
            lags: LagBaseline::new(lags(g)),
            spans: SpanBaseline::new(g),
            thresholds: Thresholds::default(),
            precision: g.date_precision(),
        }
    }

    #[test]
    fn a_cycle_judged_alone_is_judged_as_in_its_graph() {
        // A dated graph with a tight 3-cycle among busy people, and background pairs.
        let day = 86_400;
        let mut records = vec![
            EdgeRecord::new("c", "a").at(10 * day),
            EdgeRecord::new("a", "b").at(10 * day + 60),
            EdgeRecord::new("b", "c").at(10 * day + 120),
        ];
        let names: Vec<String> = (0..40).map(|i| format!("p{i:02}")).collect();
        for (i, n) in names.iter().enumerate() {
            records.push(EdgeRecord::new(n.as_str(), names[(i + 1) % 40].as_str()).at((i as i64) * 37 * day));
            records.push(EdgeRecord::new(names[(i + 1) % 40].as_str(), n.as_str()).at((i as i64) * 41 * day));
        }
        records.push(EdgeRecord::new("a", "p01").at(3 * day));
        let g = Graph::from_records(records);
        let b = baselines(&g);
        let ev = Evidence::new(&g, None, lags(&g), Thresholds::default());
        let id = |n: &str| g.names().get(n).unwrap();
        let members = [id("a"), id("b"), id("c")];
        let edge_ids: Vec<u32> = (0..3).map(|i| g.edge_id(members[i], members[(i + 1) % 3]).unwrap()).collect();
        let (facts, outcome) = ev.judge(FindingKind::Cycle, &members, &edge_ids);
        let whole = ev.signals(&facts, &outcome, &edge_ids);

        let created = |a: &str, b: &str| g.created(g.edge_id(id(a), id(b)).unwrap());
        // Given in any rotation, named in the scan's order.
        let links = [("b", "c"), ("c", "a"), ("a", "b")].map(|(f, t)| Link { from: f, to: t, created: created(f, t) });
        let activity = |n: &str| Activity {
            given: g.out_neighbors(id(n)).len() as u32,
            received: g.in_neighbors(id(n)).len() as u32,
        };
        let alone = b.judge(&links, activity).unwrap();
        assert_eq!(alone.members, ["a", "b", "c"]);
        assert_eq!((alone.score, alone.severity), (outcome.score, outcome.severity));
        assert_eq!(alone.signals, whole);
        assert!(alone.signals.iter().any(|s| s.name == "ring_span_days" && s.fired), "{:?}", alone.signals);

        // A pair, and what is neither.
        let pair = [("p01", "p00"), ("p00", "p01")].map(|(f, t)| Link { from: f, to: t, created: created(f, t) });
        let judged = b.judge(&pair, activity).unwrap();
        assert_eq!((judged.kind, &judged.members), (FindingKind::Pair, &vec!["p00".to_string(), "p01".to_string()]));
        assert_eq!(judged.edges[0], ("p00".to_string(), "p01".to_string()));
        let open = [links[0], links[1]];
        assert!(b.judge(&open, activity).is_none());
    }
}
