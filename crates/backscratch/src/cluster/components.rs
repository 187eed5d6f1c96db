//! Strongly connected components of the distributed graph, for the estimate behind
//! `--max-len auto`, which counts walks inside components only (as one process does, see
//! [`crate::detect::estimate`]). Each process labels the people it owns by trimming and
//! forward-backward colouring (Orzan 2004; Hong, Rodia and Olukotun, SC 2013), every step a
//! round of messages along the edges:
//!
//! 1. *Trim*: a person with no remaining recommender or no remaining recommendee is on no
//!    cycle (a trivial component); removing them may strip others, round after round.
//! 2. *Colour*: every remaining person takes the smallest id that reaches them.
//! 3. *Close*: a person whose colour is their own id (a root) collects, backwards over people
//!    of its colour, everyone who reaches it: that is its component. A root nobody joined is
//!    trivial. Every labelled person is removed, and the steps repeat on what remains.
//!
//! Each repetition settles at least the component of every colour's root. Chains of tiny
//! components can need many rounds; after [`MAX_ROUNDS`] the people still unsettled are taken
//! as one component (the estimate then counts more walks than one process would, and the
//! caller says so).

use super::partition::Part;
use super::wire::{bad_id, u32s};
use super::Node;
use crate::error::Result;

/// The label of a person on no cycle.
pub(super) const TRIVIAL: u32 = u32::MAX;
/// The label shared by people still unsettled after [`MAX_ROUNDS`].
pub(super) const UNSETTLED: u32 = u32::MAX - 1;
const UNSET: u32 = u32::MAX - 2;

/// Rounds of messages after which the people still unsettled are taken as one component.
pub(crate) const MAX_ROUNDS: usize = 2_000;

/// Components by label, one per owned person (a component's label is its smallest id;
/// [`TRIVIAL`], or [`UNSETTLED`] when the rounds ran out, which the flag says).
pub(super) struct Components {
    pub(super) label: Vec<u32>,
    pub(super) settled: bool,
}

/// Send every `(to, value)` to the owner of `to`, which calls `take(local index, value)`.
fn round(node: &mut Node<'_>, part: &Part, msgs: &[(u32, u32)], mut take: impl FnMut(usize, u32)) -> Result<()> {
    let (me, owned) = (part.me() as usize, part.owned());
    let mut outbox = node.stream(8 * msgs.len(), |_, _, bytes| {
        let mut it = u32s(bytes);
        while let (Some(to), Some(value)) = (it.next(), it.next()) {
            if part.owner(to) != me || (to / part.processes()) as usize >= owned {
                return Err(bad_id());
            }
            take(part.local(to), value);
        }
        Ok(())
    });
    for &(to, value) in msgs {
        outbox.push(part.owner(to), |m| {
            m.u32(to);
            m.u32(value);
        });
    }
    outbox.finish()
}

/// Whether any process has a non-zero `mine` (every process gets the same answer).
fn anyone(node: &mut Node<'_>, mine: usize) -> Result<bool> {
    Ok(node.sum_all(&[mine as u64])?[0] > 0)
}

/// Spread colours along one direction of the edges from `frontier`, round after round, until
/// no process changes anyone: every person in the frontier sends its colour to its
/// `neighbours`, and `take(j, colour, colours)` says (and records) whether person `j` changes.
/// Returns everyone who changed, in the order they did.
fn spread(
    node: &mut Node<'_>,
    part: &Part,
    mut frontier: Vec<usize>,
    rounds: &mut usize,
    color: &mut [u32],
    neighbours: fn(&Part, u32) -> &[u32],
    mut take: impl FnMut(usize, u32, &mut [u32]) -> bool,
) -> Result<Vec<usize>> {
    let mut changed = vec![false; color.len()];
    let mut all = Vec::new();
    loop {
        let msgs: Vec<(u32, u32)> = frontier
            .iter()
            .flat_map(|&i| neighbours(part, part.global(i)).iter().map(move |&w| (w, i)))
            .map(|(w, i)| (w, color[i]))
            .collect();
        let mut next = Vec::new();
        round(node, part, &msgs, |j, c| {
            if take(j, c, color) && !changed[j] {
                changed[j] = true;
                next.push(j);
            }
        })?;
        *rounds += 1;
        next.sort_unstable();
        for &j in &next {
            changed[j] = false;
        }
        all.extend_from_slice(&next);
        frontier = next;
        if !anyone(node, frontier.len())? {
            return Ok(all);
        }
    }
}

