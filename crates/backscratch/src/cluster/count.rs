//! Counting without gathering (`--count-only` on a cluster): no process holds the whole
//! graph.
//!
//! 1. **Dictionary** ([`super::dictionary`]): every name gets a global id from the process
//!    that owns it.
//! 2. **Edges by recommender** ([`super::partition`]): every row goes to the owner of its
//!    recommender, which keeps one copy of each recommendation; the in-adjacency lives with
//!    the recommendee's owner.
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

use super::components;
use super::partition::{partition, Part};
use super::share::Numbered;
use super::wire::{bad_id, u32s};
use super::Node;
use crate::error::{Error, Result};
use crate::scan::WholeCounts;

/// Paths in flight per batch that the batch count aims at (all processes together).
const PATHS_PER_BATCH: f64 = 2e6;

/// What the counting found, the same in every process.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Counts {
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
    /// With `auto`: what the choice was estimated from (walks of length 4 inside cyclic
    /// components, as one process counts them).
    pub estimate: Option<Estimate>,
}

impl Counts {
    /// The counts as the scan driver reports them (with `auto`, in words how the walks were
    /// counted).
    pub(crate) fn whole(&self) -> WholeCounts {
        let auto = self.estimate.map(|e| {
            let among = if e.settled {
                format!("among the {} people of cyclic components", e.core_people)
            } else {
                format!(
                    "among {} people: the components were not all told apart in {} rounds of messages, so the \
                     unsettled people counted as one and more walks than one process counts",
                    e.core_people,
                    components::MAX_ROUNDS
                )
            };
            (e.walks4, among)
        });
        WholeCounts {
            people: self.people,
            recommendations: self.recommendations,
            duplicates: self.duplicates.clone(),
            pairs: self.pairs,
            cycles: self.cycles.clone(),
            max_len: self.max_len,
            auto,
        }
    }
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

/// Send every path to the owner of its last person. Paths whose last person is owned here
/// stay where they are, never encoded.
fn route(node: &mut Node<'_>, part: &Part, forward: Paths, backward: Paths) -> Result<(Paths, Paths)> {
    let (fs, bs) = (forward.stride, backward.stride);
    let me = part.me() as usize;
    let mut got = [Vec::new(), Vec::new()];
    let remote = |paths: &Paths| paths.iter().filter(|p| part.owner(p[p.len() - 1]) != me).count();
    let planned = 4 * (remote(&forward) * (fs + 1) + remote(&backward) * (bs + 1));
    let mut outbox = node.stream(planned, |_, _, bytes| {
        let mut it = u32s(bytes);
        while let Some(tag) = it.next() {
            let (into, stride) = if tag == 0 { (&mut got[0], fs) } else { (&mut got[1], bs) };
            let before = into.len();
            into.extend(it.by_ref().take(stride));
            if into.len() != before + stride {
                return Err(Error::Cluster("a peer sent a cut path".into()));
            }
        }
        Ok(())
    });
    let mut kept = [forward.ids, backward.ids];
    for (tag, (ids, stride)) in kept.iter_mut().zip([fs, bs]).enumerate() {
        // The paths that stay are moved to the front, in order.
        let mut stays = 0;
        for at in (0..ids.len()).step_by(stride.max(1)) {
            let path = &ids[at..at + stride];
            let owner = part.owner(path[stride - 1]);
            if owner == me {
                ids.copy_within(at..at + stride, stays);
                stays += stride;
            } else {
                outbox.push(owner, |w| {
                    w.u32(tag as u32);
                    path.iter().for_each(|&v| w.u32(v));
                });
            }
        }
        ids.truncate(stays);
    }
    outbox.finish()?;
    let [mut f, mut b] = kept;
    f.append(&mut got[0]);
    b.append(&mut got[1]);
    Ok((Paths { stride: fs, ids: f }, Paths { stride: bs, ids: b }))
}

/// Paths extended per parallel piece.
const EXTEND_PIECE: usize = 1 << 14;

/// Extend every path (its last person owned here) by one recommendation out of (`forward`)
/// or into its last person, to someone above the root not yet on it. The paths are taken in
/// the order of their last person ([`Groups`]), so that the neighbour lists are read front
/// to back rather than at random.
fn extend(part: &Part, paths: &Paths, forward: bool, groups: &mut Groups) -> Paths {
    let stride = paths.stride + 1;
    groups.fill(part, paths);
    let grow = |order: &[(u32, u32)], out: &mut Vec<u32>| {
        for &(root, i) in order {
            let path = &paths.ids[i as usize * paths.stride..(i as usize + 1) * paths.stride];
            let last = path[path.len() - 1];
            let next = if forward { part.out_of(last) } else { part.in_of(last) };
            // Neighbours are sorted: those above the root are a suffix.
            for &w in &next[next.partition_point(|&w| w <= root)..] {
                if !path.contains(&w) {
                    out.extend_from_slice(path);
                    out.push(w);
                }
            }
        }
    };
    let order = &groups.order;
    let ids = if rayon::current_num_threads() == 1 || order.len() <= EXTEND_PIECE {
        let mut out = Vec::new();
        grow(order, &mut out);
        out
    } else {
        let pieces: Vec<Vec<u32>> = order
            .par_chunks(EXTEND_PIECE)
            .map(|chunk| {
                let mut out = Vec::new();
                grow(chunk, &mut out);
                out
            })
            .collect();
        pieces.concat()
    };
    Paths { stride, ids }
}

/// Buffers of [`join`], kept from batch to batch so that their pages are not faulted in anew
/// each time.
#[derive(Default)]
struct JoinScratch {
    forward: Groups,
    backward: Groups,
}

/// Paths grouped by their last person (owned here): after [`Groups::fill`], the group of
/// the person with local index `j` is `order[ends[j - 1]..ends[j]]` (from 0 for `j = 0`), as
/// (root, path index).
#[derive(Default)]
struct Groups {
    ends: Vec<u32>,
    order: Vec<(u32, u32)>,
}

impl Groups {
    /// Group `paths` by a counting sort on their last person: linear in the paths plus the
    /// people owned here.
    fn fill(&mut self, part: &Part, paths: &Paths) {
        let stride = paths.stride;
        let owned = part.owned();
        self.ends.clear();
        self.ends.resize(owned + 1, 0);
        for path in paths.iter() {
            self.ends[part.local(path[stride - 1]) + 1] += 1;
        }
        for j in 0..owned {
            self.ends[j + 1] += self.ends[j];
        }
        self.order.clear();
        self.order.resize(paths.ids.len() / stride.max(1), (0, 0));
        // Each person's start moves to its end as its paths are placed.
        for (i, path) in paths.iter().enumerate() {
            let slot = &mut self.ends[part.local(path[stride - 1])];
            self.order[*slot as usize] = (path[0], i as u32);
            *slot += 1;
        }
    }

