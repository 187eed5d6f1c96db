//! A graph that grows one recommendation at a time, for live detection: people by name as
//! dense ids in order of first appearance, each person's out- and in-neighbours in arrival
//! order, and each distinct recommendation's id. A repeat and a self-recommendation are
//! reported and not added, as a batch scan drops them, so the graph is always the distinct
//! recommendations without self-loops that [`super::Graph`] holds for the same rows.

use std::collections::HashMap;

/// A directed graph of distinct recommendations, grown in place.
#[derive(Debug, Default)]
pub struct LiveGraph {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    out: Vec<Vec<u32>>,
    inn: Vec<Vec<u32>>,
    edge_ids: HashMap<(u32, u32), u32>,
    /// Each recommendation's date ([`NO_DATE`] for none), by id; empty until one is dated.
    created: Vec<i64>,
}

/// The date of an undated recommendation in [`LiveGraph`]'s dates.
const NO_DATE: i64 = i64::MIN;

/// What [`LiveGraph::add`] did with a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new recommendation `from -> to`, with its id (ids count up from 0 in arrival order).
    New {
        /// Its id.
        edge: u32,
        /// The recommender's id.
        from: u32,
        /// The recommendee's id.
        to: u32,
    },
    /// The same recommender and recommendee as recommendation `edge`: not added again.
    Repeat {
        /// The first one's id.
        edge: u32,
    },
    /// A recommendation of oneself: not added.
    SelfRecommendation,
}

impl LiveGraph {
    /// An empty graph.
    pub fn new() -> Self {
        LiveGraph::default()
    }

    /// Add the recommendation `from -> to` (names as given; the caller trims and checks them).
    pub fn add(&mut self, from: &str, to: &str) -> Added {
        self.add_dated(from, to, None)
    }

    /// Add the recommendation `from -> to` written at `created` (Unix seconds). A repeat
    /// keeps the earliest date of its copies, as a batch scan keeps the earliest dated copy.
    pub fn add_dated(&mut self, from: &str, to: &str, created: Option<i64>) -> Added {
        if from == to {
            return Added::SelfRecommendation;
        }
        let (a, b) = (self.intern(from), self.intern(to));
        let next = self.edge_ids.len() as u32;
        let added = match *self.edge_ids.entry((a, b)).or_insert(next) {
            edge if edge != next => Added::Repeat { edge },
            edge => {
                self.out[a as usize].push(b);
                self.inn[b as usize].push(a);
                Added::New { edge, from: a, to: b }
            }
        };
        if let Some(t) = created {
            let (Added::New { edge, .. } | Added::Repeat { edge }) = added else { unreachable!("not a self-loop") };
            if self.created.len() < self.edge_ids.len() {
                self.created.resize(self.edge_ids.len(), NO_DATE);
            }
            let kept = &mut self.created[edge as usize];
            if *kept == NO_DATE || t < *kept {
                *kept = t;
            }
        }
        added
    }

    /// When recommendation `edge` was written (the earliest of its copies), if known.
    pub fn created(&self, edge: u32) -> Option<i64> {
        self.created.get(edge as usize).copied().filter(|&t| t != NO_DATE)
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.into(), id);
        self.names.push(name.into());
        self.out.push(Vec::new());
        self.inn.push(Vec::new());
        id
    }

    /// The id of the person called `name`, if they are in the graph.
    pub fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The name of person `v`.
    pub fn name(&self, v: u32) -> &str {
        &self.names[v as usize]
    }

    /// How many people.
    pub fn people(&self) -> usize {
        self.names.len()
    }

    /// How many distinct recommendations.
    pub fn recommendations(&self) -> usize {
        self.edge_ids.len()
    }

    /// Whom `v` recommended, in arrival order.
    pub fn out_neighbors(&self, v: u32) -> &[u32] {
        &self.out[v as usize]
    }

    /// Who recommended `v`, in arrival order.
    pub fn in_neighbors(&self, v: u32) -> &[u32] {
        &self.inn[v as usize]
    }

    /// The id of the recommendation `from -> to`, if there is one.
    pub fn edge_id(&self, from: u32, to: u32) -> Option<u32> {
        self.edge_ids.get(&(from, to)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_and_self_recommendations_are_not_added() {
        let mut g = LiveGraph::new();
        assert_eq!(g.add("a", "b"), Added::New { edge: 0, from: 0, to: 1 });
        assert_eq!(g.add("a", "a"), Added::SelfRecommendation);
        assert_eq!(g.add("a", "b"), Added::Repeat { edge: 0 });
        assert_eq!(g.add("b", "a"), Added::New { edge: 1, from: 1, to: 0 });
        assert_eq!((g.people(), g.recommendations()), (2, 2));
        assert_eq!((g.out_neighbors(0), g.in_neighbors(0)), (&[1][..], &[1][..]));
        assert_eq!((g.id("b"), g.name(1), g.edge_id(1, 0), g.edge_id(0, 0)), (Some(1), "b", Some(1), None));
    }

    #[test]
    fn a_repeat_keeps_the_earliest_date_of_its_copies() {
        let mut g = LiveGraph::new();
        g.add("a", "b");
        assert_eq!(g.created(0), None);
        g.add_dated("b", "a", Some(50));
        g.add_dated("a", "b", Some(30));
        g.add_dated("a", "b", Some(40));
        g.add_dated("a", "b", None);
        assert_eq!((g.created(0), g.created(1), g.created(7)), (Some(30), Some(50), None));
    }
}
