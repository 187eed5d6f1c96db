//! Assessment: the [`Facts`] of a finding from the evidence prepared once per scan
//! ([`Evidence`]), and the signals a report shows for it. The fast path ([`Evidence::facts`])
//! allocates nothing, so that every cycle of a large graph can be scored during the search;
//! [`Evidence::signals`] writes the explanations for the findings that are listed.

use std::borrow::Cow;

use serde_json::{json, Value};

use super::corroboration::{self, Backing, Tally};
use super::employment::Employment;
use super::rule::{self, Check, Facts, Outcome};
use super::text::{self, TextIndex};
use super::time::{self, LagBaseline, SpanBaseline};
use super::{FindingKind, Signal};
use crate::graph::Graph;

/// Settings that change how findings are judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A pair reciprocated within this many days can be fast.
    pub pair_window_days: f64,
    /// A cycle or ring whose dates span at most this many days can be tight.
    pub ring_window_days: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { pair_window_days: 14.0, ring_window_days: 30.0 }
    }
}

/// Everything prepared once per scan to judge findings.
pub struct Evidence<'g> {
    /// The graph.
    pub g: &'g Graph,
    /// Backing of every edge.
    pub backings: Vec<Backing>,
    /// Texts, if the data has any.
    pub texts: Option<TextIndex>,
    /// The data's reciprocation lags (borrowed when judging against an earlier scan's).
    pub lags: Cow<'g, LagBaseline>,
    /// Spans of random sets of the data's dates (borrowed likewise).
    pub spans: Cow<'g, SpanBaseline>,
    /// Windows.
    pub thresholds: Thresholds,
    /// Employment histories, for explanations.
    pub employment: Option<&'g Employment>,
    /// The one backing every edge has, if they all have the same (found on first use, so
    /// after `backings` is final).
    uniform: std::sync::OnceLock<Option<Backing>>,
}

/// The name of `check`'s signal in a report, for a finding of `kind` (what
/// [`Evidence::signals`] names it).
pub(crate) fn signal_name(check: Check, kind: FindingKind) -> &'static str {
    match check {
        Check::Structure => "structure",
        Check::Time if kind == FindingKind::Pair => "reciprocation_lag_days",
        Check::Time => "ring_span_days",
        Check::Corroborated => "corroborated",
        Check::Uncorroborated => "uncorroborated",
        Check::Strangers => "strangers",
        Check::Contradicted => "relationship_contradicted",
        Check::TextSimilarity => "text_similarity",
        Check::GenericText => "generic_text",
        Check::StockOnly => "stock_praise_only",
        Check::Concentration => "concentration",
        Check::GroupShape => "group_shape",
    }
}

/// Role counts of up to this many members are kept on the stack.
const STACK_MEMBERS: usize = 16;

impl<'g> Evidence<'g> {
    /// Prepare the evidence. `pair_lags` are the lags of every reciprocal pair.
    pub fn new(
        g: &'g Graph,
        employment: Option<&'g Employment>,
        pair_lags: impl IntoIterator<Item = Option<i64>>,
        thresholds: Thresholds,
    ) -> Self {
        let (lags, spans) = (LagBaseline::new(pair_lags), SpanBaseline::new(g));
        Evidence::with_baselines(g, employment, Cow::Owned(lags), Cow::Owned(spans), thresholds)
    }

    /// Prepare the evidence of `g` with baselines measured elsewhere (an earlier scan's,
    /// for findings judged one at a time: [`super::online`]).
    pub(crate) fn with_baselines(
        g: &'g Graph,
        employment: Option<&'g Employment>,
        lags: Cow<'g, LagBaseline>,
        spans: Cow<'g, SpanBaseline>,
        thresholds: Thresholds,
    ) -> Self {
        let texts = TextIndex::build(g);
        let mut backings = corroboration::edge_backings(g, employment);
        if let Some(t) = &texts {
            corroboration::mark_hollow_claims(&mut backings, |e| t.is_generic(e));
        }
        Evidence { g, backings, texts, lags, spans, thresholds, employment, uniform: std::sync::OnceLock::new() }
    }

    /// The backing of every edge when all edges are backed alike.
    pub(crate) fn uniform_backing(&self) -> Option<Backing> {
        *self.uniform.get_or_init(|| {
            let first = *self.backings.first()?;
            self.backings.iter().all(|&b| b == first).then_some(first)
        })
    }

    /// Whether any edge's backing could be checked (employment data or relationship fields).
    pub fn corroboration_checkable(&self) -> bool {
        self.backings.iter().any(|&b| b != Backing::Unknown)
    }

