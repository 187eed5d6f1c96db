//! The live engine: the graph of every accepted recommendation so far, and for each new one
//! an answer that says what it closed. A row is read as a file's row is: names trimmed, a
//! blank name skipped with its reason, a self-recommendation and a repeat counted and not
//! added, an unreadable date kept undated with a warning. Summed over the rows, the pairs and
//! cycles the answers report are the batch scan's counts of the same rows (the closing
//! search's tests and this crate's check it).

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use backscratch::detect::closing::{closed_by, ClosingLimits, ClosingScratch};
use backscratch::graph::live::{Added, LiveGraph};
use backscratch::report::Verdict;
use backscratch::score::online::{Activity, Baselines, Link};
use backscratch::score::{FindingKind, Severity, Signal};
use serde::Serialize;

use crate::store::Row;

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A new recommendation, added to the graph.
    New,
    /// The same recommender and recommendee as an earlier row: counted, not added.
    Duplicate,
    /// A recommendation of oneself: counted, not added.
    SelfRecommendation,
    /// Not a usable row (the reason says why): counted, not added.
    Skipped,
}

/// The answer for one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The row's sequence number in the store (0 for the first row ever accepted).
    pub seq: u64,
    /// What happened to it.
    pub status: Status,
    /// Why it was skipped, or what was wrong with a row that was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether it closed a reciprocal pair (the opposite recommendation exists).
    pub pair: bool,
    /// The cycles it closed, by length (only lengths with any).
    pub cycles: BTreeMap<usize, u64>,
    /// The first closed cycles, as names from the recommender round to the last person
    /// before them again (at most the engine's path limit; every cycle is counted).
    pub closing: Vec<Vec<String>>,
    /// False when the search hit its step budget: the counts are then lower bounds.
    pub complete: bool,
    /// The judgement whose verdicts this answer quotes, by the rows it judged (absent before
    /// the first judgement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged_rows: Option<u64>,
    /// The recommender's and recommendee's verdicts in that judgement, for those it lists.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub verdicts: BTreeMap<String, Verdict>,
    /// The recommender's and recommendee's cases in that judgement, for those in one: a
    /// trade between two people of one case adds to it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cases: BTreeMap<String, String>,
    /// People whose verdict this recommendation raises: members of a pair or cycle it closed
    /// that is judged at medium (warn) or high (fail), above their verdict in that judgement
    /// (or not listed in it), by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub verdict_changes: BTreeMap<String, VerdictChange>,
    /// When the search hit the budget (`complete` false): where the exact result follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<String>,
    /// The pair and the listed cycles (`closing`) it closed, each judged by the severity
    /// rule as a scan judges it, against the baselines of that judgement (absent before the
    /// first one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

/// A verdict a new recommendation raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VerdictChange {
    /// The verdict in the judgement the answer quotes (`None`: it does not list them, so they
    /// are in no finding it lists).
    pub was: Option<Verdict>,
    /// The verdict the rule gives them at least, with this recommendation: a person in a
    /// medium finding warns, in a high one fails (the next judgement fixes it).
    pub now: Verdict,
}

/// A pair or cycle a new recommendation closed, judged on its own by the rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The id a scan's report gives it.
    pub id: String,
    /// `pair` or `cycle`.
    pub kind: FindingKind,
    /// Its people, in the order a scan's report lists them.
    pub members: Vec<String>,
    /// 0..=100.
    pub score: u8,
    /// From the score.
    pub severity: Severity,
    /// Every signal of the rule, as a scan's report lists them.
    pub signals: Vec<Signal>,
    /// At medium or above: the rings the judgement lists that it joins (it shares a
    /// recommendation with one of their findings; the next judgement merges them, unless the
    /// group grows past a ring's size).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rings: Vec<String>,
    /// At medium or above: the cases the judgement lists that it joins, in the same sense.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<String>,
    /// Its recommendations as `(from, to)` (not sent: the members give them).
    #[serde(skip)]
    pub edges: Vec<(String, String)>,
}

