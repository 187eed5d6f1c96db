//! Cases in a report: each judged case ([`crate::score::casebook`]) with names, a stable id,
//! its beneficiaries and donors, the ids of its listed findings and one paragraph that says
//! what a reviewer is looking at.

use sha2::{Digest, Sha256};

use super::model::{Case, Finding, Outsider, SeverityCounts};
use crate::graph::Graph;
use crate::score::casebook;

/// A stable case id: `case-` and the first 16 hex digits of SHA-256 over the members' names
/// in name order (the same people make the same case from run to run).
pub(crate) fn case_id(members: &[&str]) -> String {
    let mut sorted = members.to_vec();
    sorted.sort_unstable();
    let mut h = Sha256::new();
    h.update(b"case");
    for m in sorted {
        h.update([0x1f]);
        h.update(m.as_bytes());
    }
    format!("case-{}", crate::hex::hex(&h.finalize()[..8]))
}

/// The id of every case, in the scan's order.
pub(crate) fn ids(g: &Graph, cases: &[casebook::Case]) -> Vec<String> {
    cases.iter().map(|c| case_id(&c.members.iter().map(|&v| g.name(v)).collect::<Vec<_>>())).collect()
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The paragraph a reviewer reads first.
fn reason(c: &casebook::Case, listed: &[&Finding], beneficiaries: usize, donors: usize) -> String {
    let by = c.by_severity;
    let mut levels = Vec::new();
    if by[3] > 0 {
        levels.push(format!("{} high", by[3]));
    }
    if by[2] > 0 {
        levels.push(format!("{} medium", by[2]));
    }
    let mut out = format!(
        "{} traded recommendations in {} ({})",
        plural(c.members.len() as u64, "person", "people"),
        plural(c.flagged(), "flagged finding", "flagged findings"),
        levels.join(", ")
    );
    if let Some(best) = listed.first() {
        let fired: Vec<&str> =
            best.signals.iter().filter(|s| s.fired && s.points > 0).map(|s| s.name.as_str()).collect();
        let why = if fired.is_empty() { String::new() } else { format!(" on {}", fired.join(", ")) };
        out.push_str(&format!(
            "; the strongest finding, {}, scores {} ({}){why}",
            best.id,
            best.score,
            best.severity.as_str()
        ));
    }
    if beneficiaries > 0 {
        out.push_str(&format!(
            "; {} received praise from its members within its window and wrote none back",
            plural(beneficiaries as u64, "beneficiary", "beneficiaries")
        ));
    }
    if donors > 0 {
        out.push_str(&format!(
            "; {} praised its members within its window and got none back",
            plural(donors as u64, "donor", "donors")
        ));
    }
    if let Some(size) = c.split_from {
        out.push_str(&format!(
            "; one dense core of a group of {size} people whose flagged findings share recommendations, too large to \
             review as one"
        ));
    }
    if (listed.len() as u64) < c.flagged() {
        out.push_str(&format!("; {} of its findings are listed (--max-findings)", listed.len()));
    }
    out
}

/// One case for the report.
pub(crate) fn case(
    g: &Graph,
    c: &casebook::Case,
    id: String,
    findings: &[Finding],
    outsiders: impl Fn(&casebook::Case) -> (Vec<Outsider>, Vec<Outsider>),
) -> Case {
    let listed: Vec<&Finding> = findings.iter().filter(|f| f.case.as_deref() == Some(id.as_str())).collect();
    let (beneficiaries, donors) = outsiders(c);
    let by = c.by_severity;
    Case {
        reason: reason(c, &listed, beneficiaries.len(), donors.len()),
        id,
        severity: c.severity,
        score: c.score,
        members: c.members.iter().map(|&v| g.name(v).to_string()).collect(),
        findings: c.flagged(),
        by_severity: SeverityCounts { info: by[0], low: by[1], medium: by[2], high: by[3] },
        listed: listed.iter().map(|f| f.id.clone()).collect(),
        split_from: c.split_from.map(|n| n as u64),
        beneficiaries,
        donors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_depend_on_the_people_only() {
        let a = case_id(&["ann", "bob", "cy"]);
        assert_eq!(a, case_id(&["cy", "ann", "bob"]));
        assert_ne!(a, case_id(&["ann", "bob"]));
        assert_ne!(case_id(&["an", "nbob"]), case_id(&["ann", "bob"]));
        assert!(a.starts_with("case-") && a.len() == 21);
    }
}
