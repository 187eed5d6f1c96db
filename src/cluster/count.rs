//! Counting without gathering (`--count-only` on a cluster): no process holds the whole
//! graph.
//!
//! 1. **Dictionary.** Each name is owned by the process its FNV-1a hash picks; every process
//!    sends each name it read to its owner, the owner numbers the names it received in
//!    sorted order (`id = rank × processes + owner`) and answers with the ids. Edges then use
//!    these ids everywhere.
//! 2. **Edges by recommender.** Every row goes to the owner of its recommender, which keeps
//!    the earliest dated copy of each recommendation (as one process does) and counts the
//!    others as duplicates of their input. Each recommendation is also sent to the owner of
//!    its recommendee, for the in-adjacency.
//! 3. **Pairs** are local: `r → m` with `m > r` at `r`'s owner, which also holds `r`'s
//!    in-adjacency.
//! 4. **Cycles** of L people are joins of half-paths, as in BiGJoin (Ammar, McSherry,
//!    Salihoglu, Joglekar, VLDB 2018): each cycle is counted once from its smallest id `r`,
//!    as a forward path `r → … → m` of ⌈L/2⌉ recommendations and a backward path `m → … → r`
//!    of ⌊L/2⌋, every person but `r` above `r`. A path is extended by the process that owns
//!    its last person, then sent to the owner of the new last person; the two halves meet at
//!    the owner of `m`, which checks that they share no one else. Roots are taken in batches
//!    so that the paths in flight stay bounded.

use rayon::prelude::*;

use super::wire::{Reader, Writer};
use super::Node;
use crate::error::{Error, Result};
use crate::graph::shards::ShardedInterner;
use crate::ingest::store::RowStore;
use crate::ingest::{Ingested, NO_DATE};

/// Paths in flight per batch that the batch count aims at (all processes together).
const PATHS_PER_BATCH: f64 = 2e6;

/// What the counting found, the same in every process.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// People in a kept row.
    pub people: u64,
    /// Distinct recommendations.
    pub recommendations: u64,
    /// Duplicate rows per input.
    pub duplicates: Vec<u64>,
    /// Reciprocal pairs.
    pub pairs: u64,
    /// Cycles by number of people (index 3..=max_len; 0..3 unused).
    pub cycles: Vec<u64>,
    /// The longest cycle searched.
    pub max_len: usize,
    /// With `auto`: walks of length 4 in the whole network (a cluster computes no
    /// components, so this counts more walks than one process, which counts inside
    /// components only).
    pub walks4: Option<f64>,
}

/// FNV-1a, 64 bits: the same owner for a name in every process and on every machine.
fn owner_of(name: &str, processes: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % processes as u64) as usize
}

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

pub(super) fn u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
}

pub(super) fn bad_id() -> Error {
    Error::Cluster("a peer sent a person this process does not own".into())
}

fn too_many() -> Error {
    Error::Cluster("more than 4 billion people: ids do not fit".into())
}