/// Totals over every row the engine has taken, as a batch report counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Rows taken.
    pub rows: u64,
    /// Distinct recommendations in the graph.
    pub recommendations: u64,
    /// People in the graph.
    pub people: u64,
    /// Rows that repeated an earlier recommendation.
    pub duplicates: u64,
    /// Self-recommendations.
    pub self_recommendations: u64,
    /// Rows skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Rows kept without their date, which could not be read.
    pub undated_bad_date: u64,
    /// Reciprocal pairs.
    pub pairs: u64,
    /// Cycles by length.
    pub cycles: BTreeMap<usize, u64>,
    /// Answers whose search hit the budget (their counts, and so these, are lower bounds).
    pub incomplete: u64,
}

/// What the graph holds about one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The name, as first accepted.
    pub name: String,
    /// How many people they recommended.
    pub recommended: usize,
    /// How many people recommended them.
    pub recommended_by: usize,
    /// The people they trade with in reciprocal pairs (each recommended the other), by name.
    pub reciprocal: Vec<String>,
}

/// The graph so far and the closing search over it.
pub struct Engine {
    graph: LiveGraph,
    scratch: ClosingScratch,
    limits: ClosingLimits,
    totals: Totals,
}

impl Engine {
    /// An empty engine that searches within `limits`.
    pub fn new(limits: ClosingLimits) -> Self {
        Engine { graph: LiveGraph::new(), scratch: ClosingScratch::default(), limits, totals: Totals::default() }
    }

    /// The limits each answer's search keeps to.
    pub fn limits(&self) -> ClosingLimits {
        self.limits
    }

    /// The totals so far.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// What the graph holds about `name` (trimmed as a row's names are), if anyone has that name.
    pub fn person(&self, name: &str) -> Option<Person> {
        let g = &self.graph;
        let v = g.id(name.trim())?;
        let mut reciprocal: Vec<String> =
            g.out_neighbors(v).iter().filter(|&&w| g.edge_id(w, v).is_some()).map(|&w| g.name(w).to_string()).collect();
        reciprocal.sort();
        Some(Person {
            name: g.name(v).to_string(),
            recommended: g.out_neighbors(v).len(),
            recommended_by: g.in_neighbors(v).len(),
            reciprocal,
        })
    }

    /// Take row number `seq` and say what it did; with `baselines` (a judgement's), judge
    /// the pair and the listed cycles it closed by the rule.
    pub fn submit(&mut self, seq: u64, row: &Row, baselines: Option<&Baselines>) -> Answer {
        let (mut answer, added) = self.take(seq, row);
        let Some((u, v)) = added else { return answer };
        let c = closed_by(&self.graph, u, v, self.limits, &mut self.scratch);
        let t = &mut self.totals;
        t.pairs += u64::from(c.pair);
        t.incomplete += u64::from(!c.complete);
        for (len, &n) in c.cycles.iter().enumerate().filter(|(_, &n)| n > 0) {
            answer.cycles.insert(len, n);
            *t.cycles.entry(len).or_insert(0) += n;
        }
        answer.pair = c.pair;
        answer.complete = c.complete;
        answer.closing = c.paths.iter().map(|p| p.iter().map(|&w| self.graph.name(w).to_string()).collect()).collect();
        if let Some(b) = baselines {
            let pair = c.pair.then(|| vec![u, v, u]);
            // A closing path runs from the recommender round to the last person before them.
            let cycles = c.paths.iter().map(|p| p.iter().copied().chain([p[0]]).collect());
            answer.findings =
                pair.into_iter().chain(cycles).filter_map(|walk: Vec<u32>| self.judge(b, &walk)).collect();
        }
        answer
    }

    /// Judge the pair or cycle through `members` (in its direction) by the rule against
    /// `baselines`, as an answer judges what it closed; `None` unless every member is in the
    /// graph and every recommendation round the cycle is.
    pub fn judge_members(&self, baselines: &Baselines, members: &[&str]) -> Option<Finding> {
        let ids: Vec<u32> = members.iter().map(|m| self.graph.id(m)).collect::<Option<_>>()?;
        let walk: Vec<u32> = ids.iter().copied().chain(ids.first().copied()).collect();
        if walk.windows(2).any(|w| self.graph.edge_id(w[0], w[1]).is_none()) {
            return None;
        }
        self.judge(baselines, &walk)
    }

