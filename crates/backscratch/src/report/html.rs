//! The HTML renderer: one self-contained page (inline CSS, inline SVG, no scripts, no
//! external assets; a Content-Security-Policy forbids loading anything) with the summary,
//! the candidates or people with their verdicts, and for each flagged finding a drawing of
//! its members and arrows beside its evidence. Every name and text is escaped and wrapped
//! in `<bdi>` so right-to-left names cannot reorder the text around them.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::describe::{
    case_size, counts, day, edge_note, headline, members_line_with, more_cases, reason, top_level, verdict_word,
    VerdictTally,
};
use super::escape::markup as h;
use super::model::{Finding, Report};
use super::render::Render;
use super::svg::drawing;
use crate::score::Severity;

/// `--format html`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

/// Findings drawn; the rest are listed in a table.
const MAX_DRAWINGS: usize = 100;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1c2833;max-width:1200px;overflow-wrap:break-word}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d5d8dc}\
table{border-collapse:collapse;margin:.5rem 0;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #d5d8dc;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f4f6f7;overflow-wrap:normal}.num{text-align:right}.muted{color:#707b7c}\
.badge{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-weight:600;font-size:.85rem;color:#fff;white-space:nowrap}\
.high,.fail,.not_found{background:#c0392b}.medium,.warn,.cannot_tell{background:#d68910}.low{background:#7f8c8d}.info,.pass{background:#27ae60}\
.finding{border:1px solid #d5d8dc;border-radius:.5rem;padding:1rem;margin:1rem 0}\
.finding-body{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}.evidence{flex:1;min-width:380px}.evidence table{width:100%}.evidence td:first-child,.evidence td:nth-child(2){white-space:nowrap;width:1%}\
svg.ring{max-width:100%;height:auto}svg .date{font-size:11px;fill:#1c2833;paint-order:stroke;stroke:#fff;stroke-width:4px}\
svg .member text{font-size:13px;fill:#1c2833}.fired{font-weight:600}\
td{overflow-wrap:break-word}td.src{overflow-wrap:anywhere;min-width:8rem}td.date,.date{white-space:nowrap}.scroll{overflow-x:auto;max-width:100%}\
.banner{font-size:1.3rem;font-weight:700;padding:.6rem 1rem;border-radius:.5rem;color:#fff;margin:1rem 0}\
ul.why{margin:.3rem 0 .6rem 1.2rem;padding:0}ul.why li{margin:.2rem 0}details.tech{display:inline;color:#707b7c;font-size:.85rem}\
mark{background:#fdebd0}td.text{min-width:16rem;max-width:38rem}\
@media (max-width:640px){body{margin:.6rem}.evidence{min-width:0}}\
@media print{body{margin:0;max-width:none}details{display:block}details>summary{list-style:none}.finding{break-inside:avoid}}";

/// Words of `text` that lie in a run of three words (lower case, letters and digits) also
/// found in one of `others`: what "almost word for word the same" means, made visible.
fn shared_words(text: &str, others: &[&str]) -> Vec<bool> {
    let norm = |t: &str| -> Vec<String> {
        t.split_whitespace()
            .map(|w| w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect())
            .collect()
    };
    let words = norm(text);
    let mut theirs = std::collections::HashSet::new();
    for o in others {
        let w = norm(o);
        for t in w.windows(3) {
            theirs.insert(t.join(" "));
        }
    }
    let mut marked = vec![false; words.len()];
    for (i, t) in words.windows(3).enumerate() {
        if theirs.contains(&t.join(" ")) {
            marked[i..i + 3].iter_mut().for_each(|m| *m = true);
        }
    }
    marked
}

/// A recommendation's text with the phrases it shares with the finding's other texts marked.
fn marked_text(text: &str, others: &[&str]) -> String {
    let marks = shared_words(text, others);
    let mut out = String::new();
    let mut open = false;
    for (i, word) in text.split_whitespace().enumerate() {
        let m = marks.get(i).copied().unwrap_or(false);
        if i > 0 {
            out.push(' ');
        }
        if m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !m && open {
            out.pop();
            out.push_str("</mark> ");
            open = false;
        }
        out.push_str(&h(word));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// The verdict of a `check` in one line: all pass, or how many fail, warn or got no verdict.
fn banner(r: &Report, s: &mut String) {
    let t = VerdictTally::of(r.subjects.as_deref().unwrap_or_default());
    let (class, text) = if t.fail + t.warn + t.none == 0 {
        ("pass", format!("All {} candidate(s) pass", t.pass))
    } else {
        let words = ["fail", "warn", "without a verdict (not found or ambiguous)", "pass"];
        let parts: Vec<String> = t.parts(words).iter().map(|(n, word)| format!("{n} {word}")).collect();
        (if t.fail + t.none > 0 { "fail" } else { "warn" }, parts.join(", "))
    };
    let _ = writeln!(s, "<div class=\"banner {class}\" id=\"verdict\">{}</div>", h(&text));
}

fn badge(class: &str, word: &str) -> String {
    format!("<span class=\"badge {class}\">{}</span>", h(word))
}

fn name(n: &str) -> String {
    format!("<bdi>{}</bdi>", h(n))
}

fn summary(r: &Report, s: &mut String) {
    let sum = &r.summary;
    let _ = writeln!(s, "<section id=\"summary\"><h2>Summary</h2><p>{}</p><table>", h(&headline(r)));
    let mut rows: Vec<(String, String)> = vec![
        ("people".into(), sum.people.to_string()),
        ("recommendations".into(), sum.recommendations.to_string()),
        ("reciprocal pairs".into(), sum.reciprocal_pairs.to_string()),
    ];
    rows.extend(sum.cycles.iter().map(|(l, n)| (format!("{l}-cycles"), n.to_string())));
    rows.push(("rings".into(), sum.rings.to_string()));
    rows.push(("suppressed by the allowlist".into(), sum.suppressed.to_string()));
    for (k, v) in rows {
        let _ = writeln!(s, "<tr><th>{}</th><td class=\"num\">{v}</td></tr>", h(&k));
    }
    s.push_str("</table>");
    if let Some(b) = &sum.baseline {
        let _ = writeln!(
            s,
            "<p>Compared with <code>{}</code>: {}; the new and escalated are shown.</p>",
            h(&b.file),
            b.headline()
        );
    }
    for note in &sum.checks_unavailable {
        let _ = writeln!(s, "<p class=\"muted\"><b>Not checked:</b> {}</p>", h(note));
    }
    for warning in &sum.warnings {
        let _ = writeln!(s, "<p><b>Warning:</b> {}</p>", h(warning));
    }
    if let Some(why) = &sum.truncated_reason {
        let _ = writeln!(s, "<p><b>Truncated:</b> {}; counts are lower bounds.</p>", h(why));
    }
    s.push_str("<details><summary>Inputs</summary><table><tr><th>file</th><th>rows</th><th>used</th><th>duplicate</th><th>self</th><th>skipped</th></tr>");
    for i in &r.inputs {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            h(&i.path),
            i.rows,
            i.used,
            i.duplicates,
            i.self_loops,
            i.skipped
        );
    }
    s.push_str("</table></details></section>\n");
}

fn people(r: &Report, s: &mut String) {
    if let Some(subjects) = &r.subjects {
        s.push_str("<section id=\"subjects\"><h2>Candidates checked</h2><div class=\"scroll\"><table><tr><th>verdict</th><th>candidate</th><th>reason</th><th>findings</th></tr>\n");
        for c in subjects {
            let class = c.status.as_str();
            let mut why = h(&c.reason);
            if !c.suggestions.is_empty() {
                let near: Vec<String> = c.suggestions.iter().map(|n| name(n)).collect();
                let _ = write!(why, "; did you mean {}?", near.join(", "));
            }
            // Links to the findings about the candidate, drawn below (the page has no script).
            let links: Vec<String> =
                c.findings.iter().map(|id| format!("<a href=\"#{}\">{}</a>", h(id), h(id))).collect();
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{why}</td><td>{}</td></tr>",
                badge(class, c.status.word()),
                name(&c.query),
                links.join("<br>")
            );
        }
        s.push_str("</table></div>\n");
        for c in subjects.iter().filter(|c| !c.received.is_empty()) {
            let _ = writeln!(
                s,
                "<h3>Recommendations {} received</h3><div class=\"scroll\"><table><tr><th>from</th><th>date</th><th>backing</th><th>traded</th></tr>",
                name(&c.query)
            );
            for rec in &c.received {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td class=\"date\">{}</td><td>{}</td><td>{}</td></tr>",
                    name(&rec.edge.from),
                    h(day(&rec.edge.created)),
                    h(&rec.backing_text),
                    if rec.traded { badge("high", "traded") } else { String::new() }
                );
            }
            s.push_str("</table></div>\n");
        }
        s.push_str("</section>\n");
        return;
    }
    s.push_str("<section id=\"people\"><h2>People</h2><table><tr><th>verdict</th><th>person</th><th>given</th><th>received</th><th>traded</th><th>reason</th></tr>\n");
    for p in &r.people {
        let word = verdict_word(p.verdict);
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            badge(p.verdict.as_str(), word),
            name(&p.name),
            p.given,
            p.received,
            p.received_traded,
            h(&p.reason)
        );
    }
    s.push_str("</table></section>\n");
}

/// The cases, most severe first, each linking to its listed findings.
fn cases(r: &Report, s: &mut String) {
    if r.cases.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<section id=\"cases\"><h2>Cases</h2><p class=\"muted\">{} of {} listed, most severe first. {}</p><div class=\"scroll\"><table><tr><th>severity</th><th>case</th><th>score</th><th>size</th><th>why</th><th>findings</th></tr>",
        r.cases.len(),
        r.summary.cases.max(r.cases.len() as u64),
        h(&more_cases(r))
    );
    for c in &r.cases {
        let links: Vec<String> = c.listed.iter().map(|id| format!("<a href=\"#{0}\">{0}</a>", h(id))).collect();
        let _ = writeln!(
            s,
            "<tr id=\"{}\"><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(&c.id),
            badge(c.severity.as_str(), &c.severity.as_str().to_uppercase()),
            h(&c.id),
            c.score,
            h(&case_size(c)),
            h(&c.reason),
            links.join(" ")
        );
    }
    s.push_str("</table></div></section>\n");
}

/// A finding's recommendations with their texts, the phrases two texts share marked: what a
/// reader checks first, so it comes before the drawing and the evidence.
fn recommendations(f: &Finding, s: &mut String) {
    s.push_str(
        "<div class=\"scroll\"><table class=\"recommendations\"><tr><th>from</th><th>to</th><th>date</th><th>text</th><th>relationship and context</th><th>source</th></tr>",
    );
    let texts: Vec<&str> = f.edges.iter().filter_map(|e| e.text.as_deref()).collect();
    for e in &f.edges {
        let text = e.text.as_deref().map_or(String::new(), |t| {
            let others: Vec<&str> = texts.iter().copied().filter(|o| !std::ptr::eq(*o, t)).collect();
            marked_text(t, &others)
        });
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"date\">{}</td><td class=\"text\">{text}</td><td>{}</td><td class=\"src\">{}:{}</td></tr>",
            name(&e.from),
            name(&e.to),
            day(&e.created),
            h(&edge_note(e)),
            h(&e.source.path),
            e.source.line
        );
    }
    s.push_str("</table></div>");
}

fn finding(f: &Finding, i: usize, s: &mut String) {
    let sev = f.severity.as_str();
    let _ = writeln!(
        s,
        "<article class=\"finding\" id=\"{}\"><h3>{} {} · score {} · {}</h3><p>{}</p>",
        h(&f.id),
        badge(sev, sev),
        h(f.kind.as_str()),
        f.score,
        members_line_with(f, name),
        h(&reason(f))
    );
    if let Some(by) = &f.suppressed_by {
        let _ = writeln!(s, "<p class=\"muted\">Suppressed by {}</p>", h(by));
    }
    recommendations(f, s);
    // Why, in plain words: each fired signal a sentence, its name and numbers one click away;
    // the checks that did not fire folded under "also checked".
    let _ = write!(
        s,
        "<div class=\"finding-body\">{}<div class=\"evidence\"><p><b>Why</b></p><ul class=\"why\">",
        drawing(f, i)
    );
    let mut fired: Vec<_> = f.signals.iter().filter(|g| g.fired).collect();
    fired.sort_by_key(|g| -g.points.abs());
    for sig in &fired {
        let _ = write!(
            s,
            "<li>{} <details class=\"tech\"><summary>details</summary><code>{}</code> {:+}: {}</details></li>",
            h(&super::describe::plain(f, &sig.name, &sig.value)),
            h(&sig.name),
            sig.points,
            h(&sig.explanation)
        );
    }
    if fired.is_empty() {
        s.push_str("<li>no signal fired</li>");
    }
    let quiet: Vec<_> = f.signals.iter().filter(|g| !g.fired).collect();
    let _ = write!(
        s,
        "</ul><details><summary>Also checked ({})</summary><div class=\"scroll\"><table><tr><th>signal</th><th>explanation</th></tr>",
        quiet.len()
    );
    for sig in quiet {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td></tr>", h(&sig.name), h(&sig.explanation));
    }
    s.push_str("</table></div></details>");
    let _ = writeln!(s, "<p class=\"muted\">id <code>{}</code></p></div></div></article>", h(&f.id));
}

fn findings(r: &Report, s: &mut String) {
    let drawn: Vec<&Finding> = top_level(r).filter(|f| counts(f, Severity::Low) || f.suppressed_by.is_some()).collect();
    s.push_str("<section id=\"rings\"><h2>Rings and pairs</h2>\n");
    if drawn.is_empty() {
        s.push_str("<p>No finding at low or above.</p>\n");
    }
    for (i, f) in drawn.iter().take(MAX_DRAWINGS).enumerate() {
        finding(f, i, s);
    }
    let rest: Vec<&Finding> = top_level(r).filter(|f| !drawn.iter().take(MAX_DRAWINGS).any(|d| d.id == f.id)).collect();
    if !rest.is_empty() {
        let _ = writeln!(s, "<details><summary>{} more finding(s), not drawn</summary><table><tr><th>severity</th><th>kind</th><th>score</th><th>members</th><th>reason</th></tr>", rest.len());
        for f in rest {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                h(f.severity.as_str()),
                h(f.kind.as_str()),
                f.score,
                members_line_with(f, name),
                h(&reason(f))
            );
        }
        s.push_str("</table></details>\n");
    }
    s.push_str("</section>\n");
}

impl Render for Html {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::with_capacity(1 << 16);
        s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        s.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
        );
        s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(s, "<title>backscratch report</title><style>{STYLE}</style></head><body>");
        let stamp = r.generated_at.as_deref().map_or(String::new(), |t| format!(", {}", h(t)));
        let rule = &r.params.severity_rule;
        let rule_name = rule.split(':').next().unwrap_or(rule);
        let _ = writeln!(
            s,
            "<header><h1>backscratch report</h1><p class=\"muted\">{} {}{stamp} · severity rule <abbr title=\"{}\">{}</abbr></p></header>",
            h(&r.tool.name),
            h(&r.tool.version),
            h(rule),
            h(rule_name)
        );
        if r.subjects.is_some() {
            // Verdict first: the banner and the candidates, then the findings about them,
            // then the dataset's counts.
            banner(r, &mut s);
            people(r, &mut s);
            findings(r, &mut s);
            cases(r, &mut s);
            summary(r, &mut s);
        } else {
            summary(r, &mut s);
            cases(r, &mut s);
            people(r, &mut s);
            findings(r, &mut s);
        }
        s.push_str("</body></html>\n");
        out.write_all(s.as_bytes())
    }
}