/// Label every owned person with their component.
pub(super) fn components(node: &mut Node<'_>, part: &Part) -> Result<Components> {
    let n = part.owned();
    let g = |i: usize| part.global(i);
    let mut label = vec![UNSET; n];
    let mut alive_in: Vec<u32> = (0..n).map(|i| part.in_of(g(i)).len() as u32).collect();
    let mut alive_out: Vec<u32> = (0..n).map(|i| part.out_of(g(i)).len() as u32).collect();
    let mut rounds = 0usize;
    // People labelled since their neighbours were last told.
    let mut removed: Vec<usize> = Vec::new();
    let mut color = vec![0u32; n];
    let mut in_scc = vec![false; n];
    let mut joined_by = vec![false; n];
    loop {
        // Trim, telling neighbours of everyone removed so far.
        loop {
            let dying: Vec<usize> =
                (0..n).filter(|&i| label[i] == UNSET && (alive_in[i] == 0 || alive_out[i] == 0)).collect();
            for &i in &dying {
                label[i] = TRIVIAL;
            }
            removed.extend(dying);
            // Tag 0: one recommender fewer; 1: one recommendee fewer.
            let msgs: Vec<(u32, u32)> = removed
                .drain(..)
                .flat_map(|i| {
                    let v = g(i);
                    part.out_of(v).iter().map(|&w| (w, 0)).chain(part.in_of(v).iter().map(|&u| (u, 1)))
                })
                .collect();
            let told = msgs.len();
            round(node, part, &msgs, |j, tag| {
                let count = if tag == 0 { &mut alive_in[j] } else { &mut alive_out[j] };
                *count = count.saturating_sub(1);
            })?;
            rounds += 1;
            if !anyone(node, told)? {
                break;
            }
        }
        let alive: Vec<usize> = (0..n).filter(|&i| label[i] == UNSET).collect();
        if !anyone(node, alive.len())? {
            return Ok(Components { label, settled: true });
        }
        if rounds >= MAX_ROUNDS {
            for i in alive {
                label[i] = UNSETTLED;
            }
            return Ok(Components { label, settled: false });
        }
        // Colour forwards: the smallest id that reaches each person.
        for &i in &alive {
            color[i] = g(i);
        }
        spread(node, part, alive.clone(), &mut rounds, &mut color, Part::out_of, |j, c, color| {
            let take = label[j] == UNSET && c < color[j];
            if take {
                color[j] = c;
            }
            take
        })?;
        // Close backwards from every root over people of its colour.
        let frontier: Vec<usize> = alive.iter().copied().filter(|&i| color[i] == g(i)).collect();
        for &i in &frontier {
            in_scc[i] = true;
        }
        let joined = spread(node, part, frontier, &mut rounds, &mut color, Part::in_of, |j, c, color| {
            let take = label[j] == UNSET && !in_scc[j] && color[j] == c;
            in_scc[j] |= take;
            take
        })?;
        // Members tell their root that it is not alone.
        let msgs: Vec<(u32, u32)> = joined.iter().map(|&j| (color[j], 0)).collect();
        round(node, part, &msgs, |r, _| joined_by[r] = true)?;
        rounds += 1;
        for &i in &alive {
            if in_scc[i] {
                let alone = color[i] == g(i) && !joined_by[i];
                label[i] = if alone { TRIVIAL } else { color[i] };
                removed.push(i);
            }
        }
    }
}
