//! Score: turn detected structures into findings with a severity and the evidence for it.
//!
//! This is the first, *structural* rule (`structural-v1`); it looks only at the shape of a
//! finding and at the time to reciprocate, and says so in every finding:
//! - a cycle of 3 or more people: **medium**, score 60;
//! - a reciprocal pair whose two recommendations are at most 14 days apart: **low**, score 30;
//! - any other reciprocal pair (slower, or dates unknown): **info**, score 10.
//!
//! Findings are listed most severe first; within a severity cycles come before pairs,
//! shorter cycles before longer ones, and then by member names.

pub mod employment;

use serde::{Deserialize, Serialize};

use crate::detect::{Cycle, Detection, Pair};
use crate::graph::Graph;
use employment::Employment;

/// The name of the rule, echoed in the report's `params`.
pub const RULE: &str = "structural-v1";
/// Pairs reciprocated within this many days are `low`, others `info`.
pub const PAIR_WINDOW_DAYS: f64 = 14.0;
const SECONDS_PER_DAY: f64 = 86_400.0;

/// How serious a finding is, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, not a concern on its own.
    Info,
    /// Weak evidence of a trade.
    Low,
    /// Evidence of a trade that deserves a look.
    Medium,
    /// Strong evidence of a trade.
    High,
}

impl Severity {
    /// All severities, least first.
    pub const ALL: [Severity; 4] = [Severity::Info, Severity::Low, Severity::Medium, Severity::High];

    /// The lower-case name used in reports and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One piece of evidence behind a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Stable name, e.g. `reciprocation_lag_days`.
    pub name: String,
    /// The measured value (`null` when it could not be measured).
    pub value: serde_json::Value,
    /// What the value is compared with (`null` when nothing is).
    pub baseline: serde_json::Value,
    /// Whether the signal counts towards the severity.
    pub fired: bool,
    /// One line a reader understands.
    pub explanation: String,
}

/// The kind of structure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// A directed cycle of three or more people.
    Cycle,
    /// Two people who recommended each other.
    Pair,
}

/// A finding in graph ids, before names are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Pair or cycle.
    pub kind: FindingKind,
    /// Members: a pair's two people in id order, or a cycle from its smallest id.
    pub members: Vec<u32>,
    /// Edge ids: `a -> b` then `b -> a` for a pair; around the cycle for a cycle.
    pub edges: Vec<u32>,
    /// 0..=100.
    pub score: u8,
    /// Severity from the rule.
    pub severity: Severity,
    /// The evidence.
    pub signals: Vec<Signal>,
}

/// All scored findings that the report lists, and counts over everything found.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    /// Listed findings, most severe first.
    pub listed: Vec<Scored>,
    /// Number of findings found, listed or not.
    pub found: u64,
    /// Found findings per severity, indexed like [`Severity::ALL`].
    pub by_severity: [u64; 4],
}

/// "1 day", "2.5 days".
fn plural_days(d: f64) -> String {
    if d == 1.0 {
        "1 day".to_string()
    } else {
        format!("{d} days")
    }
}

fn days(seconds: i64) -> f64 {
    (seconds as f64 / SECONDS_PER_DAY * 100.0).round() / 100.0
}

/// Days between the two recommendations of a pair, if both are dated.
pub fn reciprocation_lag(g: &Graph, p: &Pair) -> Option<f64> {
    Some(days((g.created(p.ab)? - g.created(p.ba)?).abs()))
}

fn pair_severity(lag: Option<f64>) -> Severity {
    match lag {
        Some(d) if d <= PAIR_WINDOW_DAYS => Severity::Low,
        _ => Severity::Info,
    }
}

/// Score one reciprocal pair.
pub fn score_pair(g: &Graph, p: &Pair) -> Scored {
    let lag = reciprocation_lag(g, p);
    let severity = pair_severity(lag);
    let explanation = match lag {
        Some(d) if d <= PAIR_WINDOW_DAYS => {
            format!("recommended each other {} apart (within {PAIR_WINDOW_DAYS} days)", plural_days(d))
        }
        Some(d) => format!("recommended each other {} apart (more than {PAIR_WINDOW_DAYS} days)", plural_days(d)),
        None => "recommended each other; dates unknown, so the time to reciprocate is unknown".to_string(),
    };
    Scored {
        kind: FindingKind::Pair,
        members: vec![p.a, p.b],
        edges: vec![p.ab, p.ba],
        score: if severity == Severity::Low { 30 } else { 10 },
        severity,
        signals: vec![Signal {
            name: "reciprocation_lag_days".into(),
            value: lag.map_or(serde_json::Value::Null, |d| d.into()),
            baseline: PAIR_WINDOW_DAYS.into(),
            fired: severity == Severity::Low,
            explanation,
        }],
    }
}

