//! Judging without gathering everything: the part of the graph a judged report can see.
//!
//! A judged report is made of pairs and cycles (and the rings and outskirts built from them)
//! and of the people in them. After the distributed count has flagged every recommendation on
//! a counted pair or cycle, the **core** is the set of people on one. Every recommendation
//! that touches the core goes to process 0, with the names and the whole-network degrees of
//! its ends: a subgraph that holds every pair and cycle of the network (and no other, being
//! a subgraph), every recommendation of every core person, and the true degrees of their
//! neighbours. Process 0 judges it with the one-process pipeline. Where a report needs a
//! whole view of someone outside the core (a ring's beneficiary or donor), process 0 asks for
//! their recommendations too ([`Core::touching`] with those people).
//!
//! This holds only when judging needs nothing from the rest of the network: no dates (the
//! span baseline samples every dated recommendation), no texts (the text baselines), no
//! employment histories or allowlist (matched against every name), no stated relationships
//! or weights (not carried). Otherwise the rows are gathered ([`super::gather`]).

use super::dictionary::OwnedNames;
use super::partition::Part;
use super::wire::{bad_id, u32s};
use super::wire::{Reader, Writer};
use super::Node;
use crate::error::{Error, Result};
use crate::ingest::{Ingested, Row, SourcePos, NO_DATE};

/// This process's part of the graph, its names, and what the count flagged.
pub(crate) struct Core {
    /// Out-adjacency only (the in-adjacency is dropped once pairs are flagged).
    part: Part,
    /// Recommendations each owned person received.
    in_degree: Vec<u32>,
    names: OwnedNames,
    /// Per global id: on a counted pair or cycle (the same in every process).
    people: Bits,
}

