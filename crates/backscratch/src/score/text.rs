//! Text evidence: how alike the recommendation texts inside a finding are, and how generic
//! (stock praise with nothing specific) each text is, both compared with the whole dataset.
//!
//! - **Similarity**: texts become sets of word 3-shingles (lower case, letters and digits,
//!   the two people's own names removed so that "Ivan is a true professional" and "Jade is a
//!   true professional" are the same text); two texts compare by Jaccard similarity of their
//!   sets. The dataset baseline is the 95th percentile over [`BASELINE_PAIRS`] random pairs of
//!   texts (fixed seed, so reports stay reproducible).
//! - **Genericity**: the number of distinct stock praise phrases a text uses ([`STOCK`]). A
//!   text with two or more is *generic*; the baseline is the share of generic texts in the data.

use rayon::prelude::*;

use crate::graph::Graph;
use crate::rng::Rng;

/// Random text pairs drawn for the similarity baseline.
pub(crate) const BASELINE_PAIRS: usize = 2000;
/// A finding's texts count as similar only above this Jaccard similarity, whatever the baseline.
pub(crate) const MIN_SIMILARITY: f64 = 0.3;
/// A text with at least this many stock phrases is generic.
pub(crate) const GENERIC_PHRASES: usize = 2;

/// Stock praise phrases: what a recommendation says when it says nothing specific.
pub(crate) const STOCK: &[&str] = &[
    "true professional",
    "strong professional",
    "consummate professional",
    "pleasure to work with",
    "highly recommend",
    "team player",
    "extra mile",
    "results-driven",
    "results driven",
    "excellent communication",
    "great communication",
    "communication skills",
    "without hesitation",
    "great skills",
    "great energy",
    "hard working",
    "hard-working",
    "go-to person",
    "asset to any",
    "any team",
    "any organization",
    "dynamic",
    "passionate",
    "detail-oriented",
    "self-starter",
    "outside the box",
];