/// Number every name in a kept row: rewrites the rows' ends to global ids in place and returns
/// how many names this process owns.
fn dictionary(
    node: &mut Node<'_>,
    names: ShardedInterner,
    rows: &mut RowStore,
    keep_names: bool,
) -> Result<(u64, Option<OwnedNames>)> {
    let p = node.peers();
    let me = node.index();
    let (sorted, remap) = crate::graph::build::names_in_rows(names, rows);
    let mut out: Vec<Writer> = (0..p).map(|_| Writer::default()).collect();
    let mut place: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
    let mut sent = vec![0u32; p];
    for i in 0..sorted.len() as u32 {
        let name = sorted.name(i);
        let dest = owner_of(name, p);
        out[dest].str(name);
        place.push((dest as u32, sent[dest]));
        sent[dest] += 1;
    }
    let got = node.exchange(out.into_iter().map(|w| w.bytes).collect());
    // The owner's side: every name sent here, numbered in sorted order.
    let mut asked: Vec<Vec<&str>> = Vec::with_capacity(p);
    for bytes in &got {
        let mut r = Reader::new(bytes);
        let mut list = Vec::new();
        while !r.done() {
            list.push(r.str()?);
        }
        asked.push(list);
    }
    let mut all: Vec<&str> = asked.iter().flatten().copied().collect();
    all.par_sort_unstable();
    all.dedup();
    let owned = all.len() as u64;
    if owned * p as u64 >= u64::from(u32::MAX) {
        return Err(too_many());
    }
    let answers: Vec<Vec<u8>> = asked
        .iter()
        .map(|list| {
            list.iter()
                .flat_map(|name| {
                    let rank = all.binary_search(name).expect("a name sent here") as u32;
                    (rank * p as u32 + me as u32).to_le_bytes()
                })
                .collect()
        })
        .collect();
    let kept = keep_names.then(|| OwnedNames::new(&all));
    drop(all);
    let ids = node.exchange(answers);
    let ids: Vec<Vec<u32>> = ids.iter().map(|b| u32s(b).collect()).collect();
    let global = |local_id: u32| -> u32 {
        let (dest, k) = place[remap[local_id as usize] as usize];
        ids[dest as usize][k as usize]
    };
    rows.map_ids(|from, to| (global(from), global(to)));
    Ok((owned, kept))
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

/// The names a process owns, in rank order (rank `i` is global id `i × processes + me`).
pub(super) struct OwnedNames {
    text: String,
    ends: Vec<u32>,
}

impl OwnedNames {
    fn new(sorted: &[&str]) -> Self {
        let mut text = String::with_capacity(sorted.iter().map(|n| n.len()).sum());
        let mut ends = Vec::with_capacity(sorted.len());
        for n in sorted {
            text.push_str(n);
            ends.push(text.len() as u32);
        }
        OwnedNames { text, ends }
    }
    /// The name of rank `i`.
    pub(super) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// A recommendation on its way to its recommender's owner: ends, date (undated last), input,
/// line.
type Copy = (u32, u32, i64, u32, u32);

/// Route every row to its recommender's owner, keep one copy per recommendation (the earliest
/// dated, then the first read) and build both adjacencies. Returns this process's part and
/// its duplicates per input.
fn partition(
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
    let dated = totals(node, &[u64::from(dated)])?[0] > 0;
    let mut duplicates = vec![0u64; inputs];
    let mut out_src = Sources { lines: Vec::new(), inputs: Vec::new(), one_input: inputs == 1 };
    let sources = keep_sources.then_some(&mut out_src);
    let edges = if dated {
        let copies = receive_copies::<Copy>(node, rows, incoming, |r| (r.0, r.1, r.2, r.3, r.4))?;
        keep_first(&copies, |c| ((c.0, c.1), (c.3, c.4)), &mut duplicates, sources)
    } else {
        // Nothing is dated anywhere: the first read copy is kept, 16 bytes a copy.
        let copies = receive_copies::<[u32; 4]>(node, rows, incoming, |r| [r.0, r.1, r.3, r.4])?;
        keep_first(&copies, |c| ((c[0], c[1]), (c[2], c[3])), &mut duplicates, sources)
    };
    let mut reversed: Vec<(u32, u32)> = Vec::with_capacity(edges.len());
    let mut outbox = node.stream(edges.len() * 8, |_, _, bytes| {
        let mut it = u32s(bytes);
        while let (Some(to), Some(from)) = (it.next(), it.next()) {
            reversed.push((to, from));
        }
        Ok(())
    });
    for &(from, to) in &edges {
        outbox.push((to % p as u32) as usize, |w| {
            w.u32(to);
            w.u32(from);
        });
    }
    outbox.finish()?;
    reversed.par_sort_unstable();
    let csr = |pairs: &[(u32, u32)]| -> (Vec<usize>, Vec<u32>) {
        let mut offsets = vec![0usize; owned + 1];
        for &(a, _) in pairs {
            offsets[(a / p as u32) as usize + 1] += 1;
        }
        for i in 0..owned {
            offsets[i + 1] += offsets[i];
        }
        (offsets, pairs.iter().map(|e| e.1).collect())
    };
    let (out_offsets, out) = csr(&edges);
    let (in_offsets, inn) = csr(&reversed);
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

/// The distinct recommendations of sorted `copies` (the first copy of each is kept); counts
/// the others as duplicates of their input. `key` gives a copy's (ends, (input, line)); the
/// kept copies' (input, line) go to `sources` when given.
fn keep_first<T>(
    copies: &[T],
    key: impl Fn(&T) -> ((u32, u32), (u32, u32)),
    duplicates: &mut [u64],
    mut sources: Option<&mut Sources>,
) -> Vec<(u32, u32)> {
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(copies.len());
    for c in copies {
        let (ends, source) = key(c);
        if edges.last() == Some(&ends) {
            duplicates[source.0 as usize] += 1;
        } else {
            edges.push(ends);
            if let Some(s) = sources.as_deref_mut() {
                s.push(source.0, source.1);
            }
        }
    }
    edges
}

/// Paths of one length, flat: `stride` ids each, the root first and the last person last.
#[derive(Default)]
struct Paths {
    stride: usize,
    ids: Vec<u32>,
}

impl Paths {
    fn iter(&self) -> impl Iterator<Item = &[u32]> {
        self.ids.chunks_exact(self.stride.max(1))
    }
}

/// Send every path to the owner of its last person.
fn route(node: &mut Node<'_>, part: &Part, forward: Paths, backward: Paths) -> Result<(Paths, Paths)> {
    let (fs, bs) = (forward.stride, backward.stride);
    let mut f = Paths { stride: fs, ids: Vec::new() };
    let mut b = Paths { stride: bs, ids: Vec::new() };
    let paths = forward.ids.len() / fs.max(1) + backward.ids.len() / bs.max(1);
    let planned = 4 * (forward.ids.len() + backward.ids.len() + paths);
    let mut outbox = node.stream(planned, |_, _, bytes| {
        let mut it = u32s(bytes);
        while let Some(tag) = it.next() {
            let (into, stride) = if tag == 0 { (&mut f.ids, fs) } else { (&mut b.ids, bs) };
            let before = into.len();
            into.extend(it.by_ref().take(stride));
            if into.len() != before + stride {
                return Err(Error::Cluster("a peer sent a cut path".into()));
            }
        }
        Ok(())
    });
    for (tag, paths) in [(0u32, &forward), (1u32, &backward)] {
        for path in paths.iter() {
            outbox.push(part.owner(*path.last().expect("a path has people")), |w| {
                w.u32(tag);
                for &v in path {
                    w.u32(v);
                }
            });
        }
    }
    outbox.finish()?;
    Ok((f, b))
}

/// Extend every path (its last person owned here) by one recommendation out of (`forward`)
/// or into its last person, to someone above the root not yet on it.
fn extend(part: &Part, paths: &Paths, forward: bool) -> Paths {
    let stride = paths.stride + 1;
    let ids: Vec<u32> = paths
        .ids
        .par_chunks_exact(paths.stride)
        .flat_map_iter(|path| {
            let (root, last) = (path[0], *path.last().expect("a path has people"));
            let next = if forward { part.out_of(last) } else { part.in_of(last) };
            next.iter()
                .filter(move |&&w| w > root && !path.contains(&w))
                .flat_map(move |&w| path.iter().copied().chain(std::iter::once(w)))
        })
        .collect();
    Paths { stride, ids }
}

/// Cycles made of a forward path and a backward path that meet at their last person (owned
/// here) from the same root and share no one else. Both sides are sorted by (root, last
/// person) and walked together, group by group.
fn join(forward: &Paths, backward: &Paths, mut on: Option<&mut Vec<(u32, u32)>>) -> u64 {
    let key = |p: &[u32]| (p[0], p[p.len() - 1]);
    fn sorted(paths: &Paths) -> Vec<&[u32]> {
        let mut order: Vec<&[u32]> = paths.iter().collect();
        order.par_sort_unstable_by_key(|p| (p[0], p[p.len() - 1]));
        order
    }
    let (f, b) = (sorted(forward), sorted(backward));
    let (mut i, mut j, mut found) = (0, 0, 0u64);
    while i < f.len() && j < b.len() {
        let (kf, kb) = (key(f[i]), key(b[j]));
        if kf < kb {
            i += 1;
        } else if kb < kf {
            j += 1;
        } else {
            let fi = i + f[i..].iter().take_while(|p| key(p) == kf).count();
            let bj = j + b[j..].iter().take_while(|p| key(p) == kb).count();
            for fp in &f[i..fi] {
                let inner = &fp[1..fp.len() - 1];
                for bp in b[j..bj].iter().filter(|bp| bp[1..bp.len() - 1].iter().all(|v| !inner.contains(v))) {
                    found += 1;
                    if let Some(edges) = on.as_deref_mut() {
                        // Forward r → … → m, then backward m → … → r.
                        edges.extend(fp.windows(2).map(|w| (w[0], w[1])));
                        edges.extend(bp.windows(2).map(|w| (w[1], w[0])));
                    }
                }
            }
            (i, j) = (fi, bj);
        }
    }
    found
}

/// Sum each of `mine` over all processes (one exchange however many numbers).
pub(super) fn totals(node: &mut Node<'_>, mine: &[u64]) -> Result<Vec<u64>> {
    let bytes: Vec<u8> = mine.iter().flat_map(|n| n.to_le_bytes()).collect();
    let mut sums = vec![0u64; mine.len()];
    for theirs in node.all_gather(bytes) {
        if theirs.len() != 8 * mine.len() {
            return Err(Error::Cluster("a peer sent counts of another length".into()));
        }
        for (sum, chunk) in sums.iter_mut().zip(theirs.chunks_exact(8)) {
            *sum += u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
    }
    Ok(sums)
}

/// The largest of every process's `mine`.
pub(super) fn totals_max(node: &mut Node<'_>, mine: u64) -> Result<u64> {
    let all = node.all_gather(mine.to_le_bytes().to_vec());
    Ok(all.iter().filter_map(|b| b.as_slice().try_into().ok().map(u64::from_le_bytes)).max().unwrap_or(0))
}

/// Walks of length 4 in the whole network, the estimate behind `--max-len auto`: for each
/// person, the walks of two recommendations that end at them times those that start there.
/// Each process tells the owners of its people's neighbours its degrees.
fn walks4(node: &mut Node<'_>, part: &Part) -> Result<f64> {
    let mut ending = vec![0u64; part.owned()];
    let mut starting = vec![0u64; part.owned()];
    let mut outbox = node.stream(12 * (part.out.len() + part.inn.len()), |_, _, bytes| {
        let mut it = u32s(bytes);
        while let (Some(v), Some(tag), Some(d)) = (it.next(), it.next(), it.next()) {
            let into = if tag == 0 { &mut ending } else { &mut starting };
            *into.get_mut(part.local(v)).ok_or_else(bad_id)? += u64::from(d);
        }
        Ok(())
    });
    for i in 0..part.owned() {
        let v = part.global(i);
        let (outs, ins) = (part.out_of(v), part.in_of(v));
        for &w in outs {
            // v → w: v's in-degree ends walks at w.
            outbox.push(part.owner(w), |msg| {
                msg.u32(w);
                msg.u32(0);
                msg.u32(ins.len() as u32);
            });
        }
        for &u in ins {
            // u → v: v's out-degree starts walks at u.
            outbox.push(part.owner(u), |msg| {
                msg.u32(u);
                msg.u32(1);
                msg.u32(outs.len() as u32);
            });
        }
    }
    outbox.finish()?;
    let mine: f64 = ending.iter().zip(&starting).map(|(&e, &s)| e as f64 * s as f64).sum();
    let all = node.all_gather(mine.to_le_bytes().to_vec());
    Ok(all.iter().filter_map(|b| b.as_slice().try_into().ok()).map(f64::from_le_bytes).sum())
}

/// Count pairs and cycles of 3..=`max_len` people (`None`: 5 or 4 from the estimate of
/// [`crate::detect::estimate`], over the whole network) in the rows every process read
/// (`local`, with `inputs` inputs in all). Every process gets the same counts.
pub fn count(node: &mut Node<'_>, local: Ingested, inputs: usize, max_len: Option<usize>) -> Result<Counts> {
    count_and_keep(node, local, inputs, max_len, false).map(|(counts, _)| counts)
}

/// [`count`], and with `keep`, this process's part of the graph with its names, the sources
/// of its recommendations and which of them lie on a pair or a cycle that was counted.
pub(super) fn count_and_keep(
    node: &mut Node<'_>,
    local: Ingested,
    inputs: usize,
    max_len: Option<usize>,
    keep: bool,
) -> Result<(Counts, Option<super::core::Core>)> {
    let Ingested { names, rows, .. } = local;
    let mut rows = rows;
    let (owned, names) = dictionary(node, names, &mut rows, keep)?;
    let (part, duplicates) = partition(node, rows, owned as usize, inputs, keep)?;
    let mine_pairs: u64 = (0..part.owned())
        .into_par_iter()
        .map(|i| {
            let r = part.global(i);
            let inn = part.in_of(r);
            part.out_of(r).iter().filter(|&&m| m > r && inn.binary_search(&m).is_ok()).count() as u64
        })
        .sum();
    // People, recommendations, pairs, then duplicates per input.
    let mine = [owned, part.out.len() as u64, mine_pairs].into_iter().chain(duplicates).collect::<Vec<_>>();
    let sums = totals(node, &mine)?;
    let (people, recommendations, pairs) = (sums[0], sums[1], sums[2]);
    let dup_totals = sums[3..].to_vec();
    let walks4 = match max_len {
        Some(_) => None,
        None => Some(walks4(node, &part)?),
    };
    use crate::detect::estimate::{max_len_for, seconds_k5};
    let max_len = max_len.unwrap_or_else(|| max_len_for(seconds_k5(walks4.unwrap_or(0.0))));
    let mut marked = keep.then(|| vec![false; part.out.len()]);
    let cycles = cycles(node, &part, recommendations, people, max_len, marked.as_mut())?;
    let counts = Counts { people, recommendations, duplicates: dup_totals, pairs, cycles, max_len, walks4 };
    let core = match (names, marked) {
        (Some(names), Some(marked)) => Some(super::core::Core::new(node, part, names, marked)?),
        _ => None,
    };
    Ok((counts, core))
}

/// Count the cycles; with `marked` (one flag per out-recommendation of `part`), flag every
/// recommendation on a counted cycle.
fn cycles(
    node: &mut Node<'_>,
    part: &Part,
    edges: u64,
    people: u64,
    max_len: usize,
    mut marked: Option<&mut Vec<bool>>,
) -> Result<Vec<u64>> {
    let mut found = vec![0u64; max_len + 1];
    if max_len < 3 || edges == 0 {
        return Ok(found);
    }
    let longest_forward = max_len.div_ceil(2);
    let degree = edges as f64 / people.max(1) as f64;
    let batches = ((edges as f64 * degree.max(1.0).powi(longest_forward as i32 - 1)) / PATHS_PER_BATCH)
        .ceil()
        .clamp(1.0, 65_536.0) as usize;
    for batch in 0..batches {
        let roots = (0..part.owned()).filter(|i| i % batches == batch).map(|i| part.global(i));
        let (mut f, mut b) = (Paths { stride: 2, ids: Vec::new() }, Paths { stride: 2, ids: Vec::new() });
        for r in roots {
            f.ids.extend(part.out_of(r).iter().filter(|&&v| v > r).flat_map(|&v| [r, v]));
            b.ids.extend(part.in_of(r).iter().filter(|&&u| u > r).flat_map(|&u| [r, u]));
        }
        let (mut forward, mut backward) = route(node, part, f, b)?;
        // After step t, paths have `level` = t + 1 recommendations (stride level + 1); the
        // backward paths of one fewer are kept for the odd lengths.
        for t in 1..longest_forward {
            let level = t + 1;
            let f = extend(part, &forward, true);
            let b = if level <= max_len / 2 {
                extend(part, &backward, false)
            } else {
                Paths { stride: level + 1, ids: Vec::new() }
            };
            let shorter = std::mem::take(&mut backward);
            (forward, backward) = route(node, part, f, b)?;
            // Odd length 2·level − 1 (at least 3): forward `level`, backward `level − 1`.
            let mut on = marked.is_some().then(Vec::new);
            if 2 * level - 1 <= max_len {
                found[2 * level - 1] += join(&forward, &shorter, on.as_mut());
            }
            if 2 * level <= max_len {
                found[2 * level] += join(&forward, &backward, on.as_mut());
            }
            if let Some(marked) = marked.as_deref_mut() {
                super::core::mark(node, part, marked, on.unwrap_or_default())?;
            }
        }
    }
    totals(node, &found)
}
