//! A bounded collection that keeps the `n` smallest items of a stream under a total order.
//! Merging two keeps the `n` smallest of both, so the result does not depend on how the
//! stream was split over threads.

use std::collections::BinaryHeap;

/// The `limit` smallest items seen so far.
#[derive(Debug, Clone)]
pub struct TopN<T: Ord> {
    limit: usize,
    heap: BinaryHeap<T>,
}

impl<T: Ord> TopN<T> {
    /// An empty collection that keeps at most `limit` items.
    pub fn new(limit: usize) -> Self {
        TopN { limit, heap: BinaryHeap::new() }
    }

    /// Whether `item` would be kept (cheap check before building it).
    pub fn would_keep(&self, item: &T) -> bool {
        self.heap.len() < self.limit || self.heap.peek().is_some_and(|worst| item < worst)
    }

    /// Offer one item.
    pub fn push(&mut self, item: T) {
        if self.heap.len() < self.limit {
            self.heap.push(item);
        } else if self.would_keep(&item) {
            self.heap.pop();
            self.heap.push(item);
        }
    }

    /// Keep the smallest of both collections.
    pub fn merge(&mut self, other: TopN<T>) {
        for item in other.heap {
            self.push(item);
        }
    }

    /// The kept items, smallest first.
    pub fn into_sorted_vec(self) -> Vec<T> {
        self.heap.into_sorted_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_smallest_whatever_the_split() {
        let mut a = TopN::new(3);
        let mut b = TopN::new(3);
        for x in [9, 1, 7, 3] {
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
}
