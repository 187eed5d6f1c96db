//! Assembling the report model: ids become names, edge ids become dated, located edges,
//! rings and their parts point at each other, and every listed member gets a person entry
//! with a verdict.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::model::{Coverage, Edge, Finding, Outsider, Params, Report, SeverityCounts, SourceRef, Summary, Tool};
use super::people::{people, Marks};
use super::profile::Backings;
use crate::graph::Graph;
use crate::ingest::{date::format_timestamp, InputStats};
use crate::score::outskirts::Party;
use crate::score::{FindingKind, Scored, Scoring};
use crate::warning::Warning;

/// What the report is made from.
pub struct ReportInputs<'a> {
    /// The graph (names, edge attributes).
    pub graph: &'a Graph,
    /// Per-input accounting.
    pub inputs: &'a [InputStats],
    /// The settings to echo.
    pub params: Params,
    /// Scored findings and counts.
    pub scoring: Scoring,
    /// Evidence the data did not allow to check: a stable code and a sentence each.
    pub checks_unavailable: Vec<(&'static str, String)>,
    /// Warnings about the inputs.
    pub warnings: Vec<Warning>,
    /// Why the search stopped early, if it did.
    pub truncated_reason: Option<String>,
    /// Unix seconds to stamp the report with, or none.
    pub generated_at: Option<i64>,
    /// `check`: the candidates to report on (the report then keeps only their findings).
    pub subjects: Option<&'a [String]>,
    /// Per person, whether an employment history is on file (`None`: no histories given).
    pub history: Option<&'a [bool]>,
    /// The backing of every recommendation (`None` with `--count-only`).
    pub backings: Option<Backings<'a>>,
}

/// Histories, texts and dates of the people and recommendations in `listed`.
fn coverage(g: &Graph, listed: &[Scored], history: Option<&[bool]>) -> Coverage {
    let mut people: Vec<u32> = listed.iter().flat_map(|s| s.members.iter().copied()).collect();
    people.sort_unstable();
    people.dedup();
    let mut edges: Vec<u32> = listed.iter().flat_map(|s| s.edges.iter().copied()).collect();
    edges.sort_unstable();
    edges.dedup();
    Coverage {
        people_in_findings: people.len() as u64,
        with_history: history.map(|h| people.iter().filter(|&&v| h[v as usize]).count() as u64),
        recommendations_in_findings: edges.len() as u64,
        with_text: edges.iter().filter(|&&e| g.text(e).is_some()).count() as u64,
        with_date: edges.iter().filter(|&&e| g.created(e).is_some()).count() as u64,
        ..Coverage::default()
    }
}

/// A stable id: kind plus the first 16 hex digits of SHA-256 over what makes the finding
/// distinct: the members in canonical order (a pair's two people and a cycle's sequence,
/// both in name order) and, for a ring, its recommendations too, since two rings can join
/// the same people through different recommendations. `edges` is ignored for pairs and
/// cycles, whose members already fix their recommendations.
pub fn finding_id(kind: FindingKind, members: &[&str], edges: &[(&str, &str)]) -> String {
    let prefix = kind.as_str();
    let mut h = Sha256::new();
    h.update(prefix.as_bytes());
    for m in members {
        h.update([0x1f]);
        h.update(m.as_bytes());
    }
    if kind == FindingKind::Ring {
        h.update([0x1d]);
        let mut sorted = edges.to_vec();
        sorted.sort_unstable();
        for (from, to) in sorted {
            h.update([0x1e]);
            h.update(from.as_bytes());
            h.update([0x1f]);
            h.update(to.as_bytes());
        }
    }
    let digest = h.finalize();
    format!("{prefix}-{}", crate::hex::hex(&digest[..8]))
}

/// Edge `e` for the report: names, date, relationship, source.
pub(super) fn edge(g: &Graph, inputs: &[InputStats], e: u32) -> Edge {
    let (from, to) = g.endpoints(e);
    let src = g.source(e);
    Edge {
        from: g.name(from).to_string(),
        to: g.name(to).to_string(),
        created: g.created(e).map(format_timestamp),
        relationship: g.relationship(e).map(str::to_string),
        source: SourceRef { path: inputs[src.file as usize].path.clone(), line: u64::from(src.line) },
        weight: g.weight(e),
        kind: g.kind(e).map(str::to_string),
        context: g.context(e).map(str::to_string),
        text: g.text(e).map(str::to_string),
    }
}

