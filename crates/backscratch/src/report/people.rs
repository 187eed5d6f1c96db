//! People in a report: each person's counts, verdict and reason from the flagged edges
//! around them, and a risk number that orders them, most at risk first, so that a trust
//! team triages people and not findings.
//!
//! `risk` (0..=100) adds up:
//! - the worst finding they are a member of (unsuppressed, listed): high 60, medium 40,
//!   low 15, info 0;
//! - 15 for being a beneficiary or donor of a ring at medium or above (see
//!   [`crate::score::outskirts`]);
//! - 20 when the profile rule warns (most checkable received recommendations
//!   unsubstantiated, see [`super::profile`]);
//! - 5 × the strength of the evidence ([`strength`]), at most 25, for people in a flagged
//!   finding (the strength of someone in none is shown but adds nothing).
//!
//! People are ordered by risk, then by strength, then by verdict; only people whose evidence
//! is the same are left in name order. The strength and its parts are counted over
//! everything the scan found ([`crate::score::exposure`]), not only the listed findings, and
//! are shown in each person's `evidence` and reason.
//!
//! The strength was chosen against an outside label (people of Bitcoin OTC later rated -5 or
//! lower by three distinct raters; `benches/ranking.py`) and checked on Bitcoin Alpha, which
//! it was not tuned on. What carried the signal there: how habitually a person returns praise
//! fast (the rule's own `time` standard), and how much praise they collect beyond their
//! trades (received from people they never recommended); the share of received praise that
//! is traded did not (it ranks small sock-puppet pairs first, who were rarely reported).

use std::collections::{BTreeSet, HashMap};

use super::model::{Edge, Person, PersonEvidence, Received, Verdict};
use super::profile::{self, Backings};
use crate::detect::EdgeMarks;
use crate::graph::Graph;
use crate::score::assess::round3;
use crate::score::casebook::Case;
use crate::score::exposure::Exposure;
use crate::score::rings::FlaggedEdges;
use crate::score::text::shared;
use crate::score::{Scored, Scoring, Severity};

/// What a person's view is made from: the marked edges of a scan, and the people's worst
/// findings and ring roles.
pub(crate) struct Marks<'a> {
    /// Edges in an unsuppressed finding at medium or above.
    pub flagged: &'a FlaggedEdges,
    /// Edges in an unsuppressed high finding.
    pub high: &'a EdgeMarks,
    /// Edges of cycles left out by `--window`.
    pub outside: &'a EdgeMarks,
    /// The worst listed, unsuppressed finding each person is a member of.
    pub worst: HashMap<u32, Severity>,
    /// People at the outskirts of a flagged ring: their role and the sentence that says so.
    pub outskirts: HashMap<u32, (&'static str, String)>,
    /// What the whole scan found against each person.
    pub exposure: &'a Exposure,
    /// The case each person is a member of, by id.
    pub case_of: HashMap<u32, &'a str>,
    /// The backing of every recommendation, when the scan judged them.
    pub backings: Option<&'a Backings<'a>>,
    /// A recommendation as the report shows it.
    pub edge: &'a dyn Fn(u32) -> Edge,
}

