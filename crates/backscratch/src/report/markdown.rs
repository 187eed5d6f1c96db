//! The Markdown renderer, for `$GITHUB_STEP_SUMMARY` and pull-request comments: headline
//! counts first, then the people with a warn or fail verdict, then each finding folded in a
//! `<details>` block with its recommendations and evidence. Stays under a byte budget (GitHub
//! refuses step summaries over 1 MiB): findings that do not fit are counted, not cut.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::describe::{
    case_members, case_size, day, edge_note, headline, members_line_with, more_cases, reason, received_line, top_level,
    verdict_word, VerdictTally,
};
use super::escape::markdown as md;
use super::model::{Finding, Report, Verdict};
use super::render::Render;

/// `--format markdown`.
#[derive(Debug, Clone, Copy)]
pub struct Markdown {
    /// Most bytes written.
    pub max_bytes: usize,
}

impl Default for Markdown {
    /// Just under GitHub's 1 MiB step-summary limit.
    fn default() -> Self {
        Markdown { max_bytes: 1_000_000 }
    }
}

/// People shown in the table before the rest goes into a `<details>` block.
const PEOPLE_SHOWN: usize = 20;
/// Most people listed at all (the rest are counted; they are in the JSON and CSV reports).
const PEOPLE_MAX: usize = 1000;

fn head(r: &Report, s: &mut String) {
    let sum = &r.summary;
    let _ = writeln!(s, "## backscratch: {}\n", md(&headline(r)));
    let cycles: Vec<String> = sum.cycles.keys().map(|l| format!("{l}-cycles")).collect();
    let _ = writeln!(
        s,
        "| people | recommendations | reciprocal pairs | {} | high | medium | low | info | rings | suppressed |",
        cycles.join(" | ")
    );
    let _ = writeln!(s, "|{}", "---:|".repeat(9 + cycles.len()));
    let counts: Vec<String> = sum.cycles.values().map(u64::to_string).collect();
    let b = &sum.by_severity;
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        sum.people,
        sum.recommendations,
        sum.reciprocal_pairs,
        counts.join(" | "),
        b.high,
        b.medium,
        b.low,
        b.info,
        sum.rings,
        sum.suppressed
    );
    if let Some(base) = &sum.baseline {
        let _ =
            writeln!(s, "Compared with `{}`: {}; the new and escalated are listed.\n", md(&base.file), base.headline());
    }
    for note in &sum.checks_unavailable {
        let _ = writeln!(s, "> **Not checked:** {}\n", md(note));
    }
    for warning in &sum.warnings {
        let _ = writeln!(s, "> **Warning:** {}\n", md(warning));
    }
    if let Some(why) = &sum.truncated_reason {
        let _ = writeln!(s, "> **Truncated:** {}; counts are lower bounds.\n", md(why));
    }
}

fn subjects(r: &Report, s: &mut String) {
    let Some(subjects) = &r.subjects else { return };
    let _ = writeln!(s, "### Candidates checked\n\n| verdict | candidate | reason |\n|---|---|---|");
    for c in subjects {
        let mut why = md(&c.reason);
        if !c.suggestions.is_empty() {
            let near: Vec<String> = c.suggestions.iter().map(|n| md(n)).collect();
            let _ = write!(why, "; did you mean {}?", near.join(", "));
        }
        let _ = writeln!(s, "| **{}** | {} | {} |", c.status.word(), md(&c.query), why);
    }
    s.push('\n');
    for c in subjects.iter().filter(|c| !c.received.is_empty()) {
        let _ = writeln!(s, "**Recommendations {} received**\n", md(&c.query));
        for rec in &c.received {
            let _ = writeln!(s, "- {}", md(&received_line(rec, str::to_string)));
        }
        s.push('\n');
    }
}

/// The cases, most severe first: what a reviewer works through.
fn cases(r: &Report, s: &mut String) {
    if r.cases.is_empty() {
        return;
    }
    let _ = writeln!(s, "### Cases ({} of {} listed)\n", r.cases.len(), r.summary.cases.max(r.cases.len() as u64));
    s.push_str("| severity | case | score | size | members | why |\n|---|---|---:|---|---|---|\n");
    for c in &r.cases {
        let _ = writeln!(
            s,
            "| **{}** | `{}` | {} | {} | {} | {} |",
            c.severity.as_str().to_uppercase(),
            c.id,
            c.score,
            case_size(c),
            md(&case_members(c, 8)),
            md(&c.reason)
        );
    }
    let more = more_cases(r);
    if !more.is_empty() {
        let _ = writeln!(s, "\n{more}.");
    }
    s.push('\n');
}

