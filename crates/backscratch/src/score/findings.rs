//! Scoring every finding of a scan: reciprocal pairs, every cycle (judged inside the parallel
//! search by a [`CycleVisitor`], so nothing has to be stored to be counted), and the rings
//! that flagged findings form; then the cases they make ([`super::casebook`]). Then the
//! listing, at most `max_findings`, each with its signals: the findings of the first
//! `max_cases` cases, case by case (each case at most an equal share of `max_findings`,
//! its rings first), then the most severe findings that are in no case (below medium, or
//! suppressed by the allowlist).

use std::cmp::Reverse;
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use super::allow::Allowlist;
use super::assess::Evidence;
use super::casebook::{self, Case, CaseInputs, CaseOf};
use super::exposure::Exposure;
use super::rings::{FlaggedEdges, Groups};
use super::rule::Outcome;
use super::verdicts::VerdictCache;
use super::{FindingKind, Scored, Severity};
use crate::detect::topn::{SharedBound, TopN};
use crate::detect::{self, Cycle, CycleCounts, CycleVisitor, EdgeMarks, Pair};
use crate::graph::Graph;

/// What scoring needs besides the evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreOptions {
    /// Longest cycle searched.
    pub max_len: usize,
    /// Most findings listed.
    pub max_findings: usize,
    /// Most cases listed (their findings first).
    pub max_cases: usize,
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
    /// Every case, most severe first, indexed by [`Scored::case`]; the first `max_cases`
    /// have their beneficiaries and donors found.
    pub cases: Vec<Case>,
    /// Who is in which case (for giving findings not listed to theirs).
    pub case_of: CaseOf,
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
    /// Edges of cycles left out by `--window` (not judged).
    pub outside_window: EdgeMarks,
    /// What was found against each person, over every finding.
    pub exposure: Exposure,
}

impl Scoring {
    /// Counts only, nothing judged (`--count-only`).
    pub fn unscored(pairs: u64, cycle_counts: CycleCounts, stopped: bool, edges: usize) -> Scoring {
        Scoring {
            listed: Vec::new(),
            rings: Vec::new(),
            cases: Vec::new(),
            case_of: CaseOf::default(),
            counts: Counts::default(),
            oversized_groups: Vec::new(),
            pairs,
            cycle_counts,
            stopped,
            flagged: FlaggedEdges::new(edges),
            high: EdgeMarks::new(edges),
            outside_window: EdgeMarks::new(0),
            exposure: Exposure::default(),
        }
    }
}

/// Ranking of findings: most severe, highest score, rings before cycles before pairs, then
/// canonical member order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank(Reverse<Severity>, Reverse<u8>);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RankedCycle(Rank, Cycle);

/// The edges of a finding competing for a place in the listing.
enum Edges {
    /// A ring, by its index in [`Scoring::rings`] (already scored).
    Ring(usize),
    /// A pair's or cycle's edges.
    Listed(Vec<u32>),
}

/// A finding competing for a place in the listing.
struct Candidate {
    rank: Rank,
    kind: FindingKind,
    members: Vec<u32>,
    edges: Edges,
    /// The case it is listed under.
    case: Option<u32>,
}

impl Candidate {
    /// Listing order: rank, then rings before cycles before pairs, then members.
    fn key(&self) -> (&Rank, FindingKind, usize, &[u32]) {
        (&self.rank, self.kind, self.members.len(), &self.members)
    }
}

/// Records one judged finding: counts, flags, suppression.
struct Judge<'a> {
    ev: &'a Evidence<'a>,
    allow: &'a Allowlist,
    flagged: &'a FlaggedEdges,
    high: &'a EdgeMarks,
    exposure: &'a Exposure,
}

impl Judge<'_> {
    /// Judge, count and flag one finding; returns the outcome and whether the allowlist
    /// suppressed it.
    fn record(&self, kind: FindingKind, members: &[u32], edges: &[u32], counts: &mut Counts) -> (Outcome, bool) {
        self.record_judged(kind, members, edges, self.ev.outcome(kind, members, edges), counts)
    }

    /// [`Judge::record`] with the outcome `o` already known.
    fn record_judged(
        &self,
        kind: FindingKind,
        members: &[u32],
        edges: &[u32],
        o: Outcome,
        counts: &mut Counts,
    ) -> (Outcome, bool) {
        let suppressed = !self.allow.is_empty() && self.allow.matching(members).is_some();
        self.count(o.severity, suppressed, edges, counts);
        if !suppressed {
            self.exposure.record(members, &o);
            if kind == FindingKind::Pair {
                self.exposure.record_return(self.ev.g, [members[0], members[1]], [edges[0], edges[1]], &o);
            }
        }
        (o, suppressed)
    }

    /// Count one judged finding and, unless suppressed, flag its edges at medium and above.
    fn count(&self, severity: Severity, suppressed: bool, edges: &[u32], counts: &mut Counts) {
        if suppressed {
            counts.suppressed += 1;
            return;
        }
        counts.by_severity[severity as usize] += 1;
        if severity >= Severity::Medium {
            self.flagged.flag(edges);
            if severity == Severity::High {
                edges.iter().for_each(|&e| self.high.mark(e));
            }
        }
    }
}

