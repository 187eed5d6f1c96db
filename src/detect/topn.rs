//! A bounded collection that keeps the `n` smallest items of a stream under a total order.
//!
//! Items are appended to a buffer and, whenever it holds `2n`, cut back to the `n` smallest
//! by a linear-time selection, which also sets a bound that rejects most later items with one
//! comparison. Merging two collections appends one to the other and cuts again: cheap enough
//! that every parallel task can keep its own, and the result does not depend on how the
//! stream was split over threads.

/// The `limit` smallest items seen so far.
#[derive(Debug, Clone)]
pub struct TopN<T: Ord> {
    limit: usize,
    items: Vec<T>,
    /// The largest kept item after the last cut: anything not smaller cannot make the top.
    bound: Option<T>,
}

impl<T: Ord + Clone> TopN<T> {
    /// An empty collection that keeps at most `limit` items.
    pub fn new(limit: usize) -> Self {
        TopN { limit, items: Vec::new(), bound: None }
    }

    /// Whether `item` could still be among the smallest `limit` (cheap check before building
    /// it).
    pub fn would_keep(&self, item: &T) -> bool {
        self.limit > 0 && self.bound.as_ref().is_none_or(|b| item < b)
    }

    /// Offer one item.
    pub fn push(&mut self, item: T) {
        if self.would_keep(&item) {
            self.items.push(item);
            if self.items.len() >= self.limit.saturating_mul(2) {
                self.cut();
            }
        }
    }

    /// Keep only the `limit` smallest items and remember the largest of them. Called with
    /// at least `2 * limit` items and `limit >= 1`.
    fn cut(&mut self) {
        self.items.select_nth_unstable(self.limit - 1);
        self.items.truncate(self.limit);
        self.bound = Some(self.items[self.limit - 1].clone());
    }

    /// Keep the smallest of both collections.
    pub fn merge(&mut self, mut other: TopN<T>) {
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
        // Each side that has cut holds `limit` items at or below its bound, so nothing above
        // the smaller bound can make the top; the item *at* it can (it is the kept largest of
        // its side), so the test is `<=` here where `push` may use `<`.
        let bound = self.bound.clone();
        self.items.extend(other.items.into_iter().filter(|x| bound.as_ref().is_none_or(|b| x <= b)));
        if self.items.len() >= self.limit.saturating_mul(2) {
            self.cut();
        }
    }

    /// The kept items, smallest first.
    pub fn into_sorted_vec(mut self) -> Vec<T> {
        self.items.sort_unstable();
        self.items.truncate(self.limit);
        self.items
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
            let mut parts: Vec<TopN<u64>> = cuts
                .windows(2)
                .map(|w| {
                    let mut part = TopN::new(limit);
                    values[w[0]..w[1]].iter().for_each(|&v| part.push(v));
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
            chunk.iter().for_each(|&v| part.push(v));
            total.merge(part);
        }
        assert_eq!(total.into_sorted_vec(), expected);
    }
}
