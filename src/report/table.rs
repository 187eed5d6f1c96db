//! The terminal renderer: headline counts, what happened to the input rows, and the top
//! findings with a one-line reason each.

use std::io::{self, Write};

use super::{Finding, Render, Report};
use crate::score::FindingKind;

/// `--format table`: a readable summary for a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// How many findings to show.
    pub top: usize,
}

impl Default for Table {
    fn default() -> Self {
        Table { top: 20 }
    }
}

fn members_line(f: &Finding) -> String {
    match f.kind {
        FindingKind::Pair => format!("{} <-> {}", f.members[0], f.members[1]),
        FindingKind::Cycle => {
            let mut s = f.members.join(" -> ");
            s.push_str(" -> ");
            s.push_str(&f.members[0]);
            s
        }
    }
}

fn reason(f: &Finding) -> &str {
    f.signals.iter().find(|s| s.fired).or(f.signals.first()).map_or("", |s| s.explanation.as_str())
}

impl Render for Table {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = &r.summary;
        writeln!(out, "backscratch {} — {} people, {} recommendations", r.tool.version, s.people, s.recommendations)?;
        for i in &r.inputs {
            let mut line = format!(
                "  {}: {} rows, {} used, {} duplicate, {} self-recommendation, {} skipped",
                i.path, i.rows, i.used, i.duplicates, i.self_loops, i.skipped
            );
            if !i.skipped_reasons.is_empty() {
                let reasons: Vec<String> = i.skipped_reasons.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                line.push_str(&format!(" ({})", reasons.join(", ")));
            }
            writeln!(out, "{line}")?;
        }
        let cycles: Vec<String> = s.cycles.iter().map(|(l, n)| format!("{l}-cycles {n}")).collect();
        writeln!(out, "reciprocal pairs {}; {}", s.reciprocal_pairs, cycles.join(", "))?;
        let b = &s.by_severity;
        writeln!(
            out,
            "findings {} (high {}, medium {}, low {}, info {}); {} listed",
            s.findings, b.high, b.medium, b.low, b.info, s.listed
        )?;
        if let Some(why) = &s.truncated_reason {
            writeln!(out, "TRUNCATED: {why}; counts are lower bounds")?;
        }
        if r.findings.is_empty() {
            return Ok(());
        }
        let shown = r.findings.len().min(self.top);
        writeln!(out, "\ntop {shown} findings (severity rule {}):", r.params.severity_rule)?;
        writeln!(out, "  {:<8} {:<6} {:<5} who / why", "SEVERITY", "KIND", "SCORE")?;
        for f in r.findings.iter().take(shown) {
            let kind = match f.kind {
                FindingKind::Pair => "pair",
                FindingKind::Cycle => "cycle",
            };
            writeln!(out, "  {:<8} {:<6} {:<5} {}", f.severity.as_str(), kind, f.score, members_line(f))?;
            writeln!(out, "  {:<8} {:<6} {:<5} {}", "", "", "", reason(f))?;
            if let Some(evidence) = f.signals.iter().find(|s| s.name == "worked_together") {
                writeln!(out, "  {:<8} {:<6} {:<5} {}", "", "", "", evidence.explanation)?;
            }
        }
        if r.findings.len() > shown {
            writeln!(out, "  … {} more listed in --format json", r.findings.len() - shown)?;
        }
        Ok(())
    }
}
