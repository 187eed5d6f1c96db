//! Edges by recommender: every row goes to the owner of its recommender as soon as its piece
//! is read and numbered ([`Copies`]); the owner keeps the earliest dated copy of each
//! recommendation (as one process does) and counts the others as duplicates of their input;
//! each recommendation is also sent to its recommendee's owner, for the in-adjacency. The
//! result is this process's `Part` of the graph.

use rayon::prelude::*;

use super::wire::{u32s, Writer};
use super::Node;
use crate::error::{Error, Result};
use crate::ingest::store::RowStore;
use crate::ingest::NO_DATE;

/// This process's part of the graph: the people it owns with their out- and in-neighbours
/// (global ids, sorted).
pub(super) struct Part {
    me: u32,
    processes: u32,
    out_offsets: Vec<usize>,
    out: Vec<u32>,
    /// Where the kept copy of each out-recommendation was read (only when a judged scan
    /// needs the rows back, see [`super::core`]).
    pub(super) out_src: Sources,
    in_offsets: Vec<usize>,
    inn: Vec<u32>,
}

impl Part {
    pub(super) fn local(&self, v: u32) -> usize {
        debug_assert_eq!(v % self.processes, self.me);
        (v / self.processes) as usize
    }
    pub(super) fn global(&self, local: usize) -> u32 {
        local as u32 * self.processes + self.me
    }
    pub(super) fn owned(&self) -> usize {
        self.out_offsets.len() - 1
    }
    /// Drop the in-adjacency (no longer needed once pairs are found); returns each owned
    /// person's in-degree.
    pub(super) fn release_in(&mut self) -> Vec<u32> {
        let degrees = self.in_offsets.windows(2).map(|w| (w[1] - w[0]) as u32).collect();
        self.inn = Vec::new();
        self.in_offsets = Vec::new();
        degrees
    }
    /// Recommendations given by the people owned here.
    pub(super) fn edges_out(&self) -> usize {
        self.out.len()
    }
    /// Recommendations received by the people owned here.
    pub(super) fn edges_in(&self) -> usize {
        self.inn.len()
    }
    pub(super) fn me(&self) -> u32 {
        self.me
    }
    pub(super) fn processes(&self) -> u32 {
        self.processes
    }
    /// Index of `v`'s first out-recommendation (in [`Part::out_src`] too).
    pub(super) fn first_out(&self, v: u32) -> usize {
        self.out_offsets[self.local(v)]
    }
    pub(super) fn out_of(&self, v: u32) -> &[u32] {
        let i = self.local(v);
        &self.out[self.out_offsets[i]..self.out_offsets[i + 1]]
    }
    pub(super) fn in_of(&self, v: u32) -> &[u32] {
        let i = self.local(v);
        &self.inn[self.in_offsets[i]..self.in_offsets[i + 1]]
    }
    pub(super) fn owner(&self, v: u32) -> usize {
        (v % self.processes) as usize
    }
}

/// Input and line of each kept recommendation, 4 bytes each when there is one input.
#[derive(Default)]
pub(super) struct Sources {
    lines: Vec<u32>,
    inputs: Vec<u32>,
    one_input: bool,
}

impl Sources {
    /// Room for `n` more, allocated once.
    fn reserve(&mut self, n: usize) {
        self.lines.reserve_exact(n);
        if !self.one_input {
            self.inputs.reserve_exact(n);
        }
    }
    fn push(&mut self, input: u32, line: u32) {
        self.lines.push(line);
        if !self.one_input {
            self.inputs.push(input);
        }
    }
    /// Input and line of recommendation `i`.
    pub(super) fn get(&self, i: usize) -> (u32, u32) {
        (self.inputs.get(i).copied().unwrap_or(0), self.lines[i])
    }
}

/// A dated copy of a recommendation: ends, date (undated last), input, line.
type Copy = (u32, u32, i64, u32, u32);

/// The copies of recommendations sent to this process, the owner of their recommenders, as
/// the rows are read (see [`Copies::route`]): ends, then input and line, 16 bytes a copy,
/// and 24 with the date once a copy sent here has one. Undated copies sort after every dated
/// copy of the same recommendation, so a process whose copies are all undated keeps the
/// same ones in either layout.
pub(super) enum Copies {
    /// No copy sent here has a date (yet).
    Undated(Vec<[u32; 4]>),
    /// Some copy has one; the others hold `i64::MAX`.
    Dated(Vec<Copy>),
}

impl Default for Copies {
    fn default() -> Self {
        Copies::Undated(Vec::new())
    }
}

