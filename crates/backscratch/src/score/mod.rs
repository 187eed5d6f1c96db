//! Score: turn detected structures into findings with a score, a severity and the evidence
//! for it, by one documented rule (`rule`, `evidence-v1`).
//!
//! The pipeline inside: evidence prepared once per scan (`assess::Evidence`: who worked
//! together ([`employment`], `corroboration`), the texts (`text`), the data's own time
//! baselines (`time`)); every pair and cycle judged (`findings`); findings at or above
//! medium that share a recommendation merged into rings (`rings`); the allowlist
//! (`allow`) marking what is known to be honest.

pub(crate) mod allow;
pub(crate) mod assess;
pub(crate) mod casebook;
pub(crate) mod cases;
pub(crate) mod corroboration;
pub mod employment;
pub(crate) mod exposure;
pub(crate) mod findings;
pub mod online;
pub(crate) mod outskirts;
pub(crate) mod rings;
pub(crate) mod rule;
pub(crate) mod stream;
pub(crate) mod text;
pub(crate) mod time;
pub(crate) mod verdicts;

use serde::{Deserialize, Serialize};

pub use findings::{score_all, Counts, ScoreOptions, Scoring};
pub use rule::{RULE, RULE_TEXT};

/// How serious a finding is, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Signal {
    /// Stable name, e.g. `reciprocation_lag_days`.
    pub name: String,
    /// The measured value (`null` when it could not be measured).
    pub value: serde_json::Value,
    /// What the value is compared with (`null` when nothing is).
    pub baseline: serde_json::Value,
    /// Whether the signal fired (counts towards the score).
    pub fired: bool,
    /// Points it adds to the score when it fires (negative: it speaks for honesty).
    pub points: i32,
    /// One line a reader understands.
    pub explanation: String,
}

/// The kind of structure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// Flagged pairs and cycles that share recommendations, merged into one group.
    Ring,
    /// A directed cycle of three or more people.
    Cycle,
    /// Two people who recommended each other.
    Pair,
}

impl FindingKind {
    /// The lower-case name used in reports and ids.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Ring => "ring",
            FindingKind::Cycle => "cycle",
            FindingKind::Pair => "pair",
        }
    }
}

/// A finding in graph ids, before names are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Ring, cycle or pair.
    pub kind: FindingKind,
    /// Members: a pair's two people in id order, a cycle from its smallest id, a ring sorted.
    pub members: Vec<u32>,
    /// Edge ids: `a -> b` then `b -> a` for a pair; around the cycle; sorted for a ring.
    pub edges: Vec<u32>,
    /// 0..=100.
    pub score: u8,
    /// Severity from the rule.
    pub severity: Severity,
    /// The evidence: every signal of the rule.
    pub signals: Vec<Signal>,
    /// The allowlist entry that suppresses it.
    pub suppressed_by: Option<String>,
    /// Index of the ring this finding was merged into (see [`Scoring::rings`]).
    pub part_of: Option<u32>,
    /// Index of the case it is listed under (see [`Scoring::cases`]).
    pub case: Option<u32>,
    /// For a ring: its beneficiaries and donors.
    pub outskirts: outskirts::Outskirts,
}