fn id_of(g: &Graph, s: &Scored) -> String {
    id_for(g, s.kind, &s.members, &s.edges)
}

/// The [`finding_id`] of a finding of `g` given by ids.
pub(super) fn id_for(g: &Graph, kind: FindingKind, members: &[u32], edges: &[u32]) -> String {
    let members: Vec<&str> = members.iter().map(|&v| g.name(v)).collect();
    let edges: Vec<(&str, &str)> = edges
        .iter()
        .map(|&e| {
            let (from, to) = g.endpoints(e);
            (g.name(from), g.name(to))
        })
        .collect();
    finding_id(kind, &members, &edges)
}

/// A ring's or a case's (`group`) beneficiaries or donors for the report.
fn outsiders(g: &Graph, inputs: &[InputStats], parties: &[Party], role: &str, group: &str) -> Vec<Outsider> {
    parties
        .iter()
        .map(|p| {
            let with = p.edges.len();
            let what = if role == "beneficiary" {
                format!("received {with} of their {} recommendations from the {group}'s members", p.of_total)
            } else {
                format!("wrote {with} of their {} recommendations to the {group}'s members", p.of_total)
            };
            let back = if role == "beneficiary" { "wrote none back" } else { "got none back" };
            let strangers = p.backing.against();
            let backing = if strangers > 0 {
                format!("; {strangers} of them between people whose histories never overlapped")
            } else {
                String::new()
            };
            Outsider {
                name: g.name(p.person).to_string(),
                with_ring: with as u64,
                of_total: p.of_total as u64,
                reason: format!("{role}: {what}, within its window, and {back}{backing}"),
                edges: p.edges.iter().map(|&e| edge(g, inputs, e)).collect(),
            }
        })
        .collect()
}

fn finding(g: &Graph, inputs: &[InputStats], s: Scored, ring_ids: &[String], case_ids: &[String]) -> Finding {
    let beneficiaries = outsiders(g, inputs, &s.outskirts.beneficiaries, "beneficiary", "ring");
    let donors = outsiders(g, inputs, &s.outskirts.donors, "donor", "ring");
    Finding {
        id: id_of(g, &s),
        kind: s.kind,
        members: s.members.iter().map(|&v| g.name(v).to_string()).collect(),
        edges: s.edges.iter().map(|&e| edge(g, inputs, e)).collect(),
        score: s.score,
        severity: s.severity,
        signals: s.signals,
        suppressed_by: s.suppressed_by,
        part_of: s.part_of.map(|i| ring_ids[i as usize].clone()),
        parts: Vec::new(),
        case: s.case.map(|i| case_ids[i as usize].clone()),
        baseline: None,
        beneficiaries,
        donors,
    }
}

