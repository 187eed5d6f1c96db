//! The casebook: every case of a scan (see [`super::cases`]) judged as a whole. After the
//! search has flagged what it flags, every flagged finding is found again by a second exact
//! search over the flagged recommendations alone (a flagged finding is made of flagged
//! recommendations only, so nothing has to be kept from the first search, and the second
//! one walks a small part of the graph), judged by the same rule and given to the case that
//! holds most of its members (ties: the case found first). That gives each case exact counts,
//! its best finding and its findings in listing order; a finding none of whose members is in
//! a case (the periphery of a split group) is counted as between cases, and a core that ends
//! up with no finding is dropped. Cases are ranked most severe first.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

use super::allow::Allowlist;
use super::assess::Evidence;
use super::cases::CaseGroup;
use super::outskirts::{self, Outskirts};
use super::rule::Outcome;
use super::verdicts::VerdictCache;
use super::{FindingKind, Scored, Severity};
use crate::detect::cycles::{self, CycleVisitor, SearchParams};
use crate::detect::topn::TopN;
use crate::detect::Pair;
use crate::graph::scc::TRIVIAL;
use crate::graph::Graph;

/// A finding inside a case, before its signals are built.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CaseFinding {
    /// Most severe first.
    pub severity: Reverse<Severity>,
    /// Highest score first.
    pub score: Reverse<u8>,
    /// Cycles before pairs.
    pub kind: FindingKind,
    /// Members as the finding lists them.
    pub members: Vec<u32>,
    /// Its recommendations.
    pub edges: Vec<u32>,
}

/// One judged case.
#[derive(Debug, Clone)]
pub struct Case {
    /// People, sorted.
    pub members: Vec<u32>,
    /// Flagged recommendations among them, sorted.
    pub edges: Vec<u32>,
    /// For a core split from a larger group: that group's size.
    pub split_from: Option<usize>,
    /// Its index among the groups judged (what `majority` picks among).
    pub group: u32,
    /// Its most severe finding's severity.
    pub severity: Severity,
    /// Its most severe finding's score (the case score).
    pub score: u8,
    /// Unsuppressed findings at medium or above inside the case, per severity (rings too).
    pub by_severity: [u64; 4],
    /// Rings (indices into the scan's rings) inside the case.
    pub rings: Vec<u32>,
    /// Its pairs and cycles at medium or above, in listing order, at most the listing limit.
    pub findings: Vec<CaseFinding>,
    /// People the case praised who never praised back, and people who praised it unreturned
    /// (filled for listed cases only: see [`Case::find_outskirts`]).
    pub outskirts: Outskirts,
}

impl Case {
    /// Flagged findings inside the case.
    pub fn flagged(&self) -> u64 {
        self.by_severity.iter().sum()
    }

    /// Find the case's beneficiaries and donors, as for a ring (see [`outskirts`]).
    pub fn find_outskirts(&mut self, ev: &Evidence<'_>) {
        let window = (ev.thresholds.ring_window_days * 86_400.0) as i64;
        self.outskirts = outskirts::of_ring(ev.g, &ev.backings, &self.members, &self.edges, window);
    }
}

/// What judging the cases needs from the scan.
pub(crate) struct CaseInputs<'a> {
    /// The evidence the scan judged with.
    pub ev: &'a Evidence<'a>,
    /// The allowlist.
    pub allow: &'a Allowlist,
    /// Every reciprocal pair, with the outcome it got and whether it was suppressed.
    pub pairs: &'a [(Pair, Outcome, bool)],
    /// The scan's rings.
    pub rings: &'a [Scored],
    /// Longest cycle searched.
    pub max_len: usize,
    /// `--window` in seconds.
    pub window_seconds: Option<i64>,
    /// Most findings kept per case.
    pub limit: usize,
}

#[derive(Default)]
struct Tally {
    by_severity: [u64; 4],
    best: Option<(Severity, u8)>,
    top: Vec<CaseFinding>,
}

struct CaseScorer<'a> {
    inputs: &'a CaseInputs<'a>,
    /// The case of each person of the scan ([`TRIVIAL`]: none).
    labels: &'a [u32],
    /// The flagged recommendations as their own graph: its people and edges in scan ids.
    flagged: &'a Flagged,
    per_case: PerCase,
    scratch: (Vec<u32>, Vec<u32>),
    verdicts: VerdictCache,
}

/// The flagged recommendations as a graph of their own, with the way back to scan ids.
struct Flagged {
    graph: Graph,
    person: Vec<u32>,
    edge: Vec<u32>,
}