    /// Judge the pair or cycle that walks `walk` (first person repeated at the end).
    fn judge(&self, baselines: &Baselines, walk: &[u32]) -> Option<Finding> {
        let g = &self.graph;
        let links: Vec<Link<'_>> = walk
            .windows(2)
            .map(|w| Link {
                from: g.name(w[0]),
                to: g.name(w[1]),
                created: g.edge_id(w[0], w[1]).and_then(|e| g.created(e)),
            })
            .collect();
        let activity = |name: &str| {
            g.id(name).map_or(Activity::default(), |v| Activity {
                given: g.out_neighbors(v).len() as u32,
                received: g.in_neighbors(v).len() as u32,
            })
        };
        let j = baselines.judge(&links, activity)?;
        let members: Vec<&str> = j.members.iter().map(String::as_str).collect();
        let id = backscratch::report::finding_id(j.kind, &members, &[]);
        Some(Finding {
            id,
            kind: j.kind,
            members: j.members,
            score: j.score,
            severity: j.severity,
            signals: j.signals,
            rings: Vec::new(),
            cases: Vec::new(),
            edges: j.edges,
        })
    }

    /// Take a stored row again after a restart: accounted and added, not searched. Call
    /// [`Engine::recount`] once every stored row is replayed.
    pub fn replay(&mut self, row: &Row) {
        self.take(0, row);
    }

    /// Count the pairs and cycles of the whole graph by the batch search (exact, on every
    /// core), as the totals after a replay. Answers summed since the start equal these counts
    /// unless some search hit the budget; then the recount is the exact figure and
    /// `incomplete` starts again from 0.
    pub fn recount(&mut self) {
        let g = &self.graph;
        let batch = backscratch::graph::Graph::from_edges(
            (0..g.people() as u32).flat_map(|v| g.out_neighbors(v).iter().map(move |&w| (g.name(v), g.name(w)))),
        );
        let cycles = backscratch::detect::count_cycles(&batch, self.limits.max_len, &AtomicBool::new(false));
        let t = &mut self.totals;
        t.pairs = backscratch::detect::pairs::reciprocal_pairs(&batch).len() as u64;
        t.cycles = (3..=self.limits.max_len).filter(|&l| cycles[l] > 0).map(|l| (l, cycles[l])).collect();
        t.incomplete = 0;
    }