/// A set of global ids.
#[derive(Clone, Default)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    fn with_len(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: u32) {
        self.0[i as usize / 64] |= 1 << (i % 64);
    }
    /// Whether anyone is in the set.
    pub(crate) fn any(&self) -> bool {
        self.0.iter().any(|&w| w != 0)
    }
    /// Whether `i` is in the set.
    pub(crate) fn contains(&self, i: u32) -> bool {
        self.0.get(i as usize / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

/// Flag the recommendations `(from, to)` (on counted cycles) at their recommender's owner.
pub(super) fn mark(node: &mut Node<'_>, part: &Part, marked: &mut [bool], mut edges: Vec<(u32, u32)>) -> Result<()> {
    // A recommendation on many cycles is sent once.
    edges.sort_unstable();
    edges.dedup();
    let mut outbox = node.stream(edges.len() * 8, |_, _, bytes| {
        let mut it = u32s(bytes);
        while let (Some(from), Some(to)) = (it.next(), it.next()) {
            if from % part.processes() != part.me() {
                return Err(bad_id());
            }
            let at = part.out_of(from).binary_search(&to).map_err(|_| bad_id())?;
            marked[part.first_out(from) + at] = true;
        }
        Ok(())
    });
    for (from, to) in edges {
        outbox.push(part.owner(from), |w| {
            w.u32(from);
            w.u32(to);
        });
    }
    outbox.finish()
}

/// Rows and people sent to process 0 by [`Core::touching`].
#[derive(Debug, Default)]
pub(crate) struct Touching {
    /// (recommender, recommendee) global ids, input, line.
    pub rows: Vec<(u32, u32, u32, u32)>,
    /// Global id, name, recommendations received and given in the whole network, whether on
    /// a pair or cycle.
    pub people: Vec<(u32, String, u32, u32, bool)>,
}

impl Touching {
    /// Add `more` (a second look), keeping each row and person once.
    pub(crate) fn merge(&mut self, more: Touching) {
        self.rows.extend(more.rows);
        self.rows.sort_unstable();
        self.rows.dedup();
        self.people.extend(more.people);
        self.people.sort_unstable_by_key(|p| p.0);
        self.people.dedup_by_key(|p| p.0);
    }
}

/// The rows and names of `seen` as one process would have read them (in input and line
/// order), with `meta`'s accounting and warnings; and everyone's whole-network degrees.
pub(crate) fn ingested(meta: &Ingested, seen: &Touching) -> Result<(Ingested, crate::scan::Degrees)> {
    let mut out = Ingested {
        inputs: meta.inputs.clone(),
        warnings: meta.warnings.clone(),
        date_precision: meta.date_precision,
        ..Ingested::default()
    };
    let mut local: std::collections::HashMap<u32, u32> = std::collections::HashMap::with_capacity(seen.people.len());
    for (id, name, ..) in &seen.people {
        local.insert(*id, out.names.intern(name));
    }
    let mut rows: Vec<&(u32, u32, u32, u32)> = seen.rows.iter().collect();
    rows.sort_unstable_by_key(|r| (r.2, r.3));
    let id = |g: &u32| local.get(g).copied().ok_or_else(|| Error::Cluster("a row names someone nobody sent".into()));
    for (from, to, file, line) in rows {
        let source = SourcePos { file: *file, line: *line };
        out.rows.push(Row { from: id(from)?, to: id(to)?, created: NO_DATE, source });
    }
    let degrees = seen.people.iter().map(|(_, name, received, given, _)| (name.clone(), *received, *given)).collect();
    Ok((out, degrees))
}

/// The global ids of the people `report` shows who are outside the core.
pub(crate) fn outside_core(report: &crate::report::Report, seen: &Touching) -> Vec<u32> {
    let by_name: std::collections::HashMap<&str, (u32, bool)> =
        seen.people.iter().map(|(id, name, _, _, in_core)| (name.as_str(), (*id, *in_core))).collect();
    let mut ids: Vec<u32> = report
        .people
        .iter()
        .filter_map(|p| by_name.get(p.name.as_str()))
        .filter(|(_, in_core)| !in_core)
        .map(|(id, _)| *id)
        .collect();
    ids.sort_unstable();
    ids
}

impl Core {
    /// Flag the pairs too, then agree on the people on a pair or cycle.
    pub(super) fn new(node: &mut Node<'_>, part: Part, names: OwnedNames, mut marked: Vec<bool>) -> Result<Core> {
        // A pair r ↔ m (r < m) is found at r's owner: flag r → m here and m → r at m's owner.
        let mut far = Vec::new();
        for i in 0..part.owned() {
            let r = part.global(i);
            let inn = part.in_of(r);
            for (k, &m) in part.out_of(r).iter().enumerate() {
                if m > r && inn.binary_search(&m).is_ok() {
                    marked[part.first_out(r) + k] = true;
                    far.push((m, r));
                }
            }
        }
        mark(node, &part, &mut marked, far)?;
        let people = everyone(node, &part, |v| {
            let first = part.first_out(v);
            (0..part.out_of(v).len()).any(|k| marked[first + k])
        })?;
        // The recommendees of flagged recommendations are on the cycle too.
        let mut ends = Bits::with_len(people.0.len() * 64);
        for i in 0..part.owned() {
            let v = part.global(i);
            let first = part.first_out(v);
            for (k, &w) in part.out_of(v).iter().enumerate() {
                if marked[first + k] {
                    ends.set(w);
                }
            }
        }
        let people = union(node, people, ends)?;
        let mut part = part;
        let in_degree = part.release_in();
        Ok(Core { part, in_degree, names, people })
    }

    /// The people on a counted pair or cycle.
    pub(crate) fn core_people(&self) -> &Bits {
        &self.people
    }

    /// Process 0 gets every recommendation with an end in `wanted`, and every person at either
    /// end of one, with their names and whole-network degrees; the others get nothing. Two
    /// rounds: the recommendations (found at their recommender's owner), then the people
    /// process 0 saw in them (from their owners).
    pub(crate) fn touching(&self, node: &mut Node<'_>, wanted: &Bits) -> Result<Option<Touching>> {
        let part = &self.part;
        let mut w = Writer::default();
        for i in 0..part.owned() {
            let v = part.global(i);
            let first = part.first_out(v);
            for (k, &to) in part.out_of(v).iter().enumerate() {
                if wanted.contains(v) || wanted.contains(to) {
                    let (file, line) = part.out_src.get(first + k);
                    w.u32(v);
                    w.u32(to);
                    w.u32(file);
                    w.u32(line);
                }
            }
        }
        let got = node.gather(w.bytes);
        let mut out = Touching::default();
        for bytes in &got {
            let mut it = u32s(bytes);
            while let (Some(from), Some(to), Some(file), Some(line)) = (it.next(), it.next(), it.next(), it.next()) {
                out.rows.push((from, to, file, line));
            }
        }
        let mut ends: Vec<u32> = out.rows.iter().flat_map(|r| [r.0, r.1]).collect();
        ends.sort_unstable();
        ends.dedup();
        let ends = Core::share_wanted(node, &ends)?;
        let mut w = Writer::default();
        for i in 0..part.owned() {
            let v = part.global(i);
            if ends.contains(v) {
                w.u32(v);
                w.str(self.names.get(i));
                w.u32(self.in_degree[i]);
                w.u32(part.out_of(v).len() as u32);
                w.u8(u8::from(self.people.contains(v)));
            }
        }
        let got = node.gather(w.bytes);
        if node.index() != 0 {
            return Ok(None);
        }
        for bytes in &got {
            let mut r = Reader::new(bytes);
            while !r.done() {
                let (id, name) = (r.u32()?, r.str()?.to_string());
                out.people.push((id, name, r.u32()?, r.u32()?, r.u8()? == 1));
            }
        }
        Ok(Some(out))
    }

    /// Every process's set of `ids` (global ids; process 0 says which), for a second look.
    pub(crate) fn share_wanted(node: &mut Node<'_>, ids: &[u32]) -> Result<Bits> {
        let mut w = Writer::default();
        for &i in ids {
            w.u32(i);
        }
        let bytes = node.broadcast(w.bytes);
        let ids: Vec<u32> = u32s(&bytes).collect();
        let mut bits = Bits::with_len(ids.iter().max().map_or(0, |&m| m as usize + 1));
        ids.iter().for_each(|&i| bits.set(i));
        Ok(bits)
    }
}

/// The owned people for which `select` holds, as a set every process agrees on.
fn everyone(node: &mut Node<'_>, part: &Part, select: impl Fn(u32) -> bool) -> Result<Bits> {
    let largest = node.all_gather_u64(part.owned() as u64).into_iter().max().unwrap_or(0);
    let mut mine = Bits::with_len(largest as usize * part.processes() as usize);
    for i in 0..part.owned() {
        let v = part.global(i);
        if select(v) {
            mine.set(v);
        }
    }
    union(node, mine, Bits::default())
}

/// The union of every process's `a ∪ b`.
fn union(node: &mut Node<'_>, a: Bits, b: Bits) -> Result<Bits> {
    let len = a.0.len().max(b.0.len());
    let mut bytes = Vec::with_capacity(len * 8);
    for i in 0..len {
        let w = a.0.get(i).copied().unwrap_or(0) | b.0.get(i).copied().unwrap_or(0);
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    let mut all = Bits(vec![0; len]);
    for theirs in node.all_gather(bytes) {
        if theirs.len() != len * 8 {
            return Err(Error::Cluster("a peer sent a set of another size".into()));
        }
        for (w, c) in all.0.iter_mut().zip(theirs.chunks_exact(8)) {
            *w |= u64::from_le_bytes(c.try_into().expect("8 bytes"));
        }
    }
    Ok(all)
}
