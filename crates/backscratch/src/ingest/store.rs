//! Kept rows in the narrowest layout the data allows: 16 bytes a row while no row has a date,
//! 24 once one has (the store widens itself, once, at the first dated row). On an undated
//! edge list of 100 million rows that is 800 MB less at the peak of reading and building.

use rayon::prelude::*;

use super::{Row, SourcePos, NO_DATE};

/// A row without a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndatedRow {
    /// Recommender id.
    pub from: u32,
    /// Recommendee id.
    pub to: u32,
    /// Where the row starts.
    pub source: SourcePos,
}

/// What the graph builder needs of a row, in either layout.
pub(crate) trait RowLayout: Copy + Send + Sync {
    /// Recommender and recommendee ids.
    fn ids(&self) -> (u32, u32);
    /// Replace the ids.
    fn set_ids(&mut self, from: u32, to: u32);
    /// Unix seconds, or [`NO_DATE`].
    fn created(&self) -> i64;
    /// Where the row starts.
    fn source(&self) -> SourcePos;
}

impl RowLayout for UndatedRow {
    fn ids(&self) -> (u32, u32) {
        (self.from, self.to)
    }
    fn set_ids(&mut self, from: u32, to: u32) {
        (self.from, self.to) = (from, to);
    }
    fn created(&self) -> i64 {
        NO_DATE
    }
    fn source(&self) -> SourcePos {
        self.source
    }
}

impl RowLayout for Row {
    fn ids(&self) -> (u32, u32) {
        (self.from, self.to)
    }
    fn set_ids(&mut self, from: u32, to: u32) {
        (self.from, self.to) = (from, to);
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn source(&self) -> SourcePos {
        self.source
    }
}

/// Rows in input order, undated or dated.
#[derive(Debug, Clone)]
pub enum RowStore {
    /// No row has a date (yet).
    Undated(Vec<UndatedRow>),
    /// Some row has a date; the others hold [`NO_DATE`].
    Dated(Vec<Row>),
}

impl Default for RowStore {
    fn default() -> Self {
        RowStore::Undated(Vec::new())
    }
}

fn widen(rows: &[UndatedRow]) -> Vec<Row> {
    rows.iter().map(|r| Row { from: r.from, to: r.to, created: NO_DATE, source: r.source }).collect()
}

impl RowStore {
    /// An empty store with room for `n` undated rows.
    pub fn with_capacity(n: usize) -> Self {
        RowStore::Undated(Vec::with_capacity(n))
    }

    /// Add a row at the end.
    pub fn push(&mut self, r: Row) {
        match self {
            RowStore::Undated(rows) if r.created == NO_DATE => {
                rows.push(UndatedRow { from: r.from, to: r.to, source: r.source })
            }
            RowStore::Undated(rows) => {
                let mut dated = widen(rows);
                dated.push(r);
                *self = RowStore::Dated(dated);
            }
            RowStore::Dated(rows) => rows.push(r),
        }
    }

    /// Move every row of `later` to the end.
    pub fn append(&mut self, later: RowStore) {
        match (&mut *self, later) {
            (RowStore::Undated(a), RowStore::Undated(mut b)) => a.append(&mut b),
            (RowStore::Dated(a), RowStore::Dated(mut b)) => a.append(&mut b),
            (RowStore::Dated(a), RowStore::Undated(b)) => a.extend(widen(&b)),
            (RowStore::Undated(a), RowStore::Dated(b)) => {
                let mut dated = widen(a);
                dated.extend(b);
                *self = RowStore::Dated(dated);
            }
        }
    }

    /// Drop the dates of the rows of input `file`, which are the last rows stored (inputs are
    /// read in order): its date column held no dates (see [`super::quality`]).
    pub fn forget_dates(&mut self, file: u32) {
        if let RowStore::Dated(rows) = self {
            for r in rows.iter_mut().rev().take_while(|r| r.source.file == file) {
                r.created = NO_DATE;
            }
        }
    }

