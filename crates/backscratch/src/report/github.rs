//! GitHub Actions: workflow-command annotations for the most severe findings (at most
//! [`MAX_ANNOTATIONS`], then one notice counting the rest), each pointing at the input row of
//! its first recommendation, and the step summary (the Markdown report).

use super::describe::{counts, members_line_with, reason, top_level};
use super::escape::{github_data, github_property, one_line};
use super::model::{Finding, Report, Subject, SubjectStatus};
use crate::score::Severity;

/// Annotations printed before the rest are only counted.
pub const MAX_ANNOTATIONS: usize = 10;

/// The workflow-command lines: `::error` for high findings (or failing subjects), `::warning`
/// for medium ones, a `::notice` counting what was not annotated.
pub fn annotations(r: &Report) -> Vec<String> {
    let subjects = r.subjects.iter().flatten().filter_map(|s| match s.status {
        SubjectStatus::Fail | SubjectStatus::NotFound | SubjectStatus::Ambiguous => Some(Flagged::Subject(s, "error")),
        SubjectStatus::Warn | SubjectStatus::CannotTell => Some(Flagged::Subject(s, "warning")),
        SubjectStatus::Pass => None,
    });
    let findings = top_level(r).filter(|f| counts(f, Severity::Medium)).map(Flagged::Finding);
    let mut flagged = subjects.chain(findings);
    let mut lines: Vec<String> = flagged.by_ref().take(MAX_ANNOTATIONS).map(Flagged::command).collect();
    let rest = flagged.count();
    if rest > 0 {
        lines.push(format!("::notice title=backscratch::{rest} more not annotated; see the full report"));
    }
    lines
}

/// Something worth an annotation: a failing or missing candidate, or a finding at medium+.
enum Flagged<'a> {
    Subject(&'a Subject, &'static str),
    Finding(&'a Finding),
}

impl Flagged<'_> {
    /// The workflow command.
    fn command(self) -> String {
        match self {
            Flagged::Subject(s, level) => {
                let title = github_property(&format!("backscratch: {} {}", s.status.word(), s.query));
                format!("::{level} title={title}::{}", github_data(&s.reason))
            }
            Flagged::Finding(f) => {
                let level = if f.severity == Severity::High { "error" } else { "warning" };
                let mut props = Vec::new();
                if let Some(e) = f.edges.first() {
                    props.push(format!("file={}", github_property(&e.source.path)));
                    props.push(format!("line={}", e.source.line));
                }
                let title = format!("backscratch: {} {} (score {})", f.severity.as_str(), f.kind.as_str(), f.score);
                props.push(format!("title={}", github_property(&title)));
                let message = format!("{}: {} [{}]", members_line_with(f, one_line), reason(f), f.id);
                format!("::{level} {}::{}", props.join(","), github_data(&message))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_keep_one_command_per_line() {
        let line = format!("::error title={}::{}", github_property("a:b,c"), github_data("x\ny%"));
        assert_eq!(line, "::error title=a%3Ab%2Cc::x%0Ay%25");
        assert_eq!(line.lines().count(), 1);
    }
}
