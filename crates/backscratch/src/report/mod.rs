//! Report, the folder's face: the report model (its types live in `model.rs`, the JSON
//! contract, `schema_version` 1), what a report means for a pipeline ([`Gate`]), and one
//! small renderer per output format behind the [`Render`] trait.

pub mod baseline;
mod build;
pub(crate) mod cases;
mod csv;
pub(crate) mod describe;
mod dot;
pub mod escape;
pub mod github;
mod html;
mod json;
pub(crate) mod jsonl;
mod junit;
mod markdown;
mod model;
pub mod output;
mod people;
pub(crate) mod profile;
pub mod redact;
#[cfg(feature = "schema")]
pub mod schema;
pub(crate) mod subjects;
mod svg;
mod table;

use std::io::{self, Write};

pub use build::ReportInputs;
pub use csv::{Csv, Sheet};
pub use dot::Dot;
pub use html::Html;
pub use json::Json;
pub use jsonl::Jsonl;
pub use junit::Junit;
pub use markdown::Markdown;
pub use model::*;
pub use table::Table;

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

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A readable terminal summary.
    Table,
    /// The JSON contract.
    Json,
    /// One finding per line.
    Jsonl,
    /// Findings and people as spreadsheet-safe CSV.
    Csv,
    /// GitHub-flavoured Markdown (step summaries, pull requests).
    Markdown,
    /// One self-contained HTML page with a drawing of each ring.
    Html,
    /// JUnit XML, one test case per person checked.
    Junit,
    /// Graphviz of the flagged rings.
    Dot,
}

impl Format {
    /// Every format, in the order the help lists them.
    pub const ALL: [Format; 8] = [
        Format::Table,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Markdown,
        Format::Html,
        Format::Junit,
        Format::Dot,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Junit => "junit",
            Format::Dot => "dot",
        }
    }

    /// The format with this name (`md` and `xml` are accepted too).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "md" => Some(Format::Markdown),
            "xml" => Some(Format::Junit),
            "gv" => Some(Format::Dot),
            "htm" => Some(Format::Html),
            _ => Format::ALL.into_iter().find(|f| f.name() == name),
        }
    }
}

/// Choices a renderer needs beyond the report.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Colour in the terminal table.
    pub color: bool,
    /// The `--fail-on` floor (JUnit marks people at or above it as failures); `None` = never.
    pub fail_on: Option<Severity>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { color: false, fail_on: Some(Severity::High) }
    }
}

/// The renderer for `format`.
pub fn renderer(format: Format, options: RenderOptions) -> Box<dyn Render> {
    match format {
        Format::Table => Box::new(Table { color: options.color, ..Table::default() }),
        Format::Json => Box::new(Json),
        Format::Jsonl => Box::new(Jsonl),
        Format::Csv => Box::new(Csv { sheet: Sheet::Both }),
        Format::Markdown => Box::new(Markdown::default()),
        Format::Html => Box::new(Html),
        Format::Junit => Box::new(Junit { fail_on: options.fail_on }),
        Format::Dot => Box::new(Dot),
    }
}

/// An output format.
pub trait Render {
    /// Write `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
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