    /// The facts of a finding. `members` for a pair is its two people; for a cycle the
    /// people around it; for a ring all of them, sorted.
    ///
    /// With `shape_only_for_rings`, the member-activity facts (concentration, density,
    /// insularity) are computed for rings only: in a pair or a cycle each member gives and
    /// receives exactly one recommendation inside, which can never reach the concentration
    /// share above the activity floor, and group shape is a ring check; so the rule's outcome
    /// is the same, and the search skips a random memory access per member.
    pub fn facts(&self, kind: FindingKind, members: &[u32], edges: &[u32], shape_only_for_rings: bool) -> Facts {
        let g = self.g;
        let time = match kind {
            FindingKind::Pair => time::pair_lag(g, edges[0], edges[1]),
            _ => time::span_seconds(g, edges),
        };
        let fast = self.is_fast(kind, edges.len(), time);
        let (texts, generic, similarity, similar, generic_meaningful, stock_chance) = match &self.texts {
            Some(t) => {
                let (texts, generic) = t.generic_count(edges);
                let similarity = t.mean_similarity(edges);
                let chance = t.generic_share.powi(texts as i32);
                (texts, generic, similarity, t.similar(similarity), t.generic_share < 0.5, chance)
            }
            None => (0, 0, None, false, false, 1.0),
        };
        let shape = kind == FindingKind::Ring || !shape_only_for_rings;
        let (judged, concentrated) = if shape { self.concentration(kind, members, edges) } else { (0, 0) };
        let n = members.len() as f64;
        let density = edges.len() as f64 / (n * (n - 1.0)).max(1.0);
        let touching: usize = if shape {
            members.iter().map(|&v| g.given_in_whole(v) + g.received_in_whole(v)).sum::<usize>() - edges.len()
        } else {
            0
        };
        Facts {
            kind,
            members: members.len() as u32,
            edges: edges.len() as u32,
            time,
            fast,
            backing: Tally::of(&self.backings, edges),
            texts,
            generic,
            generic_meaningful,
            stock_chance,
            similarity,
            similar,
            judged,
            concentrated,
            density,
            insularity: edges.len() as f64 / touching.max(1) as f64,
            endorsements: if g.has_other_kinds() {
                edges.iter().filter(|&&e| g.kind(e).is_some()).count() as u32
            } else {
                0
            },
        }
    }

    /// Whether a pair's lag is fast or the span of a cycle or ring of `edges` recommendations
    /// is tight, by the windows and against the dataset.
    pub(crate) fn is_fast(&self, kind: FindingKind, edges: usize, time: Option<i64>) -> bool {
        // A year- or month-only date cannot support a lag or span of days.
        let precise = self.g.date_precision() == crate::ingest::date::DatePrecision::Day;
        precise
            && time.is_some_and(|t| match kind {
                FindingKind::Pair => self.lags.fast(t, self.thresholds.pair_window_days),
                _ => self.spans.tight(edges, t, self.thresholds.ring_window_days),
            })
    }

    /// `(judged, concentrated)` members: active enough in a role (given or received at least
    /// [`rule::ACTIVITY_FLOOR`]), and with at least [`rule::CONCENTRATION_SHARE`] of that
    /// role's recommendations inside the finding.
    fn concentration(&self, kind: FindingKind, members: &[u32], edges: &[u32]) -> (u32, u32) {
        let mut given = [0u32; STACK_MEMBERS];
        let mut received = [0u32; STACK_MEMBERS];
        let mut heap: (Vec<u32>, Vec<u32>);
        if kind != FindingKind::Ring {
            // In a pair or a cycle everyone gives one and receives one inside: no need to look
            // up each edge's endpoints (a binary search) on the hot path.
            given[..members.len()].fill(1);
            received[..members.len()].fill(1);
            return self.judge_roles(members, &given[..members.len()], &received[..members.len()]);
        }
        let (given, received): (&mut [u32], &mut [u32]) = if members.len() <= STACK_MEMBERS {
            (&mut given[..members.len()], &mut received[..members.len()])
        } else {
            heap = (vec![0; members.len()], vec![0; members.len()]);
            (&mut heap.0, &mut heap.1)
        };
        for &e in edges {
            let (a, b) = self.g.endpoints(e);
            if let Some(i) = members.iter().position(|&m| m == a) {
                given[i] += 1;
            }
            if let Some(i) = members.iter().position(|&m| m == b) {
                received[i] += 1;
            }
        }
        self.judge_roles(members, given, received)
    }

