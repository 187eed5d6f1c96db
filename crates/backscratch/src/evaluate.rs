//! Measuring a report against a generated network's ground truth: recall and precision of
//! findings at medium or above, and how many honest structures were flagged.
//!
//! - A planted **trade** is *recalled* when an unsuppressed top-level finding (not a part
//!   folded into a ring) at medium or above has exactly its members (for a ring: its members
//!   with its beneficiaries and donors).
//! - A top-level medium+ finding is a *true positive* when all its members belong to one
//!   planted trade; *precision* is their share of all top-level medium+ findings.
//! - An **honest** structure is *flagged* when any medium+ finding (parts included) lies
//!   entirely inside it; colleague pairs are reported apart from teams and client pairs.
//! - The same on **cases**: a trade is recalled as a case when one case's people (members,
//!   beneficiaries and donors) are exactly its members; a case is true when its members all
//!   belong to one planted trade.
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
    /// Planted trades that are exactly one case.
    pub case_recalled: usize,
    /// Cases.
    pub cases: usize,
    /// Cases whose members all belong to one planted trade.
    pub cases_true: usize,
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
    /// Trades recalled as cases / planted.
    pub fn case_recall(&self) -> f64 {
        ratio(self.case_recalled, self.trades)
    }
    /// True cases / cases.
    pub fn case_precision(&self) -> f64 {
        ratio(self.cases_true, self.cases)
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
        .map(|f| {
            let mut people = set(&f.members);
            people.extend(f.beneficiaries.iter().chain(&f.donors).map(|o| o.name.clone()));
            (f.part_of.is_none(), people)
        })
        .collect();
    let truth: Vec<(&str, &str, BTreeSet<String>)> = net
        .truth
        .iter()
        .map(|t| (t.label, t.kind, t.members.iter().map(|&m| net.names[m].clone()).collect()))
        .collect();
    let cases: Vec<(BTreeSet<String>, BTreeSet<String>)> = report
        .cases
        .iter()
        .map(|c| {
            let mut people = set(&c.members);
            people.extend(c.beneficiaries.iter().chain(&c.donors).map(|o| o.name.clone()));
            (set(&c.members), people)
        })
        .collect();
    let mut m = Metrics { cases: cases.len(), ..Metrics::default() };
    for (members, _) in &cases {
        m.cases_true += usize::from(truth.iter().any(|(label, _, t)| *label == "trade" && members.is_subset(t)));
    }
    for (label, kind, members) in &truth {
        let inside = flagged.iter().any(|(_, f)| f.is_subset(members));
        match (*label, *kind) {
            ("trade", _) => {
                m.trades += 1;
                m.recalled += usize::from(flagged.iter().any(|(top, f)| *top && f == members));
                m.case_recalled += usize::from(cases.iter().any(|(_, people)| people == members));
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
    net.write(dir).map_err(|e| crate::Error::io(dir, e))?;
    let scan_config = crate::ScanConfig {
        inputs: vec![dir.join("recommendations.csv")],
        people: Some(dir.join("employment.csv")),
        max_cycle_len: max_len,
        max_findings: usize::MAX,
        max_cases: usize::MAX,
        ..Default::default()
    };
    let outcome = crate::scan(&scan_config)?;
    Ok((evaluate(&outcome.report, &net), outcome))
}

/// One variant of the robustness matrix: what it changes, and the scan's `--max-len`
/// (`None`: the default, `auto`).
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    /// What the variant changes, for a table.
    pub name: &'static str,
    /// The generator's settings.
    pub config: crate::generate::GenerateConfig,
    /// `--max-len`.
    pub max_len: Option<usize>,
}

/// The robustness matrix at `people` people: variants that each change one assumption the
/// rule could lean on, and stress variants that combine several (reported, not targets).
pub fn robustness_variants(people: usize) -> (Vec<Variant>, Vec<Variant>) {
    use crate::generate::GenerateConfig;
    let base = GenerateConfig { people, ..GenerateConfig::default() };
    let v = |name, config, max_len| Variant { name, config, max_len };
    let matrix = vec![
        v("default generator", base, None),
        v("complete histories", GenerateConfig { missing_histories: 0.0, ..base }, None),
        v("15% private histories", GenerateConfig { missing_histories: 0.15, ..base }, None),
        v(
            "prompted honest (80% reciprocate within a day)",
            GenerateConfig { honest_quick_share: 0.8, honest_quick_days: 1, ..base },
            None,
        ),
        v("slow trades (7 to 21 days)", GenerateConfig { trade_lag_days: (7, 21), ..base }, None),
        v("same-day trades", GenerateConfig { trade_lag_days: (0, 0), ..base }, None),
        v("specific-sounding trades (80%)", GenerateConfig { trade_specific_share: 0.8, ..base }, None),
        v("honest stock praise (40%)", GenerateConfig { honest_stock_share: 0.4, ..base }, None),
        v("many client/vendor pairs (30 per 1,000)", GenerateConfig { clients_per_1000: 30.0, ..base }, None),
        v("sparse club (8 people, density 0.5)", GenerateConfig { club_size: 8, club_density: 0.5, ..base }, None),
        v("rings of 4 and 5 only", GenerateConfig { ring_sizes: (4, 5), ..base }, None),
        v("rings of 3 to 6, --max-len 6", GenerateConfig { ring_sizes: (3, 6), ..base }, Some(6)),
    ];
    let stress = vec![
        v(
            "prompted honest + slow, specific-sounding trades",
            GenerateConfig {
                honest_quick_share: 0.8,
                honest_quick_days: 1,
                trade_lag_days: (7, 21),
                trade_specific_share: 0.8,
                ..base
            },
            None,
        ),
        v(
            "15% private + specific-sounding trades + honest stock praise",
            GenerateConfig { missing_histories: 0.15, trade_specific_share: 0.8, honest_stock_share: 0.4, ..base },
            None,
        ),
    ];
    (matrix, stress)
}
