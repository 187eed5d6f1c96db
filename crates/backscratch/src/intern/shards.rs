//! Names to ids while many threads read the inputs: the dictionary is split into
//! [`SHARDS`] shards by a hash of the name, each an [`Interner`] behind its own lock.
//!
//! A thread that parsed a stretch of a file hands over all of its names at once
//! ([`ShardedInterner::intern_batch`]): they are grouped by shard and each shard is locked
//! once per stretch, taking the shards that are free first, so two threads rarely wait for
//! each other. An id is the name's place in its shard and the shard's number, so a lookup
//! touches one table and nothing else; the graph builder renumbers everyone in sorted name
//! order ([`ShardedInterner::into_sorted`]), which is what makes ids, reports and cycle
//! order independent of threads, shards and input order.
//!
//! Each shard keeps the single interner's defence against names crafted to collide (it
//! switches to a keyed hash), and shards are chosen under a per-process random key, so names
//! cannot be crafted to crowd one shard.

use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};

use rayon::prelude::*;

use super::interner::{self, Interner};
use super::names::Names;

/// Number of shards: enough that two to a few dozen threads seldom want the same one.
pub(crate) const SHARDS: usize = 64;

/// One shard: an interner whose local id `l` is the global id `l << SHARD_BITS | shard`, so
/// that a lookup touches the shard's table and nothing else.
type Shard = Interner;

/// Bits of an id that name its shard.
const SHARD_BITS: u32 = SHARDS.trailing_zeros();

fn intern_in(shard: &mut Shard, s: usize, name: &str) -> u32 {
    let local = shard.intern(name);
    assert!(local < 1 << (32 - SHARD_BITS), "fewer than 2^26 names in one shard (about 4 billion in all)");
    local << SHARD_BITS | s as u32
}

/// A dictionary of names that many threads can add to at once.
#[derive(Debug)]
pub struct ShardedInterner {
    shards: Box<[Mutex<Shard>]>,
}

impl Default for ShardedInterner {
    fn default() -> Self {
        ShardedInterner { shards: (0..SHARDS).map(|_| Mutex::default()).collect() }
    }
}

/// A per-process random key for choosing shards: names crafted to fall into one shard (and so
/// to hit the per-shard limit of names) cannot be made without it.
fn shard_key() -> u64 {
    static KEY: OnceLock<u64> = OnceLock::new();
    *KEY.get_or_init(|| RandomState::new().hash_one(0x5eed_u64))
}

/// The shard a name belongs to.
fn shard_of(name: &str) -> usize {
    // Seeded from the start: a key applied after the unkeyed hash would leave names that
    // share that hash in one shard (1M crafted names: 464 MiB against 153 MiB for random ones).
    let h = interner::seeded_hash(name, shard_key());
    (h >> (64 - SHARD_BITS)) as usize
}