    /// `(judged, concentrated)` from each member's given and received counts inside.
    fn judge_roles(&self, members: &[u32], given: &[u32], received: &[u32]) -> (u32, u32) {
        let (mut judged, mut concentrated) = (0, 0);
        for (i, &v) in members.iter().enumerate() {
            let roles = [(given[i], self.g.given_in_whole(v)), (received[i], self.g.received_in_whole(v))];
            let mut active = roles.iter().filter(|&&(_, total)| total as u32 >= rule::ACTIVITY_FLOOR).peekable();
            if active.peek().is_some() {
                judged += 1;
                if active.any(|&(inside, total)| f64::from(inside) >= rule::CONCENTRATION_SHARE * total as f64) {
                    concentrated += 1;
                }
            }
        }
        (judged, concentrated)
    }

    /// Judge a finding.
    pub fn judge(&self, kind: FindingKind, members: &[u32], edges: &[u32]) -> (Facts, Outcome) {
        let f = self.facts(kind, members, edges, false);
        (f, rule::evaluate(&f))
    }

    /// The rule's outcome alone, as fast as possible (see [`Evidence::facts`]).
    pub fn outcome(&self, kind: FindingKind, members: &[u32], edges: &[u32]) -> Outcome {
        rule::evaluate(&self.facts(kind, members, edges, true))
    }

    /// Every signal of a finding, for the report.
    pub fn signals(&self, f: &Facts, outcome: &Outcome, edges: &[u32]) -> Vec<Signal> {
        Check::ALL.iter().map(|&c| self.signal(c, f, outcome.fired(c), edges)).collect()
    }

    fn signal(&self, check: Check, f: &Facts, fired: bool, edges: &[u32]) -> Signal {
        let (name, value, baseline, explanation) = match check {
            Check::Structure => self.structure_signal(f),
            Check::Time => self.time_signal(f),
            Check::Corroborated | Check::Uncorroborated | Check::Contradicted | Check::Strangers => {
                self.backing_signal(check, f, edges)
            }
            Check::TextSimilarity => self.similarity_signal(f),
            Check::GenericText => self.generic_signal(f),
            Check::StockOnly => self.stock_only_signal(f),
            Check::Concentration => (
                "concentration",
                json!({"members_judged": f.judged, "members_concentrated": f.concentrated}),
                json!({"activity_floor": rule::ACTIVITY_FLOOR, "share": rule::CONCENTRATION_SHARE}),
                format!(
                    "{} of {} member(s) active enough to judge (>= {} given or received) have at least half of \
                     those recommendations inside this finding",
                    f.concentrated,
                    f.judged,
                    rule::ACTIVITY_FLOOR
                ),
            ),
            Check::GroupShape => (
                "group_shape",
                json!({"size": f.members, "density": round3(f.density), "insularity": round3(f.insularity)}),
                json!({"min_density": rule::SHAPE_MIN, "min_insularity": rule::SHAPE_MIN}),
                format!(
                    "{} people, {:.0}% of the possible recommendations among them exist, {:.0}% of their \
                     recommendations stay inside the group",
                    f.members,
                    f.density * 100.0,
                    f.insularity * 100.0
                ),
            ),
        };
        Signal { name: name.into(), value, baseline, fired, points: check.points(), explanation }
    }

    fn structure_signal(&self, f: &Facts) -> (&'static str, Value, Value, String) {
        let explanation = match f.kind {
            FindingKind::Pair => "two people who recommended each other: a candidate, not a verdict".to_string(),
            FindingKind::Cycle => format!("a ring of {} people, each recommending the next", f.members),
            FindingKind::Ring => {
                format!("{} people and {} recommendations in overlapping rings and pairs", f.members, f.edges)
            }
        };
        ("structure", json!({"members": f.members, "recommendations": f.edges}), json!(3), explanation)
    }

