//! The report model: the wire types of the JSON contract (`schema_version` 1), documented
//! where they are written, in contract key order. Every format renders these; the JSON
//! Schema in `docs/report.schema.json` is derived from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::score::{FindingKind, Severity, Signal};

/// Version of the JSON contract; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole result of a scan. Field order is the JSON key order of the contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Which program wrote the report.
    pub tool: Tool,
    /// What happened to every input row, per input.
    pub inputs: Vec<InputReport>,
    /// Every setting that changes results.
    pub params: Params,
    /// Headline counts.
    pub summary: Summary,
    /// Listed cases, most severe first: the flagged findings cut into pieces a reviewer can
    /// work through (see [`Case`]).
    #[serde(default)]
    pub cases: Vec<Case>,
    /// Listed findings: the listed cases' findings, case by case (each most severe first),
    /// then the most severe findings in no case.
    pub findings: Vec<Finding>,
    /// People in the listed findings and cases and in every flagged finding, most at risk
    /// first.
    pub people: Vec<Person>,
    /// `check`: the candidates asked about, in the order given (absent from `scan` reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<Vec<Subject>>,
    /// When the report was made (RFC 3339), or null when switched off.
    pub generated_at: Option<String>,
}

/// Name and version of the tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tool {
    /// `backscratch`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// Row accounting for one input (the ingest statistics, serialized as they are).
pub use crate::ingest::InputStats as InputReport;

/// Column choices echoed in `params` (`null` = found from the header or the default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ColumnParams {
    /// `--from-col`.
    pub from: Option<String>,
    /// `--to-col`.
    pub to: Option<String>,
    /// `--time-col`.
    pub time: Option<String>,
    /// `--text-col`.
    pub text: Option<String>,
    /// `--relationship-col`.
    pub relationship: Option<String>,
    /// `--weight-col` (absent when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
}

/// Every knob that changes results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Params {
    /// Longest cycle searched.
    pub max_cycle_len: usize,
    /// How `--max-len auto` chose it (absent when the user gave a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len_choice: Option<MaxLenChoice>,
    /// `--window`: cycles whose dates span more days are not findings (null: no window).
    pub window_days: Option<f64>,
    /// Most findings listed.
    pub max_findings: usize,
    /// Most cases listed (their findings first).
    #[serde(default)]
    pub max_cases: usize,
    /// Time budget for the search, if any.
    pub time_budget_seconds: Option<f64>,
    /// Whether row-level problems were errors.
    pub strict: bool,
    /// `auto`, `yes` or `no`.
    pub header: String,
    /// Column flags.
    pub columns: ColumnParams,
    /// The employment file (`--people`), if any.
    pub people_file: Option<String>,
    /// The allowlist (`--allow`), if any.
    pub allow_file: Option<String>,
    /// Whether findings were scored (false with `--count-only`).
    pub scored: bool,
    /// The severity rule in force, in one line.
    pub severity_rule: String,
    /// A pair reciprocated within this many days can fire the time signal.
    pub pair_window_days: f64,
    /// A cycle or ring spanning at most this many days can fire the time signal.
    pub ring_window_days: f64,
    /// Flagged groups with more people than this are not merged into one ring.
    pub max_ring_members: usize,
    /// Edge kinds read besides recommendations (`--include`, e.g. `endorsements`).
    pub include: Vec<String>,
    /// Owners named for LinkedIn exports (`--owner PATH=NAME`).
    pub owners: Vec<String>,
    /// `--date-format`, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    /// `--min-weight`, if given: rows weighing less were skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_weight: Option<f64>,
    /// `--keep-negative`: rows weighing 0 or below were kept (absent when false: a weight
    /// column kept positive rows only, unless `min_weight` says otherwise).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_negative: bool,
}

/// How `--max-len auto` chose the longest cycle searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MaxLenChoice {
    /// `auto`.
    pub mode: String,
    /// Walks of length 4 inside the strongly connected components.
    pub walks4: f64,
    /// Predicted seconds of the k = 5 search on this machine.
    pub predicted_seconds_k5: f64,
    /// 5 is chosen when the prediction is within this many seconds.
    pub budget_seconds: f64,
    /// The choice in one sentence.
    pub reason: String,
}

