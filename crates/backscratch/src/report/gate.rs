//! What a report means for a pipeline: whether it fails a `--fail-on` floor, which
//! candidates got no verdict, and the exit code ([`Gate`]) the command line, Python's
//! `Result.exit_code()` and `Result.status()` share.

use super::describe;
use super::model::{Report, SubjectStatus};
use crate::score::Severity;

impl Report {
    /// Whether a finding at or above `floor` counts against this run: a `check` looks at
    /// its subjects only, a report with a baseline at its new findings only, any other at
    /// everything found.
    pub fn fails(&self, floor: Severity) -> bool {
        if let Some(subjects) = &self.subjects {
            if self.summary.baseline.is_some() {
                // As in a scan, only what the baseline did not know counts: the candidates'
                // findings still listed.
                let names: Vec<&str> =
                    subjects.iter().filter_map(|s| s.person.as_ref()).map(|p| p.name.as_str()).collect();
                return self
                    .findings
                    .iter()
                    .any(|f| describe::counts(f, floor) && f.members.iter().any(|m| names.contains(&m.as_str())));
            }
            return subjects.iter().any(|s| s.worst_severity.is_some_and(|w| w >= floor));
        }
        if self.summary.baseline.is_some() {
            return self.findings.iter().any(|f| describe::counts(f, floor));
        }
        self.summary.by_severity.at_least(floor) > 0
    }

    /// The checked names that got no verdict: not in the data, or ambiguous.
    pub fn missing_subjects(&self) -> Vec<&str> {
        let subjects = self.subjects.iter().flatten();
        subjects.filter(|s| s.person.is_none()).map(|s| s.query.as_str()).collect()
    }

    /// The checked people found in the data whose verdict cannot be told from it.
    pub fn undecided_subjects(&self) -> Vec<&str> {
        let subjects = self.subjects.iter().flatten();
        subjects.filter(|s| s.status == SubjectStatus::CannotTell).map(|s| s.query.as_str()).collect()
    }

    /// What this report means for a pipeline that gates on findings at or above `floor`
    /// (`None`: never on findings): the command line's exit code. An error (a search cut
    /// short, a candidate not found or ambiguous) comes first, then findings, then a
    /// candidate whose verdict cannot be told.
    pub fn gate(&self, floor: Option<Severity>) -> Gate {
        if self.summary.truncated || !self.missing_subjects().is_empty() {
            Gate::Error
        } else if floor.is_some_and(|f| self.fails(f)) {
            Gate::Findings
        } else if !self.undecided_subjects().is_empty() {
            Gate::CannotTell
        } else {
            Gate::Clean
        }
    }
}

/// What a report means for a pipeline; the command line exits with [`Gate::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// 0: nothing at or above the floor, and every candidate has a verdict.
    Clean,
    /// 1: findings (or a candidate's) at or above `--fail-on`.
    Findings,
    /// 2: an error, a search cut short by `--time-budget`, or a candidate not found or ambiguous.
    Error,
    /// 3: no finding fails the gate, but some candidate's verdict cannot be told from the
    /// data (`check` only): missing histories, nothing judged.
    CannotTell,
}

impl Gate {
    /// The exit code.
    pub fn code(self) -> u8 {
        match self {
            Gate::Clean => 0,
            Gate::Findings => 1,
            Gate::Error => 2,
            Gate::CannotTell => 3,
        }
    }

    /// `clean`, `findings`, `error`, `cannot_tell`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Clean => "clean",
            Gate::Findings => "findings",
            Gate::Error => "error",
            Gate::CannotTell => "cannot_tell",
        }
    }
}
