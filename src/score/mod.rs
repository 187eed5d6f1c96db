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

/// Seconds between the two recommendations of a pair, if both are dated.
pub fn reciprocation_lag_seconds(g: &Graph, p: &Pair) -> Option<i64> {
    Some((g.created(p.ab)? - g.created(p.ba)?).abs())
}

/// Days between the two recommendations of a pair (two decimals), if both are dated.
pub fn reciprocation_lag(g: &Graph, p: &Pair) -> Option<f64> {
    reciprocation_lag_seconds(g, p).map(days)
}

fn pair_severity(lag: Option<f64>) -> Severity {
    match lag {
        Some(d) if d <= PAIR_WINDOW_DAYS => Severity::Low,
        _ => Severity::Info,
    }
}

/// A duration for people: "4 minutes", "3.5 hours", "12 days".
fn human_duration(seconds: i64) -> String {
    let s = seconds as f64;
    let (amount, unit) = if seconds < 3600 {
        ((s / 60.0).round(), "minute")
    } else if seconds < 86_400 {
        ((s / 360.0).round() / 10.0, "hour")
    } else {
        ((s / 8640.0).round() / 10.0, "day")
    };
    format!("{amount} {unit}{}", if amount == 1.0 { "" } else { "s" })
}

/// The dataset's own reciprocation lags, to place one pair among them.
#[derive(Debug, Clone, PartialEq)]
pub struct LagBaseline {
    /// Lags in seconds of every dated reciprocal pair, sorted.
    sorted: Vec<i64>,
}

/// Fewer dated reciprocal pairs than this give no dataset baseline.
pub const MIN_BASELINE_PAIRS: usize = 20;

impl LagBaseline {
    /// The baseline of these lags in seconds (undated pairs are left out).
    pub fn new(lags: impl IntoIterator<Item = Option<i64>>) -> Self {
        let mut sorted: Vec<i64> = lags.into_iter().flatten().collect();
        sorted.sort_unstable();
        LagBaseline { sorted }
    }

    /// The `reciprocation_lag_percentile` signal: the share (%) of the dataset's dated
    /// reciprocal pairs that were reciprocated faster than this one. Evidence only: it never
    /// fires under the structural rule.
    pub fn signal(&self, lag_seconds: Option<i64>) -> Signal {
        let n = self.sorted.len();
        let (value, explanation) = match lag_seconds {
            _ if n < MIN_BASELINE_PAIRS => (
                serde_json::Value::Null,
                format!("only {n} dated reciprocal pair(s) in the data, too few for a baseline"),
            ),
            None => (serde_json::Value::Null, "undated, so not compared with the data".to_string()),
            Some(lag) => {
                let faster = self.sorted.partition_point(|&x| x < lag);
                let pct = (faster as f64 * 1000.0 / n as f64).round() / 10.0;
                let median = human_duration(self.sorted[n / 2]);
                (
                    pct.into(),
                    format!("{pct}% of the {n} dated reciprocal pairs in the data were faster (median {median})"),
                )
            }
        };
        Signal {
            name: "reciprocation_lag_percentile".into(),
            value,
            baseline: serde_json::Value::Null,
            fired: false,
            explanation,
        }
    }
}

/// Score one reciprocal pair, placing its lag in the dataset's `baseline`.
pub fn score_pair(g: &Graph, p: &Pair, baseline: &LagBaseline) -> Scored {
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
        signals: vec![
            Signal {
                name: "reciprocation_lag_days".into(),
                value: lag.map_or(serde_json::Value::Null, |d| d.into()),
                baseline: PAIR_WINDOW_DAYS.into(),
                fired: severity == Severity::Low,
                explanation,
            },
            baseline.signal(reciprocation_lag_seconds(g, p)),
        ],
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
    let lags: Vec<Option<i64>> = detection.pairs.iter().map(|p| reciprocation_lag_seconds(g, p)).collect();
    let baseline = LagBaseline::new(lags.iter().copied());
    let mut pairs: Vec<(Severity, &Pair)> =
        detection.pairs.iter().zip(&lags).map(|(p, &lag)| (pair_severity(lag.map(days)), p)).collect();
    for (s, _) in &pairs {
        by_severity[*s as usize] += 1;
    }
    // Cycles (medium) first, in canonical order; then pairs, low before info.
    let mut listed: Vec<Scored> =
        detection.listed_cycles.iter().take(max_findings).map(|c| score_cycle(g, c)).collect();
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
    let room = max_findings.saturating_sub(listed.len());
    listed.extend(pairs.iter().take(room).map(|(_, p)| score_pair(g, p, &baseline)));
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
    fn lag_percentile_against_the_dataset() {
        let lags = (0..40).map(|i| Some(i * 60)).chain([None]);
        let b = LagBaseline::new(lags);
        let s = b.signal(Some(600));
        assert_eq!(s.value, 25.0);
        assert!(!s.fired);
        assert_eq!(s.explanation, "25% of the 40 dated reciprocal pairs in the data were faster (median 20 minutes)");
        assert_eq!(b.signal(None).value, serde_json::Value::Null);
        let few = LagBaseline::new([Some(1), Some(2)]);
        assert_eq!(few.signal(Some(1)).value, serde_json::Value::Null);
        assert!(few.signal(Some(1)).explanation.contains("too few"));
        assert_eq!(human_duration(60), "1 minute");
        assert_eq!(human_duration(5400), "1.5 hours");
        assert_eq!(human_duration(3 * 86_400), "3 days");
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
