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
use super::dictionary::dictionary;
use super::partition::{partition, Part};
use super::wire::{bad_id, u32s};
use super::Node;
use crate::error::{Error, Result};
use crate::ingest::Ingested;
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
pub(crate) fn count(node: &mut Node<'_>, local: Ingested, inputs: usize, max_len: Option<usize>) -> Result<Counts> {
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
    node.sum_all(&found)
}
