//! When a parallel loop runs on the calling thread. A rayon loop over a handful of items
//! still hands its halves to the pool when it splits them; called from a thread outside any
//! pool (a server judging one new recommendation, a library user's own thread), that wakes
//! idle workers, which then spin in `sched_yield` waiting for the next tiny job. Loops that
//! may be small keep at least [`MIN_LEN`] items per piece, so that below it they never split
//! and run where they are called, with no pool involved; above it they split as before.

/// Fewest items a parallel loop hands to another thread at once.
pub(crate) const MIN_LEN: usize = 1 << 12;

/// Whether `len` items are few enough to work through on the calling thread.
pub(crate) fn small(len: usize) -> bool {
    len < MIN_LEN
}
