//! The people of a built graph: names in sorted order, end to end in one string, so that a
//! person's id is their rank and finding a name is a binary search (no hash table to build
//! for the few lookups a scan makes: the allowlist, `check`'s candidates).

/// Names end to end in one string, numbered in the order they were added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Arena {
    text: String,
    ends: Vec<usize>,
}

impl Arena {
    /// Add `name`; returns its number.
    pub(crate) fn push(&mut self, name: &str) -> u32 {
        let id = u32::try_from(self.ends.len()).ok().filter(|&i| i < u32::MAX).expect("fewer than 4 billion names");
        self.text.push_str(name);
        self.ends.push(self.text.len());
        id
    }

    /// The name numbered `id`.
    pub(crate) fn name(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// How many names.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Names sorted by their bytes; the id of a name is its position.
#[derive(Debug, Clone, Default)]
pub struct Names(Arena);

impl Names {
    /// The names of `sorted`, which must be in strictly increasing order.
    pub fn from_sorted<'a>(sorted: impl IntoIterator<Item = &'a str>) -> Names {
        let mut names = Arena::default();
        for name in sorted {
            debug_assert!(names.is_empty() || names.name(names.len() as u32 - 1) < name, "sorted and distinct");
            names.push(name);
        }
        Names(names)
    }

    /// The name of `id`.
    pub fn name(&self, id: u32) -> &str {
        self.0.name(id)
    }

    /// The id of `name`, if someone has it.
    pub fn get(&self, name: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.name(mid as u32).cmp(name) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    /// How many people.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_name_and_no_other() {
        let words = ["", "a", "a b", "ab", "b", "\u{e9}"];
        let names = Names::from_sorted(words);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(names.get(w), Some(i as u32));
            assert_eq!(names.name(i as u32), *w);
        }
        for missing in ["a ", "aa", "c", "\u{0}"] {
            assert_eq!(names.get(missing), None, "{missing:?}");
        }
        assert_eq!(Names::default().get("a"), None);
    }
}