fn people(r: &Report, s: &mut String) {
    let flagged: Vec<_> = r.people.iter().filter(|p| p.verdict != Verdict::Pass).collect();
    if r.subjects.is_some() || flagged.is_empty() {
        return;
    }
    let _ = writeln!(s, "### People ({} fail or warn, {} pass)\n", flagged.len(), r.people.len() - flagged.len());
    let table_head = "| verdict | person | received | traded | reason |\n|---|---|---:|---:|---|\n";
    s.push_str(table_head);
    for (i, p) in flagged.iter().enumerate().take(PEOPLE_MAX) {
        if i == PEOPLE_SHOWN {
            let _ = write!(s, "\n<details><summary>{} more</summary>\n\n{table_head}", flagged.len() - PEOPLE_SHOWN);
        }
        let _ = writeln!(
            s,
            "| **{}** | {} | {} | {} | {} |",
            verdict_word(p.verdict),
            md(&p.name),
            p.received,
            p.received_traded,
            md(&p.reason)
        );
    }
    if flagged.len() > PEOPLE_MAX {
        let _ = writeln!(
            s,
            "\n{} more people with a warn or fail verdict are in the JSON and CSV reports.",
            flagged.len() - PEOPLE_MAX
        );
    }
    if flagged.len() > PEOPLE_SHOWN {
        s.push_str("\n</details>\n");
    }
    s.push('\n');
}

fn finding(f: &Finding) -> String {
    let mut s = String::new();
    let suppressed = f.suppressed_by.as_ref().map_or(String::new(), |by| format!(" — suppressed by {}", md(by)));
    let _ = writeln!(
        s,
        "<details><summary><b>{}</b> {} (score {}): {} — {}{suppressed}</summary>\n",
        f.severity.as_str().to_uppercase(),
        f.kind.as_str(),
        f.score,
        members_line_with(f, md),
        md(&reason(f))
    );
    let _ = writeln!(
        s,
        "`{}`\n\n| from | to | date | text | relationship and context | source |\n|---|---|---|---|---|---|",
        f.id
    );
    for e in &f.edges {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {}:{} |",
            md(&e.from),
            md(&e.to),
            day(&e.created),
            md(e.text.as_deref().unwrap_or("")),
            md(&edge_note(e)),
            md(&e.source.path),
            e.source.line
        );
    }
    let _ = writeln!(s, "\n| signal | fired | points | explanation |\n|---|---|---:|---|");
    for sig in &f.signals {
        let fired = if sig.fired { "yes" } else { "no" };
        let points = if sig.fired { format!("{:+}", sig.points) } else { "0".into() };
        let _ = writeln!(s, "| {} | {fired} | {points} | {} |", sig.name, md(&sig.explanation));
    }
    s.push_str("\n</details>\n\n");
    s
}

/// `check`: the verdict of all candidates in one line, then what qualifies it.
fn banner(r: &Report, s: &mut String) {
    let Some(subjects) = &r.subjects else { return };
    let t = VerdictTally::of(subjects);
    let parts: Vec<String> =
        t.parts(["fail", "warn", "without a verdict", "pass"]).iter().map(|(n, word)| format!("{n} {word}")).collect();
    let _ = writeln!(s, "## backscratch check: {}\n", parts.join(", "));
    for note in &r.summary.checks_unavailable {
        let _ = writeln!(s, "> **Not checked:** {}\n", md(note));
    }
    if let Some(why) = &r.summary.truncated_reason {
        let _ = writeln!(s, "> **Truncated:** {}; counts are lower bounds.\n", md(why));
    }
}

impl Render for Markdown {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::new();
        if r.subjects.is_some() {
            // Verdict first; the dataset's counts come after the findings.
            banner(r, &mut s);
            subjects(r, &mut s);
            cases(r, &mut s);
        } else {
            head(r, &mut s);
            cases(r, &mut s);
            people(r, &mut s);
        }
        let shown: Vec<&Finding> = top_level(r).collect();
        if !shown.is_empty() {
            let _ = writeln!(s, "### Findings ({} listed; parts of rings are inside their ring)\n", shown.len());
        }
        let reserve = 200;
        let mut left_out = 0;
        for f in &shown {
            let piece = finding(f);
            if left_out > 0 || s.len() + piece.len() + reserve > self.max_bytes {
                left_out += 1;
            } else {
                s.push_str(&piece);
            }
        }
        if left_out > 0 {
            let _ = writeln!(s, "{left_out} more finding(s) did not fit in this summary; they are in the JSON report.");
        }
        if r.subjects.is_some() {
            s.push_str("\n<details><summary>The data</summary>\n\n");
            head(r, &mut s);
            s.push_str("</details>\n");
        }
        // The promise holds whatever the data: huge names can make even the head too long.
        if s.len() > self.max_bytes {
            let mut cut = self.max_bytes.saturating_sub(reserve);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            let _ = write!(s, "\n\n(This summary was cut at {cut} bytes; the JSON report has everything.)\n");
        }
        out.write_all(s.as_bytes())
    }
}
