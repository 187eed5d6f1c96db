//! The HTML renderer: one self-contained page (inline CSS, inline SVG, no scripts, no
//! external assets; a Content-Security-Policy forbids loading anything) with the summary,
//! the candidates or people with their verdicts, and for each flagged finding a drawing of
//! its members and arrows beside its evidence. Every name and text is escaped and wrapped
//! in `<bdi>` so right-to-left names cannot reorder the text around them.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::describe::{counts, day, edge_note, headline, members_line_with, reason, top_level, verdict_word};
use super::escape::markup as h;
use super::svg::drawing;
use super::{Finding, Render, Report};
use crate::score::Severity;

/// `--format html`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

/// Findings drawn; the rest are listed in a table.
const MAX_DRAWINGS: usize = 100;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1c2833;max-width:1200px}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d5d8dc}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d5d8dc;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f4f6f7}.num{text-align:right}.muted{color:#707b7c}\
.badge{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-weight:600;font-size:.85rem;color:#fff;white-space:nowrap}\
.high,.fail,.not_found{background:#c0392b}.medium,.warn{background:#d68910}.low{background:#7f8c8d}.info,.pass{background:#27ae60}\
.finding{border:1px solid #d5d8dc;border-radius:.5rem;padding:1rem;margin:1rem 0}\
.finding-body{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}.evidence{flex:1;min-width:380px}.evidence table{width:100%}.evidence td:first-child,.evidence td:nth-child(2){white-space:nowrap;width:1%}\
svg.ring{max-width:100%;height:auto}svg .date{font-size:11px;fill:#1c2833;paint-order:stroke;stroke:#fff;stroke-width:4px}\
svg .member text{font-size:13px;fill:#1c2833}.fired{font-weight:600}";

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
        s.push_str("<section id=\"subjects\"><h2>Candidates checked</h2><table><tr><th>verdict</th><th>candidate</th><th>reason</th></tr>\n");
        for c in subjects {
            let class = c.status.as_str();
            let mut why = h(&c.reason);
            if !c.suggestions.is_empty() {
                let near: Vec<String> = c.suggestions.iter().map(|n| name(n)).collect();
                let _ = write!(why, "; did you mean {}?", near.join(", "));
            }
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{why}</td></tr>",
                badge(class, c.status.word()),
                name(&c.query)
            );
        }
        s.push_str("</table>\n");
        for c in subjects.iter().filter(|c| !c.received.is_empty()) {
            let _ = writeln!(
                s,
                "<h3>Recommendations {} received</h3><table><tr><th>from</th><th>date</th><th>backing</th><th>traded</th></tr>",
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
            s.push_str("</table>\n");
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
    let _ = write!(s, "<div class=\"finding-body\">{}<div class=\"evidence\"><table><tr><th>signal</th><th>points</th><th>explanation</th></tr>", drawing(f, i));
    for sig in &f.signals {
        let (class, points) =
            if sig.fired { (" class=\"fired\"", format!("{:+}", sig.points)) } else { ("", "—".into()) };
        let _ = write!(
            s,
            "<tr{class}><td>{}</td><td class=\"num\">{points}</td><td>{}</td></tr>",
            h(&sig.name),
            h(&sig.explanation)
        );
    }
    s.push_str(
        "</table><table><tr><th>from</th><th>to</th><th>date</th><th>relationship and context</th><th>source</th></tr>",
    );
    for e in &f.edges {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}:{}</td></tr>",
            name(&e.from),
            name(&e.to),
            day(&e.created),
            h(&edge_note(e)),
            h(&e.source.path),
            e.source.line
        );
    }
    let _ = writeln!(s, "</table><p class=\"muted\">id <code>{}</code></p></div></div></article>", h(&f.id));
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
        summary(r, &mut s);
        people(r, &mut s);
        findings(r, &mut s);
        s.push_str("</body></html>\n");
        out.write_all(s.as_bytes())
    }
}
