//! Words shared by the human-readable formats: a finding's members as a line, its one-line
//! reason, its dates, which findings stand on their own (not folded into a ring), and a
//! person's verdict in capitals.

use super::model::{Edge, Finding, Report, Verdict};
use crate::score::{FindingKind, Severity};

/// `A <-> B`, `A -> B -> C -> A`, or `A, B, C (5 recommendations)`, with each name passed
/// through `name` (escaping for the format, so that one name's direction override cannot reach
/// the next).
pub(crate) fn members_line_with(f: &Finding, name: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = f.members.iter().map(|m| name(m)).collect();
    match f.kind {
        FindingKind::Pair => format!("{} <-> {}", names[0], names[1]),
        FindingKind::Cycle => format!("{} -> {}", names.join(" -> "), names[0]),
        FindingKind::Ring => format!("{} ({} recommendations)", names.join(", "), f.edges.len()),
    }
}

/// A duration given in days, in the unit a person reads: "40 minutes", "1 day", "3.9 days".
fn duration(v: &serde_json::Value) -> String {
    v.as_f64().map_or_else(|| "?".to_string(), |d| crate::score::time::human_duration((d * 86_400.0).round() as i64))
}

/// A finding's fired signal as a plain sentence fragment a recruiter reads.
pub(crate) fn plain(f: &Finding, name: &str, value: &serde_json::Value) -> String {
    let pair = f.kind == FindingKind::Pair;
    match name {
        "structure" if f.kind == FindingKind::Ring => {
            format!("{} people praise each other in overlapping rings", f.members.len())
        }
        "structure" => format!("a ring of {} people, each recommending the next", f.members.len()),
        "reciprocation_lag_days" => format!("returned within {}", duration(value)),
        "ring_span_days" => format!("all written within {}", duration(value)),
        "corroborated" => "they worked together".to_string(),
        "uncorroborated" => "no working relationship on record".to_string(),
        "strangers" if pair => "they never worked at the same company".to_string(),
        "strangers" => "none of them ever worked at the same company as the others".to_string(),
        "relationship_contradicted" => "a stated working relationship is contradicted by the histories".to_string(),
        "text_similarity" => similarity_words(value),
        "generic_text" => "stock praise, nothing specific".to_string(),
        "stock_praise_only" => "every text is stock praise, more than chance makes likely".to_string(),
        "concentration" => "their recommendations stay inside this group".to_string(),
        "group_shape" => "a dense group that mostly praises itself".to_string(),
        other => other.replace('_', " "),
    }
}

/// How alike the texts are, in words that follow the measured share of shared word
/// 3-shingles (`value`, 0..1): "almost word for word the same" only from 80 %.
fn similarity_words(value: &serde_json::Value) -> String {
    match value.as_f64() {
        Some(v) if v >= 0.8 => "the texts are almost word for word the same".to_string(),
        Some(v) if v >= 0.5 => format!("the texts are largely the same ({:.0}% alike)", v * 100.0),
        Some(v) => format!("the texts share whole phrases ({:.0}% alike)", v * 100.0),
        None => "the texts are alike".to_string(),
    }
}

/// A short phrase per fired signal, strongest first: the one-line reason.
pub(crate) fn reason(f: &Finding) -> String {
    let mut fired: Vec<_> = f.signals.iter().filter(|s| s.fired).collect();
    fired.sort_by_key(|s| -s.points.abs());
    let phrases: Vec<String> =
        fired.iter().map(|s| format!("{} ({:+})", plain(f, &s.name, &s.value), s.points)).collect();
    let why = if phrases.is_empty() { "no signal fired".to_string() } else { phrases.join("; ") };
    match f.baseline {
        Some(status @ super::model::BaselineStatus::Escalated { .. }) => format!("{}: {why}", status.describe()),
        _ => why,
    }
}

/// What is known about one recommendation besides who and when: its kind when it is not a
/// recommendation, the stated relationship, and the source's context, joined by `; `.
pub(crate) fn edge_note(e: &Edge) -> String {
    let kind = e.kind.as_ref().map(|k| format!("[{k}]"));
    [kind.as_ref(), e.relationship.as_ref(), e.context.as_ref()]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("; ")
}

/// The calendar day of an RFC 3339 date (`2024-03-01T10:00:00Z` → `2024-03-01`).
pub(crate) fn day(created: &Option<String>) -> &str {
    created.as_deref().map_or("undated", |c| c.get(..10).unwrap_or(c))
}

/// Findings that stand on their own: not folded into a listed ring.
pub(crate) fn top_level(r: &Report) -> impl Iterator<Item = &Finding> {
    r.findings.iter().filter(|f| f.part_of.is_none())
}

/// Whether a finding counts: at least `floor` and not allowlisted.
pub(crate) fn counts(f: &Finding, floor: Severity) -> bool {
    f.suppressed_by.is_none() && f.severity >= floor
}

/// `PASS`, `WARN`, `FAIL`.
pub(crate) fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
    }
}