/// Found findings per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SeverityCounts {
    /// `info`.
    pub info: u64,
    /// `low`.
    pub low: u64,
    /// `medium`.
    pub medium: u64,
    /// `high`.
    pub high: u64,
}

impl SeverityCounts {
    /// Findings at or above `floor`.
    pub fn at_least(&self, floor: Severity) -> u64 {
        [
            (Severity::Info, self.info),
            (Severity::Low, self.low),
            (Severity::Medium, self.medium),
            (Severity::High, self.high),
        ]
        .iter()
        .filter(|(s, _)| *s >= floor)
        .map(|(_, n)| n)
        .sum()
    }
}

/// Headline counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Distinct people in at least one recommendation.
    pub people: u64,
    /// Distinct directed recommendations (self-recommendations dropped).
    pub recommendations: u64,
    /// Unordered pairs who recommended each other.
    pub reciprocal_pairs: u64,
    /// Directed simple cycles per length `"3"..="k"`.
    pub cycles: BTreeMap<String, u64>,
    /// Findings found.
    pub findings: u64,
    /// Findings listed in this report.
    pub listed: u64,
    /// Unsuppressed findings per severity.
    pub by_severity: SeverityCounts,
    /// Rings among the findings.
    pub rings: u64,
    /// Findings suppressed by the allowlist (not in `by_severity`).
    pub suppressed: u64,
    /// Cycles left out by `--window`.
    pub outside_window: u64,
    /// People in flagged groups too large to be one ring, largest first.
    pub oversized_groups: Vec<usize>,
    /// Cases found (every connected group of flagged findings, oversized ones split into
    /// their dense cores).
    #[serde(default)]
    pub cases: u64,
    /// Cases listed in this report (`--max-cases`).
    #[serde(default)]
    pub cases_listed: u64,
    /// Flagged findings in no case: findings of a split group that link its cores.
    #[serde(default)]
    pub findings_between_cases: u64,
    /// Evidence the data did not allow to check, one sentence each.
    pub checks_unavailable: Vec<String>,
    /// A stable code for each sentence of `checks_unavailable`, in the same order, for
    /// programs to match on while the sentences may be reworded: `employment_coverage`
    /// (few people in findings have a history on file), `corroboration_no_overlap` (the
    /// histories never hold both ends of a recommendation), `corroboration_no_evidence` (no
    /// histories and no stated relationships), `employment_missing` (relationships stated,
    /// no histories), `text_missing`, `time_missing`, `time_coarse` (dates of a month or a
    /// year only), `count_only` (nothing judged), `time_budget` (the budget ran out while reading, so
    /// nothing was judged).
    #[serde(default)]
    pub checks_unavailable_codes: Vec<String>,
    /// How much evidence the listed findings have: histories, texts, dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Things to know about the inputs (people kept apart who share a name, files not read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// A stable code for each sentence of `warnings`, in the same order, for programs that must
    /// not match on wording: `skipped_rows`, `not_positive_skipped`, `unreadable_dates`,
    /// `coarse_dates`, `implausible_dates`, `header_names_no_columns`, `signed_column_read`,
    /// `unix_times_not_read`, `file_not_read`, `export_folder_read`, `row_limit`,
    /// `position_not_used`, `duplicate_export_file`, `same_person_merged`,
    /// `same_name_kept_apart`, `redacted_texts`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warning_codes: Vec<String>,
    /// Whether the search stopped early (counts are then lower bounds).
    pub truncated: bool,
    /// Why it stopped early.
    pub truncated_reason: Option<String>,
    /// `--baseline`: how many findings an earlier report already had (absent without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
}