impl Copies {
    /// Send every row of one piece (ends global ids) to its recommender's owner and take in
    /// the copies sent here. Every process calls it once per round, with empty rows when it
    /// has no piece left, so that no process holds its rows beyond the piece being read.
    pub(super) fn route(&mut self, node: &mut Node<'_>, rows: RowStore) -> Result<()> {
        let p = node.peers() as u32;
        let dated = rows.is_dated();
        let size = if dated { 24 } else { 16 };
        let mut counts = vec![0usize; p as usize];
        for r in rows.iter() {
            counts[(r.from % p) as usize] += 1;
        }
        let mut out: Vec<Writer> = counts.iter().map(|&c| Writer { bytes: Vec::with_capacity(1 + c * size) }).collect();
        for w in &mut out {
            w.u8(u8::from(dated));
        }
        for r in rows.iter() {
            let w = &mut out[(r.from % p) as usize];
            w.u32(r.from);
            w.u32(r.to);
            w.u32(r.source.file);
            w.u32(r.source.line);
            if dated {
                w.i64(if r.created == NO_DATE { i64::MAX } else { r.created });
            }
        }
        drop(rows);
        for bytes in node.exchange(out.into_iter().map(|w| w.bytes).collect()) {
            self.take_in(&bytes)?;
        }
        Ok(())
    }

    /// Add one message of [`Copies::route`]: a byte saying whether its copies are dated,
    /// then the copies.
    fn take_in(&mut self, bytes: &[u8]) -> Result<()> {
        let partial = || Error::Cluster("a peer sent a partial recommendation".into());
        let (&dated, records) = bytes.split_first().ok_or_else(partial)?;
        let size = match dated {
            0 => 16,
            1 => 24,
            _ => return Err(partial()),
        };
        if records.len() % size != 0 {
            return Err(partial());
        }
        let word = |c: &[u8], i: usize| u32::from_le_bytes(c[4 * i..4 * i + 4].try_into().expect("4 bytes"));
        if let (1, Copies::Undated(undated)) = (dated, &mut *self) {
            let widened = std::mem::take(undated).into_iter().map(|c| (c[0], c[1], i64::MAX, c[2], c[3]));
            *self = Copies::Dated(widened.collect());
        }
        match self {
            Copies::Undated(copies) => {
                copies.reserve_exact(records.len() / size);
                copies.extend(records.chunks_exact(size).map(|c| [word(c, 0), word(c, 1), word(c, 2), word(c, 3)]));
            }
            Copies::Dated(copies) => {
                copies.reserve_exact(records.len() / size);
                copies.extend(records.chunks_exact(size).map(|c| {
                    let created = match c.get(16..24) {
                        Some(d) => i64::from_le_bytes(d.try_into().expect("8 bytes")),
                        None => i64::MAX,
                    };
                    (word(c, 0), word(c, 1), created, word(c, 2), word(c, 3))
                }));
            }
        }
        Ok(())
    }
}

/// Keep one of the `copies` sent here per recommendation (the earliest dated, then the first
/// read) and build both adjacencies. Returns this process's part and its duplicates per
/// input.
pub(super) fn partition(
    node: &mut Node<'_>,
    copies: Copies,
    owned: usize,
    inputs: usize,
    keep_sources: bool,
) -> Result<(Part, Vec<u64>)> {
    let p = node.peers();
    let me = node.index() as u32;
    let mut duplicates = vec![0u64; inputs];
    let mut out_src = Sources { lines: Vec::new(), inputs: Vec::new(), one_input: inputs == 1 };
    let sources = keep_sources.then_some(&mut out_src);
    // The copies become the out-adjacency directly and are dropped before the in-adjacency
    // arrives, so that the copies, the kept recommendations and their reverses are never
    // all held at once.
    let (out_offsets, out) = match copies {
        Copies::Dated(mut copies) => {
            copies.par_sort_unstable();
            keep_first(copies, |c| ((c.0, c.1), (c.3, c.4)), owned, p as u32, &mut duplicates, sources)
        }
        Copies::Undated(mut copies) => {
            copies.par_sort_unstable();
            keep_first(copies, |c| ((c[0], c[1]), (c[2], c[3])), owned, p as u32, &mut duplicates, sources)
        }
    };
    // How many reverses each process will receive, so that they are allocated once (a vector
    // that doubles as it fills can hold twice what it needs).
    let mut counts = vec![0u64; p];
    for &to in &out {
        counts[(to % p as u32) as usize] += 1;
    }
    let incoming = node.sum_all(&counts)?[me as usize];
    let mut reversed: Vec<(u32, u32)> = Vec::with_capacity(incoming as usize);
    let mut outbox = node.stream(out.len() * 8, |_, _, bytes| {
        let mut it = u32s(bytes);
        while let (Some(to), Some(from)) = (it.next(), it.next()) {
            reversed.push((to, from));
        }
        Ok(())
    });
    for (i, w) in out_offsets.windows(2).enumerate() {
        let from = i as u32 * p as u32 + me;
        for &to in &out[w[0]..w[1]] {
            outbox.push((to % p as u32) as usize, |w| {
                w.u32(to);
                w.u32(from);
            });
        }
    }
    outbox.finish()?;
    reversed.par_sort_unstable();
    let mut in_offsets = vec![0usize; owned + 1];
    for &(a, _) in &reversed {
        in_offsets[(a / p as u32) as usize + 1] += 1;
    }
    running_sums(&mut in_offsets);
    // Collected in place (the standard library reuses the pairs' memory), then shrunk.
    let mut inn: Vec<u32> = reversed.into_iter().map(|e| e.1).collect();
    inn.shrink_to_fit();
    Ok((Part { me, processes: p as u32, out_offsets, out, out_src, in_offsets, inn }, duplicates))
}

