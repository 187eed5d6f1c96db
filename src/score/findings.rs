//! Scoring every finding of a scan: reciprocal pairs, every cycle (judged inside the parallel
//! search by a [`CycleVisitor`], so nothing has to be stored to be counted), and the rings
//! that flagged findings form. Then the listing: the most severe findings first, at most
//! `max_findings`, each with its signals.

use std::cmp::Reverse;
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use super::allow::Allowlist;
use super::assess::Evidence;
use super::rings::{FlaggedEdges, Groups};
use super::rule::Outcome;
use super::{FindingKind, Scored, Severity};
use crate::detect::topn::TopN;
use crate::detect::{self, Cycle, CycleCounts, CycleVisitor, EdgeMarks, Pair};
use crate::graph::Graph;

/// What scoring needs besides the evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreOptions {
    /// Longest cycle searched.
    pub max_len: usize,
    /// Most findings listed.
    pub max_findings: usize,
    /// `--window`: cycles whose dates span more than this many seconds are not findings.
    pub window_seconds: Option<i64>,
}

/// Counts over every finding, listed or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Unsuppressed findings per severity, indexed like [`Severity::ALL`].
    pub by_severity: [u64; 4],
    /// Findings matched by the allowlist.
    pub suppressed: u64,
    /// Cycles left out by `--window`.
    pub outside_window: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        for (a, b) in self.by_severity.iter_mut().zip(o.by_severity) {
            *a += b;
        }
        self.suppressed += o.suppressed;
        self.outside_window += o.outside_window;
    }
    /// Every finding counted (suppressed ones included, windowed-out cycles not).
    pub fn found(&self) -> u64 {
        self.by_severity.iter().sum::<u64>() + self.suppressed
    }
}

/// The outcome of scoring a scan.
#[derive(Debug)]
pub struct Scoring {
    /// Listed findings, most severe first.
    pub listed: Vec<Scored>,
    /// Every ring (listed or not), indexed by [`Scored::part_of`].
    pub rings: Vec<Scored>,
    /// Counts over everything found.
    pub counts: Counts,
    /// Sizes of flagged groups too large to be one ring.
    pub oversized_groups: Vec<usize>,
    /// Reciprocal pairs.
    pub pairs: u64,
    /// Cycles per length (structural, independent of scoring).
    pub cycle_counts: CycleCounts,
    /// Whether the search stopped early.
    pub stopped: bool,
    /// Edges in an unsuppressed finding at or above medium.
    pub flagged: FlaggedEdges,
    /// Edges in an unsuppressed high finding.
    pub high: EdgeMarks,
}

impl Scoring {
    /// Counts only, nothing judged (`--count-only`).
    pub fn unscored(pairs: u64, cycle_counts: CycleCounts, stopped: bool, edges: usize) -> Scoring {
        Scoring {
            listed: Vec::new(),
            rings: Vec::new(),
            counts: Counts::default(),
            oversized_groups: Vec::new(),
            pairs,
            cycle_counts,
            stopped,
            flagged: FlaggedEdges::new(edges),
            high: EdgeMarks::new(edges),
        }
    }
}

/// Ranking of findings: most severe, highest score, rings before cycles before pairs, then
/// canonical member order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank(Reverse<Severity>, Reverse<u8>);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RankedCycle(Rank, Cycle);

/// Records one judged finding: counts, flags, suppression.
struct Judge<'a> {
    ev: &'a Evidence<'a>,
    allow: &'a Allowlist,
    flagged: &'a FlaggedEdges,
    high: &'a EdgeMarks,
}

impl Judge<'_> {
    /// Judge, count and flag one finding; returns the outcome.
    fn record(&self, kind: FindingKind, members: &[u32], edges: &[u32], counts: &mut Counts) -> Outcome {
        let o = self.ev.outcome(kind, members, edges);
        if !self.allow.is_empty() && self.allow.matching(members).is_some() {
            counts.suppressed += 1;
            return o;
        }
        counts.by_severity[o.severity as usize] += 1;
        if o.severity >= Severity::Medium {
            self.flagged.flag(edges);
            if o.severity == Severity::High {
                edges.iter().for_each(|&e| self.high.mark(e));
            }
        }
        o
    }
}

struct CycleScorer<'a> {
    judge: &'a Judge<'a>,
    window: Option<i64>,
    counts: Counts,
    top: TopN<RankedCycle>,
}