/// Shingle hashes of every edge's text, and the dataset baselines.
#[derive(Debug, Clone)]
pub struct TextIndex {
    /// `shingles[offsets[e]..offsets[e + 1]]`: sorted distinct shingle hashes of edge `e`.
    offsets: Vec<u32>,
    shingles: Vec<u32>,
    /// Stock phrases per edge.
    stock: Vec<u8>,
    /// Edges with a text.
    texts: usize,
    /// 95th percentile of random-pair similarity (`None` with fewer than two texts).
    pub similarity_p95: Option<f64>,
    /// Share of texts that are generic.
    pub generic_share: f64,
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

fn hash_words(ws: &[String]) -> u32 {
    // FNV-1a: stable across platforms and runs.
    let mut h: u32 = 0x811c_9dc5;
    for w in ws {
        for b in w.bytes().chain([b' ']) {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// The sorted, distinct word 3-shingle hashes of `text`, leaving out the words of `names`.
pub(crate) fn shingles(text: &str, names: &[&str]) -> Vec<u32> {
    let skip: Vec<String> = names.iter().flat_map(|n| words(n)).collect();
    let ws: Vec<String> = words(text).filter(|w| !skip.contains(w)).collect();
    let mut out: Vec<u32> = if ws.len() < 3 { vec![hash_words(&ws)] } else { ws.windows(3).map(hash_words).collect() };
    if ws.is_empty() {
        out.clear();
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How many ids two sorted, duplicate-free lists share.
pub(crate) fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both
}

/// Jaccard similarity of two sorted sets (0 when both are empty).
pub(crate) fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let both = shared(a, b);
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// The stock phrases `text` uses.
pub(crate) fn stock_phrases(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    STOCK.iter().copied().filter(|p| lower.contains(p)).collect()
}

impl TextIndex {
    /// Index every edge's text; `None` when no edge has one.
    pub fn build(g: &Graph) -> Option<TextIndex> {
        if !g.has_texts() {
            return None; // and no per-edge table for a graph without a text column
        }
        let per_edge: Vec<(Vec<u32>, u8)> = (0..g.node_count() as u32)
            .into_par_iter()
            .flat_map_iter(|v| {
                let first = g.first_out_edge(v);
                g.out_neighbors(v).iter().enumerate().map(move |(i, &w)| match g.text(first + i as u32) {
                    Some(t) if !t.trim().is_empty() => {
                        (shingles(t, &[g.name(v), g.name(w)]), stock_phrases(t).len().min(255) as u8)
                    }
                    _ => (Vec::new(), 0),
                })
            })
            .collect();
        let texts = per_edge.iter().filter(|(s, _)| !s.is_empty()).count();
        if texts == 0 {
            return None;
        }
        let mut offsets = Vec::with_capacity(per_edge.len() + 1);
        let mut shingles = Vec::new();
        let mut stock = Vec::with_capacity(per_edge.len());
        offsets.push(0);
        for (s, k) in per_edge {
            shingles.extend_from_slice(&s);
            offsets.push(shingles.len() as u32);
            stock.push(k);
        }
        let mut index = TextIndex { offsets, shingles, stock, texts, similarity_p95: None, generic_share: 0.0 };
        let generic = (0..index.stock.len() as u32).filter(|&e| index.is_generic(e)).count();
        index.generic_share = generic as f64 / texts as f64;
        index.similarity_p95 = index.random_pair_p95();
        Some(index)
    }

    fn random_pair_p95(&self) -> Option<f64> {
        let with_text: Vec<u32> = (0..self.stock.len() as u32).filter(|&e| self.has_text(e)).collect();
        if with_text.len() < 2 {
            return None;
        }
        let mut rng = Rng(0x5eed);
        let mut sims: Vec<f64> = Vec::with_capacity(BASELINE_PAIRS);
        while sims.len() < BASELINE_PAIRS {
            let (a, b) = (rng.below(with_text.len()), rng.below(with_text.len()));
            if a != b {
                sims.push(jaccard(self.of(with_text[a]), self.of(with_text[b])));
            }
        }
        sims.sort_by(f64::total_cmp);
        Some(sims[sims.len() * 95 / 100])
    }

    /// The shingles of edge `e` (empty without a text).
    pub fn of(&self, e: u32) -> &[u32] {
        &self.shingles[self.offsets[e as usize] as usize..self.offsets[e as usize + 1] as usize]
    }

    /// Whether edge `e` has a text.
    pub fn has_text(&self, e: u32) -> bool {
        self.offsets[e as usize] < self.offsets[e as usize + 1]
    }

    /// Whether edge `e`'s text is generic.
    pub fn is_generic(&self, e: u32) -> bool {
        usize::from(self.stock[e as usize]) >= GENERIC_PHRASES
    }

    /// Number of edges with a text.
    pub fn texts(&self) -> usize {
        self.texts
    }

    /// Mean pairwise similarity of the texts of `edges` (`None` with fewer than two texts).
    pub fn mean_similarity(&self, edges: &[u32]) -> Option<f64> {
        let (mut sum, mut pairs) = (0.0, 0u32);
        for (i, &a) in edges.iter().enumerate() {
            if !self.has_text(a) {
                continue;
            }
            for &b in edges[i + 1..].iter().filter(|&&b| self.has_text(b)) {
                sum += jaccard(self.of(a), self.of(b));
                pairs += 1;
            }
        }
        (pairs > 0).then(|| sum / f64::from(pairs))
    }

    /// Whether a mean similarity counts as "alike": above the dataset's 95th percentile and
    /// at least [`MIN_SIMILARITY`].
    pub fn similar(&self, similarity: Option<f64>) -> bool {
        match (similarity, self.similarity_p95) {
            (Some(s), Some(p95)) => s >= MIN_SIMILARITY && s > p95,
            _ => false,
        }
    }

    /// `(texts, generic texts)` among `edges`.
    pub fn generic_count(&self, edges: &[u32]) -> (u32, u32) {
        let texts = edges.iter().filter(|&&e| self.has_text(e)).count() as u32;
        let generic = edges.iter().filter(|&&e| self.is_generic(e)).count() as u32;
        (texts, generic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_counts_common_ids_of_sorted_lists() {
        assert_eq!(shared(&[1, 3, 5, 7], &[2, 3, 4, 7, 9]), 2);
        assert_eq!(shared(&[], &[1]), 0);
    }
    use crate::graph::EdgeRecord;

    #[test]
    fn names_are_masked_and_near_copies_are_similar() {
        let a = shingles("Ivan is a true professional and a pleasure to work with.", &["Jade Morgan", "Ivan Petrov"]);
        let b = shingles("Jade is a true professional and a pleasure to work with!", &["Ivan Petrov", "Jade Morgan"]);
        assert_eq!(jaccard(&a, &b), 1.0);
        let c = shingles("Dana owned the churn model and found the leakage in our features.", &["Dana Ruiz"]);
        assert!(jaccard(&a, &c) < 0.05);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(shingles("Ann", &["Ann"]), Vec::<u32>::new());
        assert_eq!(shingles("great work", &[]).len(), 1);
    }

    #[test]
    fn stock_phrases_make_a_text_generic() {
        let p =
            stock_phrases("Jade is a true professional and a pleasure to work with. Highly recommended for any team!");
        assert_eq!(p, vec!["true professional", "pleasure to work with", "highly recommend", "any team"]);
        assert!(stock_phrases("Cut the nightly run from six hours to forty minutes.").is_empty());
    }

    #[test]
    fn index_baselines() {
        let mut records: Vec<EdgeRecord<String>> = [
            ("a", "b", "a true professional, highly recommended"),
            ("b", "a", "a true professional, highly recommended"),
            ("c", "d", "rebuilt the billing pipeline in three weeks"),
            ("d", "e", "ran the audit and wrote the runbook"),
            ("e", "c", "negotiated the vendor contract for the warehouse"),
        ]
        .iter()
        .map(|(a, b, t)| EdgeRecord::new(a.to_string(), b.to_string()).text(t.to_string()))
        .collect();
        // Twenty more texts with nothing in common, so that random pairs are unalike.
        records.extend(
            (0..20).map(|i| EdgeRecord::new(format!("x{i}"), format!("y{i}")).text(format!("w{i}a w{i}b w{i}c w{i}d"))),
        );
        let g = Graph::from_records(records);
        let t = TextIndex::build(&g).unwrap();
        assert_eq!(t.texts(), 25);
        assert_eq!(t.generic_share, 0.08);
        assert!(t.similarity_p95.unwrap() < 0.1);
        let pair = [g.edge_id(0, 1).unwrap(), g.edge_id(1, 0).unwrap()];
        assert_eq!(t.mean_similarity(&pair), Some(1.0));
        assert_eq!(t.generic_count(&pair), (2, 2));
        assert!(t.similar(Some(1.0)));
        assert!(!t.similar(Some(0.1)));
        assert!(TextIndex::build(&Graph::from_edges([("a", "b")])).is_none());
    }
}
