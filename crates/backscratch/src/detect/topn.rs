//! A bounded collection that keeps the `n` smallest items of a stream under a total order.
//!
//! Items are appended to a buffer and, whenever it holds `2n`, cut back to the `n` smallest
//! by a linear-time selection, which also sets a bound that rejects most later items with one
//! comparison. Merging two collections appends one to the other and cuts again: cheap enough
//! that every parallel task can keep its own, and the result does not depend on how the
//! stream was split over threads. A [`SharedBound`] lets a task that starts late begin
//! from the tightest bound any task has reached, instead of filling `2n` items first.

use std::sync::Mutex;

/// The `limit` smallest items seen so far.
#[derive(Debug, Clone)]
pub(crate) struct TopN<T: Ord> {
    limit: usize,
    items: Vec<T>,
    /// The largest kept item after the last cut: anything not smaller cannot make the top.
    bound: Option<T>,
}

impl<T: Ord + Clone> TopN<T> {
    /// An empty collection that keeps at most `limit` items.
    pub(crate) fn new(limit: usize) -> Self {
        TopN { limit, items: Vec::new(), bound: None }
    }

    /// An empty collection that already knows nothing from `bound` up can make the top
    /// (a bound another collection of the same stream reached, see [`SharedBound`]).
    pub(crate) fn seeded(limit: usize, bound: Option<T>) -> Self {
        TopN { limit, items: Vec::new(), bound }
    }

    /// The bound, once there is one: nothing from it up can make the top.
    pub(crate) fn bound(&self) -> Option<&T> {
        self.bound.as_ref()
    }

    /// Whether `item` could still be among the smallest `limit` (cheap check before building
    /// it).
    pub(crate) fn would_keep(&self, item: &T) -> bool {
        self.limit > 0 && self.bound.as_ref().is_none_or(|b| item < b)
    }

    /// [`TopN::would_keep`] for an item not built yet: `below` says whether it would be
    /// smaller than the given bound.
    pub(crate) fn would_keep_by(&self, below: impl FnOnce(&T) -> bool) -> bool {
        self.limit > 0 && self.bound.as_ref().is_none_or(below)
    }

    /// Offer one item; true when that made the bound tighter.
    pub(crate) fn push(&mut self, item: T) -> bool {
        if self.would_keep(&item) {
            self.items.push(item);
            if self.items.len() >= self.limit.saturating_mul(2) {
                self.cut();
                return true;
            }
        }
        false
    }

    /// Keep only the `limit` smallest items and remember the largest of them. Called with
    /// at least `2 * limit` items and `limit >= 1`.
    fn cut(&mut self) {
        self.items.select_nth_unstable(self.limit - 1);
        self.items.truncate(self.limit);
        self.bound = Some(self.items[self.limit - 1].clone());
    }

    /// Keep the smallest of both collections.
    pub(crate) fn merge(&mut self, mut other: TopN<T>) {
        if self.limit == 0 || other.items.is_empty() {
            return;
        }
        if other.items.len() > self.items.len() {
            // Copy the smaller collection into the larger one.
            std::mem::swap(&mut self.items, &mut other.items);
        }
        self.bound = match (self.bound.take(), other.bound.take()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // Each side's bound was reached by a cut that kept `limit` items at or below it (on
        // that side, or for a seeded one on a collection merged in too), so nothing above the
        // smaller bound can make the top; the item *at* it can (it is the kept largest of its
        // side), so the test is `<=` here where `push` may use `<`.
        let bound = self.bound.clone();
        self.items.extend(other.items.into_iter().filter(|x| bound.as_ref().is_none_or(|b| x <= b)));
        if self.items.len() >= self.limit.saturating_mul(2) {
            self.cut();
        }
    }

    /// The kept items, smallest first.
    pub(crate) fn into_sorted_vec(mut self) -> Vec<T> {
        self.items.sort_unstable();
        self.items.truncate(self.limit);
        self.items
    }
}

/// The tightest bound reached by any of the collections one stream is split into, for
/// collections that start later ([`TopN::seeded`]).
#[derive(Debug)]
pub(crate) struct SharedBound<T>(Mutex<Option<T>>);

impl<T: Ord + Clone> Default for SharedBound<T> {
    fn default() -> Self {
        SharedBound(Mutex::new(None))
    }
}

impl<T: Ord + Clone> SharedBound<T> {
    /// A collection of at most `limit` that starts from the tightest bound so far.
    pub(crate) fn start(&self, limit: usize) -> TopN<T> {
        TopN::seeded(limit, self.0.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Publish `top`'s bound if it is tighter than the shared one.
    pub(crate) fn offer(&self, top: &TopN<T>) {
        if let Some(b) = top.bound() {
            let mut shared = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if shared.as_ref().is_none_or(|s| b < s) {
                *shared = Some(b.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_smallest_whatever_the_split() {
        let mut a = TopN::new(3);
        let mut b = TopN::new(3);
        for x in [9, 1, 7, 3, 12, 15, 4] {
            a.push(x);
        }
        for x in [2, 8, 0] {
            b.push(x);
        }
        a.merge(b);
        assert_eq!(a.into_sorted_vec(), vec![0, 1, 2]);
        let mut none = TopN::new(0);
        none.push(1);
        assert!(none.into_sorted_vec().is_empty());
    }

    #[test]
    fn merge_keeps_the_item_at_the_smaller_bound() {
        // Both collections have cut (bounds 5 and 3): the 3 held by the second must survive.
        let mut a = TopN::new(1);
        a.push(5);
        a.push(6);
        let mut b = TopN::new(1);
        b.push(3);
        b.push(4);
        a.merge(b);
        assert_eq!(a.into_sorted_vec(), vec![3]);
    }

    proptest::proptest! {
        /// Any split of a stream of distinct items into parts merged in any tree gives the
        /// smallest `limit` of the whole, as a full sort does.
        #[test]
        fn any_split_equals_a_full_sort(
            seed in 0u64..u64::MAX,
            limit in 1usize..12,
            len in 0usize..400,
            cuts in proptest::collection::vec(0usize..400, 0..12),
        ) {
            let values: Vec<u64> = (0..len as u64).map(|i| (i ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
            let mut expected = values.clone();
            expected.sort_unstable();
            expected.dedup();
            expected.truncate(limit);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(len)).collect();
            cuts.extend([0, len]);
            cuts.sort_unstable();
            // Half the seeds start every part from the bound the parts before it reached.
            let shared = SharedBound::default();
            let mut parts: Vec<TopN<u64>> = cuts
                .windows(2)
                .map(|w| {
                    let mut part = if seed % 2 == 0 { shared.start(limit) } else { TopN::new(limit) };
                    for &v in &values[w[0]..w[1]] {
                        if part.push(v) {
                            shared.offer(&part);
                        }
                    }
                    part
                })
                .collect();
            // Merge pairwise from the back, as a reduction tree would.
            while parts.len() > 1 {
                let last = parts.pop().unwrap();
                let i = (seed as usize) % parts.len();
                parts[i].merge(last);
            }
            let got = parts.pop().map(TopN::into_sorted_vec).unwrap_or_default();
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn equals_a_full_sort_on_many_splits() {
        let values: Vec<u64> = (0..10_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % 5000).collect();
        let mut expected = values.clone();
        expected.sort_unstable();
        expected.truncate(100);
        let mut total = TopN::new(100);
        for chunk in values.chunks(77) {
            let mut part = TopN::new(100);
            for &v in chunk {
                part.push(v);
            }
            total.merge(part);
        }
        assert_eq!(total.into_sorted_vec(), expected);
    }
}