impl<'a> Marks<'a> {
    /// The marks of a scan whose listed findings are `listed` (taken out of `sc`, so that
    /// they can be moved into the report afterwards instead of copied).
    pub(crate) fn new(
        sc: &'a Scoring,
        listed: &[Scored],
        case_ids: &'a [String],
        backings: Option<&'a Backings<'a>>,
        edge: &'a dyn Fn(u32) -> Edge,
    ) -> Self {
        let mut worst: HashMap<u32, Severity> = HashMap::new();
        let mut outskirts: HashMap<u32, (&'static str, String)> = HashMap::new();
        for s in listed.iter().chain(&sc.rings).filter(|s| s.suppressed_by.is_none()) {
            for &m in &s.members {
                let w = worst.entry(m).or_insert(s.severity);
                *w = (*w).max(s.severity);
            }
            if s.severity >= Severity::Medium {
                let roles = [("beneficiary", &s.outskirts.beneficiaries), ("donor", &s.outskirts.donors)];
                for (role, parties) in roles {
                    for p in parties.iter() {
                        outskirts.entry(p.person).or_insert_with(|| {
                            (role, format!("{role} of a {} ring of {} people", s.severity.as_str(), s.members.len()))
                        });
                    }
                }
            }
        }
        let case_of = sc
            .cases
            .iter()
            .zip(case_ids)
            .flat_map(|(c, id)| c.members.iter().map(move |&v| (v, id.as_str())))
            .collect();
        Marks {
            case_of,
            flagged: &sc.flagged,
            high: &sc.high,
            outside: &sc.outside_window,
            worst,
            outskirts,
            exposure: &sc.exposure,
            backings,
            edge,
        }
    }

    /// Every recommendation `v` received, with its backing (empty without backings).
    pub(crate) fn received(&self, g: &Graph, v: u32) -> Vec<Received> {
        self.backings.map_or_else(Vec::new, |b| b.received(g, v, self.flagged, self.edge))
    }
}

/// One person's view.
pub(super) fn person(g: &Graph, v: u32, m: &Marks<'_>) -> Person {
    let ins = g.in_edge_ids(v);
    let first = g.first_out_edge(v);
    let given = g.out_neighbors(v).len() as u64;
    let outs = first..first + given as u32;
    let received = ins.len() as u64;
    let traded = ins.iter().filter(|&&e| m.flagged.contains(e)).count() as u64;
    let given_traded = outs.clone().filter(|&e| m.flagged.contains(e)).count() as u64;
    let in_high = ins.iter().copied().chain(outs.clone()).any(|e| m.high.contains(e));
    let share = if received == 0 { 0.0 } else { round3(traded as f64 / received as f64) };
    let received_by_backing = m.backings.map(|b| b.counts(ins));
    let given_by_backing = m.backings.map(|b| b.counts(&outs.clone().collect::<Vec<u32>>()));
    let unsubstantiated = received_by_backing.as_ref().and_then(profile::unsubstantiated);
    let (verdict, level) = if in_high {
        (Verdict::Fail, "a high")
    } else if traded + given_traded > 0 {
        (Verdict::Warn, "a medium")
    } else if unsubstantiated.is_some() {
        (Verdict::Warn, "")
    } else {
        (Verdict::Pass, "")
    };
    let mut reason = match (verdict, &unsubstantiated) {
        (Verdict::Pass, _) => {
            let profile = received_by_backing.as_ref().map(|c| c.phrase()).filter(|p| !p.is_empty());
            let count = match profile {
                Some(p) => format!("{received} received: {p}"),
                None => format!("{received} received"),
            };
            format!("no recommendation given or received is in a finding at medium or above ({count})")
        }
        (Verdict::Warn, Some(why)) if level.is_empty() => {
            format!("in no finding at medium or above, but {why}")
        }
        _ => format!(
            "in {level} finding: {traded} of {received} received and {given_traded} of {given} given recommendations \
             are in findings at medium or above"
        ),
    };
    if let Some((_, role)) = m.outskirts.get(&v) {
        reason.push_str(&format!("; {role}"));
    }
    let left_out = if m.outside.is_empty() {
        0
    } else {
        ins.iter().copied().chain(outs.clone()).filter(|&e| m.outside.contains(e)).count()
    };
    if left_out > 0 {
        reason.push_str(&format!(
            "; {left_out} of their recommendations are in cycles outside --window, which were not judged"
        ));
    }
    // Trading partners: the other ends of their flagged recommendations.
    let mut partners: BTreeSet<u32> = BTreeSet::new();
    for (&u, &e) in g.in_neighbors(v).iter().zip(ins) {
        if m.flagged.contains(e) {
            partners.insert(u);
        }
    }
    for (&w, e) in g.out_neighbors(v).iter().zip(outs) {
        if m.flagged.contains(e) {
            partners.insert(w);
        }
    }
    let worst = match m.worst.get(&v).copied() {
        _ if in_high => 60,
        Some(Severity::High) => 60,
        Some(Severity::Medium) => 40,
        _ if traded + given_traded > 0 => 40,
        Some(Severity::Low) => 15,
        _ => 0,
    };
    let outskirts_points = if m.outskirts.contains_key(&v) { 15 } else { 0 };
    let profile_points = if unsubstantiated.is_some() { 20 } else { 0 };
    let x = m.exposure.of(v);
    let reciprocal_partners = shared(g.out_neighbors(v), g.in_neighbors(v)) as u32;
    let received_unreturned = received - u64::from(reciprocal_partners);
    let fast_return_share = round3(f64::from(x.fast_returns) / f64::from(x.returns.max(1)));
    let strength = round3(strength(reciprocal_partners, fast_return_share, received_unreturned));
    // Strength ranks the evidence against someone; without a flagged finding there is none.
    let flagged = in_high || traded + given_traded > 0 || x.flagged_findings > 0;
    let strength_points = if flagged { (5.0 * strength).round().min(25.0) as u32 } else { 0 };
    let risk = (worst + outskirts_points + profile_points + strength_points).min(100) as u8;
    if verdict != Verdict::Pass {
        let findings = match x.flagged_findings {
            1 => "1 flagged finding".to_string(),
            n => format!("{n} flagged findings"),
        };
        let returns = match x.returns {
            0 => String::new(),
            n => format!(", {} of {n} returns fast", x.fast_returns),
        };
        let with = match partners.len() {
            1 => "1 partner".to_string(),
            n => format!("{n} partners"),
        };
        reason.push_str(&format!(
            "; evidence strength {strength}: {findings} with {with}{returns}, {received_unreturned} received from \
             people they never recommended"
        ));
    }
    Person {
        name: g.name(v).to_string(),
        given,
        received,
        received_traded: traded,
        given_traded,
        traded_share: share,
        risk,
        received_by_backing,
        given_by_backing,
        verdict,
        reason,
        evidence: PersonEvidence {
            flagged_findings: x.flagged_findings,
            flagged_score_sum: x.flagged_score_sum,
            partners: partners.len() as u32,
            returns: x.returns,
            fast_returns: x.fast_returns,
            ring_role: m.outskirts.get(&v).map(|(role, _)| role.to_string()),
            reciprocal_partners,
            received_unreturned,
            fast_return_share,
            strength,
        },
        case: m.case_of.get(&v).map(|id| id.to_string()),
    }
}

/// The strength of the evidence against a person, which orders people of equal risk:
/// `0.5 ln(1 + reciprocal_partners) + 2 fast_return_share + 2 ln(1 + received_unreturned)`.
pub(super) fn strength(reciprocal_partners: u32, fast_return_share: f64, received_unreturned: u64) -> f64 {
    0.5 * f64::from(reciprocal_partners).ln_1p() + 2.0 * fast_return_share + 2.0 * (received_unreturned as f64).ln_1p()
}

/// The people of the listed findings and cases, of their rings' outskirts and of every
/// flagged finding found, most at risk first (then strongest evidence, then worst verdict,
/// then name).
pub(super) fn people(g: &Graph, listed: &[Scored], cases: &[Case], m: &Marks<'_>) -> Vec<Person> {
    let mut ids: Vec<u32> = listed.iter().flat_map(|s| s.members.iter().copied()).collect();
    ids.extend(cases.iter().flat_map(|c| c.members.iter().copied()));
    ids.extend(m.outskirts.keys().copied());
    ids.extend(m.exposure.flagged_people());
    ids.sort_unstable();
    ids.dedup();
    let mut out: Vec<Person> = ids.into_iter().map(|v| person(g, v, m)).collect();
    // Ids follow name order, so a stable sort keeps names in order within a tie.
    out.sort_by(|a, b| {
        b.risk.cmp(&a.risk).then(b.evidence.strength.total_cmp(&a.evidence.strength)).then(b.verdict.cmp(&a.verdict))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_grows_with_each_part() {
        let base = strength(1, 0.5, 1);
        assert!(strength(2, 0.5, 1) > base && strength(1, 0.6, 1) > base && strength(1, 0.5, 2) > base);
        assert_eq!(strength(0, 0.0, 0), 0.0);
    }
}