impl CycleVisitor for CycleScorer<'_> {
    fn cycle(&mut self, vertices: &[u32], edges: &[u32]) {
        if let Some(w) = self.window {
            if super::time::span_seconds(self.judge.ev.g, edges).is_some_and(|span| span > w) {
                self.counts.outside_window += 1;
                return;
            }
        }
        let o = self.judge.record(FindingKind::Cycle, vertices, edges, &mut self.counts);
        let rank = Rank(Reverse(o.severity), Reverse(o.score));
        if self.top.would_keep(&RankedCycle(rank.clone(), Cycle::new(vertices, edges))) {
            self.top.push(RankedCycle(rank, Cycle::new(vertices, edges)));
        }
    }
    fn merge(&mut self, other: Self) {
        self.counts.add(&other.counts);
        self.top.merge(other.top);
    }
}

/// Build a listed finding with its signals.
fn scored(ev: &Evidence<'_>, allow: &Allowlist, kind: FindingKind, members: Vec<u32>, edges: Vec<u32>) -> Scored {
    let (facts, o) = ev.judge(kind, &members, &edges);
    let suppressed_by = allow.matching(&members).map(Allowlist::label);
    let signals = ev.signals(&facts, &o, &edges);
    Scored { kind, members, edges, score: o.score, severity: o.severity, signals, suppressed_by, part_of: None }
}

/// Find and score every pair, cycle and ring of `g`.
pub fn score_all(ev: &Evidence<'_>, allow: &Allowlist, options: ScoreOptions, stop: &AtomicBool) -> Scoring {
    let g: &Graph = ev.g;
    let flagged = FlaggedEdges::new(g.edge_count());
    let high = EdgeMarks::new(g.edge_count());
    let judge = Judge { ev, allow, flagged: &flagged, high: &high };

    let pairs = detect::pairs::reciprocal_pairs(g);
    let judged_pairs: Vec<(Outcome, Counts)> = pairs
        .par_iter()
        .map(|p| {
            let mut c = Counts::default();
            (judge.record(FindingKind::Pair, &[p.a, p.b], &[p.ab, p.ba], &mut c), c)
        })
        .collect();
    let mut counts = Counts::default();
    judged_pairs.iter().for_each(|(_, c)| counts.add(c));

    let outcome = detect::visit_cycles(g, options.max_len, stop, || CycleScorer {
        judge: &judge,
        window: options.window_seconds,
        counts: Counts::default(),
        top: TopN::new(options.max_findings),
    });
    counts.add(&outcome.visitor.counts);

    let Groups { rings: groups, oversized } = flagged.groups(g);
    let mut rings = Vec::with_capacity(groups.len());
    for group in groups {
        judge.record(FindingKind::Ring, &group.members, &group.edges, &mut counts);
        rings.push(scored(ev, allow, FindingKind::Ring, group.members, group.edges));
    }

    // The listing: every ring, the best cycles, every pair, ranked together.
    let mut candidates: Vec<(Rank, FindingKind, Vec<u32>, Vec<u32>)> = Vec::new();
    for r in &rings {
        candidates.push((
            Rank(Reverse(r.severity), Reverse(r.score)),
            FindingKind::Ring,
            r.members.clone(),
            r.edges.clone(),
        ));
    }
    for RankedCycle(rank, c) in outcome.visitor.top.into_sorted_vec() {
        candidates.push((rank, FindingKind::Cycle, c.vertices().to_vec(), c.edges().to_vec()));
    }
    let mut pair_ranks: Vec<(Rank, &Pair)> =
        judged_pairs.iter().zip(&pairs).map(|((o, _), p)| (Rank(Reverse(o.severity), Reverse(o.score)), p)).collect();
    pair_ranks.sort();
    pair_ranks.truncate(options.max_findings);
    for (rank, p) in pair_ranks {
        candidates.push((rank, FindingKind::Pair, vec![p.a, p.b], vec![p.ab, p.ba]));
    }
    candidates.sort_by(|x, y| (&x.0, x.1, x.2.len(), &x.2).cmp(&(&y.0, y.1, y.2.len(), &y.2)));
    candidates.truncate(options.max_findings);

    let ring_of: std::collections::HashMap<u32, u32> =
        rings.iter().enumerate().filter_map(|(i, r)| flagged.root(r.edges[0]).map(|root| (root, i as u32))).collect();
    let listed = candidates
        .into_iter()
        .map(|(_, kind, members, edges)| {
            if kind == FindingKind::Ring {
                let i = rings.iter().position(|r| r.edges == edges).expect("listed ring exists");
                return rings[i].clone();
            }
            let mut s = scored(ev, allow, kind, members, edges);
            if s.severity >= Severity::Medium && s.suppressed_by.is_none() {
                s.part_of = flagged.root(s.edges[0]).and_then(|root| ring_of.get(&root).copied());
            }
            s
        })
        .collect();
    Scoring {
        listed,
        rings,
        counts,
        oversized_groups: oversized,
        pairs: pairs.len() as u64,
        cycle_counts: outcome.counts,
        stopped: outcome.stopped,
        flagged,
        high,
    }
}
