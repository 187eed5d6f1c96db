//! Assembling the report model: ids become names, edge ids become dated, located edges,
//! and every listed member gets a person entry.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::{Edge, Finding, Params, Person, Report, SeverityCounts, SourceRef, Summary, Tool, Verdict};
use crate::detect::{Detection, EdgeMarks};
use crate::graph::Graph;
use crate::ingest::{date::format_timestamp, InputStats};
use crate::score::{FindingKind, Scored, Scoring, Severity};

/// What the report is made from.
pub struct ReportInputs<'a> {
    /// The graph (names, edge attributes).
    pub graph: &'a Graph,
    /// Per-input accounting.
    pub inputs: &'a [InputStats],
    /// The settings to echo.
    pub params: Params,
    /// Detection results.
    pub detection: &'a Detection,
    /// Scored findings.
    pub scoring: Scoring,
    /// Why the search stopped early, if it did.
    pub truncated_reason: Option<String>,
    /// Unix seconds to stamp the report with, or none.
    pub generated_at: Option<i64>,
}

/// A stable id: kind plus the first 16 hex digits of SHA-256 over the canonical members.
pub fn finding_id(kind: FindingKind, members: &[&str]) -> String {
    let prefix = match kind {
        FindingKind::Pair => "pair",
        FindingKind::Cycle => "cycle",
    };
    let mut h = Sha256::new();
    h.update(prefix.as_bytes());
    for m in members {
        h.update([0x1f]);
        h.update(m.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

fn edge(g: &Graph, inputs: &[InputStats], e: u32) -> Edge {
    let (from, to) = g.endpoints(e);
    let src = g.source(e);
    Edge {
        from: g.name(from).to_string(),
        to: g.name(to).to_string(),
        created: g.created(e).map(format_timestamp),
        relationship: g.relationship(e).map(str::to_string),
        source: SourceRef { path: inputs[src.file as usize].path.clone(), line: u64::from(src.line) },
    }
}

fn finding(g: &Graph, inputs: &[InputStats], s: Scored) -> Finding {
    let members: Vec<&str> = s.members.iter().map(|&v| g.name(v)).collect();
    Finding {
        id: finding_id(s.kind, &members),
        kind: s.kind,
        members: members.iter().map(|m| m.to_string()).collect(),
        edges: s.edges.iter().map(|&e| edge(g, inputs, e)).collect(),
        score: s.score,
        severity: s.severity,
        signals: s.signals,
        suppressed_by: None,
    }
}

fn people(g: &Graph, listed: &[Scored], on_cycle: &EdgeMarks) -> Vec<Person> {
    let mut worst: BTreeMap<u32, Severity> = BTreeMap::new();
    for s in listed {
        for &v in &s.members {
            let w = worst.entry(v).or_insert(s.severity);
            *w = (*w).max(s.severity);
        }
    }
    let mut out: Vec<Person> = worst
        .into_iter()
        .map(|(v, severity)| {
            let received = g.in_neighbors(v).len() as u64;
            let traded = g.in_edge_ids(v).iter().filter(|&&e| on_cycle.contains(e)).count() as u64;
            let share = if received == 0 { 0.0 } else { (traded as f64 / received as f64 * 1000.0).round() / 1000.0 };
            Person {
                name: g.name(v).to_string(),
                given: g.out_neighbors(v).len() as u64,
                received,
                received_traded: traded,
                traded_share: share,
                verdict: match severity {
                    Severity::High => Verdict::Fail,
                    Severity::Medium => Verdict::Warn,
                    _ => Verdict::Pass,
                },
            }
        })
        .collect();
    // Most traded first, then by name (people are already in name order).
    out.sort_by(|a, b| b.traded_share.total_cmp(&a.traded_share));
    out
}

impl Report {
    /// Assemble the report.
    pub fn assemble(r: ReportInputs<'_>) -> Report {
        let g = r.graph;
        let d = r.detection;
        let cycles: BTreeMap<String, u64> =
            (3..=r.params.max_cycle_len).map(|l| (l.to_string(), d.cycle_counts[l])).collect();
        let by = r.scoring.by_severity;
        let summary = Summary {
            people: g.node_count() as u64,
            recommendations: g.edge_count() as u64,
            reciprocal_pairs: d.pairs.len() as u64,
            cycles,
            findings: r.scoring.found,
            listed: r.scoring.listed.len() as u64,
            by_severity: SeverityCounts { info: by[0], low: by[1], medium: by[2], high: by[3] },
            truncated: r.truncated_reason.is_some(),
            truncated_reason: r.truncated_reason,
        };
        let people = people(g, &r.scoring.listed, &d.cycle_edges);
        let findings = r.scoring.listed.into_iter().map(|s| finding(g, r.inputs, s)).collect();
        Report {
            schema_version: super::SCHEMA_VERSION,
            tool: Tool { name: env!("CARGO_PKG_NAME").into(), version: env!("CARGO_PKG_VERSION").into() },
            inputs: r.inputs.to_vec(),
            params: r.params,
            summary,
            findings,
            people,
            generated_at: r.generated_at.map(format_timestamp),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_kind_specific() {
        let a = finding_id(FindingKind::Pair, &["ann", "bob"]);
        assert_eq!(a, finding_id(FindingKind::Pair, &["ann", "bob"]));
        assert_ne!(a, finding_id(FindingKind::Cycle, &["ann", "bob"]));
        assert_ne!(finding_id(FindingKind::Pair, &["an", "nbob"]), a);
        assert!(a.starts_with("pair-") && a.len() == 21);
    }
}