    fn time_signal(&self, f: &Facts) -> (&'static str, Value, Value, String) {
        let pair = f.kind == FindingKind::Pair;
        let name = if pair { "reciprocation_lag_days" } else { "ring_span_days" };
        let Some(t) = f.time else {
            return (name, Value::Null, Value::Null, "not every recommendation is dated".into());
        };
        let precision = self.g.date_precision();
        if precision != crate::ingest::date::DatePrecision::Day {
            let why =
                format!("not checked: the data's dates are {} only, too coarse for a lag or span", precision.plural());
            return (name, Value::Null, Value::Null, why);
        }
        let d = time::human_duration(t);
        if pair {
            let window = self.thresholds.pair_window_days;
            let pct = self.lags.percentile(t);
            let context = match (pct, self.lags.median()) {
                (Some(p), Some(m)) => format!(
                    "; {p}% of the {} dated reciprocal pairs in the data were faster (median {})",
                    self.lags.len(),
                    time::human_duration(m)
                ),
                _ => format!("; only {} dated reciprocal pair(s) in the data, too few to compare", self.lags.len()),
            };
            (
                name,
                json!(time::days(t)),
                json!({"window_days": window, "percentile": pct, "fast_below_percentile": time::LAG_PERCENTILE}),
                format!("recommended each other {d} apart (window {window} days){context}"),
            )
        } else {
            let window = self.thresholds.ring_window_days;
            let size = f.edges as usize;
            let pct = self.spans.percentile(size, t);
            let context = match (pct, self.spans.threshold(size)) {
                (Some(p), Some(th)) => format!(
                    "; {p}% of random sets of {size} dated recommendations from the data span less (5th \
                     percentile {})",
                    time::human_duration(th)
                ),
                _ => "; too few dated recommendations in the data to compare".to_string(),
            };
            (
                name,
                json!(time::days(t)),
                json!({"window_days": window, "percentile": pct, "tight_below_percentile": time::SPAN_PERCENTILE}),
                format!("its {size} recommendations were written within {d} (window {window} days){context}"),
            )
        }
    }

    fn backing_signal(&self, check: Check, f: &Facts, edges: &[u32]) -> (&'static str, Value, Value, String) {
        let t = f.backing;
        let value = json!({
            "employment": t.employment, "claimed": t.claimed, "hollow_claim": t.hollow,
            "uncorroborated": t.uncorroborated, "contradicted": t.contradicted, "unknown": t.unknown,
        });
        let summary = corroboration::describe(self.g, edges, &self.backings, self.employment);
        let (name, lead) = match check {
            Check::Corroborated => (
                "corroborated",
                "fires when more checked recommendations are backed than not and none is contradicted (a claim \
                 nothing can check, in stock praise, counts neither way)",
            ),
            Check::Uncorroborated => {
                ("uncorroborated", "fires when at least half have no working relationship on record")
            }
            Check::Strangers => (
                "strangers",
                "fires when every one is between people whose histories are on file and never overlapped, none \
                 stating a relationship that is not about an employer",
            ),
            _ => ("relationship_contradicted", "fires when a claimed working relationship is ruled out"),
        };
        let explanation =
            if t.checked() { format!("{lead}: {summary}") } else { format!("could not be checked: {summary}") };
        // What the counts are held against: the edges against (corroborated), half of all
        // edges (uncorroborated), none (contradicted).
        let baseline = match check {
            Check::Corroborated => json!({"backed_must_exceed": t.against(), "contradicted_max": 0}),
            Check::Uncorroborated => json!({"share": 0.5}),
            Check::Strangers => json!({"share": 1.0}),
            _ => json!({"contradicted_max": 0}),
        };
        (name, value, baseline, explanation)
    }

    fn similarity_signal(&self, f: &Facts) -> (&'static str, Value, Value, String) {
        let p95 = self.texts.as_ref().and_then(|t| t.similarity_p95);
        let explanation = match (f.similarity, p95) {
            (Some(s), Some(p)) => format!(
                "texts inside are {:.0}% alike (word 3-shingles, names removed); 95% of random text pairs in the \
                 data are at most {:.0}% alike",
                s * 100.0,
                p * 100.0
            ),
            (None, _) if self.texts.is_some() => "fewer than two texts in this finding".to_string(),
            _ => "no recommendation texts in the data".to_string(),
        };
        (
            "text_similarity",
            json!(f.similarity.map(round3)),
            json!({"random_pairs_p95": p95.map(round3), "min": text::MIN_SIMILARITY}),
            explanation,
        )
    }

    fn generic_signal(&self, f: &Facts) -> (&'static str, Value, Value, String) {
        let share = self.texts.as_ref().map(|t| round3(t.generic_share));
        let explanation = match share {
            Some(s) => format!(
                "{} of {} text(s) are stock praise (>= {} stock phrases such as \"team player\"); {:.0}% of texts in \
                 the data are",
                f.generic,
                f.texts,
                text::GENERIC_PHRASES,
                s * 100.0
            ),
            None => "no recommendation texts in the data".to_string(),
        };
        ("generic_text", json!({"generic": f.generic, "texts": f.texts}), json!({"data_share": share}), explanation)
    }
}