    /// Whether any row has a date (the rows are then stored with dates).
    pub fn is_dated(&self) -> bool {
        matches!(self, RowStore::Dated(_))
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        match self {
            RowStore::Undated(r) => r.len(),
            RowStore::Dated(r) => r.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row, widened.
    pub fn iter(&self) -> Box<dyn Iterator<Item = Row> + '_> {
        match self {
            RowStore::Undated(rows) => {
                Box::new(rows.iter().map(|r| Row { from: r.from, to: r.to, created: NO_DATE, source: r.source }))
            }
            RowStore::Dated(rows) => Box::new(rows.iter().copied()),
        }
    }

    /// Hand every row to `f`, last first, giving their memory back as it goes (every million
    /// rows), so that what `f` builds from them can take its place.
    pub fn drain_back(self, mut f: impl FnMut(Row)) {
        fn each<R: RowLayout>(mut rows: Vec<R>, f: &mut impl FnMut(Row)) {
            const STEP: usize = 1 << 20;
            while !rows.is_empty() {
                let start = rows.len().saturating_sub(STEP);
                for r in rows[start..].iter().rev() {
                    let (from, to) = r.ids();
                    f(Row { from, to, created: r.created(), source: r.source() });
                }
                rows.truncate(start);
                rows.shrink_to_fit();
            }
        }
        match self {
            RowStore::Undated(rows) => each(rows, &mut f),
            RowStore::Dated(rows) => each(rows, &mut f),
        }
    }

    /// Call `f(from, to)` for every row, in parallel and in no particular order.
    pub fn par_for_each_ids(&self, f: impl Fn(u32, u32) + Sync) {
        match self {
            RowStore::Undated(rows) => rows.par_iter().with_min_len(1 << 12).for_each(|r| f(r.from, r.to)),
            RowStore::Dated(rows) => rows.par_iter().with_min_len(1 << 12).for_each(|r| f(r.from, r.to)),
        }
    }

    /// Give every row new ids: `map(from, to)`, in parallel.
    pub fn map_ids(&mut self, map: impl Fn(u32, u32) -> (u32, u32) + Sync) {
        fn each<R: RowLayout>(rows: &mut [R], map: &(impl Fn(u32, u32) -> (u32, u32) + Sync)) {
            rows.par_iter_mut().with_min_len(1 << 12).for_each(|r| {
                let (a, b) = r.ids();
                let (a, b) = map(a, b);
                r.set_ids(a, b);
            });
        }
        match self {
            RowStore::Undated(rows) => each(rows, &map),
            RowStore::Dated(rows) => each(rows, &map),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(from: u32, created: i64) -> Row {
        Row { from, to: from + 1, created, source: SourcePos { file: 0, line: from } }
    }

    #[test]
    fn widens_at_the_first_date_and_keeps_order() {
        let mut s = RowStore::default();
        s.push(row(1, NO_DATE));
        assert!(matches!(s, RowStore::Undated(_)));
        s.push(row(2, 99));
        let mut later = RowStore::default();
        later.push(row(3, NO_DATE));
        s.append(later);
        assert!(matches!(s, RowStore::Dated(_)));
        let rows: Vec<Row> = s.iter().collect();
        assert_eq!(rows, vec![row(1, NO_DATE), row(2, 99), row(3, NO_DATE)]);

        let mut undated = RowStore::default();
        undated.push(row(0, NO_DATE));
        let mut dated = RowStore::default();
        dated.push(row(5, 7));
        undated.append(dated);
        assert_eq!(undated.iter().map(|r| r.created).collect::<Vec<_>>(), vec![NO_DATE, 7]);
        undated.map_ids(|a, b| (b, a));
        assert_eq!(undated.iter().next().map(|r| (r.from, r.to)), Some((1, 0)));
        assert_eq!(std::mem::size_of::<UndatedRow>(), 16);
    }
}
