//! Measuring a report against a generated network's ground truth: recall and precision of
//! findings at medium or above, and how many honest structures were flagged.
//!
//! - A planted **trade** is *recalled* when an unsuppressed top-level finding (not a part
//!   folded into a ring) at medium or above has exactly its members.
//! - A top-level medium+ finding is a *true positive* when all its members belong to one
//!   planted trade; *precision* is their share of all top-level medium+ findings.
//! - An **honest** structure is *flagged* when any medium+ finding (parts included) lies
//!   entirely inside it; colleague pairs are reported apart from teams and client pairs.
//!
//! The report must list every finding (a large `max_findings`) for the numbers to be exact.

use std::collections::BTreeSet;

use crate::generate::Network;
use crate::report::Report;
use crate::score::Severity;

/// Ground-truth match counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Planted trades.
    pub trades: usize,
    /// Planted trades found at medium or above.
    pub recalled: usize,
    /// Top-level findings at medium or above.
    pub flagged: usize,
    /// Those that lie inside one planted trade.
    pub flagged_true: usize,
    /// Honest colleague pairs (reciprocated).
    pub honest_pairs: usize,
    /// Honest colleague pairs flagged at medium or above.
    pub honest_pairs_flagged: usize,
    /// Other honest structures (teams, client pairs).
    pub honest_groups: usize,
    /// Those flagged at medium or above.
    pub honest_groups_flagged: usize,
}

impl Metrics {
    /// Recalled / planted (1 when nothing was planted).
    pub fn recall(&self) -> f64 {
        ratio(self.recalled, self.trades)
    }
    /// True positives / flagged (1 when nothing was flagged).
    pub fn precision(&self) -> f64 {
        ratio(self.flagged_true, self.flagged)
    }
    /// Flagged honest colleague pairs / honest colleague pairs.
    pub fn honest_pairs_flagged_share(&self) -> f64 {
        1.0 - ratio(self.honest_pairs - self.honest_pairs_flagged, self.honest_pairs)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Compare `report` with the truth planted in `net`.
pub fn evaluate(report: &Report, net: &Network) -> Metrics {
    let set = |names: &[String]| -> BTreeSet<String> { names.iter().cloned().collect() };
    let flagged: Vec<(bool, BTreeSet<String>)> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium && f.suppressed_by.is_none())
        .map(|f| (f.part_of.is_none(), set(&f.members)))
        .collect();
    let truth: Vec<(&str, &str, BTreeSet<String>)> = net
        .truth
        .iter()
        .map(|t| (t.label, t.kind, t.members.iter().map(|&m| net.names[m].clone()).collect()))
        .collect();
    let mut m = Metrics::default();
    for (label, kind, members) in &truth {
        let inside = flagged.iter().any(|(_, f)| f.is_subset(members));
        match (*label, *kind) {
            ("trade", _) => {
                m.trades += 1;
                m.recalled += usize::from(flagged.iter().any(|(top, f)| *top && f == members));
            }
            (_, "pair") => {
                m.honest_pairs += 1;
                m.honest_pairs_flagged += usize::from(inside);
            }
            _ => {
                m.honest_groups += 1;
                m.honest_groups_flagged += usize::from(inside);
            }
        }
    }
    for f in flagged.iter().filter(|(top, _)| *top).map(|(_, f)| f) {
        m.flagged += 1;
        m.flagged_true += usize::from(truth.iter().any(|(label, _, t)| *label == "trade" && f.is_subset(t)));
    }
    m
}

/// Generate a network, write it into `dir`, scan it with its employment file (cycles up to
/// `max_len`, or `auto` when `None`; every finding listed) and measure the report against the
/// truth.
pub fn measure(
    config: crate::generate::GenerateConfig,
    dir: &std::path::Path,
    max_len: Option<usize>,
) -> crate::Result<(Metrics, crate::ScanOutcome)> {
    let net = crate::generate::generate(config);
    net.write(dir).map_err(|e| crate::Error::Io { path: dir.to_path_buf(), message: e.to_string() })?;
    let scan_config = crate::ScanConfig {
        inputs: vec![dir.join("recommendations.csv")],
        people: Some(dir.join("employment.csv")),
        max_cycle_len: max_len,
        max_findings: usize::MAX,
        ..Default::default()
    };
    let outcome = crate::scan(&scan_config)?;
    Ok((evaluate(&outcome.report, &net), outcome))
}