    /// Where the group of the person with local index `j` lies in `order`.
    fn span(&self, j: usize) -> std::ops::Range<usize> {
        (if j == 0 { 0 } else { self.ends[j - 1] as usize })..self.ends[j] as usize
    }
}

/// Cycles made of a forward path and a backward path that meet at their last person (owned
/// here) from the same root and share no one else. Both sides are grouped by last person
/// ([`Groups`]); where a person has both, the two groups are sorted by root and walked
/// together.
fn join(
    part: &Part,
    forward: &Paths,
    backward: &Paths,
    scratch: &mut JoinScratch,
    mut on: Option<&mut Vec<(u32, u32)>>,
) -> u64 {
    if forward.ids.is_empty() || backward.ids.is_empty() {
        return 0;
    }
    fn path(paths: &Paths, i: u32) -> &[u32] {
        let at = i as usize * paths.stride;
        &paths.ids[at..at + paths.stride]
    }
    let JoinScratch { forward: fg, backward: bg } = scratch;
    fg.fill(part, forward);
    bg.fill(part, backward);
    let mut found = 0u64;
    for j in 0..part.owned() {
        let (fs, bs) = (fg.span(j), bg.span(j));
        if fs.is_empty() || bs.is_empty() {
            continue;
        }
        let (f, b) = (&mut fg.order[fs], &mut bg.order[bs]);
        f.sort_unstable();
        b.sort_unstable();
        let (mut i, mut k) = (0, 0);
        while i < f.len() && k < b.len() {
            let (rf, rb) = (f[i].0, b[k].0);
            if rf < rb {
                i += 1;
            } else if rb < rf {
                k += 1;
            } else {
                let fi = i + f[i..].iter().take_while(|x| x.0 == rf).count();
                let bk = k + b[k..].iter().take_while(|y| y.0 == rb).count();
                for &(_, x) in &f[i..fi] {
                    let fp = path(forward, x);
                    let inner = &fp[1..fp.len() - 1];
                    for &(_, y) in &b[k..bk] {
                        let bp = path(backward, y);
                        if bp[1..bp.len() - 1].iter().any(|v| inner.contains(v)) {
                            continue;
                        }
                        found += 1;
                        if let Some(edges) = on.as_deref_mut() {
                            // Forward r → … → m, then backward m → … → r.
                            edges.extend(fp.windows(2).map(|w| (w[0], w[1])));
                            edges.extend(bp.windows(2).map(|w| (w[1], w[0])));
                        }
                    }
                }
                (i, k) = (fi, bk);
            }
        }
    }
    found
}

/// What `--max-len auto` estimates from: walks of length 4 inside cyclic components, the
/// people in those components, and whether the components were all settled (see
/// [`components`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// Walks of two recommendations into and two out of a person, within a component.
    pub walks4: f64,
    /// People in components with a cycle.
    pub core_people: u64,
    /// Whether every component was told apart (else the unsettled people counted as one).
    pub settled: bool,
}