/// Score one cycle.
pub fn score_cycle(g: &Graph, c: &Cycle) -> Scored {
    let dates: Option<Vec<i64>> = c.edges().iter().map(|&e| g.created(e)).collect();
    let span = dates.map(|d| days(d.iter().max().unwrap_or(&0) - d.iter().min().unwrap_or(&0)));
    let span_note = match span {
        Some(d) => format!("the ring's recommendations span {} (not used by the structural rule)", plural_days(d)),
        None => "not every recommendation in the ring is dated".to_string(),
    };
    Scored {
        kind: FindingKind::Cycle,
        members: c.vertices().to_vec(),
        edges: c.edges().to_vec(),
        score: 60,
        severity: Severity::Medium,
        signals: vec![
            Signal {
                name: "ring_length".into(),
                value: c.len().into(),
                baseline: 3.into(),
                fired: true,
                explanation: format!("a ring of {} people, each recommending the next", c.len()),
            },
            Signal {
                name: "ring_span_days".into(),
                value: span.map_or(serde_json::Value::Null, |d| d.into()),
                baseline: serde_json::Value::Null,
                fired: false,
                explanation: span_note,
            },
        ],
    }
}

/// Score everything detected and choose what to list: at most `max_findings`, most severe
/// first. With employment histories, every listed finding also carries the
/// `worked_together` evidence.
pub fn score(g: &Graph, detection: &Detection, max_findings: usize, employment: Option<&Employment>) -> Scoring {
    let total_cycles = detection.total_cycles();
    let mut by_severity = [0u64; 4];
    by_severity[Severity::Medium as usize] += total_cycles;
    let mut pairs: Vec<(Severity, &Pair)> =
        detection.pairs.iter().map(|p| (pair_severity(reciprocation_lag(g, p)), p)).collect();
    for (s, _) in &pairs {
        by_severity[*s as usize] += 1;
    }
    // Cycles (medium) first, in canonical order; then pairs, low before info.
    let mut listed: Vec<Scored> =
        detection.listed_cycles.iter().take(max_findings).map(|c| score_cycle(g, c)).collect();
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
    let room = max_findings.saturating_sub(listed.len());
    listed.extend(pairs.iter().take(room).map(|(_, p)| score_pair(g, p)));
    if let Some(employment) = employment {
        for s in &mut listed {
            s.signals.push(employment::worked_together_signal(g, &s.edges, employment));
        }
    }
    Scoring { listed, found: total_cycles + detection.pairs.len() as u64, by_severity }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{detect, DetectOptions};
    use std::sync::atomic::AtomicBool;

    #[test]
    fn severity_order_and_pair_rule() {
        assert!(Severity::High > Severity::Medium && Severity::Low > Severity::Info);
        assert_eq!(pair_severity(Some(14.0)), Severity::Low);
        assert_eq!(pair_severity(Some(14.01)), Severity::Info);
        assert_eq!(pair_severity(None), Severity::Info);
    }

    #[test]
    fn cycles_listed_before_pairs_and_capped() {
        let g = Graph::from_edges([("a", "b"), ("b", "c"), ("c", "a"), ("a", "c"), ("x", "y"), ("y", "x")]);
        let d = detect(&g, DetectOptions { max_len: 4, list_limit: 10 }, &AtomicBool::new(false));
        let s = score(&g, &d, 2, None);
        assert_eq!(s.found, 3);
        assert_eq!(s.by_severity, [2, 0, 1, 0]);
        assert_eq!(s.listed.len(), 2);
        assert_eq!(s.listed[0].kind, FindingKind::Cycle);
        assert_eq!(s.listed[1].members, vec![0, 2]);
    }
}
