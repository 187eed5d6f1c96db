//! The terminal renderer: headline counts, what happened to the input rows, which checks the
//! data could not support, the top findings with a one-line reason each, and the people
//! with a warn or fail verdict.

use std::io::{self, Write};

use super::{Finding, Render, Report, Verdict};
use crate::score::FindingKind;

/// `--format table`: a readable summary for a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// How many findings (and people) to show.
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
        FindingKind::Cycle => format!("{} -> {}", f.members.join(" -> "), f.members[0]),
        FindingKind::Ring => format!("{} ({} recommendations)", f.members.join(", "), f.edges.len()),
    }
}

/// A number of days without a needless `.0`.
fn days(v: &serde_json::Value) -> String {
    match v.as_f64() {
        Some(d) if d.fract() == 0.0 => format!("{d:.0}"),
        Some(d) => d.to_string(),
        None => "?".to_string(),
    }
}

/// A short phrase per fired signal, strongest first: the one-line reason.
pub fn reason(f: &Finding) -> String {
    let mut fired: Vec<_> = f.signals.iter().filter(|s| s.fired).collect();
    fired.sort_by_key(|s| -s.points.abs());
    let phrases: Vec<String> = fired
        .iter()
        .map(|s| {
            let phrase = match s.name.as_str() {
                "structure" => "a ring".to_string(),
                "reciprocation_lag_days" => format!("reciprocated within {} days", days(&s.value)),
                "ring_span_days" => format!("all written within {} days", days(&s.value)),
                "corroborated" => "backed by working relationships".to_string(),
                "uncorroborated" => "no working relationship on record".to_string(),
                "relationship_contradicted" => "a claimed working relationship is contradicted".to_string(),
                "text_similarity" => "near-identical texts".to_string(),
                "generic_text" => "stock praise".to_string(),
                "concentration" => "members' recommendations concentrated here".to_string(),
                "group_shape" => "a dense, insular group".to_string(),
                other => other.to_string(),
            };
            format!("{phrase} ({:+})", s.points)
        })
        .collect();
    if phrases.is_empty() {
        "no signal fired".to_string()
    } else {
        phrases.join("; ")
    }
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
            "findings {} (high {}, medium {}, low {}, info {}; {} ring(s), {} suppressed); {} listed",
            s.findings, b.high, b.medium, b.low, b.info, s.rings, s.suppressed, s.listed
        )?;
        for note in &s.checks_unavailable {
            writeln!(out, "not checked: {note}")?;
        }
        if let Some(why) = &s.truncated_reason {
            writeln!(out, "TRUNCATED: {why}; counts are lower bounds")?;
        }
        let top_level: Vec<&Finding> = r.findings.iter().filter(|f| f.part_of.is_none()).collect();
        if !top_level.is_empty() {
            let shown = top_level.len().min(self.top);
            writeln!(out, "\ntop {shown} findings (parts of rings folded into their ring):")?;
            writeln!(out, "  {:<8} {:<6} {:<5} who / why", "SEVERITY", "KIND", "SCORE")?;
            for f in top_level.iter().take(shown) {
                writeln!(
                    out,
                    "  {:<8} {:<6} {:<5} {}",
                    f.severity.as_str(),
                    f.kind.as_str(),
                    f.score,
                    members_line(f)
                )?;
                writeln!(out, "  {:<21}{}", "", reason(f))?;
                if let Some(by) = &f.suppressed_by {
                    writeln!(out, "  {:<21}suppressed by {by}", "")?;
                }
            }
            if top_level.len() > shown {
                writeln!(out, "  … {} more listed in --format json", top_level.len() - shown)?;
            }
        }
        let flagged: Vec<_> = r.people.iter().filter(|p| p.verdict != Verdict::Pass).collect();
        if !r.people.is_empty() {
            let fails = flagged.iter().filter(|p| p.verdict == Verdict::Fail).count();
            writeln!(
                out,
                "\npeople in listed findings: {} (fail {fails}, warn {}, pass {})",
                r.people.len(),
                flagged.len() - fails,
                r.people.len() - flagged.len()
            )?;
            for p in flagged.iter().take(self.top) {
                let verdict = format!("{:?}", p.verdict).to_uppercase();
                writeln!(out, "  {verdict:<5} {}: {}", p.name, p.reason)?;
            }
        }
        Ok(())
    }
}
