//! The terminal renderer: headline counts, what happened to the input rows, which checks the
//! data could not support, the top findings with a one-line reason each, and the people
//! with a warn or fail verdict.

use std::io::{self, Write};

use super::describe::{
    case_members, case_size, members_line_with, more_cases, reason, received_line, verdict_word, VerdictTally,
};
use super::escape::one_line;
use super::model::{Finding, Report, Subject, Verdict};
use super::render::Render;

/// `--format table`: a readable summary for a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// How many findings (and people) to show.
    pub top: usize,
    /// Colour severities and verdicts with ANSI escapes (only for a terminal).
    pub color: bool,
}

impl Default for Table {
    fn default() -> Self {
        Table { top: 20, color: false }
    }
}

impl Table {
    /// `text` in the colour of `level` (`high`/`fail` red, `medium`/`warn` yellow), if colour is on.
    fn paint(&self, text: &str, level: &str) -> String {
        let code = match level {
            "high" | "FAIL" => "1;31",
            "medium" | "WARN" => "33",
            "PASS" => "32",
            "NOT FOUND" => "1;35",
            _ => return text.to_string(),
        };
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

impl Table {
    /// How the run was set up and what happened to the rows: the search line, each input's
    /// accounting, the counts, warnings and the baseline.
    fn accounting(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = &r.summary;
        if let Some(choice) = &r.params.max_len_choice {
            writeln!(out, "search: cycles up to {} (auto: {})", r.params.max_cycle_len, choice.reason)?;
        }
        for i in &r.inputs {
            let mut line = format!(
                "  {}: {} rows, {} used, {} duplicate, {} self-recommendation, {} skipped",
                one_line(&i.path),
                i.rows,
                i.used,
                i.duplicates,
                i.self_loops,
                i.skipped
            );
            if !i.skipped_reasons.is_empty() {
                let reasons: Vec<String> = i.skipped_reasons.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                line.push_str(&format!(" ({})", one_line(&reasons.join(", "))));
            }
            if i.undated_bad_date > 0 {
                line.push_str(&format!("; {} kept undated (unreadable date)", i.undated_bad_date));
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
        for warning in &s.warnings {
            writeln!(out, "warning: {}", one_line(warning))?;
        }
        if let Some(b) = &s.baseline {
            writeln!(out, "baseline {}: {}; the new and escalated are listed", one_line(&b.file), b.headline())?;
        }
        Ok(())
    }

    /// `check`: the verdict of all candidates in one line.
    fn banner(&self, subjects: &[Subject], out: &mut dyn Write) -> io::Result<()> {
        let t = VerdictTally::of(subjects);
        let parts: Vec<String> = t
            .parts(["FAIL", "WARN", "NO VERDICT", "PASS"])
            .iter()
            .map(|(n, word)| self.paint(&format!("{n} {word}"), if *word == "NO VERDICT" { "NOT FOUND" } else { word }))
            .collect();
        writeln!(out, "verdict: {}", parts.join(", "))
    }

    fn candidates(&self, subjects: &[Subject], out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "\ncandidates checked: {}", subjects.len())?;
        for c in subjects {
            let word = c.status.word();
            let mut why = c.reason.clone();
            if !c.suggestions.is_empty() {
                let near: Vec<String> = c.suggestions.iter().map(|n| one_line(n)).collect();
                why.push_str(&format!("; did you mean {}?", near.join(", ")));
            }
            writeln!(out, "  {} {}: {why}", self.paint(&format!("{word:<11}"), word), one_line(&c.query))?;
            for rec in &c.received {
                writeln!(out, "  {:<11}   {}", "", one_line(&received_line(rec, str::to_string)))?;
            }
        }
        Ok(())
    }

    fn findings(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let top_level: Vec<&Finding> = r.findings.iter().filter(|f| f.part_of.is_none()).collect();
        if top_level.is_empty() {
            return Ok(());
        }
        let shown = top_level.len().min(self.top);
        let whose = if r.subjects.is_some() { " concerning the candidates" } else { "" };
        writeln!(out, "\ntop {shown} findings{whose} (parts of rings folded into their ring):")?;
        writeln!(out, "  {:<8} {:<6} {:<5} who / why", "SEVERITY", "KIND", "SCORE")?;
        for f in top_level.iter().take(shown) {
            let severity = self.paint(&format!("{:<8}", f.severity.as_str()), f.severity.as_str());
            writeln!(out, "  {severity} {:<6} {:<5} {}", f.kind.as_str(), f.score, members_line_with(f, one_line))?;
            writeln!(out, "  {:<21}{}", "", reason(f))?;
            if let Some(by) = &f.suppressed_by {
                writeln!(out, "  {:<21}suppressed by {}", "", one_line(by))?;
            }
        }
        if top_level.len() > shown {
            writeln!(out, "  … {} more listed in --format json", top_level.len() - shown)?;
        }
        Ok(())
    }

    fn cases(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if r.cases.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "\ncases, most severe first ({} of {}):",
            r.cases.len(),
            r.summary.cases.max(r.cases.len() as u64)
        )?;
        for c in r.cases.iter().take(self.top) {
            let severity = self.paint(&format!("{:<8}", c.severity.as_str().to_uppercase()), c.severity.as_str());
            writeln!(
                out,
                "  {severity} {} score {}: {}: {}",
                c.id,
                c.score,
                case_size(c),
                one_line(&case_members(c, 8))
            )?;
            writeln!(out, "  {:<9}{}", "", one_line(&c.reason))?;
        }
        if r.cases.len() > self.top {
            writeln!(out, "  … {} more listed in --format json", r.cases.len() - self.top)?;
        }
        let more = more_cases(r);
        if !more.is_empty() {
            writeln!(out, "  {more}")?;
        }
        Ok(())
    }

    fn people(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let flagged: Vec<_> = r.people.iter().filter(|p| p.verdict != Verdict::Pass).collect();
        if r.people.is_empty() {
            return Ok(());
        }
        let fails = flagged.iter().filter(|p| p.verdict == Verdict::Fail).count();
        writeln!(
            out,
            "\npeople in listed findings: {} (fail {fails}, warn {}, pass {}), most at risk first",
            r.people.len(),
            flagged.len() - fails,
            r.people.len() - flagged.len()
        )?;
        for p in flagged.iter().take(self.top) {
            let word = verdict_word(p.verdict);
            let word_cell = self.paint(&format!("{word:<5}"), word);
            writeln!(out, "  {word_cell} {} (risk {}): {}", one_line(&p.name), p.risk, p.reason)?;
        }
        if flagged.len() > self.top {
            writeln!(out, "  … and {} more with warn or fail in --format json", flagged.len() - self.top)?;
        }
        Ok(())
    }
}

impl Render for Table {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = &r.summary;
        writeln!(out, "backscratch {} — {} people, {} recommendations", r.tool.version, s.people, s.recommendations)?;
        if let Some(subjects) = &r.subjects {
            // check: the verdict first, then what qualifies it, the candidates and the findings
            // about them; the dataset's accounting last.
            self.banner(subjects, out)?;
        }
        // What could not be checked comes next: a verdict reads differently without it.
        for note in &s.checks_unavailable {
            writeln!(out, "not checked: {}", one_line(note))?;
        }
        if let Some(why) = &s.truncated_reason {
            writeln!(out, "TRUNCATED: {why}; counts are lower bounds")?;
        }
        match &r.subjects {
            Some(subjects) => {
                self.candidates(subjects, out)?;
                self.cases(r, out)?;
                self.findings(r, out)?;
                writeln!(out, "\ndata:")?;
                self.accounting(r, out)
            }
            None => {
                self.accounting(r, out)?;
                self.cases(r, out)?;
                self.findings(r, out)?;
                self.people(r, out)
            }
        }
    }
}