/// Evidence about the evidence: how many of the people and recommendations in the listed
/// findings have what the rule needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Coverage {
    /// People in listed findings.
    pub people_in_findings: u64,
    /// Of them, people with an employment history on file (null without any histories).
    pub with_history: Option<u64>,
    /// Recommendations in listed findings.
    pub recommendations_in_findings: u64,
    /// Of them, recommendations with a text.
    pub with_text: u64,
    /// Of them, recommendations with a date.
    pub with_date: u64,
    /// People in the histories (`--people`, LinkedIn positions).
    pub history_people: u64,
    /// Of them, people who are in no recommendation (a misspelt or foreign file shows here).
    pub history_unmatched: u64,
    /// Up to five of those, sorted.
    pub unmatched_examples: Vec<String>,
}

/// What `--baseline` left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BaselineSummary {
    /// The earlier report.
    pub file: String,
    /// Listed findings whose id the earlier report already had (left out of this one).
    pub already_known: u64,
    /// Listed findings that are new.
    pub new: u64,
    /// Listed findings the earlier report had at a lower severity.
    #[serde(default)]
    pub escalated: u64,
}

/// How a listed finding compares with the `--baseline` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BaselineStatus {
    /// The earlier report did not have it.
    New,
    /// The earlier report had it at a lower severity.
    Escalated {
        /// Its severity then.
        from: Severity,
    },
}

impl BaselineStatus {
    /// `new`, or `escalated from low`.
    pub fn describe(self) -> String {
        match self {
            BaselineStatus::New => "new".into(),
            BaselineStatus::Escalated { from } => format!("escalated from {}", from.as_str()),
        }
    }
}

impl BaselineSummary {
    /// `3 known, 1 new, 2 escalated`.
    pub fn headline(&self) -> String {
        format!("{} known, {} new, {} escalated", self.already_known, self.new, self.escalated)
    }
}

/// Where an edge came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SourceRef {
    /// The input path.
    pub path: String,
    /// 1-based line.
    pub line: u64,
}

/// One recommendation inside a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Edge {
    /// Recommender.
    pub from: String,
    /// Recommendee.
    pub to: String,
    /// RFC 3339 date, if known.
    pub created: Option<String>,
    /// Stated relationship, if any.
    pub relationship: Option<String>,
    /// The input row.
    pub source: SourceRef,
    /// The row's weight (rating, vote), when the input has a weight column; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// `endorsement` for an endorsement; absent for a recommendation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Context from the source (a LinkedIn counterpart's job, since when connected); absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The recommendation's text, so that "near-identical texts" can be checked by the reader;
    /// absent when the input has none (with `--redact`, names inside are replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// Stable id derived from the kind and the canonical member order.
    pub id: String,
    /// `ring`, `cycle` or `pair`.
    pub kind: FindingKind,
    /// Members in canonical order.
    pub members: Vec<String>,
    /// The recommendations that make it up.
    pub edges: Vec<Edge>,
    /// 0..=100.
    pub score: u8,
    /// Severity.
    pub severity: Severity,
    /// Evidence.
    pub signals: Vec<Signal>,
    /// The allowlist entry that suppresses it (`file:line: reason`), if any.
    pub suppressed_by: Option<String>,
    /// The ring this finding was merged into, if any.
    pub part_of: Option<String>,
    /// For a ring: the ids of its listed parts.
    pub parts: Vec<String>,
    /// The case it is listed under (absent for findings in no case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// With `--baseline`: new, or escalated from a lower severity (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineStatus>,
    /// For a ring: people it praised who never praised it back (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beneficiaries: Vec<Outsider>,
    /// For a ring: people who praised it and were never praised back (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub donors: Vec<Outsider>,
}

/// Someone at a ring's outskirts: a beneficiary or a donor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Outsider {
    /// Name.
    pub name: String,
    /// Recommendations received from (beneficiary) or given to (donor) the ring's members.
    pub with_ring: u64,
    /// Recommendations received (beneficiary) or given (donor) in all.
    pub of_total: u64,
    /// Why, in one sentence.
    pub reason: String,
    /// The recommendations with the ring.
    pub edges: Vec<Edge>,
}

/// Pass, warn or fail for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// In no unsuppressed finding at medium or above.
    Pass,
    /// In a medium finding, none high.
    Warn,
    /// In a high finding.
    Fail,
}

