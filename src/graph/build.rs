//! Building the CSR graph from ingested rows: renumber people in name order, drop repeated
//! recommendations (keeping the earliest dated copy, then the first in input order), and
//! account for every duplicate in its input's statistics.

use rayon::prelude::*;

use super::{pages, EdgeSource, Graph};
use crate::ingest::{Ingested, InputStats, Row, NO_DATE};

/// The graph and the final per-input accounting (used and duplicate rows filled in).
#[derive(Debug)]
pub struct BuildOutcome {
    /// The de-duplicated graph.
    pub graph: Graph,
    /// Per-input statistics, in input order.
    pub inputs: Vec<InputStats>,
    /// Jobs read from LinkedIn exports (name, company, start, end).
    pub jobs: Vec<(String, String, i64, i64)>,
    /// Warnings about the inputs.
    pub warnings: Vec<String>,
}

impl Graph {
    /// Build a graph from ingested rows. Rows are renumbered and sorted in place and dropped
    /// before the in-adjacency is built, so the peak memory is the rows plus the out-side
    /// arrays (36 bytes per edge without dates).
    pub fn build(ingested: Ingested) -> BuildOutcome {
        let Ingested {
            names,
            mut rows,
            texts,
            relationships,
            mut inputs,
            contexts,
            kinds,
            jobs,
            warnings,
            date_precision,
            stopped: _,
        } = ingested;
        let mut used = vec![false; names.id_space()];
        for r in &rows {
            used[r.from as usize] = true;
            used[r.to as usize] = true;
        }
        let (names, remap) = names.into_sorted(|id| used[id as usize]);
        drop(used);
        // Undated rows sort after every dated copy of the same recommendation.
        rows.par_iter_mut().for_each(|r| {
            r.from = remap[r.from as usize];
            r.to = remap[r.to as usize];
            if r.created == NO_DATE {
                r.created = i64::MAX;
            }
        });
        drop(remap);
        rows.par_sort_unstable_by_key(|r| (r.from, r.to, r.created, r.source));

        let mut kept = 0usize;
        for i in 0..rows.len() {
            let r = rows[i];
            if kept > 0 && (rows[kept - 1].from, rows[kept - 1].to) == (r.from, r.to) {
                inputs[r.source.file as usize].duplicates += 1;
                continue;
            }
            rows[kept] = r;
            kept += 1;
        }
        rows.truncate(kept);
        assert!(kept <= u32::MAX as usize, "more than 4 billion distinct recommendations");
        for input in &mut inputs {
            input.used = input.rows - input.duplicates - input.self_loops - input.skipped;
        }

        let n = names.len();
        let mut out_offsets = pages::filled(n + 1, 0usize);
        let mut in_offsets = pages::filled(n + 1, 0usize);
        for r in &rows {
            out_offsets[r.from as usize + 1] += 1;
            in_offsets[r.to as usize + 1] += 1;
        }
        for v in 0..n {
            out_offsets[v + 1] += out_offsets[v];
            in_offsets[v + 1] += in_offsets[v];
        }
        let targets: Vec<u32> = pages::collected(kept, rows.iter().map(|r| r.to));
        let sources: Vec<EdgeSource> = rows.iter().map(|r| r.source).collect();
        let created = rows
            .iter()
            .any(|r| r.created != i64::MAX)
            .then(|| rows.iter().map(|r| if r.created == i64::MAX { NO_DATE } else { r.created }).collect());
        // The rows are no longer needed: the in-adjacency comes from the out-adjacency, so
        // the rows and the in-arrays never take memory at the same time.
        drop(rows);
        // Edges are in (from, to) order, so filling the in-buckets in edge order leaves each
        // bucket sorted by source.
        let mut in_sources = pages::filled(kept, 0u32);
        let mut in_edges = pages::filled(kept, 0u32);
        let mut cursor = in_offsets.clone();
        for from in 0..n {
            for e in out_offsets[from]..out_offsets[from + 1] {
                let slot = &mut cursor[targets[e] as usize];
                in_sources[*slot] = from as u32;
                in_edges[*slot] = e as u32;
                *slot += 1;
            }
        }
        let graph = Graph {
            names,
            out_offsets,
            targets,
            in_offsets,
            in_sources,
            in_edges,
            created,
            sources,
            texts,
            relationships,
            contexts,
            kinds,
            date_precision,
        };
        BuildOutcome { graph, inputs, jobs, warnings }
    }

