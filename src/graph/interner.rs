//! Names of people as dense `u32` ids, and back.
//!
//! Names live end to end in one string arena, and an open-addressing table maps a name to
//! its id. Short names are compared inside the table, so interning millions of numeric ids
//! touches one compact array per lookup instead of chasing a heap pointer per name, which is
//! what a `HashMap<String, u32>` costs.
//!
//! Ingest interns names in the order it meets them; the graph builder then renumbers the
//! people it keeps in sorted name order ([`Interner::sorted`]), so that ids, canonical cycle
//! rotations and report order do not depend on the order of input rows.

/// A two-way map between names and dense ids.
#[derive(Debug, Clone)]
pub struct Interner {
    text: String,
    ends: Vec<usize>,
    slots: Vec<Slot>,
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
        Interner { text: String::new(), ends: Vec::new(), slots: vec![Slot::default(); 16] }
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
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = 0u64;
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

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    fn span(&self, id: u32) -> (usize, usize) {
        let i = id as usize;
        (if i == 0 { 0 } else { self.ends[i - 1] }, self.ends[i])
    }

    /// The slot holding `name`, or the empty slot where it would go.
    fn find(&self, name: &str, key: u64) -> (usize, Option<u32>) {
        let mask = self.slots.len() - 1;
        let len = name.len() as u64;
        let mut i = home(key, name.len()) & mask;
        loop {
            let slot = self.slots[i];
            if slot.meta == 0 {
                return (i, None);
            }
            if slot.key == key && slot.meta >> 32 == len {
                let id = (slot.meta & 0xffff_ffff) as u32 - 1;
                if len <= 8 || self.name(id) == name {
                    return (i, Some(id));
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let doubled = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.meta != 0) {
            let mut i = home(slot.key, (slot.meta >> 32) as usize) & mask;
            while self.slots[i].meta != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    /// The id of `name`, adding it if it is new.
    pub fn intern(&mut self, name: &str) -> u32 {
        let k = key(name);
        let (slot, found) = self.find(name, k);
        if let Some(id) = found {
            return id;
        }
        let id = u32::try_from(self.ends.len()).ok().filter(|&i| i < u32::MAX).expect("fewer than 4 billion names");
        let len = u32::try_from(name.len()).expect("a name shorter than 4 GiB");
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.slots[slot] = Slot { key: k, meta: u64::from(len) << 32 | u64::from(id + 1) };
        if self.ends.len() * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.find(name, key(name)).1
    }

    /// The name of `id`.
    pub fn name(&self, id: u32) -> &str {
        let (start, end) = self.span(id);
        &self.text[start..end]
    }

    /// How many names are interned.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no name is interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// A new interner holding only the ids for which `keep` is true, numbered in sorted name
    /// order, and the map from old ids to new ones (`u32::MAX` for dropped ids).
    pub fn sorted(self, keep: impl Fn(u32) -> bool) -> (Interner, Vec<u32>) {
        let mut kept: Vec<u32> = (0..self.len() as u32).filter(|&i| keep(i)).collect();
        kept.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        let mut remap = vec![u32::MAX; self.len()];
        let mut out = Interner::new();
        out.text.reserve(self.text.len());
        out.ends.reserve(kept.len());
        let capacity = (kept.len() * 2).next_power_of_two().max(16);
        out.slots = vec![Slot::default(); capacity];
        for (new, &old) in kept.iter().enumerate() {
            remap[old as usize] = new as u32;
            let id = out.intern(self.name(old));
            debug_assert_eq!(id as usize, new);
        }
        (out, remap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_sorts() {
        let mut i = Interner::new();
        assert_eq!(i.intern("zoe"), 0);
        assert_eq!(i.intern("adam"), 1);
        assert_eq!(i.intern("zoe"), 0);
        assert_eq!(i.intern("mia"), 2);
        let (s, remap) = i.sorted(|id| id != 2);
        assert_eq!(remap, vec![1, 0, u32::MAX]);
        assert_eq!((s.name(0), s.name(1), s.len()), ("adam", "zoe", 2));
        assert_eq!(s.get("zoe"), Some(1));
        assert_eq!(s.get("mia"), None);
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