/// The severity a verdict stands for: fail = high, warn = medium, pass = none.
pub(crate) fn verdict_severity(v: Verdict) -> Option<Severity> {
    match v {
        Verdict::Pass => None,
        Verdict::Warn => Some(Severity::Medium),
        Verdict::Fail => Some(Severity::High),
    }
}

/// The headline: severities of the findings and verdicts of the people, in one sentence.
pub(crate) fn headline(r: &Report) -> String {
    let b = &r.summary.by_severity;
    let fails = r.people.iter().filter(|p| p.verdict == Verdict::Fail).count();
    let warns = r.people.iter().filter(|p| p.verdict == Verdict::Warn).count();
    format!(
        "{} findings (high {}, medium {}, low {}, info {}); people: {fails} fail, {warns} warn",
        r.summary.findings, b.high, b.medium, b.low, b.info
    )
}

/// One received recommendation of a candidate in a line: who, when, its backing in plain
/// words, and whether it is traded (`name` escapes the writer's name for the format).
pub(crate) fn received_line(r: &super::model::Received, name: impl Fn(&str) -> String) -> String {
    let traded = if r.traded { "; TRADED (in a finding at medium or above)" } else { "" };
    format!("from {}, {}: {}{traded}", name(&r.edge.from), day(&r.edge.created), r.backing_text)
}

/// A `check`'s candidates counted by outcome: the verdict line every format opens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VerdictTally {
    /// Candidates who fail.
    pub fail: usize,
    /// Candidates with a warning.
    pub warn: usize,
    /// Candidates without a verdict (not found or ambiguous).
    pub none: usize,
    /// Candidates who pass.
    pub pass: usize,
}

impl VerdictTally {
    /// Count `subjects`.
    pub(crate) fn of(subjects: &[super::model::Subject]) -> Self {
        use super::model::SubjectStatus;
        let count = |st: SubjectStatus| subjects.iter().filter(|c| c.status == st).count();
        let (fail, warn, pass) = (count(SubjectStatus::Fail), count(SubjectStatus::Warn), count(SubjectStatus::Pass));
        VerdictTally { fail, warn, none: subjects.len() - fail - warn - pass, pass }
    }

    /// The counts that are not zero, in the order fail, warn, no verdict, pass, each with the
    /// word the format uses for it (`words` in that order).
    pub(crate) fn parts<'w>(&self, words: [&'w str; 4]) -> Vec<(usize, &'w str)> {
        [self.fail, self.warn, self.none, self.pass].into_iter().zip(words).filter(|(n, _)| *n > 0).collect()
    }
}

/// A case in one line: `3 people, 1 flagged finding (1 high)`, and how many are listed
/// when not all are.
pub(crate) fn case_size(c: &super::model::Case) -> String {
    let people = if c.members.len() == 1 { "1 person".to_string() } else { format!("{} people", c.members.len()) };
    let findings =
        if c.findings == 1 { "1 flagged finding".to_string() } else { format!("{} flagged findings", c.findings) };
    let listed =
        if (c.listed.len() as u64) < c.findings { format!(", {} listed", c.listed.len()) } else { String::new() };
    format!("{people}, {findings}{listed}")
}

/// A case's members, the first `most` by name and a count of the rest.
pub(crate) fn case_members(c: &super::model::Case, most: usize) -> String {
    let mut out = c.members.iter().take(most).cloned().collect::<Vec<_>>().join(", ");
    if c.members.len() > most {
        out.push_str(&format!(" and {} more", c.members.len() - most));
    }
    out
}

/// The line that says how many cases there are beyond those listed (empty when none).
pub(crate) fn more_cases(r: &super::model::Report) -> String {
    let more = r.summary.cases.saturating_sub(r.summary.cases_listed);
    if more == 0 || r.subjects.is_some() {
        String::new()
    } else {
        format!("{more} more case(s) found and counted, not listed (--max-cases)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pair() -> Finding {
        serde_json::from_value(json!({
            "id": "pair-0", "kind": "pair", "members": ["A", "B"], "edges": [], "score": 0,
            "severity": "info", "signals": [], "suppressed_by": null, "part_of": null, "parts": []
        }))
        .unwrap()
    }

    #[test]
    fn every_signal_of_the_rule_reads_as_words_not_an_identifier() {
        let f = pair();
        for name in [
            "structure",
            "reciprocation_lag_days",
            "ring_span_days",
            "corroborated",
            "uncorroborated",
            "strangers",
            "relationship_contradicted",
            "text_similarity",
            "generic_text",
            "stock_praise_only",
            "concentration",
            "group_shape",
        ] {
            let words = plain(&f, name, &json!(0.9));
            assert!(!words.contains('_') && words != name, "{name}: {words}");
        }
    }

    #[test]
    fn similarity_words_follow_the_measured_value() {
        let f = pair();
        assert_eq!(plain(&f, "text_similarity", &json!(1.0)), "the texts are almost word for word the same");
        assert_eq!(plain(&f, "text_similarity", &json!(0.6)), "the texts are largely the same (60% alike)");
        assert_eq!(plain(&f, "text_similarity", &json!(0.333)), "the texts share whole phrases (33% alike)");
    }
}
