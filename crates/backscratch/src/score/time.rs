//! Time evidence, measured against the dataset's own distribution rather than a fixed number
//! alone:
//! - a pair's **time to reciprocate** is placed among the lags of every dated reciprocal pair
//!   in the data ([`LagBaseline`]);
//! - a ring's **span** (first to last date of its recommendations) is compared with the spans
//!   of random sets of as many dated recommendations from the same data ([`SpanBaseline`]):
//!   recommendations written independently of each other are spread over months or years,
//!   traded ones cluster.

use crate::graph::Graph;
use crate::rng::Rng;

/// Seconds per day.
pub(crate) const DAY: i64 = 86_400;
/// Fewer dated items than this give no dataset baseline.
pub(crate) const MIN_BASELINE: usize = 20;
/// Random sets drawn per size for the span baseline.
pub(crate) const SPAN_SAMPLES: usize = 1000;
/// A ring is "tight" when its span is below this percentile of random sets' spans.
pub(crate) const SPAN_PERCENTILE: f64 = 5.0;
/// A pair is "fast" only when faster than this percentile of the data's reciprocal pairs.
pub(crate) const LAG_PERCENTILE: f64 = 50.0;

/// Days with two decimals.
pub(crate) fn days(seconds: i64) -> f64 {
    (seconds as f64 / DAY as f64 * 100.0).round() / 100.0
}

/// A duration for people: "4 minutes", "3.5 hours", "12 days".
pub(crate) fn human_duration(seconds: i64) -> String {
    let s = seconds as f64;
    let (amount, unit) = if seconds < 3600 {
        ((s / 60.0).round(), "minute")
    } else if seconds < DAY {
        ((s / 360.0).round() / 10.0, "hour")
    } else {
        ((s / 8640.0).round() / 10.0, "day")
    };
    format!("{amount} {unit}{}", if amount == 1.0 { "" } else { "s" })
}

/// Share (%, one decimal) of `sorted` strictly below `x`.
fn percentile_of(sorted: &[i64], x: i64) -> f64 {
    let below = sorted.partition_point(|&v| v < x);
    (below as f64 * 1000.0 / sorted.len() as f64).round() / 10.0
}

/// Seconds between the two recommendations `ab` and `ba` of a reciprocal pair, if both are
/// dated.
pub(crate) fn pair_lag(g: &Graph, ab: u32, ba: u32) -> Option<i64> {
    Some((g.created(ab)? - g.created(ba)?).abs())
}

/// Seconds between the first and the last date of `edges`, if all are dated.
pub(crate) fn span_seconds(g: &Graph, edges: &[u32]) -> Option<i64> {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &e in edges {
        let t = g.created(e)?;
        lo = lo.min(t);
        hi = hi.max(t);
    }
    (lo <= hi).then(|| hi - lo)
}

/// The dataset's reciprocation lags.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LagBaseline {
    /// Lags in seconds of every dated reciprocal pair, sorted.
    sorted: Vec<i64>,
}

impl LagBaseline {
    /// The baseline of these lags in seconds (undated pairs are left out).
    pub fn new(lags: impl IntoIterator<Item = Option<i64>>) -> Self {
        let mut sorted: Vec<i64> = lags.into_iter().flatten().collect();
        sorted.sort_unstable();
        LagBaseline { sorted }
    }
    /// Whether there are enough dated pairs to compare with.
    pub fn usable(&self) -> bool {
        self.sorted.len() >= MIN_BASELINE
    }
    /// Dated pairs in the baseline.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }
    /// Whether no pair is dated.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }
    /// Share (%) of dated pairs reciprocated faster than `lag`, if there is a baseline.
    pub fn percentile(&self, lag: i64) -> Option<f64> {
        self.usable().then(|| percentile_of(&self.sorted, lag))
    }
    /// The median lag, if there is a baseline.
    pub fn median(&self) -> Option<i64> {
        self.usable().then(|| self.sorted[self.sorted.len() / 2])
    }
    /// Whether a pair reciprocated after `lag` seconds is fast: within `window_days`, and
    /// (when the data has a baseline) faster than [`LAG_PERCENTILE`] % of its pairs.
    pub fn fast(&self, lag: i64, window_days: f64) -> bool {
        lag as f64 <= window_days * DAY as f64 && self.percentile(lag).is_none_or(|p| p < LAG_PERCENTILE)
    }
}

/// Spans of random sets of dated recommendations, per set size.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpanBaseline {
    /// Dates of every dated edge (a deterministic sample of at most 1M).
    dates: Vec<i64>,
    /// `sorted_spans[L]`: sorted spans of [`SPAN_SAMPLES`] random sets of `L` dates (sizes
    /// 2..=8 precomputed).
    sorted_spans: Vec<Vec<i64>>,
}