    /// Build a graph straight from `(from, to)` name pairs (self-loops and repeats are
    /// dropped as in a scan). For tests, benchmarks and library users with edges in memory.
    pub fn from_edges<S: AsRef<str>>(edges: impl IntoIterator<Item = (S, S)>) -> Graph {
        Graph::from_records(edges.into_iter().map(|(a, b)| EdgeRecord::new(a, b)))
    }

    /// A graph of in-memory recommendations with attributes (for tests and library users);
    /// line `i + 1` of the pseudo-input `<memory>` is record `i`.
    pub fn from_records<S: AsRef<str>>(records: impl IntoIterator<Item = EdgeRecord<S>>) -> Graph {
        let mut ingested = Ingested::default();
        let mut stats = InputStats { path: "<memory>".into(), ..Default::default() };
        for (line, r) in records.into_iter().enumerate() {
            stats.rows += 1;
            let from = ingested.names.intern(r.from.as_ref().trim());
            let to = ingested.names.intern(r.to.as_ref().trim());
            if from == to {
                stats.self_loops += 1;
                continue;
            }
            let source = EdgeSource { file: 0, line: u32::try_from(line + 1).unwrap_or(u32::MAX) };
            ingested.rows.push(Row { from, to, created: r.created.unwrap_or(NO_DATE), source });
            ingested.texts.push(source, r.text.as_ref().map(AsRef::as_ref));
            ingested.relationships.push(source, r.relationship.as_ref().map(AsRef::as_ref));
        }
        ingested.inputs.push(stats);
        Graph::build(ingested).graph
    }
}

/// One in-memory recommendation for [`Graph::from_records`].
#[derive(Debug, Clone, Default)]
pub struct EdgeRecord<S> {
    /// Recommender.
    pub from: S,
    /// Recommendee.
    pub to: S,
    /// Unix seconds.
    pub created: Option<i64>,
    /// Stated relationship.
    pub relationship: Option<S>,
    /// Text.
    pub text: Option<S>,
}

impl<S> EdgeRecord<S> {
    /// A recommendation without attributes.
    pub fn new(from: S, to: S) -> Self {
        EdgeRecord { from, to, created: None, relationship: None, text: None }
    }
    /// With a date.
    pub fn at(mut self, created: i64) -> Self {
        self.created = Some(created);
        self
    }
    /// With a text.
    pub fn text(mut self, text: S) -> Self {
        self.text = Some(text);
        self
    }
    /// With a stated relationship.
    pub fn relationship(mut self, relationship: S) -> Self {
        self.relationship = Some(relationship);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedups_sorts_and_builds_both_adjacencies() {
        let g = Graph::from_edges([("b", "a"), ("a", "c"), ("a", "b"), ("a", "b"), ("c", "c"), ("c", "a")]);
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 4);
        let (a, b, c) = (0, 1, 2);
        assert_eq!(g.out_neighbors(a), &[b, c]);
        assert_eq!(g.in_neighbors(a), &[b, c]);
        assert_eq!(g.edge_id(c, a), Some(3));
        assert_eq!(g.endpoints(3), (c, a));
        assert_eq!(g.in_edge_ids(a), &[g.edge_id(b, a).unwrap(), g.edge_id(c, a).unwrap()]);
        assert_eq!(g.edge_id(b, c), None);
        assert_eq!(g.source(g.edge_id(a, b).unwrap()).line, 3);
    }

    #[test]
    fn people_only_in_self_recommendations_are_not_people() {
        let g = Graph::from_edges([("a", "b"), ("z", "z")]);
        assert_eq!(g.node_count(), 2);
        assert_eq!(g.names().get("z"), None);
    }
}
