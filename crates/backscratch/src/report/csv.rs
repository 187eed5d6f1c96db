//! The CSV renderer: a findings sheet and a people sheet, safe to open in a spreadsheet
//! (free text that starts like a formula is neutralised, see [`escape::csv_text`]).
//! To a file, the people sheet goes beside the findings (`x.csv`, `x.people.csv`); to
//! standard output both follow each other, separated by one empty line.

use std::io::{self, Write};

use super::describe::{day, reason, received_line};
use super::escape::{csv_quoted, csv_text};
use super::model::Report;
use super::render::Render;

/// Which sheet(s) to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// One row per listed finding.
    Findings,
    /// One row per person (or per `check` subject).
    People,
    /// Findings, an empty line, people.
    Both,
}

/// `--format csv`.
#[derive(Debug, Clone, Copy)]
pub struct Csv {
    /// What to write.
    pub sheet: Sheet,
}

fn row(out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    writeln!(out, "{}", cells.join(","))
}

fn findings(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let header = ["id", "kind", "severity", "score", "members", "recommendations", "first_date", "last_date"];
    let tail = ["reason", "edges", "texts", "suppressed_by", "part_of", "case"];
    row(out, &header.iter().chain(tail.iter()).map(|h| h.to_string()).collect::<Vec<_>>())?;
    for f in &r.findings {
        let mut dates: Vec<&str> = f.edges.iter().filter(|e| e.created.is_some()).map(|e| day(&e.created)).collect();
        dates.sort_unstable();
        let edges: Vec<String> = f
            .edges
            .iter()
            .map(|e| {
                let kind = e.kind.as_ref().map_or(String::new(), |k| format!(", {k}"));
                format!("{} -> {} ({}{kind})", e.from, e.to, day(&e.created))
            })
            .collect();
        row(
            out,
            &[
                csv_quoted(&f.id),
                f.kind.as_str().to_string(),
                f.severity.as_str().to_string(),
                f.score.to_string(),
                csv_text(&f.members.join("; ")),
                f.edges.len().to_string(),
                dates.first().map_or(String::new(), |d| d.to_string()),
                dates.last().map_or(String::new(), |d| d.to_string()),
                csv_text(&reason(f)),
                csv_text(&edges.join("; ")),
                csv_text(
                    &f.edges
                        .iter()
                        .filter_map(|e| e.text.as_ref().map(|t| format!("{} -> {}: {t}", e.from, e.to)))
                        .collect::<Vec<_>>()
                        .join(" | "),
                ),
                csv_text(f.suppressed_by.as_deref().unwrap_or("")),
                csv_quoted(f.part_of.as_deref().unwrap_or("")),
                csv_quoted(f.case.as_deref().unwrap_or("")),
            ],
        )?;
    }
    Ok(())
}

fn people(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let header = "name,verdict,risk,given,received,received_traded,traded_share,reason";
    if let Some(subjects) = &r.subjects {
        writeln!(out, "{header},worst_severity,findings,suggestions,received")?;
        for s in subjects {
            let p = s.person.as_ref();
            let num = |n: Option<u64>| n.map_or(String::new(), |n| n.to_string());
            row(
                out,
                &[
                    csv_text(&s.query),
                    s.status.as_str().to_string(),
                    num(p.map(|p| u64::from(p.risk))),
                    num(p.map(|p| p.given)),
                    num(p.map(|p| p.received)),
                    num(p.map(|p| p.received_traded)),
                    p.map_or(String::new(), |p| p.traded_share.to_string()),
                    csv_text(&s.reason),
                    s.worst_severity.map_or("", |w| w.as_str()).to_string(),
                    csv_quoted(&s.findings.join("; ")),
                    csv_text(&s.suggestions.join("; ")),
                    csv_text(
                        &s.received.iter().map(|r| received_line(r, str::to_string)).collect::<Vec<_>>().join(" | "),
                    ),
                ],
            )?;
        }
        return Ok(());
    }
    writeln!(out, "{header},case")?;
    for p in &r.people {
        row(
            out,
            &[
                csv_text(&p.name),
                p.verdict.as_str().to_string(),
                p.risk.to_string(),
                p.given.to_string(),
                p.received.to_string(),
                p.received_traded.to_string(),
                p.traded_share.to_string(),
                csv_text(&p.reason),
                csv_quoted(p.case.as_deref().unwrap_or("")),
            ],
        )?;
    }
    Ok(())
}

impl Render for Csv {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        match self.sheet {
            Sheet::Findings => findings(r, out),
            Sheet::People => people(r, out),
            Sheet::Both => {
                findings(r, out)?;
                writeln!(out)?;
                people(r, out)
            }
        }
    }
}
