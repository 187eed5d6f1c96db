//! Names of people as dense `u32` ids, and back.
//!
//! Ingest interns names in the order it meets them; the graph builder then renumbers the
//! people it keeps in sorted name order ([`Interner::sorted`]), so that ids, canonical cycle
//! rotations and report order do not depend on the order of input rows.

use std::collections::HashMap;

/// A two-way map between names and dense ids.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `name`, adding it if it is new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("more than 4 billion distinct names");
        let boxed: Box<str> = name.into();
        self.ids.insert(boxed.clone(), id);
        self.names.push(boxed);
        id
    }

    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The name of `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// How many names are interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// A new interner holding only the ids for which `keep` is true, numbered in sorted name
    /// order, and the map from old ids to new ones (`u32::MAX` for dropped ids).
    pub fn sorted(self, keep: impl Fn(u32) -> bool) -> (Interner, Vec<u32>) {
        let mut kept: Vec<u32> = (0..self.names.len() as u32).filter(|&i| keep(i)).collect();
        kept.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut remap = vec![u32::MAX; self.names.len()];
        for (new, &old) in kept.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut old_names: Vec<Option<Box<str>>> = self.names.into_iter().map(Some).collect();
        let mut out = Interner { ids: HashMap::with_capacity(kept.len()), names: Vec::with_capacity(kept.len()) };
        for (new, &old) in kept.iter().enumerate() {
            let name = old_names[old as usize].take().expect("each id kept once");
            out.ids.insert(name.clone(), new as u32);
            out.names.push(name);
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
}
