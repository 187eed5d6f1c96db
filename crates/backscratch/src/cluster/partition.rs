//! Edges by recommender: every row goes to the owner of its recommender, which keeps the
//! earliest dated copy of each recommendation (as one process does) and counts the others as
//! duplicates of their input; each recommendation is also sent to its recommendee's owner,
//! for the in-adjacency. The result is this process's `Part` of the graph.

use rayon::prelude::*;

use super::wire::u32s;
use super::wire::Reader;
use super::Node;
use crate::error::Result;
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

/// A recommendation on its way to its recommender's owner: ends, date (undated last), input,
/// line.
type Copy = (u32, u32, i64, u32, u32);

/// Route every row to its recommender's owner, keep one copy per recommendation (the earliest
/// dated, then the first read) and build both adjacencies. Returns this process's part and
/// its duplicates per input.
pub(super) fn partition(
    node: &mut Node<'_>,
    rows: RowStore,
    owned: usize,
    inputs: usize,
    keep_sources: bool,
) -> Result<(Part, Vec<u64>)> {
    let p = node.peers();
    let me = node.index() as u32;
    // How many rows each process will receive, so that the copies are allocated once.
    let mut counts = vec![0u64; p];
    for r in rows.iter() {
        counts[(r.from % p as u32) as usize] += 1;
    }
    let incoming: u64 = node
        .exchange(counts.iter().map(|c| c.to_le_bytes().to_vec()).collect())
        .iter()
        .filter_map(|b| b.as_slice().try_into().ok().map(u64::from_le_bytes))
        .sum();
    let dated = rows.is_dated();
    let dated = node.sum_all(&[u64::from(dated)])?[0] > 0;
    let mut duplicates = vec![0u64; inputs];
    let mut out_src = Sources { lines: Vec::new(), inputs: Vec::new(), one_input: inputs == 1 };
    let sources = keep_sources.then_some(&mut out_src);
    // The copies become the out-adjacency directly and are dropped before the in-adjacency
    // arrives, so that the copies, the kept recommendations and their reverses are never
    // all held at once.
    let (out_offsets, out) = if dated {
        let copies = receive_copies::<Copy>(node, rows, incoming, |r| (r.0, r.1, r.2, r.3, r.4))?;
        keep_first(copies, |c| ((c.0, c.1), (c.3, c.4)), owned, p as u32, &mut duplicates, sources)
    } else {
        // Nothing is dated anywhere: the first read copy is kept, 16 bytes a copy.
        let copies = receive_copies::<[u32; 4]>(node, rows, incoming, |r| [r.0, r.1, r.3, r.4])?;
        keep_first(copies, |c| ((c[0], c[1]), (c[2], c[3])), owned, p as u32, &mut duplicates, sources)
    };
    let mut reversed: Vec<(u32, u32)> = Vec::with_capacity(out.len());
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
    let inn = reversed.iter().map(|e| e.1).collect();
    drop(reversed);
    Ok((Part { me, processes: p as u32, out_offsets, out, out_src, in_offsets, inn }, duplicates))
}

/// Route every row to its recommender's owner and collect the copies sent here (`incoming` of
/// them), sorted, each made by `make` from (from, to, date with undated last, input, line).
fn receive_copies<T: Ord + Send>(
    node: &mut Node<'_>,
    rows: RowStore,
    incoming: u64,
    make: impl Fn(Copy) -> T,
) -> Result<Vec<T>> {
    let p = node.peers() as u32;
    let mut copies: Vec<T> = Vec::with_capacity(incoming as usize);
    let planned = rows.len() * if rows.is_dated() { 25 } else { 17 };
    let mut outbox = node.stream(planned, |_, _, bytes| {
        let mut r = Reader::new(bytes);
        while !r.done() {
            let (from, to, file, line) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?);
            // Undated copies sort after every dated copy of the same recommendation.
            let created = r.opt_i64()?.unwrap_or(i64::MAX);
            copies.push(make((from, to, created, file, line)));
        }
        Ok(())
    });
    // The rows leave last first, and their memory goes back while the copies come in.
    rows.drain_back(|r| {
        outbox.push((r.from % p) as usize, |w| {
            w.u32(r.from);
            w.u32(r.to);
            w.u32(r.source.file);
            w.u32(r.source.line);
            w.opt_i64((r.created != NO_DATE).then_some(r.created));
        });
    });
    outbox.finish()?;
    copies.par_sort_unstable();
    Ok(copies)
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