fn lock(m: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Names waiting to be interned together, already grouped by shard so that interning reads
/// each group front to back. A name's position in the batch is its shard in the high bits
/// and its place in the shard's group below [`GROUP_BITS`].
#[derive(Debug)]
pub struct NameBatch {
    groups: Vec<Group>,
}

/// The names of one shard in a batch, end to end.
#[derive(Debug, Default, Clone)]
struct Group {
    text: String,
    ends: Vec<u32>,
}

impl Group {
    fn name(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// How many names ahead of the one being interned have their table slot prefetched.
const LOOKAHEAD: usize = 8;

/// Bits of a batch position that number names within their shard's group.
pub(crate) const GROUP_BITS: u32 = 32 - SHARDS.trailing_zeros();

impl Default for NameBatch {
    fn default() -> Self {
        NameBatch { groups: vec![Group::default(); SHARDS] }
    }
}

impl NameBatch {
    /// Add `name`; returns its position in the batch.
    pub fn push(&mut self, name: &str) -> u32 {
        let s = shard_of(name);
        let group = &mut self.groups[s];
        let at = group.ends.len() as u32;
        assert!(at < 1 << GROUP_BITS, "a batch of fewer than 2^26 names per shard");
        group.text.push_str(name);
        group.ends.push(u32::try_from(group.text.len()).expect("a batch under 4 GiB"));
        (s as u32) << GROUP_BITS | at
    }
}

/// The ids of a batch's names, looked up by batch position.
#[derive(Debug)]
pub struct BatchIds(Vec<Vec<u32>>);

impl BatchIds {
    /// The id of the name at batch position `at`.
    pub fn get(&self, at: u32) -> u32 {
        self.0[(at >> GROUP_BITS) as usize][(at & ((1 << GROUP_BITS) - 1)) as usize]
    }
}

impl ShardedInterner {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `name`, adding it if it is new.
    pub fn intern(&self, name: &str) -> u32 {
        let s = shard_of(name);
        intern_in(&mut lock(&self.shards[s]), s, name)
    }

    /// The ids of every name in `batch`. Each shard is locked once; shards another thread
    /// holds are taken later.
    pub fn intern_batch(&self, batch: &NameBatch) -> BatchIds {
        let mut ids: Vec<Vec<u32>> = vec![Vec::new(); SHARDS];
        let mut fill = |shard: &mut Shard, s: usize| {
            let group = &batch.groups[s];
            let n = group.ends.len();
            ids[s] = (0..n)
                .map(|i| {
                    if i + LOOKAHEAD < n {
                        shard.prefetch(group.name(i + LOOKAHEAD));
                    }
                    intern_in(shard, s, group.name(i))
                })
                .collect();
        };
        let mut pending: Vec<usize> = (0..SHARDS).filter(|&s| !batch.groups[s].ends.is_empty()).collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|&s| match self.shards[s].try_lock() {
                Ok(mut shard) => {
                    fill(&mut shard, s);
                    false
                }
                Err(TryLockError::Poisoned(p)) => {
                    fill(&mut p.into_inner(), s);
                    false
                }
                Err(TryLockError::WouldBlock) => true,
            });
            if pending.len() == before {
                // Every shard left is busy: wait for the first instead of spinning.
                let s = pending.remove(0);
                fill(&mut lock(&self.shards[s]), s);
            }
        }
        BatchIds(ids)
    }

    /// How many names were interned.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// One more than the largest id given out: the size of a table indexed by id.
    pub fn id_space(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).max().unwrap_or(0) << SHARD_BITS
    }

    /// Whether no name was interned.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Call `f(name)` for the name of every id of `ids`, in order, locking each shard once.
    pub(crate) fn with_names(&self, ids: &[u32], mut f: impl FnMut(&str)) {
        let shards: Vec<MutexGuard<'_, Shard>> = self.shards.iter().map(lock).collect();
        for &id in ids {
            f(shards[(id & (SHARDS as u32 - 1)) as usize].name(id >> SHARD_BITS));
        }
    }

    /// The names for which `keep(id)` is true, numbered in sorted name order, and the map from
    /// these ids to the new ones (`u32::MAX` for dropped ids).
    pub fn into_sorted(self, keep: impl Fn(u32) -> bool + Sync) -> (Names, Vec<u32>) {
        let total = self.id_space();
        let shards: Vec<Shard> = self
            .shards
            .into_vec()
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect();
        // (first eight bytes, big-endian, then shard and local id): the prefix decides most
        // comparisons without touching the text.
        // A few names: the shards one after another on this thread.
        let per_piece = if crate::par::small(total) { shards.len().max(1) } else { 1 };
        let mut kept: Vec<(u64, u32, u32)> = shards
            .par_iter()
            .with_min_len(per_piece)
            .enumerate()
            .flat_map_iter(|(s, shard)| {
                let keep = &keep;
                let s = s as u32;
                (0..shard.len() as u32)
                    .filter(move |&l| keep(l << SHARD_BITS | s))
                    .map(move |l| (prefix(shard.name(l)), s, l))
            })
            .collect();
        let name = |&(_, s, l): &(u64, u32, u32)| shards[s as usize].name(l);
        let order = |a: &(u64, u32, u32), b: &(u64, u32, u32)| a.0.cmp(&b.0).then_with(|| name(a).cmp(name(b)));
        if crate::par::small(kept.len()) {
            kept.sort_unstable_by(order);
        } else {
            kept.par_sort_unstable_by(order);
        }
        let mut remap = vec![u32::MAX; total];
        for (new, &(_, s, l)) in kept.iter().enumerate() {
            remap[(l << SHARD_BITS | s) as usize] = new as u32;
        }
        let names = Names::from_sorted(kept.iter().map(name));
        (names, remap)
    }
}