impl Flagged {
    /// People are named by their zero-padded scan id, so that the subgraph's ids keep the
    /// scan's order (and a cycle starts at the same person in both).
    fn new(g: &Graph, edges: &[u32]) -> Flagged {
        let name = |v: u32| format!("{v:010}");
        let graph = Graph::from_edges(edges.iter().map(|&e| {
            let (a, b) = g.endpoints(e);
            (name(a), name(b))
        }));
        let person: Vec<u32> =
            (0..graph.node_count() as u32).map(|v| graph.name(v).parse().expect("a zero-padded id")).collect();
        let edge: Vec<u32> = (0..graph.edge_count() as u32)
            .map(|e| {
                let (a, b) = graph.endpoints(e);
                g.edge_id(person[a as usize], person[b as usize]).expect("a flagged edge of the scan")
            })
            .collect();
        Flagged { graph, person, edge }
    }
}

/// Who is in which case, for giving any finding to its case as [`judge_cases`] did.
#[derive(Debug, Default)]
pub struct CaseOf {
    /// The group of each person of the scan as the judging saw it ([`TRIVIAL`]: none; a
    /// person in two cores is labelled by the later one).
    labels: Vec<u32>,
    /// Index in the ranked cases, by group (groups left with no finding are in none).
    case_of_group: HashMap<u32, u32>,
}

impl CaseOf {
    /// The case (index in the ranked cases) of a flagged pair or cycle with these members.
    pub fn of_finding(&self, members: &[u32]) -> Option<u32> {
        majority(&self.labels, members).and_then(|g| self.case_of_group.get(&g).copied())
    }

    /// The case of a ring (all its people are in one group), as [`judge_cases`] gives it.
    pub fn of_ring(&self, members: &[u32]) -> Option<u32> {
        let g = *self.labels.get(*members.first()? as usize)?;
        self.case_of_group.get(&g).copied()
    }
}

/// The case holding most of `members` (ties: the smallest case index), if any holds one.
fn majority(labels: &[u32], members: &[u32]) -> Option<u32> {
    // A pair or a cycle has at most MAX_CYCLE_LEN members: no allocation per finding.
    let mut cases = [TRIVIAL; crate::detect::MAX_CYCLE_LEN];
    let mut n = 0;
    for c in members.iter().map(|&v| labels[v as usize]).filter(|&c| c != TRIVIAL) {
        cases[n] = c;
        n += 1;
    }
    let cases = &mut cases[..n];
    cases.sort_unstable();
    cases.chunk_by(|a, b| a == b).max_by_key(|run| (run.len(), Reverse(run[0]))).map(|run| run[0])
}

fn better(best: &mut Option<(Severity, u8)>, severity: Severity, score: u8) {
    if best.is_none_or(|b| (severity, score) > b) {
        *best = Some((severity, score));
    }
}

impl CycleVisitor for CaseScorer<'_> {
    fn cycle(&mut self, sub_vertices: &[u32], sub_edges: &[u32]) {
        let (mut vertices, mut edges) = std::mem::take(&mut self.scratch);
        vertices.clear();
        edges.clear();
        vertices.extend(sub_vertices.iter().map(|&v| self.flagged.person[v as usize]));
        edges.extend(sub_edges.iter().map(|&e| self.flagged.edge[e as usize]));
        self.judge(&vertices, &edges);
        self.scratch = (vertices, edges);
    }
    fn merge(&mut self, other: Self) {
        for (case, (t, top)) in other.per_case {
            let limit = self.inputs.limit;
            let (mine, my_top) = self.per_case.entry(case).or_insert_with(|| (Tally::default(), TopN::new(limit)));
            for (a, b) in mine.by_severity.iter_mut().zip(t.by_severity) {
                *a += b;
            }
            if let Some((s, sc)) = t.best {
                better(&mut mine.best, s, sc);
            }
            my_top.merge(top);
        }
    }
}

impl CaseScorer<'_> {
    /// Judge one cycle of flagged recommendations (scan ids) and give it to its case.
    fn judge(&mut self, vertices: &[u32], edges: &[u32]) {
        let ev = self.inputs.ev;
        if let Some(w) = self.inputs.window_seconds {
            if super::time::span_seconds(ev.g, edges).is_some_and(|span| span > w) {
                return;
            }
        }
        let o = ev.cached_outcome(FindingKind::Cycle, vertices, edges, &mut self.verdicts);
        if o.severity < Severity::Medium
            || (!self.inputs.allow.is_empty() && self.inputs.allow.matching(vertices).is_some())
        {
            return;
        }
        if let Some(case) = majority(self.labels, vertices) {
            add(&mut self.per_case, case, self.inputs.limit, &o, FindingKind::Cycle, vertices, edges);
        }
    }
}

