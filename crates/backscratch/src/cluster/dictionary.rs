//! The partitioned dictionary: each name is owned by the process its FNV-1a hash picks;
//! every process sends each name it read to its owner, the owner numbers the names it
//! received in sorted order (`id = rank × processes + owner`) and answers with the ids. Rows
//! then use these ids everywhere.

use rayon::prelude::*;

use super::wire::u32s;
use super::wire::{Reader, Writer};
use super::Node;
use crate::error::{Error, Result};
use crate::ingest::store::RowStore;
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

fn too_many() -> Error {
    Error::Cluster("more than 4 billion people: ids do not fit".into())
}

/// Number every name in a kept row: rewrites the rows' ends to global ids in place and returns
/// how many names this process owns.
pub(super) fn dictionary(
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