/// Walks of length 4 inside cyclic components, as [`crate::detect::estimate::estimate`]
/// counts them on one process: for each person, the walks of two recommendations inside their
/// component that end at them times those that start there. Each process labels its people
/// ([`components`]), tells the owners of their neighbours the label (so each learns its
/// people's degrees inside their component), then those degrees.
fn estimate(node: &mut Node<'_>, part: &Part) -> Result<Estimate> {
    use components::TRIVIAL;
    let comps = components::components(node, part)?;
    let label = &comps.label;
    let owned = part.owned();
    let inside = |mine: u32, theirs: u32| mine == theirs && mine != TRIVIAL;
    // Every message: a person, a tag, a label, a number; the owner of the person keeps the
    // number where the label is that person's too.
    let exchange = |node: &mut Node<'_>, number: &dyn Fn(usize, u32) -> u32| -> Result<[Vec<u64>; 2]> {
        let mut sums = [vec![0u64; owned], vec![0u64; owned]];
        let mut outbox = node.stream(16 * (part.edges_out() + part.edges_in()), |_, _, bytes| {
            let mut it = u32s(bytes);
            while let (Some(x), Some(tag), Some(l), Some(d)) = (it.next(), it.next(), it.next(), it.next()) {
                if part.owner(x) != part.me() as usize {
                    return Err(bad_id());
                }
                let j = part.local(x);
                let mine = *label.get(j).ok_or_else(bad_id)?;
                if inside(mine, l) {
                    *sums.get_mut(tag as usize).ok_or_else(bad_id)?.get_mut(j).ok_or_else(bad_id)? += u64::from(d);
                }
            }
            Ok(())
        });
        for (i, &l) in label.iter().enumerate() {
            if l == TRIVIAL {
                continue;
            }
            let v = part.global(i);
            for (tag, neighbours) in [(0u32, part.out_of(v)), (1, part.in_of(v))] {
                let d = number(i, tag);
                for &x in neighbours {
                    outbox.push(part.owner(x), |msg| {
                        msg.u32(x);
                        msg.u32(tag);
                        msg.u32(l);
                        msg.u32(d);
                    });
                }
            }
        }
        outbox.finish()?;
        Ok(sums)
    };
    // Tag 0 goes to recommendees: they count recommenders inside (in-degree); tag 1 to
    // recommenders: they count recommendees inside (out-degree).
    let [in_deg, out_deg] = exchange(node, &|_, _| 1)?;
    // v → w inside: v's in-degree ends walks at w; u → v inside: v's out-degree starts walks at u.
    let [ending, starting] = exchange(node, &|i, tag| if tag == 0 { in_deg[i] as u32 } else { out_deg[i] as u32 })?;
    let mine: f64 = ending.iter().zip(&starting).map(|(&e, &s)| e as f64 * s as f64).sum();
    let core = label.iter().filter(|&&l| l != TRIVIAL).count() as u64;
    let all = node.all_gather([mine.to_le_bytes(), core.to_le_bytes(), [u8::from(comps.settled); 8]].concat());
    let mut out = Estimate { walks4: 0.0, core_people: 0, settled: true };
    for b in &all {
        let (Some(w), Some(c), Some(s)) = (b.get(..8), b.get(8..16), b.get(16)) else { return Err(bad_id()) };
        out.walks4 += f64::from_le_bytes(w.try_into().expect("8 bytes"));
        out.core_people += u64::from_le_bytes(c.try_into().expect("8 bytes"));
        out.settled &= *s == 1;
    }
    Ok(out)
}

