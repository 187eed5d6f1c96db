//! Large arrays that the search reads at random (adjacency, per-vertex marks, the name
//! tables) are asked to live on huge pages where the kernel offers them on request
//! (`madvise(MADV_HUGEPAGE)`; Linux's default transparent huge page mode). On graphs of
//! tens of millions of people, a 4 KiB page per random access means a TLB miss on nearly
//! every one; 2 MiB pages take most of those away. Elsewhere this is a plain allocation.

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