struct CycleScorer<'a> {
    judge: &'a Judge<'a>,
    window: Option<i64>,
    outside: &'a EdgeMarks,
    counts: Counts,
    verdicts: VerdictCache,
    /// The best cycles below medium or suppressed (listed after the cases).
    top: TopN<RankedCycle>,
    /// The best flagged cycles, listed on their own only if the search is cut short (they are
    /// otherwise found again for their cases).
    top_flagged: TopN<RankedCycle>,
    /// The bounds of `top` and `top_flagged` over every task, so a new task starts tight.
    bounds: &'a [SharedBound<RankedCycle>; 2],
}

impl CycleVisitor for CycleScorer<'_> {
    fn cycle(&mut self, vertices: &[u32], edges: &[u32]) {
        if let Some(w) = self.window {
            if super::time::span_seconds(self.judge.ev.g, edges).is_some_and(|span| span > w) {
                self.counts.outside_window += 1;
                edges.iter().for_each(|&e| self.outside.mark(e));
                return;
            }
        }
        let o = self.judge.ev.cached_outcome(FindingKind::Cycle, vertices, edges, &mut self.verdicts);
        let (o, suppressed) = self.judge.record_judged(FindingKind::Cycle, vertices, edges, o, &mut self.counts);
        // Flagged cycles are listed under their cases; the rest compete here.
        let rank = Rank(Reverse(o.severity), Reverse(o.score));
        let (top, bound) = if o.severity < Severity::Medium || suppressed {
            (&mut self.top, &self.bounds[0])
        } else {
            (&mut self.top_flagged, &self.bounds[1])
        };
        // Most cycles cannot make the listing: tell before building one.
        if top.would_keep_by(|b| (&rank, vertices.len(), vertices) < (&b.0, b.1.len(), b.1.vertices()))
            && top.push(RankedCycle(rank, Cycle::new(vertices, edges)))
        {
            bound.offer(top);
        }
    }
    fn merge(&mut self, other: Self) {
        self.counts.add(&other.counts);
        self.top.merge(other.top);
        self.top_flagged.merge(other.top_flagged);
        self.bounds[0].offer(&self.top);
        self.bounds[1].offer(&self.top_flagged);
    }
}

/// Build a listed finding with its signals.
fn scored(ev: &Evidence<'_>, allow: &Allowlist, kind: FindingKind, members: Vec<u32>, edges: Vec<u32>) -> Scored {
    let (facts, o) = ev.judge(kind, &members, &edges);
    let suppressed_by = allow.matching(&members).map(Allowlist::label);
    let signals = ev.signals(&facts, &o, &edges);
    let outskirts = if kind == FindingKind::Ring {
        let window = (ev.thresholds.ring_window_days * 86_400.0) as i64;
        super::outskirts::of_ring(ev.g, &ev.backings, &members, &edges, window)
    } else {
        Default::default()
    };
    Scored {
        kind,
        members,
        edges,
        score: o.score,
        severity: o.severity,
        signals,
        suppressed_by,
        part_of: None,
        case: None,
        outskirts,
    }
}