/// Count pairs and cycles of 3..=`max_len` people (`None`: 5 or 4 from the estimate of
/// [`crate::detect::estimate`], over the whole network) in the rows every process read
/// (`local`, with `inputs` inputs in all). Every process gets the same counts.
pub(super) fn count(node: &mut Node<'_>, local: Numbered, inputs: usize, max_len: Option<usize>) -> Result<Counts> {
    count_and_keep(node, local, inputs, max_len, false).map(|(counts, _)| counts)
}

/// [`count`], and with `keep`, this process's part of the graph with its names, the sources
/// of its recommendations and which of them lie on a pair or a cycle that was counted.
pub(super) fn count_and_keep(
    node: &mut Node<'_>,
    local: Numbered,
    inputs: usize,
    max_len: Option<usize>,
    keep: bool,
) -> Result<(Counts, Option<super::core::Core>)> {
    let Numbered { copies, dictionary, .. } = local;
    let owned = dictionary.owned();
    let names = keep.then(|| dictionary.into_names());
    let (part, duplicates) = partition(node, copies, owned as usize, inputs, keep)?;
    let mine_pairs: u64 = (0..part.owned())
        .into_par_iter()
        .map(|i| {
            let r = part.global(i);
            let inn = part.in_of(r);
            part.out_of(r).iter().filter(|&&m| m > r && inn.binary_search(&m).is_ok()).count() as u64
        })
        .sum();
    // People, recommendations, pairs, then duplicates per input.
    let mine = [owned, part.edges_out() as u64, mine_pairs].into_iter().chain(duplicates).collect::<Vec<_>>();
    let sums = node.sum_all(&mine)?;
    let (people, recommendations, pairs) = (sums[0], sums[1], sums[2]);
    let dup_totals = sums[3..].to_vec();
    let estimate = match max_len {
        Some(_) => None,
        None => Some(estimate(node, &part)?),
    };
    use crate::detect::estimate::{max_len_for, seconds_k5};
    let max_len = max_len.unwrap_or_else(|| max_len_for(seconds_k5(estimate.map_or(0.0, |e| e.walks4))));
    let mut marked = keep.then(|| vec![false; part.edges_out()]);
    let cycles = cycles(node, &part, recommendations, people, max_len, marked.as_mut())?;
    let counts = Counts { people, recommendations, duplicates: dup_totals, pairs, cycles, max_len, estimate };
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
    let mut scratch = JoinScratch::default();
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
            let f = extend(part, &forward, true, &mut scratch.forward);
            let b = if level <= max_len / 2 {
                extend(part, &backward, false, &mut scratch.backward)
            } else {
                Paths { stride: level + 1, ids: Vec::new() }
            };
            let shorter = std::mem::take(&mut backward);
            (forward, backward) = route(node, part, f, b)?;
            // Odd length 2·level − 1 (at least 3): forward `level`, backward `level − 1`.
            let mut on = marked.is_some().then(Vec::new);
            if 2 * level - 1 <= max_len {
                found[2 * level - 1] += join(part, &forward, &shorter, &mut scratch, on.as_mut());
            }
            if 2 * level <= max_len {
                found[2 * level] += join(part, &forward, &backward, &mut scratch, on.as_mut());
            }
            if let Some(marked) = marked.as_deref_mut() {
                super::core::mark(node, part, marked, on.unwrap_or_default())?;
            }
        }
    }
    node.sum_all(&found)
}
