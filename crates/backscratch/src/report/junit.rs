//! The JUnit XML renderer for CI dashboards (GitLab, Jenkins, Azure): one `<testsuite>`,
//! one `<testcase classname="check" name="PERSON">` per person checked (the `check`
//! subjects, or everyone in a listed finding). A person whose verdict is at or above
//! `--fail-on` gets a `<failure>` whose text explains why; a name not found in the data is an
//! `<error>`; a warning below the floor goes to `<system-out>`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::describe::{members_line_with, reason, verdict_severity};
use super::escape::{markup, one_line};
use super::model::{Finding, Report, SubjectStatus, Verdict};
use super::render::Render;
use crate::score::Severity;

/// `--format junit`.
#[derive(Debug, Clone, Copy)]
pub struct Junit {
    /// People at or above this are failures; `None` = nobody fails.
    pub fail_on: Option<Severity>,
}

/// One test case before it is written.
struct Case {
    name: String,
    /// `failure`, `error`, or none.
    outcome: Option<(&'static str, String, String)>,
    note: Option<String>,
}

/// The findings (not folded into a ring) each person is in.
fn findings_by_person(r: &Report) -> HashMap<&str, Vec<&Finding>> {
    let mut by: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in r.findings.iter().filter(|f| f.part_of.is_none()) {
        for m in &f.members {
            by.entry(m.as_str()).or_default().push(f);
        }
    }
    by
}

/// The findings a person is in, one line each, for the failure text.
fn evidence(theirs: Option<&Vec<&Finding>>) -> String {
    let mut text = String::new();
    for f in theirs.into_iter().flatten() {
        let _ = writeln!(
            text,
            "- {} {} (score {}) {}: {} [{}]",
            f.severity.as_str(),
            f.kind.as_str(),
            f.score,
            members_line_with(f, one_line),
            reason(f),
            f.id
        );
    }
    text
}

/// The line naming the case a person is in, when the report lists it.
fn case_line(r: &Report, case: Option<&String>) -> String {
    case.and_then(|id| r.cases.iter().find(|c| &c.id == id)).map_or(String::new(), |c| {
        format!("case {} ({}, score {}): {}\n", c.id, c.severity.as_str(), c.score, one_line(&c.reason))
    })
}

impl Junit {
    fn case(
        &self,
        by: &HashMap<&str, Vec<&Finding>>,
        name: &str,
        verdict: Option<Verdict>,
        reason: &str,
        case: String,
    ) -> Case {
        let Some(verdict) = verdict else {
            return Case {
                name: name.to_string(),
                outcome: Some(("error", "not found in the data".into(), reason.into())),
                note: None,
            };
        };
        let level = verdict_severity(verdict);
        let fails = matches!((level, self.fail_on), (Some(l), Some(floor)) if l >= floor);
        let text = format!("{reason}\n{case}{}", evidence(by.get(name)));
        let message = format!("{}: {reason}", verdict.as_str());
        if fails {
            Case { name: name.to_string(), outcome: Some(("failure", message, text)), note: None }
        } else if level.is_some() {
            Case { name: name.to_string(), outcome: None, note: Some(text) }
        } else {
            Case { name: name.to_string(), outcome: None, note: None }
        }
    }

    fn cases(&self, r: &Report) -> Vec<Case> {
        let by = findings_by_person(r);
        match &r.subjects {
            Some(subjects) => subjects
                .iter()
                .map(|s| {
                    let verdict = s.person.as_ref().map(|p| p.verdict);
                    if s.status == SubjectStatus::CannotTell {
                        let text = format!("{}\n{}", s.reason, evidence(by.get(s.query.as_str())));
                        let outcome = Some(("skipped", format!("cannot tell: {}", s.reason), text));
                        return Case { name: s.query.clone(), outcome, note: None };
                    }
                    let mut why = s.reason.clone();
                    if !s.suggestions.is_empty() {
                        let what = if s.status == SubjectStatus::Ambiguous { "candidates" } else { "near matches" };
                        let _ = write!(why, "; {what}: {}", s.suggestions.join(", "));
                    }
                    let case = case_line(r, s.person.as_ref().and_then(|p| p.case.as_ref()));
                    self.case(&by, &s.query, verdict, &why, case)
                })
                .collect(),
            None => r
                .people
                .iter()
                .map(|p| self.case(&by, &p.name, Some(p.verdict), &p.reason, case_line(r, p.case.as_ref())))
                .collect(),
        }
    }
}

impl Render for Junit {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let cases = self.cases(r);
        let count = |kind: &str| cases.iter().filter(|c| c.outcome.as_ref().is_some_and(|o| o.0 == kind)).count();
        let (failures, errors, skipped) = (count("failure"), count("error"), count("skipped"));
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            s,
            "<testsuites name=\"backscratch\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"0\">",
            cases.len()
        );
        let stamp = r
            .generated_at
            .as_deref()
            .map_or(String::new(), |t| format!(" timestamp=\"{}\"", markup(t.trim_end_matches('Z'))));
        let _ = writeln!(
            s,
            "  <testsuite name=\"backscratch recommendation trading\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\"{stamp}>",
            cases.len()
        );
        for c in &cases {
            let _ = write!(s, "    <testcase classname=\"check\" name=\"{}\" time=\"0\"", markup(&c.name));
            match (&c.outcome, &c.note) {
                (Some((kind, message, text)), _) if *kind == "skipped" => {
                    let _ = writeln!(
                        s,
                        ">\n      <skipped message=\"{}\"/>\n      <system-out>{}</system-out>\n    </testcase>",
                        markup(message),
                        markup(text)
                    );
                }
                (Some((kind, message, text)), _) => {
                    let _ = writeln!(
                        s,
                        ">\n      <{kind} message=\"{}\" type=\"{kind}\">{}</{kind}>\n    </testcase>",
                        markup(message),
                        markup(text)
                    );
                }
                (None, Some(note)) => {
                    let _ = writeln!(s, ">\n      <system-out>{}</system-out>\n    </testcase>", markup(note));
                }
                (None, None) => s.push_str("/>\n"),
            }
        }
        s.push_str("  </testsuite>\n</testsuites>\n");
        out.write_all(s.as_bytes())
    }
}