/// Score every reciprocal pair of `g` (`pairs`, from [`detect::pairs::reciprocal_pairs`], the
/// same the evidence's lag baseline was made from), find and score every cycle, and the rings
/// they form.
pub fn score_all(
    ev: &Evidence<'_>,
    allow: &Allowlist,
    pairs: Vec<Pair>,
    options: ScoreOptions,
    stop: &AtomicBool,
) -> Scoring {
    let g: &Graph = ev.g;
    let flagged = FlaggedEdges::new(g.edge_count());
    let high = EdgeMarks::new(g.edge_count());
    let exposure = Exposure::new(g.node_count());
    let judge = Judge { ev, allow, flagged: &flagged, high: &high, exposure: &exposure };
    let outside_window = EdgeMarks::new(if options.window_seconds.is_some() { g.edge_count() } else { 0 });

    let judged_pairs: Vec<((Outcome, bool), Counts)> = pairs
        .par_iter()
        .map(|p| {
            let mut c = Counts::default();
            (judge.record(FindingKind::Pair, &[p.a, p.b], &[p.ab, p.ba], &mut c), c)
        })
        .collect();
    let mut counts = Counts::default();
    judged_pairs.iter().for_each(|(_, c)| counts.add(c));
    let judged: Vec<(Pair, Outcome, bool)> =
        judged_pairs.iter().zip(&pairs).map(|(((o, suppressed), _), p)| (*p, *o, *suppressed)).collect();
    drop(judged_pairs);

    let bounds = [SharedBound::default(), SharedBound::default()];
    let outcome = detect::visit_cycles(g, options.max_len, stop, || CycleScorer {
        judge: &judge,
        window: options.window_seconds,
        outside: &outside_window,
        counts: Counts::default(),
        verdicts: VerdictCache::default(),
        top: bounds[0].start(options.max_findings),
        top_flagged: bounds[1].start(options.max_findings),
        bounds: &bounds,
    });
    counts.add(&outcome.visitor.counts);

    let sets = flagged.edge_sets();
    let mut flagged_edges: Vec<u32> = sets.concat();
    flagged_edges.sort_unstable();
    let Groups { rings: ring_groups, oversized } = super::rings::groups_of(g, &sets);
    // Rings are scored (with their outskirts) while the groups are cut into cases.
    let (rings, groups): (Vec<Scored>, _) = rayon::join(
        || ring_groups.into_par_iter().map(|r| scored(ev, allow, FindingKind::Ring, r.members, r.edges)).collect(),
        || super::cases::case_groups(g, sets),
    );
    for ring in &rings {
        judge.count(ring.severity, ring.suppressed_by.is_some(), &ring.edges, &mut counts);
    }
    // Each listed case gets an equal share of the listing, so that one club's thousands of
    // cycles (folded into its ring anyway) cannot crowd out every other case.
    let share = options.max_findings / options.max_cases.min(groups.len()).max(1);
    let case_inputs = CaseInputs {
        ev,
        allow,
        pairs: &judged,
        rings: &rings,
        max_len: options.max_len,
        window_seconds: options.window_seconds,
        limit: share.max(1),
    };
    // When the budget stopped the search, the second one stops at once too: the cases then
    // hold their pairs and rings, and the best flagged cycles are listed on their own.
    let (mut cases, case_of) = casebook::judge_cases(&case_inputs, groups, &flagged_edges, stop);
    drop(flagged_edges);
    cases.iter_mut().take(options.max_cases).for_each(|c| c.find_outskirts(ev));

    // The listing: the first cases' rings and findings, case by case, ...
    let mut candidates: Vec<Candidate> = Vec::new();
    for (ci, case) in cases.iter().enumerate().take(options.max_cases) {
        let ci = Some(ci as u32);
        for &r in &case.rings {
            let ring = &rings[r as usize];
            let rank = Rank(Reverse(ring.severity), Reverse(ring.score));
            let (members, edges) = (ring.members.clone(), Edges::Ring(r as usize));
            candidates.push(Candidate { rank, kind: FindingKind::Ring, members, edges, case: ci });
        }
        for f in &case.findings {
            let (members, edges) = (f.members.clone(), Edges::Listed(f.edges.clone()));
            candidates.push(Candidate { rank: Rank(f.severity, f.score), kind: f.kind, members, edges, case: ci });
        }
    }
    candidates.truncate(options.max_findings);
    // ... then the best findings in no case (below medium or suppressed), ranked together.
    let mut others: Vec<Candidate> = Vec::new();
    let cut_short = if outcome.stopped { outcome.visitor.top_flagged.into_sorted_vec() } else { Vec::new() };
    for RankedCycle(rank, c) in outcome.visitor.top.into_sorted_vec().into_iter().chain(cut_short) {
        let edges = Edges::Listed(c.edges().to_vec());
        others.push(Candidate { rank, kind: FindingKind::Cycle, members: c.vertices().to_vec(), edges, case: None });
    }
    let mut pair_ranks: Vec<(Rank, &Pair)> = judged
        .iter()
        .filter(|(_, o, suppressed)| o.severity < Severity::Medium || *suppressed)
        .map(|(p, o, _)| (Rank(Reverse(o.severity), Reverse(o.score)), p))
        .collect();
    pair_ranks.sort();
    pair_ranks.truncate(options.max_findings);
    for (rank, p) in pair_ranks {
        let edges = Edges::Listed(vec![p.ab, p.ba]);
        others.push(Candidate { rank, kind: FindingKind::Pair, members: vec![p.a, p.b], edges, case: None });
    }
    others.sort_by(|x, y| x.key().cmp(&y.key()));
    others.truncate(options.max_findings - candidates.len());
    candidates.extend(others);

    let ring_of: std::collections::HashMap<u32, u32> =
        rings.iter().enumerate().filter_map(|(i, r)| flagged.root(r.edges[0]).map(|root| (root, i as u32))).collect();
    // Building a listed finding (its signals and explanations) is the costly part of a long
    // listing: in parallel, order kept.
    let listed = candidates
        .into_par_iter()
        .map(|c| {
            let mut s = match c.edges {
                Edges::Ring(i) => rings[i].clone(),
                Edges::Listed(edges) => {
                    let mut s = scored(ev, allow, c.kind, c.members, edges);
                    if s.severity >= Severity::Medium && s.suppressed_by.is_none() {
                        s.part_of = flagged.root(s.edges[0]).and_then(|root| ring_of.get(&root).copied());
                    }
                    s
                }
            };
            s.case = c.case;
            s
        })
        .collect();
    Scoring {
        listed,
        rings,
        cases,
        case_of,
        counts,
        oversized_groups: oversized,
        pairs: judged.len() as u64,
        cycle_counts: outcome.counts,
        stopped: outcome.stopped,
        flagged,
        high,
        outside_window,
        exposure,
    }
}