impl Report {
    /// Assemble the report.
    pub fn assemble(r: ReportInputs<'_>) -> Report {
        let g = r.graph;
        let mut sc = r.scoring;
        // Moved into the report at the end, never copied (10,000 findings with their signals).
        let listed = std::mem::take(&mut sc.listed);
        let cycles: BTreeMap<String, u64> =
            (3..=r.params.max_cycle_len).map(|l| (l.to_string(), sc.cycle_counts[l])).collect();
        let by = sc.counts.by_severity;
        let mut summary = Summary {
            people: g.node_count() as u64,
            recommendations: g.edge_count() as u64,
            reciprocal_pairs: sc.pairs,
            cycles,
            findings: sc.counts.found(),
            listed: listed.len() as u64,
            by_severity: SeverityCounts { info: by[0], low: by[1], medium: by[2], high: by[3] },
            rings: sc.rings.len() as u64,
            suppressed: sc.counts.suppressed,
            outside_window: sc.counts.outside_window,
            oversized_groups: sc.oversized_groups.clone(),
            cases: sc.cases.len() as u64,
            cases_listed: 0,
            findings_between_cases: (by[2] + by[3]).saturating_sub(sc.cases.iter().map(|c| c.flagged()).sum::<u64>()),
            checks_unavailable_codes: r.checks_unavailable.iter().map(|(code, _)| code.to_string()).collect(),
            checks_unavailable: r.checks_unavailable.into_iter().map(|(_, sentence)| sentence).collect(),
            coverage: r.params.scored.then(|| coverage(g, &listed, r.history)),
            warning_codes: r.warnings.iter().map(|w| w.code.as_str().to_string()).collect(),
            warnings: r.warnings.into_iter().map(|w| w.text).collect(),
            truncated: r.truncated_reason.is_some(),
            truncated_reason: r.truncated_reason,
            baseline: None,
        };
        let edge_of = |e: u32| edge(g, r.inputs, e);
        let case_ids = super::cases::ids(g, &sc.cases);
        let marks = Marks::new(&sc, &listed, &case_ids, r.backings.as_ref(), &edge_of);
        // `check` shows the candidates' cases wherever they rank.
        let shown_cases = if r.subjects.is_some() { sc.cases.len() } else { sc.cases.len().min(r.params.max_cases) };
        let mut people = people(g, &listed, &sc.cases[..shown_cases], &marks);
        let ring_ids: Vec<String> = sc.rings.iter().map(|s| id_of(g, s)).collect();
        let mut findings: Vec<Finding> =
            listed.into_iter().map(|s| finding(g, r.inputs, s, &ring_ids, &case_ids)).collect();
        let parts: Vec<(String, String)> =
            findings.iter().filter_map(|f| f.part_of.clone().map(|ring| (ring, f.id.clone()))).collect();
        for f in findings.iter_mut().filter(|f| f.kind == FindingKind::Ring) {
            f.parts = parts.iter().filter(|(ring, _)| *ring == f.id).map(|(_, id)| id.clone()).collect();
        }
        let outsiders_of = |c: &crate::score::casebook::Case| {
            (
                outsiders(g, r.inputs, &c.outskirts.beneficiaries, "beneficiary", "case"),
                outsiders(g, r.inputs, &c.outskirts.donors, "donor", "case"),
            )
        };
        let mut cases: Vec<super::model::Case> = sc.cases[..shown_cases]
            .iter()
            .zip(&case_ids)
            .map(|(c, id)| super::cases::case(g, c, id.clone(), &findings, outsiders_of))
            .collect();
        let subjects = r.subjects.map(|queries| {
            let found = super::subjects::resolve(g, queries, &marks, &findings);
            super::subjects::keep_only_theirs(&found, &mut findings, &mut people, &mut cases);
            found
        });
        summary.listed = findings.len() as u64;
        summary.cases_listed = cases.len() as u64;
        Report {
            schema_version: super::model::SCHEMA_VERSION,
            tool: Tool { name: env!("CARGO_PKG_NAME").into(), version: env!("CARGO_PKG_VERSION").into() },
            inputs: r.inputs.to_vec(),
            params: r.params,
            summary,
            cases,
            findings,
            people,
            subjects,
            generated_at: r.generated_at.map(format_timestamp),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_kind_specific() {
        let a = finding_id(FindingKind::Pair, &["ann", "bob"], &[]);
        assert_eq!(a, finding_id(FindingKind::Pair, &["ann", "bob"], &[("ann", "bob"), ("bob", "ann")]));
        assert_ne!(a, finding_id(FindingKind::Cycle, &["ann", "bob"], &[]));
        assert_ne!(finding_id(FindingKind::Pair, &["an", "nbob"], &[]), a);
        assert!(a.starts_with("pair-") && a.len() == 21);
        // Two rings of the same people through different recommendations.
        let people = ["ann", "bob", "cy"];
        let one = finding_id(FindingKind::Ring, &people, &[("ann", "bob"), ("bob", "cy"), ("cy", "ann")]);
        let other = finding_id(FindingKind::Ring, &people, &[("bob", "ann"), ("cy", "bob"), ("ann", "cy")]);
        assert_ne!(one, other);
        assert_eq!(one, finding_id(FindingKind::Ring, &people, &[("cy", "ann"), ("ann", "bob"), ("bob", "cy")]));
    }
}