type PerCase = HashMap<u32, (Tally, TopN<CaseFinding>)>;

/// Count one flagged finding for `case` and offer it to the case's listing.
fn add(
    per_case: &mut PerCase,
    case: u32,
    limit: usize,
    o: &Outcome,
    kind: FindingKind,
    members: &[u32],
    edges: &[u32],
) {
    let (tally, top) = per_case.entry(case).or_insert_with(|| (Tally::default(), TopN::new(limit)));
    tally.by_severity[o.severity as usize] += 1;
    better(&mut tally.best, o.severity, o.score);
    let finding = CaseFinding {
        severity: Reverse(o.severity),
        score: Reverse(o.score),
        kind,
        members: members.to_vec(),
        edges: edges.to_vec(),
    };
    top.push(finding);
}

/// Judge every case (and say who is in which, for the findings not judged here): exact counts, the best finding, the findings in listing order; ranked
/// most severe first, then by score, by how many flagged findings, by size, then by members.
/// `flagged_edges` are every flagged recommendation, sorted (those of split groups' peripheries
/// too, which no case holds).
pub(crate) fn judge_cases(
    inputs: &CaseInputs<'_>,
    groups: Vec<CaseGroup>,
    flagged_edges: &[u32],
    stop: &AtomicBool,
) -> (Vec<Case>, CaseOf) {
    let g = inputs.ev.g;
    let mut labels = vec![TRIVIAL; g.node_count()];
    for (i, c) in groups.iter().enumerate() {
        c.members.iter().for_each(|&v| labels[v as usize] = i as u32);
    }
    let flagged = Flagged::new(g, flagged_edges);
    let params = SearchParams { max_len: inputs.max_len, components: flagged.graph.components(), stop };
    let outcome = cycles::search::<true, _, _>(&flagged.graph, params, || CaseScorer {
        inputs,
        labels: &labels,
        flagged: &flagged,
        per_case: HashMap::new(),
        scratch: Default::default(),
        verdicts: VerdictCache::default(),
    });
    let mut per_case = outcome.visitor.per_case;
    for (p, o, suppressed) in inputs.pairs {
        if *suppressed || o.severity < Severity::Medium {
            continue;
        }
        if let Some(case) = majority(&labels, &[p.a, p.b]) {
            add(&mut per_case, case, inputs.limit, o, FindingKind::Pair, &[p.a, p.b], &[p.ab, p.ba]);
        }
    }
    let mut rings_of: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, r) in inputs.rings.iter().enumerate() {
        let case = labels[r.members[0] as usize];
        if case != TRIVIAL {
            rings_of.entry(case).or_default().push(i as u32);
        }
    }
    let mut cases: Vec<Case> = groups
        .into_iter()
        .enumerate()
        .map(|(i, group)| {
            let (mut tally, top) = per_case.remove(&(i as u32)).unwrap_or_else(|| (Tally::default(), TopN::new(0)));
            tally.top = top.into_sorted_vec();
            let rings = rings_of.remove(&(i as u32)).unwrap_or_default();
            for &r in &rings {
                let ring = &inputs.rings[r as usize];
                if ring.suppressed_by.is_none() && ring.severity >= Severity::Medium {
                    tally.by_severity[ring.severity as usize] += 1;
                    better(&mut tally.best, ring.severity, ring.score);
                }
            }
            let (severity, score) = tally.best.unwrap_or((Severity::Medium, 0));
            Case {
                members: group.members,
                edges: group.edges,
                split_from: group.split_from,
                group: i as u32,
                severity,
                score,
                by_severity: tally.by_severity,
                rings,
                findings: tally.top,
                outskirts: Outskirts::default(),
            }
        })
        .collect();
    // A core of a split group can end up holding no finding (each of its findings has most
    // of its members in another core): it is no case, and its people are in none.
    cases.retain(|c| c.flagged() > 0);
    cases.sort_by(|a, b| {
        (Reverse(a.severity), Reverse(a.score), Reverse(a.flagged()), Reverse(a.members.len()), &a.members).cmp(&(
            Reverse(b.severity),
            Reverse(b.score),
            Reverse(b.flagged()),
            Reverse(b.members.len()),
            &b.members,
        ))
    });
    let case_of_group = cases.iter().enumerate().map(|(i, c)| (c.group, i as u32)).collect();
    (cases, CaseOf { labels, case_of_group })
}
