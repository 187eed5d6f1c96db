//! The rule's outcome for each of millions of cycles, cheaply: a cycle's outcome depends on
//! a few facts only (its kind and length, whether its dates are tight, how its
//! recommendations are backed, how many are endorsements), so each search task remembers
//! the outcome of every combination it has met ([`VerdictCache`]) and judges a cycle by
//! reading one byte and one date per recommendation.
//!
//! The cache is exact by construction: on a miss the outcome is computed by the full
//! [`Evidence::outcome`] of the cycle at hand, and a key holds everything that outcome can
//! depend on when the data has no texts (with texts, every cycle is judged in full: text
//! similarity is a property of the texts themselves). The tests check it against the full
//! judgement on every cycle of dated, backed and mixed graphs.

use super::assess::Evidence;
use super::rule::{Outcome, CHECKS};
use super::{FindingKind, Severity};

/// Slots in a [`VerdictCache`] (a power of two). Real data meets a few dozen keys.
const SLOTS: usize = 256;

/// Outcomes already computed by one search task, by key (direct-mapped; a collision only
/// costs a recomputation). On the heap: a task's state moves with every root it searches.
pub struct VerdictCache {
    keys: Box<[u64; SLOTS]>,
    outcomes: Box<[Outcome; SLOTS]>,
}

impl Default for VerdictCache {
    fn default() -> Self {
        let empty = Outcome { score: 0, severity: Severity::Info, fired: [false; CHECKS] };
        VerdictCache { keys: Box::new([0; SLOTS]), outcomes: Box::new([empty; SLOTS]) }
    }
}

impl std::fmt::Debug for VerdictCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerdictCache").field("filled", &self.keys.iter().filter(|&&k| k != 0).count()).finish()
    }
}

impl Evidence<'_> {
    /// The rule's outcome for a pair or a cycle (`members` its people, `edges` its
    /// recommendations), equal to [`Evidence::outcome`], remembered in `cache`.
    pub fn cached_outcome(
        &self,
        kind: FindingKind,
        members: &[u32],
        edges: &[u32],
        cache: &mut VerdictCache,
    ) -> Outcome {
        let Some(key) = self.verdict_key(kind, edges) else {
            return self.outcome(kind, members, edges);
        };
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % SLOTS;
        if cache.keys[slot] != key {
            cache.keys[slot] = key;
            cache.outcomes[slot] = self.outcome(kind, members, edges);
        }
        cache.outcomes[slot]
    }

    /// Everything the outcome of a pair or cycle depends on, packed in a nonzero word: the
    /// count of each backing (a nibble each), of endorsements (a nibble), the length, whether
    /// the dates are fast or tight, and the kind. `None` for rings and when the data has texts.
    fn verdict_key(&self, kind: FindingKind, edges: &[u32]) -> Option<u64> {
        if kind == FindingKind::Ring || self.texts.is_some() || edges.len() > 15 {
            return None;
        }
        let g = self.g;
        // When every recommendation is backed alike (no histories: all unknown), the counts
        // follow from the length, and undated data has no span to read: nothing per edge.
        let backings = match self.uniform_backing() {
            Some(b) => (edges.len() as u64) << (4 * b as u32),
            None => edges.iter().map(|&e| 1u64 << (4 * self.backings[e as usize] as u32)).sum(),
        };
        let time = match kind {
            _ if !g.has_dates() => None,
            FindingKind::Pair => crate::score::time::pair_lag(g, edges[0], edges[1]),
            _ => crate::score::time::span_seconds(g, edges),
        };
        let endorsements =
            if g.has_other_kinds() { edges.iter().filter(|&&e| g.kind(e).is_some()).count() as u64 } else { 0 };
        let fast = self.is_fast(kind, edges.len(), time);
        Some(backings | endorsements << 24 | (edges.len() as u64) << 32 | u64::from(fast) << 40 | (kind as u64) << 41)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{self, CycleVisitor};
    use crate::graph::{EdgeRecord, Graph};
    use crate::score::assess::Thresholds;
    use crate::score::corroboration::Backing;
    use std::sync::atomic::AtomicBool;

    /// Checks the cached outcome against the full one on every cycle it visits.
    struct Compare<'a> {
        ev: &'a Evidence<'a>,
        cache: VerdictCache,
        seen: u64,
        /// Cycles whose dates were tight (so the key's time bit is exercised).
        tight: u64,
    }

    impl CycleVisitor for Compare<'_> {
        fn cycle(&mut self, vertices: &[u32], edges: &[u32]) {
            let quick = self.ev.cached_outcome(FindingKind::Cycle, vertices, edges, &mut self.cache);
            assert_eq!(quick, self.ev.outcome(FindingKind::Cycle, vertices, edges), "cycle {vertices:?}");
            self.seen += 1;
            self.tight += u64::from(quick.fired(crate::score::rule::Check::Time));
        }
        fn merge(&mut self, other: Self) {
            self.seen += other.seen;
            self.tight += other.tight;
        }
    }

    /// A dense random graph whose recommendations have dates close together or far apart,
    /// some undated, some endorsements, and every backing.
    fn mixed_graph(seed: u64) -> Graph {
        let mut rng = crate::rng::Rng(seed);
        let mut rows = Vec::new();
        for _ in 0..400 {
            let (a, b) = (rng.below(30), rng.below(30));
            if a == b {
                continue;
            }
            let created = match rng.below(4) {
                0 => None,
                1 => Some(1_600_000_000 + rng.below(86_400 * 3) as i64),
                _ => Some(1_600_000_000 + rng.below(86_400 * 900) as i64),
            };
            let kind = (rng.below(6) == 0).then(|| "endorsement".to_string());
            rows.push(EdgeRecord { created, kind, ..EdgeRecord::new(format!("p{a}"), format!("p{b}")) });
        }
        Graph::from_records(rows)
    }

    #[test]
    fn equals_the_full_judgement_on_every_cycle() {
        for seed in 1..=4 {
            let g = mixed_graph(seed);
            let lags: Vec<_> = detect::pairs::reciprocal_pairs(&g)
                .iter()
                .map(|p| crate::score::time::pair_lag(&g, p.ab, p.ba))
                .collect();
            let mut ev = Evidence::new(&g, None, lags, Thresholds::default());
            let mut rng = crate::rng::Rng(seed + 100);
            let all = [
                Backing::Employment,
                Backing::Claimed,
                Backing::HollowClaim,
                Backing::Uncorroborated,
                Backing::Contradicted,
                Backing::Unknown,
            ];
            // Odd seeds keep the data's backings (no histories: all unknown, the uniform case).
            if seed % 2 == 0 {
                ev.backings.iter_mut().for_each(|b| *b = all[rng.below(all.len())]);
            }
            assert_eq!(ev.uniform_backing().is_some(), seed % 2 == 1);
            let stop = AtomicBool::new(false);
            let out = detect::visit_cycles(&g, 5, &stop, || Compare {
                ev: &ev,
                cache: VerdictCache::default(),
                seen: 0,
                tight: 0,
            });
            assert!(out.visitor.seen > 1_000, "seed {seed}: only {} cycles", out.visitor.seen);
            assert!(out.visitor.tight > 0, "seed {seed}: no tight cycle");
            let mut cache = VerdictCache::default();
            for p in detect::pairs::reciprocal_pairs(&g) {
                let (m, e) = ([p.a, p.b], [p.ab, p.ba]);
                assert_eq!(
                    ev.cached_outcome(FindingKind::Pair, &m, &e, &mut cache),
                    ev.outcome(FindingKind::Pair, &m, &e)
                );
            }
        }
    }
}