/// One person's view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Person {
    /// Name.
    pub name: String,
    /// Recommendations written.
    pub given: u64,
    /// Recommendations received.
    pub received: u64,
    /// Received recommendations inside an unsuppressed finding at medium or above.
    pub received_traded: u64,
    /// Given recommendations inside an unsuppressed finding at medium or above.
    pub given_traded: u64,
    /// `received_traded / received`, rounded to 3 decimals.
    pub traded_share: f64,
    /// 0..=100, people most at risk first (see `docs/severity-rule.md`: worst finding, ring outskirts,
    /// profile, and the strength of the evidence).
    pub risk: u8,
    /// Received recommendations by backing (absent with `--count-only`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_by_backing: Option<BackingCounts>,
    /// Given recommendations by backing (absent with `--count-only`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_by_backing: Option<BackingCounts>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one sentence.
    pub reason: String,
    /// What the risk is made of, counted over everything the scan found.
    #[serde(default)]
    pub evidence: PersonEvidence,
    /// The id of the case they are a member of (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
}

/// A case: one connected group of flagged findings (findings at or above medium that share
/// recommendations), or one dense core of a group too large to review as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Case {
    /// `case-` and 16 hex digits of SHA-256 over the members' names in name order.
    pub id: String,
    /// Its most severe finding's severity.
    pub severity: Severity,
    /// Its most severe finding's score, 0..=100 (the case score).
    pub score: u8,
    /// Members in name order.
    pub members: Vec<String>,
    /// Unsuppressed findings at medium or above inside the case (rings included).
    pub findings: u64,
    /// Of them, per severity.
    pub by_severity: SeverityCounts,
    /// The ids of its findings listed in this report, in listing order.
    pub listed: Vec<String>,
    /// For a core split from a larger group: that group's size in people (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_from: Option<u64>,
    /// People the case praised who never praised back (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beneficiaries: Vec<Outsider>,
    /// People who praised the case and were never praised back (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub donors: Vec<Outsider>,
    /// One paragraph a reviewer reads first.
    pub reason: String,
}

/// What a person's risk is made of: every part of it, counted over everything the scan found
/// (not only the listed findings).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PersonEvidence {
    /// Unsuppressed pairs and cycles at medium or above that they are in.
    pub flagged_findings: u32,
    /// The sum of those findings' scores.
    pub flagged_score_sum: u64,
    /// Distinct people at the other end of their recommendations in those findings.
    pub partners: u32,
    /// Dated reciprocal pairs in which they wrote the second recommendation.
    pub returns: u32,
    /// Those returns that the rule's time check calls fast.
    pub fast_returns: u32,
    /// `beneficiary` or `donor` of a ring at medium or above (null: neither).
    pub ring_role: Option<String>,
    /// People they recommended who recommended them too (reciprocal pairs at any severity).
    pub reciprocal_partners: u32,
    /// Recommendations received from people they never recommended.
    pub received_unreturned: u64,
    /// `fast_returns / returns`, 3 decimals (0 without returns).
    pub fast_return_share: f64,
    /// The strength of the evidence, which orders people within a risk:
    /// `0.5 ln(1 + reciprocal_partners) + 2 fast_return_share + 2 ln(1 + received_unreturned)`,
    /// 3 decimals.
    pub strength: f64,
}

/// One candidate asked about by `check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Subject {
    /// The name as given.
    pub query: String,
    /// `pass`, `warn`, `fail`; `not_found` when the name occurs nowhere in the data,
    /// `ambiguous` when several people go by it.
    pub status: SubjectStatus,
    /// Why, in one sentence.
    pub reason: String,
    /// The most severe unsuppressed finding the person is in (null: none).
    pub worst_severity: Option<Severity>,
    /// The person's counts and verdict (null when not found).
    pub person: Option<Person>,
    /// Ids of the listed findings the person is a member of.
    pub findings: Vec<String>,
    /// For a name not found: names in the data that are close to it; for an ambiguous
    /// name: the people who go by it.
    pub suggestions: Vec<String>,
    /// Every recommendation the candidate received, oldest first, with its backing in plain
    /// words and whether it is traded (absent when none, or with `--count-only`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub received: Vec<Received>,
}