impl Evidence<'_> {
    fn stock_only_signal(&self, f: &Facts) -> (&'static str, Value, Value, String) {
        let explanation = match &self.texts {
            Some(t) => format!(
                "{} of {} recommendation(s) have a text and {} of those are stock praise; {:.0}% of texts in the data \
                 are, so {} random ones would all be with a chance of {}",
                f.texts,
                f.edges,
                f.generic,
                t.generic_share * 100.0,
                f.texts,
                chance_words(f.stock_chance)
            ),
            None => "no recommendation texts in the data".to_string(),
        };
        (
            "stock_praise_only",
            json!({"generic": f.generic, "texts": f.texts, "recommendations": f.edges}),
            json!({"chance": (f.texts > 0).then(|| round6(f.stock_chance)), "max_chance": rule::STOCK_CHANCE}),
            explanation,
        )
    }
}

/// `0.4%`, or `about 1 in 12000` below a thousandth.
fn chance_words(p: f64) -> String {
    if p >= 0.001 {
        format!("{:.1}%", p * 100.0)
    } else if p > 0.0 {
        format!("about 1 in {}", (1.0 / p).round() as u64)
    } else {
        "0".to_string()
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `x` rounded to 3 decimals, as reports show shares.
pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeRecord;

    #[test]
    fn fast_and_full_facts_give_the_same_outcome() {
        // A club of four who all recommend each other within a week, plus outside activity.
        let club = ["ann", "bob", "cid", "dan"];
        let mut records: Vec<EdgeRecord<String>> = Vec::new();
        for (i, a) in club.iter().enumerate() {
            for (j, b) in club.iter().enumerate() {
                if i != j {
                    records.push(EdgeRecord::new(a.to_string(), b.to_string()).at((i * 4 + j) as i64 * 3600));
                }
            }
            for k in 0..3 {
                records.push(EdgeRecord::new(format!("x{i}{k}"), a.to_string()).at(k * 400 * time::DAY));
            }
        }
        for k in 0..30 {
            records.push(EdgeRecord::new(format!("y{k}"), format!("z{k}")).at(k * 50 * time::DAY));
        }
        let g = Graph::from_records(records);
        let ev = Evidence::new(&g, None, [], Thresholds::default());
        let id = |n: &str| g.names().get(n).unwrap();
        let e = |a: &str, b: &str| g.edge_id(id(a), id(b)).unwrap();
        let cycle = ([id("ann"), id("bob"), id("cid")], [e("ann", "bob"), e("bob", "cid"), e("cid", "ann")]);
        let pair = ([id("ann"), id("bob")], [e("ann", "bob"), e("bob", "ann")]);
        assert_eq!(
            ev.judge(FindingKind::Cycle, &cycle.0, &cycle.1).1,
            ev.outcome(FindingKind::Cycle, &cycle.0, &cycle.1)
        );
        assert_eq!(ev.judge(FindingKind::Pair, &pair.0, &pair.1).1, ev.outcome(FindingKind::Pair, &pair.0, &pair.1));
        let members: Vec<u32> = club.iter().map(|n| id(n)).collect();
        let mut edges: Vec<u32> = Vec::new();
        for a in club {
            for b in club.iter().filter(|&&b| b != a) {
                edges.push(e(a, b));
            }
        }
        edges.sort_unstable();
        let (f, o) = ev.judge(FindingKind::Ring, &members, &edges);
        assert_eq!(o, ev.outcome(FindingKind::Ring, &members, &edges));
        assert_eq!((f.judged, f.concentrated), (4, 4), "each gives 3 of 3 inside");
        assert_eq!(f.density, 1.0);
        assert!(o.fired(Check::Concentration) && o.fired(Check::GroupShape) && o.fired(Check::Time));
        assert!(!o.fired(Check::Corroborated) && !o.fired(Check::Uncorroborated), "nothing could be checked");
        assert_eq!(o.severity, crate::score::Severity::Medium, "high needs evidence against");
        // The stream's signal names are the report's.
        for (kind, m, es) in [
            (FindingKind::Pair, &pair.0[..], &pair.1[..]),
            (FindingKind::Cycle, &cycle.0[..], &cycle.1[..]),
            (FindingKind::Ring, &members[..], &edges[..]),
        ] {
            let (f, o) = ev.judge(kind, m, es);
            let names: Vec<String> = ev.signals(&f, &o, es).into_iter().map(|s| s.name).collect();
            let expected: Vec<&str> = Check::ALL.iter().map(|&c| signal_name(c, kind)).collect();
            assert_eq!(names, expected, "{kind:?}");
        }
    }
}
