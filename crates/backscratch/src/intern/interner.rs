//! Names of people as dense `u32` ids, and back.
//!
//! Names live end to end in one string arena, and an open-addressing table maps a name to
//! its id. Short names are compared inside the table, so interning millions of numeric ids
//! touches one compact array per lookup instead of chasing a heap pointer per name, which is
//! what a `HashMap<String, u32>` costs.
//!
//! One interner is one shard of the dictionary that ingest fills from many threads
//! ([`super::shards`]); the graph builder then renumbers the people it keeps in sorted name
//! order, so that ids, canonical cycle rotations and report order do not depend on the order
//! of input rows.
//!
//! **Hash flooding.** The fast hash is fixed, so names crafted to collide (a hostile export)
//! would make every lookup walk one long probe sequence: quadratic time. A lookup that probes
//! more than [`MAX_PROBES`] slots switches the table, once, to a keyed hash (SipHash-1-3 under
//! a random per-process key, the std library's HashDoS defence) and rebuilds it; crafted
//! names then land at unpredictable places. Ordinary data never pays for the keyed hash.

use std::hash::{BuildHasher, RandomState};

use super::names::Arena;

/// Probes after which the table gives up the fast hash for the keyed one. Random names at
/// the table's load factor (at most one half) need a handful.
pub(crate) const MAX_PROBES: usize = 64;

/// A two-way map between names and dense ids.
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    arena: Arena,
    slots: Vec<Slot>,
    /// The keyed hash, once flooding was detected.
    keyed: Option<RandomState>,
}

/// One entry of the open-addressing table. Names of up to eight bytes (numeric ids, short
/// handles) are stored in `key` itself and compared without touching the arena; longer
/// names keep their hash there and are compared in the arena only when hash and length
/// match.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    key: u64,
    /// `len << 32 | (id + 1)`; 0 marks an empty slot.
    meta: u64,
}

impl Default for Interner {
    fn default() -> Self {
        Interner { arena: Arena::default(), slots: vec![Slot::default(); 16], keyed: None }
    }
}

/// The table key of a name: its bytes if it fits in eight, else a hash of them
/// (multiplicative, in the manner of FxHash).
fn key(name: &str) -> u64 {
    let bytes = name.as_bytes();
    if bytes.len() <= 8 {
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        return u64::from_le_bytes(word);
    }
    chunk_hash(bytes, 0)
}

/// The multiplicative hash of `bytes` from `seed`. Names crafted to collide from one seed
/// (their later chunks cancel what the earlier ones left) do not collide from an unknown one.
fn chunk_hash(bytes: &[u8], seed: u64) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = seed;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = (h.rotate_left(5) ^ u64::from_le_bytes(c.try_into().expect("chunks of eight"))).wrapping_mul(K);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    (h.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K)
}

/// Where to start probing: a full mix of key and length, so that similar keys spread out.
fn home(key: u64, len: usize) -> usize {
    let mut h = key ^ (len as u64).rotate_left(48);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    (h ^ (h >> 33)) as usize
}

/// A hash of a name as fast as the table's unkeyed one, from a secret `seed`: names crafted
/// to share the unkeyed hash spread out under it.
pub(crate) fn seeded_hash(name: &str, seed: u64) -> u64 {
    seeded_hash_of_bytes(name.as_bytes(), seed)
}

/// [`seeded_hash`] of any bytes.
pub(crate) fn seeded_hash_of_bytes(bytes: &[u8], seed: u64) -> u64 {
    home(chunk_hash(bytes, seed), bytes.len()) as u64
}

impl Interner {
    /// An empty interner.
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The table key of `name`: its bytes if it fits in eight, else a hash (keyed once
    /// flooding was detected).
    fn key_of(&self, name: &str) -> u64 {
        match &self.keyed {
            Some(k) if name.len() > 8 => k.hash_one(name.as_bytes()),
            _ => key(name),
        }
    }

    /// Where probing for a key starts.
    fn home_of(&self, key: u64, len: usize) -> usize {
        match &self.keyed {
            Some(k) => k.hash_one((key, len)) as usize,
            None => home(key, len),
        }
    }

    /// Start loading the table slot where a lookup of `name` begins, so that interning a run
    /// of names can overlap their cache misses (a hint only: nothing changes).
    pub(crate) fn prefetch(&self, name: &str) {
        if self.keyed.is_some() {
            return; // keyed hashing is the slow path anyway
        }
        super::pages::prefetch(&self.slots, home(key(name), name.len()) & (self.slots.len() - 1));
    }

    /// The slot holding `name`, or the empty slot where it would go, and how many slots
    /// were probed.
    fn find(&self, name: &str, key: u64) -> (usize, Option<u32>, usize) {
        let mask = self.slots.len() - 1;
        let len = name.len() as u64;
        let mut i = self.home_of(key, name.len()) & mask;
        for probes in 0.. {
            let slot = self.slots[i];
            if slot.meta == 0 {
                return (i, None, probes);
            }
            if slot.key == key && slot.meta >> 32 == len {
                let id = (slot.meta & 0xffff_ffff) as u32 - 1;
                if len <= 8 || self.name(id) == name {
                    return (i, Some(id), probes);
                }
            }
            i = (i + 1) & mask;
        }
        unreachable!("the table always has an empty slot")
    }

    /// Put every name back into a table of `capacity` slots (recomputing keys, which change
    /// when the hash became keyed).
    fn rebuild(&mut self, capacity: usize) {
        self.slots = super::pages::filled(capacity, Slot::default());
        let mask = capacity - 1;
        for id in 0..self.arena.len() as u32 {
            let name = self.name(id);
            let key = self.key_of(name);
            let mut i = self.home_of(key, name.len()) & mask;
            while self.slots[i].meta != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = Slot { key, meta: (name.len() as u64) << 32 | u64::from(id + 1) };
        }
    }

    fn grow(&mut self) {
        self.rebuild(self.slots.len() * 2);
    }

    /// Whether flooding was detected and the keyed hash is in use.
    #[cfg(test)]
    pub(crate) fn is_keyed(&self) -> bool {
        self.keyed.is_some()
    }

    /// The id of `name`, adding it if it is new.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        let mut k = self.key_of(name);
        let (mut slot, found, probes) = self.find(name, k);
        if let Some(id) = found {
            return id;
        }
        if probes > MAX_PROBES && self.keyed.is_none() {
            self.keyed = Some(RandomState::new());
            self.rebuild(self.slots.len());
            k = self.key_of(name);
            slot = self.find(name, k).0;
        }
        let len = u32::try_from(name.len()).expect("a name shorter than 4 GiB");
        let id = self.arena.push(name);
        self.slots[slot] = Slot { key: k, meta: u64::from(len) << 32 | u64::from(id + 1) };
        if self.arena.len() * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    /// The id of `name`, if known.
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        self.find(name, self.key_of(name)).1
    }

