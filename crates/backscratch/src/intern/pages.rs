//! Memory hints for arrays read at random. Large ones (adjacency, per-vertex marks, the name
//! tables) are asked to live on huge pages where the kernel offers them on request
//! (`madvise(MADV_HUGEPAGE)`; Linux's default transparent huge page mode): on graphs of tens
//! of millions of people, a 4 KiB page per random access means a TLB miss on nearly every
//! one, and 2 MiB pages take most of those away. Loops that know which elements they will
//! read next [`prefetch`] them, so that several cache misses are under way at once.
//! Elsewhere both are no-ops.

/// Arrays smaller than this gain nothing from huge pages.
const WORTH_IT: usize = 8 << 20;

/// A vector of `n` copies of `value`, on huge pages when it is large and the kernel agrees.
pub(crate) fn filled<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    advise(&v);
    v.resize(n, value);
    v
}

/// A vector of the items of `items` (exactly `n` of them), on huge pages when it is large.
pub(crate) fn collected<T>(n: usize, items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    advise(&v);
    v.extend(items);
    v
}

/// Start loading `items[i]` into the cache, if `i` is in bounds (a hint only).
#[inline]
pub(crate) fn prefetch<T>(items: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = items.get(i) {
        // SAFETY: a prefetch never faults and reads nothing into the program; the address is
        // that of a live element.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, i);
}

/// Ask for huge pages for the capacity of `v` (before it is first written).
fn advise<T>(v: &Vec<T>) {
    let bytes = v.capacity() * std::mem::size_of::<T>();
    if bytes < WORTH_IT {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 2 << 20;
        let start = v.as_ptr() as usize;
        let first = start.next_multiple_of(PAGE);
        let end = (start + bytes) & !(PAGE - 1);
        if end > first {
            // SAFETY: the range lies inside the vector's own allocation; MADV_HUGEPAGE only
            // changes how the kernel backs those pages, never their contents, and a refusal
            // (no transparent huge pages) is harmless, so the result is ignored.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn filled_and_collected_hold_what_was_asked() {
        let big = super::filled(3 << 20, 7u32);
        assert_eq!((big.len(), big[0], big[(3 << 20) - 1]), (3 << 20, 7, 7));
        let small = super::collected(3, [1u8, 2, 3]);
        assert_eq!(small, [1, 2, 3]);
    }
}