impl SpanBaseline {
    /// Sizes whose spans are precomputed.
    const PRECOMPUTED: usize = 8;

    /// The baseline of `g`'s dated edges.
    pub fn new(g: &Graph) -> Self {
        let m = g.edge_count();
        let step = m.div_ceil(1 << 20).max(1);
        let dates: Vec<i64> = (0..m as u32).step_by(step).filter_map(|e| g.created(e)).collect();
        let mut b = SpanBaseline { dates, sorted_spans: Vec::new() };
        b.sorted_spans =
            (0..=Self::PRECOMPUTED).map(|size| if size < 2 { Vec::new() } else { b.sample(size) }).collect();
        b
    }

    fn sample(&self, size: usize) -> Vec<i64> {
        if self.dates.len() < MIN_BASELINE {
            return Vec::new();
        }
        let mut rng = Rng(0x5a11_u64 + size as u64);
        let mut spans: Vec<i64> = (0..SPAN_SAMPLES)
            .map(|_| {
                let (mut lo, mut hi) = (i64::MAX, i64::MIN);
                for _ in 0..size {
                    let t = self.dates[rng.below(self.dates.len())];
                    lo = lo.min(t);
                    hi = hi.max(t);
                }
                hi - lo
            })
            .collect();
        spans.sort_unstable();
        spans
    }

    /// Whether there are enough dated edges to compare with.
    pub fn usable(&self) -> bool {
        self.dates.len() >= MIN_BASELINE
    }

    /// The sorted random spans for sets of `size` dates (computed on demand above 8).
    fn spans(&self, size: usize) -> std::borrow::Cow<'_, [i64]> {
        match self.sorted_spans.get(size) {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(self.sample(size)),
        }
    }

    /// Share (%) of random sets of `size` dates whose span is below `span`.
    pub fn percentile(&self, size: usize, span: i64) -> Option<f64> {
        self.usable().then(|| percentile_of(&self.spans(size), span))
    }

    /// The [`SPAN_PERCENTILE`] percentile of random spans for `size` dates.
    pub fn threshold(&self, size: usize) -> Option<i64> {
        let spans = self.spans(size);
        self.usable().then(|| spans[(spans.len() as f64 * SPAN_PERCENTILE / 100.0) as usize])
    }

    /// Whether `size` recommendations within `span` seconds are tight: within `window_days`
    /// and (with a baseline) below the [`SPAN_PERCENTILE`] percentile of random sets.
    pub fn tight(&self, size: usize, span: i64, window_days: f64) -> bool {
        span as f64 <= window_days * DAY as f64 && self.threshold(size).is_none_or(|t| span < t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeRecord;

    #[test]
    fn lag_percentile_against_the_dataset() {
        let b = LagBaseline::new((0..40).map(|i| Some(i * 60)).chain([None]));
        assert_eq!(b.len(), 40);
        assert_eq!(b.percentile(600), Some(25.0));
        assert_eq!(b.median(), Some(1200));
        assert!(b.fast(600, 14.0));
        assert!(!b.fast(1800, 14.0), "slower than half the data");
        let few = LagBaseline::new([Some(1), Some(2)]);
        assert_eq!(few.percentile(1), None);
        assert!(few.fast(13 * DAY, 14.0) && !few.fast(15 * DAY, 14.0));
        assert_eq!(human_duration(60), "1 minute");
        assert_eq!(human_duration(5400), "1.5 hours");
        assert_eq!(human_duration(3 * DAY), "3 days");
        assert_eq!(days(DAY / 2), 0.5);
    }

    #[test]
    fn spans_of_random_sets() {
        // One recommendation a week for three years.
        let g = Graph::from_records(
            (0..160).map(|i| EdgeRecord::new(format!("p{i}"), format!("p{}", i + 1)).at(i * 7 * DAY)),
        );
        let b = SpanBaseline::new(&g);
        assert!(b.usable());
        let t3 = b.threshold(3).unwrap();
        assert!(t3 > 30 * DAY, "random triples are spread out: {t3}");
        assert!(b.tight(3, 5 * DAY, 30.0));
        assert!(!b.tight(3, 40 * DAY, 30.0), "outside the window");
        assert_eq!(b.percentile(3, 0), Some(0.0));
        assert!(b.threshold(20).unwrap() > t3, "more dates spread wider");
        let id = |i: usize| g.names().get(&format!("p{i}")).unwrap();
        let edges: Vec<u32> = (0..3).map(|i| g.edge_id(id(i), id(i + 1)).unwrap()).collect();
        assert_eq!(span_seconds(&g, &edges), Some(14 * DAY));
        let undated = Graph::from_edges([("a", "b")]);
        assert_eq!(span_seconds(&undated, &[0]), None);
        assert!(!SpanBaseline::new(&undated).usable());
    }
}