/// The first eight bytes of `name`, big-endian, zero-padded: compares as the names do,
/// except that ties need the full text.
fn prefix(name: &str) -> u64 {
    let mut word = [0u8; 8];
    let b = name.as_bytes();
    let n = b.len().min(8);
    word[..n].copy_from_slice(&b[..n]);
    u64::from_be_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sharing_the_unkeyed_hash_spread_over_the_shards() {
        // Sixteen-byte names whose unkeyed hash is one and the same: the second chunk undoes
        // whatever the first left (h = (rotl(h, 5) ^ chunk) * K, from 0).
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let crafted = |i: u64| {
            let c1 = i.wrapping_mul(0x9e37_79b9);
            let c2 = (c1.wrapping_mul(K)).rotate_left(5) ^ 0x1234_5678;
            [c1.to_le_bytes(), c2.to_le_bytes()].concat()
        };
        let unkeyed = interner::seeded_hash_of_bytes(&crafted(1), 0);
        assert!((2..2000).all(|i| interner::seeded_hash_of_bytes(&crafted(i), 0) == unkeyed), "the craft works");
        let shards: std::collections::HashSet<u64> =
            (0..2000).map(|i| interner::seeded_hash_of_bytes(&crafted(i), shard_key()) >> (64 - SHARD_BITS)).collect();
        assert!(shards.len() > SHARDS / 2, "{} shards used", shards.len());
    }

    #[test]
    fn batches_and_single_names_agree_and_sort() {
        let d = ShardedInterner::new();
        let mut batch = NameBatch::default();
        let words = ["zoe", "adam", "zoe", "mia", "a\u{0}", "a", "a longer name than eight", "a longer name"];
        let at: Vec<u32> = words.iter().map(|w| batch.push(w)).collect();
        let found = d.intern_batch(&batch);
        let ids: Vec<u32> = at.iter().map(|&a| found.get(a)).collect();
        assert_eq!(ids[0], ids[2]);
        assert_eq!(d.len(), 7);
        assert!(d.id_space() >= 7);
        assert_eq!(d.intern("mia"), ids[3]);
        let bob = d.intern("bob");
        let (names, remap) = d.into_sorted(|id| id != bob);
        let sorted: Vec<&str> = (0..names.len() as u32).map(|i| names.name(i)).collect();
        assert_eq!(sorted, ["a", "a\u{0}", "a longer name", "a longer name than eight", "adam", "mia", "zoe"]);
        assert_eq!(remap[bob as usize], u32::MAX);
        for (w, id) in words.iter().zip(&ids) {
            assert_eq!(names.name(remap[*id as usize]), *w);
        }
    }

    #[test]
    fn threads_interning_at_once_give_each_name_one_id() {
        let d = ShardedInterner::new();
        let per_thread: Vec<Vec<u32>> = (0..4)
            .into_par_iter()
            .map(|t| {
                let mut batch = NameBatch::default();
                let at: Vec<u32> =
                    (0..20_000).map(|i| batch.push(&format!("person {}", (i * 7 + t * 13) % 30_000))).collect();
                let found = d.intern_batch(&batch);
                at.iter().map(|&a| found.get(a)).collect::<Vec<u32>>()
            })
            .collect();
        assert_eq!(d.len(), 30_000);
        let (names, remap) = d.into_sorted(|_| true);
        for (t, ids) in per_thread.iter().enumerate() {
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(names.name(remap[id as usize]), format!("person {}", (i * 7 + t * 13) % 30_000));
            }
        }
    }
}