    /// Account for a row and add it to the graph; the answer so far and, for a new
    /// recommendation, its two ends.
    fn take(&mut self, seq: u64, row: &Row) -> (Answer, Option<(u32, u32)>) {
        let mut answer = Answer {
            seq,
            status: Status::New,
            reason: None,
            pair: false,
            cycles: BTreeMap::new(),
            closing: Vec::new(),
            complete: true,
            judged_rows: None,
            verdicts: BTreeMap::new(),
            cases: BTreeMap::new(),
            verdict_changes: BTreeMap::new(),
            exact: None,
            findings: Vec::new(),
        };
        let t = &mut self.totals;
        t.rows += 1;
        let (from, to) = (row.from.trim(), row.to.trim());
        if from.is_empty() || to.is_empty() {
            let which = if from.is_empty() { "recommender" } else { "recommendee" };
            *t.skipped.entry("empty-name".into()).or_insert(0) += 1;
            answer.status = Status::Skipped;
            answer.reason = Some(format!("empty name: the {which} is blank"));
            return (answer, None);
        }
        let mut created = None;
        if let Some(date) = row.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            created = backscratch::ingest::date::parse_date(date);
            if created.is_none() {
                t.undated_bad_date += 1;
                answer.reason = Some(format!("bad date '{date}': kept without a date"));
            }
        }
        match self.graph.add_dated(from, to, created) {
            Added::SelfRecommendation => {
                t.self_recommendations += 1;
                answer.status = Status::SelfRecommendation;
                (answer, None)
            }
            Added::Repeat { .. } => {
                t.duplicates += 1;
                answer.status = Status::Duplicate;
                (answer, None)
            }
            Added::New { from, to, .. } => {
                t.recommendations = self.graph.recommendations() as u64;
                t.people = self.graph.people() as u64;
                (answer, Some((from, to)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(a: &str, b: &str) -> Row {
        Row { from: a.into(), to: b.into(), date: None }
    }

    #[test]
    fn rows_are_accounted_as_a_file_s_are() {
        let mut e = Engine::new(ClosingLimits { max_len: 4, budget: 1_000_000, paths: 5 });
        let answers: Vec<Answer> =
            [row("a", "b"), row(" b ", "c"), row("c", "a"), row("a", "b"), row("x", "x"), row("", "a")]
                .iter()
                .enumerate()
                .map(|(i, r)| e.submit(i as u64, r, None))
                .collect();
        assert_eq!(answers[2].cycles, BTreeMap::from([(3, 1)]));
        assert_eq!(answers[2].closing, [["c", "a", "b"]]);
        let statuses: Vec<Status> = answers.iter().map(|a| a.status).collect();
        use Status::*;
        assert_eq!(statuses, [New, New, New, Duplicate, SelfRecommendation, Skipped]);
        assert_eq!(answers[5].reason.as_deref(), Some("empty name: the recommender is blank"));
        let pair = e.submit(6, &Row { date: Some("not a date".into()), ..row("b", "a") }, None);
        assert!(pair.pair && pair.reason.as_deref().is_some_and(|r| r.starts_with("bad date")));
        let t = e.totals();
        assert_eq!((t.rows, t.recommendations, t.people, t.duplicates, t.self_recommendations), (7, 4, 3, 1, 1));
        assert_eq!((t.pairs, t.undated_bad_date, t.skipped.get("empty-name")), (1, 1, Some(&1)));
        let a = e.person(" a ").unwrap();
        assert_eq!((a.recommended, a.recommended_by, a.reciprocal), (1, 2, vec!["b".to_string()]));
        assert!(e.person("nobody").is_none());
        // Replayed and recounted, the same rows give the same totals.
        let mut again = Engine::new(ClosingLimits { max_len: 4, budget: 1_000_000, paths: 5 });
        for r in [row("a", "b"), row(" b ", "c"), row("c", "a"), row("a", "b"), row("x", "x"), row("", "a")] {
            again.replay(&r);
        }
        again.replay(&Row { date: Some("not a date".into()), ..row("b", "a") });
        again.recount();
        assert_eq!(again.totals(), e.totals());
    }

    /// Pairs and cycles by length of `rows` by the batch search.
    fn batch(rows: &[Row], k: usize) -> (u64, BTreeMap<usize, u64>) {
        let g = backscratch::graph::Graph::from_edges(
            rows.iter().filter(|r| r.from != r.to).map(|r| (r.from.as_str(), r.to.as_str())),
        );
        let cycles = backscratch::detect::count_cycles(&g, k, &AtomicBool::new(false));
        let pairs = backscratch::detect::pairs::reciprocal_pairs(&g).len() as u64;
        (pairs, (3..=k).filter(|&l| cycles[l] > 0).map(|l| (l, cycles[l])).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn answers_summed_in_any_arrival_order_are_the_batch_counts(
            edges in proptest::collection::vec((0u8..12, 0u8..12), 0..90),
            order in proptest::collection::vec(proptest::prelude::any::<u32>(), 90),
            k in 3usize..=6,
        ) {
            let mut rows: Vec<Row> = edges.iter().map(|(a, b)| row(&format!("p{a}"), &format!("p{b}"))).collect();
            // A random arrival order: sort by random keys.
            let mut keyed: Vec<(u32, Row)> = order.iter().copied().zip(rows.drain(..)).collect();
            keyed.sort_by_key(|(key, _)| *key);
            let rows: Vec<Row> = keyed.into_iter().map(|(_, r)| r).collect();
            let limits = ClosingLimits { max_len: k, budget: u64::MAX, paths: 3 };
            let mut live = Engine::new(limits);
            for (i, r) in rows.iter().enumerate() {
                live.submit(i as u64, r, None);
            }
            let (pairs, cycles) = batch(&rows, k);
            proptest::prop_assert_eq!(live.totals().pairs, pairs);
            proptest::prop_assert_eq!(&live.totals().cycles, &cycles);
            let mut replayed = Engine::new(limits);
            for r in &rows {
                replayed.replay(r);
            }
            replayed.recount();
            proptest::prop_assert_eq!(replayed.totals(), live.totals());
        }
    }
}