/// A `check` outcome for one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectStatus {
    /// No finding at medium or above.
    Pass,
    /// In a medium finding.
    Warn,
    /// In a high finding.
    Fail,
    /// The name is not in the data: no verdict.
    NotFound,
    /// Several people in the data go by the name: no verdict (the candidates are the suggestions).
    Ambiguous,
    /// The person is in a finding, but the evidence a verdict needs is missing (no
    /// histories, none for them or their counterpart, nothing judged): never a pass.
    CannotTell,
}

impl Verdict {
    /// `pass`, `warn`, `fail`: the name in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

impl SubjectStatus {
    /// `pass`, `warn`, `fail`, `not_found`: the name in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectStatus::Pass => "pass",
            SubjectStatus::Warn => "warn",
            SubjectStatus::Fail => "fail",
            SubjectStatus::NotFound => "not_found",
            SubjectStatus::Ambiguous => "ambiguous",
            SubjectStatus::CannotTell => "cannot_tell",
        }
    }

    /// `PASS`, `WARN`, `FAIL`, `NOT FOUND`.
    pub fn word(self) -> &'static str {
        match self {
            SubjectStatus::Pass => "PASS",
            SubjectStatus::Warn => "WARN",
            SubjectStatus::Fail => "FAIL",
            SubjectStatus::NotFound => "NOT FOUND",
            SubjectStatus::Ambiguous => "AMBIGUOUS",
            SubjectStatus::CannotTell => "CANNOT TELL",
        }
    }
}

/// Recommendations counted by backing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BackingCounts {
    /// Both histories on file, jobs at one company overlapped.
    pub employment: u64,
    /// A stated relationship the histories do not contradict (a client, or no history to
    /// check it against).
    pub claimed: u64,
    /// A stated relationship nothing can check, in a text of stock praise.
    #[serde(default)]
    pub hollow_claim: u64,
    /// Both histories on file, never overlapping, nothing stated.
    pub uncorroborated: u64,
    /// A stated working relationship the histories rule out.
    pub contradicted: u64,
    /// No history for one of them and nothing stated.
    pub unknown: u64,
}

impl BackingCounts {
    /// Those that could be checked against the histories or a statement (a hollow claim is
    /// neither).
    pub fn checkable(&self) -> u64 {
        self.employment + self.claimed + self.uncorroborated + self.contradicted
    }

    /// Those with no working relationship on record, or a contradicted one.
    pub fn unsubstantiated(&self) -> u64 {
        self.uncorroborated + self.contradicted
    }

    /// `1 from a colleague on record, 1 with no working relationship on record` (kinds with
    /// none left out).
    pub fn phrase(&self) -> String {
        let parts = [
            (self.employment, "from a colleague on record"),
            (self.claimed, "with a stated relationship"),
            (self.hollow_claim, "with an uncheckable relationship stated in stock praise"),
            (self.uncorroborated, "with no working relationship on record"),
            (self.contradicted, "contradicting the histories"),
            (self.unknown, "that cannot be checked"),
        ];
        let said: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
        said.join(", ")
    }
}

/// One received recommendation of a `check` candidate, with its backing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Received {
    /// The recommendation (writer, date, relationship, source).
    pub edge: Edge,
    /// `employment`, `claimed`, `uncorroborated`, `contradicted` or `unknown`.
    pub backing: String,
    /// The backing in plain words ("worked together at Pixel Labs 2020-2023").
    pub backing_text: String,
    /// Whether it is in an unsuppressed finding at medium or above.
    pub traded: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_json() {
        for v in [Verdict::Pass, Verdict::Warn, Verdict::Fail] {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for s in [
            SubjectStatus::Pass,
            SubjectStatus::Warn,
            SubjectStatus::Fail,
            SubjectStatus::NotFound,
            SubjectStatus::Ambiguous,
            SubjectStatus::CannotTell,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
