//! The partitioned dictionary: each name is owned by the process its FNV-1a hash picks, and
//! its owner numbers it. Names are numbered while the inputs are read, one piece at a time
//! (see `super::share::read_numbered`): every process sends the names of its piece's rows
//! that it has not sent yet to their owners, each owner numbers the names it has not seen in
//! the order they arrive (source process by source process, so the same in every run) as
//! `id = place × processes + owner`, and answers with the ids; the piece's rows are rewritten
//! to these ids. A reader keeps the names it has sent, with their ids, only up to a bound
//! (then it starts afresh), so a process holds the names it owns and a bounded cache, not
//! every name of its share, however many names the graph has.

use super::wire::u32s;
use super::wire::{Reader, Writer};
use super::Node;
use crate::error::{Error, Result};
use crate::ingest::store::RowStore;
use crate::intern::interner::Interner;
use crate::intern::shards::ShardedInterner;

/// The process that owns `name`, by FNV-1a (64 bits): the same in every process and on every
/// machine. From three processes on, process 0 owns no one: it judges the core and writes
/// the report, which costs about what owning a share costs, so the others share the owning.
fn owner_of(name: &str, processes: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    if processes >= 3 {
        1 + (h % (processes as u64 - 1)) as usize
    } else {
        (h % processes as u64) as usize
    }
}

/// How many names ahead the owner's lookups load their table slots.
const LOOKAHEAD: usize = 8;

/// In the map from a process's ids to global ids: not sent to the owner yet.
const UNKNOWN: u32 = u32::MAX;
/// In the map from a process's ids to global ids: sent in this round, not answered yet.
const ASKED: u32 = u32::MAX - 1;

fn short_answer(owner: u32) -> Error {
    Error::Cluster(format!("process {owner} answered fewer ids than it was sent names"))
}

fn too_many() -> Error {
    Error::Cluster("more than 4 billion people: ids do not fit".into())
}

/// This process's side of the dictionary: the names it owns, in the order it numbered them.
pub(super) struct Dictionary {
    owned: Interner,
    processes: usize,
    me: usize,
}

impl Dictionary {
    /// An empty dictionary for this process of `node`'s cluster.
    pub(super) fn new(node: &Node<'_>) -> Self {
        Dictionary { owned: Interner::default(), processes: node.peers(), me: node.index() }
    }

    /// How many names this process owns.
    pub(super) fn owned(&self) -> u64 {
        self.owned.len() as u64
    }

    /// Number the names of one piece's `rows` (ids of `names`) and rewrite the rows to global
    /// ids. `global` maps ids of `names` to global ids ([`UNKNOWN`] when not asked yet) and is
    /// kept from piece to piece with `names`, so that a name is sent to its owner once while
    /// both are kept. Every process calls it once per round, with empty rows when it has no
    /// piece left.
    pub(super) fn number(
        &mut self,
        node: &mut Node<'_>,
        names: &ShardedInterner,
        global: &mut Vec<u32>,
        rows: &mut RowStore,
    ) -> Result<()> {
        let p = self.processes;
        global.resize(names.id_space(), UNKNOWN);
        let mut wanted: Vec<u32> = Vec::new();
        for r in rows.iter() {
            for id in [r.from, r.to] {
                if global[id as usize] == UNKNOWN {
                    global[id as usize] = ASKED;
                    wanted.push(id);
                }
            }
        }
        // Where each wanted name went: (owner, its place among the names sent there).
        let mut place: Vec<(u32, u32)> = Vec::with_capacity(wanted.len());
        let mut out: Vec<Writer> = (0..p).map(|_| Writer::default()).collect();
        let mut sent = vec![0u32; p];
        names.with_names(&wanted, |name| {
            let dest = owner_of(name, p);
            out[dest].str(name);
            place.push((dest as u32, sent[dest]));
            sent[dest] += 1;
        });
        let got = node.exchange(out.into_iter().map(|w| w.bytes).collect());
        // The owner's side: number the names not seen before, source by source.
        let mut answers: Vec<Vec<u8>> = Vec::with_capacity(p);
        let mut asked: Vec<&str> = Vec::new();
        for bytes in &got {
            let mut r = Reader::new(bytes);
            asked.clear();
            while !r.done() {
                asked.push(r.str()?);
            }
            let mut ids = Vec::with_capacity(asked.len() * 4);
            for (i, name) in asked.iter().enumerate() {
                // The table is larger than the caches: start the next lookups' loads early.
                if let Some(ahead) = asked.get(i + LOOKAHEAD) {
                    self.owned.prefetch(ahead);
                }
                let id = self.owned.intern(name) as u64 * p as u64 + self.me as u64;
                if id >= u64::from(ASKED) {
                    return Err(too_many());
                }
                ids.extend_from_slice(&(id as u32).to_le_bytes());
            }
            answers.push(ids);
        }
        drop(asked);
        drop(got);
        let ids = node.exchange(answers);
        let ids: Vec<Vec<u32>> = ids.iter().map(|b| u32s(b).collect()).collect();
        for (&id, &(dest, k)) in wanted.iter().zip(&place) {
            global[id as usize] =
                *ids.get(dest as usize).and_then(|d| d.get(k as usize)).ok_or_else(|| short_answer(dest))?;
        }
        let global = &*global;
        rows.map_ids(|from, to| (global[from as usize], global[to as usize]));
        Ok(())
    }

    /// The names this process owns, to look up by place (`id / processes`).
    pub(super) fn into_names(self) -> OwnedNames {
        OwnedNames(self.owned)
    }
}

/// The names a process owns, by place (place `i` is global id `i × processes + me`).
pub(super) struct OwnedNames(Interner);

impl OwnedNames {
    /// The name at place `i`.
    pub(super) fn get(&self, i: usize) -> &str {
        self.0.name(i as u32)
    }
}