/// The out-adjacency (offsets by owned person, then recommendees) of the distinct
/// recommendations of sorted `copies` (the first copy of each is kept); counts the others as
/// duplicates of their input. `key` gives a copy's (ends, (input, line)); the kept copies'
/// (input, line) go to `sources` when given. `copies` is dropped before returning.
fn keep_first<T>(
    copies: Vec<T>,
    key: impl Fn(&T) -> ((u32, u32), (u32, u32)),
    owned: usize,
    processes: u32,
    duplicates: &mut [u64],
    mut sources: Option<&mut Sources>,
) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; owned + 1];
    let mut out: Vec<u32> = Vec::with_capacity(copies.len());
    if let Some(s) = sources.as_deref_mut() {
        s.reserve(copies.len());
    }
    let mut last = None;
    for c in &copies {
        let (ends, source) = key(c);
        if last == Some(ends) {
            duplicates[source.0 as usize] += 1;
        } else {
            last = Some(ends);
            offsets[(ends.0 / processes) as usize + 1] += 1;
            out.push(ends.1);
            if let Some(s) = sources.as_deref_mut() {
                s.push(source.0, source.1);
            }
        }
    }
    drop(copies);
    running_sums(&mut offsets);
    (offsets, out)
}

/// Counts per person (shifted by one) into offsets: each entry becomes the sum up to it.
fn running_sums(offsets: &mut [usize]) {
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(dated: bool, copies: &[(u32, u32, u32, u32, Option<i64>)]) -> Vec<u8> {
        let mut w = Writer::default();
        w.u8(u8::from(dated));
        for &(from, to, file, line, created) in copies {
            [from, to, file, line].into_iter().for_each(|v| w.u32(v));
            if dated {
                w.i64(created.unwrap_or(i64::MAX));
            }
        }
        w.bytes
    }

    #[test]
    fn copies_widen_once_at_the_first_dated_message_and_undated_sort_last() {
        let mut copies = Copies::default();
        copies.take_in(&message(false, &[(1, 2, 0, 7, None)])).unwrap();
        assert!(matches!(&copies, Copies::Undated(c) if c == &[[1, 2, 0, 7]]));
        copies.take_in(&message(true, &[(1, 2, 1, 3, Some(50))])).unwrap();
        copies.take_in(&message(false, &[(1, 2, 2, 9, None)])).unwrap();
        let Copies::Dated(mut c) = copies else { panic!("a dated copy widens the copies") };
        c.sort_unstable();
        assert_eq!(c, vec![(1, 2, 50, 1, 3), (1, 2, i64::MAX, 0, 7), (1, 2, i64::MAX, 2, 9)]);
    }

    #[test]
    fn a_partial_or_unknown_message_is_an_error_not_a_panic() {
        let mut copies = Copies::default();
        let whole = message(false, &[(1, 2, 0, 7, None)]);
        for bad in [&[][..], &whole[..whole.len() - 1], &[2u8][..], &message(true, &[(1, 2, 0, 7, Some(1))])[..20]] {
            let e = copies.take_in(bad).unwrap_err().to_string();
            assert!(e.contains("partial recommendation"), "{e}");
        }
    }
}