    /// The name of `id`.
    pub(crate) fn name(&self, id: u32) -> &str {
        self.arena.name(id)
    }

    /// How many names are interned.
    pub(crate) fn len(&self) -> usize {
        self.arena.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_finds() {
        let mut i = Interner::new();
        assert_eq!(i.intern("zoe"), 0);
        assert_eq!(i.intern("adam"), 1);
        assert_eq!(i.intern("zoe"), 0);
        assert_eq!(i.intern("mia"), 2);
        assert_eq!((i.name(0), i.name(1), i.len()), ("zoe", "adam", 3));
        assert_eq!(i.get("mia"), Some(2));
        assert_eq!(i.get("bob"), None);
    }

    /// Modular inverse of an odd number modulo 2^64 (Newton's iteration).
    fn inverse(a: u64) -> u64 {
        let mut x = a;
        for _ in 0..6 {
            x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        }
        x
    }

    /// Eight-byte ASCII names whose fast `home` agrees in its low 24 bits: what an attacker
    /// who read this file can make, by inverting the mix.
    fn colliding_names(count: usize) -> Vec<String> {
        let (c1, c2) = (inverse(0xff51_afd7_ed55_8ccd), inverse(0xc4ce_b9fe_1a85_ec53));
        let unmix = |mut h: u64| {
            h ^= h >> 33;
            h = h.wrapping_mul(c2);
            h ^= h >> 33;
            h = h.wrapping_mul(c1);
            h ^ (h >> 33)
        };
        let mut out = Vec::new();
        for high in 1u64.. {
            let key = unmix((high << 24) | 0x00ab_cdef) ^ 8u64.rotate_left(48);
            let bytes = key.to_le_bytes();
            if bytes.iter().all(|b| b.is_ascii_alphanumeric()) {
                out.push(String::from_utf8(bytes.to_vec()).unwrap());
                if out.len() == count {
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn crafted_collisions_switch_to_the_keyed_hash() {
        let names = colliding_names(300);
        assert_eq!(home(key(&names[0]), 8) & 0xff_ffff, home(key(&names[1]), 8) & 0xff_ffff, "the craft works");
        let mut i = Interner::new();
        for (n, name) in names.iter().enumerate() {
            assert_eq!(i.intern(name) as usize, n);
        }
        assert!(i.is_keyed(), "a probe sequence over {MAX_PROBES} switches the hash");
        let worst = names.iter().map(|n| i.find(n, i.key_of(n)).2).max().unwrap();
        assert!(worst <= 16, "keyed probes stay short: {worst}");
        for (n, name) in names.iter().enumerate() {
            assert_eq!(i.get(name), Some(n as u32));
        }
        // Ordinary names never switch.
        let mut plain = Interner::new();
        (0..100_000).for_each(|n| {
            plain.intern(&format!("person {n}"));
        });
        assert!(!plain.is_keyed());
    }

    #[test]
    fn many_names_survive_growth_and_empty_name_is_a_name() {
        let mut i = Interner::new();
        let names: Vec<String> =
            (0..50_000).map(|n| if n % 2 == 0 { format!("person number {n}") } else { n.to_string() }).collect();
        for (n, name) in names.iter().enumerate() {
            assert_eq!(i.intern(name) as usize, n);
        }
        assert_eq!(i.intern(""), 50_000);
        for (n, name) in names.iter().enumerate() {
            assert_eq!(i.get(name), Some(n as u32));
            assert_eq!(i.name(n as u32), name);
        }
        assert_eq!(i.get("nobody"), None);
        assert_eq!(i.get(""), Some(50_000));
    }
}
