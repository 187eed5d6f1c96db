//! `check`: the verdict for named candidates. Each name is looked up exactly, then by the
//! identity key of LinkedIn exports (case, accents, punctuation and spacing do not matter,
//! and `Sam Park` also meets the `Sam Park (Globex)` a scan kept apart from another Sam
//! Park). One person found gets a verdict; several are `ambiguous` (no verdict, the
//! candidates listed); none is `not_found` with the closest names in the data as
//! suggestions, so that a typo or a namesake is never passed silently.

use std::collections::HashMap;

use super::model::{Case, Finding, Person, Subject, SubjectStatus, Verdict};
use super::people::{person, Marks};
use crate::graph::Graph;
use crate::ingest::linkedin::identity::without_namesake_suffix;
use crate::keys::name_key;
use crate::score::Severity;

/// How many near matches a missing name gets.
const MAX_SUGGESTIONS: usize = 3;

/// A name's key without the `(Company)` suffix that keeps namesakes apart.
fn base_key(name: &str) -> String {
    name_key(without_namesake_suffix(name))
}

/// People of the graph by [`base_key`], built once per `check`.
fn people_by_key(g: &Graph) -> HashMap<String, Vec<u32>> {
    let mut map: HashMap<String, Vec<u32>> = HashMap::new();
    for v in 0..g.node_count() as u32 {
        map.entry(base_key(g.name(v))).or_default().push(v);
    }
    map
}

/// The people a query names: its exact spelling, else everyone with its key.
fn lookup(g: &Graph, by_key: &HashMap<String, Vec<u32>>, query: &str) -> Vec<u32> {
    if let Some(v) = g.names().get(query) {
        return vec![v];
    }
    let key = name_key(query);
    let Some(all) = by_key.get(&base_key(query)) else { return Vec::new() };
    // `Sam Park (Globex)` asked for exactly, in another case: only that one.
    let exact: Vec<u32> = all.iter().copied().filter(|&v| name_key(g.name(v)) == key).collect();
    if exact.len() == 1 {
        exact
    } else {
        all.clone()
    }
}

/// Look up every query and judge the people found.
pub(crate) fn resolve(g: &Graph, queries: &[String], marks: &Marks<'_>, findings: &[Finding]) -> Vec<Subject> {
    let by_key = people_by_key(g);
    let index = std::sync::OnceLock::new();
    queries
        .iter()
        .map(|q| match lookup(g, &by_key, q).as_slice() {
            [v] => {
                let mut subject = found(q, person(g, *v, marks), findings);
                subject.received = marks.received(g, *v);
                if let Some(why) = missing_evidence(&subject, findings, marks) {
                    subject.status = SubjectStatus::CannotTell;
                    subject.reason = why;
                }
                subject
            }
            [] => Subject {
                query: q.clone(),
                status: SubjectStatus::NotFound,
                reason: "this name occurs in no recommendation in the data, so there is no verdict".into(),
                worst_severity: None,
                person: None,
                findings: Vec::new(),
                suggestions: index.get_or_init(|| NameIndex::new(g)).suggestions(q),
                received: Vec::new(),
            },
            many => Subject {
                query: q.clone(),
                status: SubjectStatus::Ambiguous,
                reason: format!(
                    "{} people in the data go by this name, so there is no verdict: name one of them exactly",
                    many.len()
                ),
                worst_severity: None,
                person: None,
                findings: Vec::new(),
                suggestions: many.iter().map(|&v| g.name(v).to_string()).collect(),
                received: Vec::new(),
            },
        })
        .collect()
}

fn found(query: &str, p: Person, findings: &[Finding]) -> Subject {
    let theirs: Vec<&Finding> = findings.iter().filter(|f| f.members.contains(&p.name)).collect();
    let listed_worst = theirs.iter().filter(|f| f.suppressed_by.is_none()).map(|f| f.severity).max();
    let worst = match p.verdict {
        Verdict::Fail => Some(Severity::High),
        Verdict::Warn => Some(listed_worst.unwrap_or(Severity::Medium).max(Severity::Medium)),
        Verdict::Pass => listed_worst.filter(|&s| s < Severity::Medium),
    };
    Subject {
        query: query.to_string(),
        status: match p.verdict {
            Verdict::Pass => SubjectStatus::Pass,
            Verdict::Warn => SubjectStatus::Warn,
            Verdict::Fail => SubjectStatus::Fail,
        },
        reason: why(&p, &theirs),
        worst_severity: worst,
        person: Some(p),
        findings: theirs.iter().map(|f| f.id.clone()).collect(),
        suggestions: Vec::new(),
        received: Vec::new(),
    }
}

/// When `subject` would pass but the evidence its verdict needs is missing, why (in one
/// sentence): nothing was judged, or a finding they are in could not be checked against
/// employment histories (none on file, none for them, none for their counterpart). A failure
/// or a warning stands on the evidence it has; a person in no finding passes on structure.
fn missing_evidence(subject: &Subject, findings: &[Finding], marks: &Marks<'_>) -> Option<String> {
    let p = subject.person.as_ref()?;
    let Some(backings) = marks.backings else {
        return Some(
            "nothing was judged (--count-only, or the --time-budget ran out before scoring), so there is no verdict"
                .into(),
        );
    };
    if p.verdict != Verdict::Pass {
        return None;
    }
    let unchecked = findings.iter().filter(|f| f.suppressed_by.is_none() && f.members.contains(&p.name)).find(|f| {
        f.signals.iter().any(|s| s.name == "corroborated" && s.value["unknown"].as_u64().is_some_and(|n| n > 0))
    })?;
    let others: Vec<&str> = unchecked.members.iter().map(String::as_str).filter(|m| *m != p.name).collect();
    let fired: Vec<String> = unchecked
        .signals
        .iter()
        .filter(|s| s.fired && s.points > 0)
        .map(|s| super::describe::plain(unchecked, &s.name, &s.value))
        .collect();
    let what = if fired.is_empty() { String::new() } else { format!(" ({})", fired.join(", ")) };
    let missing = match backings.employment {
        None => "no employment histories are on file (--people, or LinkedIn exports with Positions.csv)".to_string(),
        Some(e) if !e.knows(&p.name) => {
            let near = near_names(&p.name, e.names());
            let hint = if near.is_empty() {
                String::new()
            } else {
                let quoted: Vec<String> = near.iter().map(|n| format!("'{n}'")).collect();
                format!(" (closest there: {})", quoted.join(", "))
            };
            format!("the employment histories have no one named '{}'{hint}", p.name)
        }
        Some(e) => match others.iter().copied().filter(|o| !e.knows(o)).collect::<Vec<_>>() {
            absent if absent.is_empty() => "the histories do not cover every recommendation in it".to_string(),
            absent => format!("no employment history is on file for {}", absent.join(" and ")),
        },
    };
    Some(format!(
        "in a {} with {}{what}, but {missing}, so a trade cannot be told from colleagues' praise",
        unchecked.kind.as_str(),
        others.join(", ")
    ))
}

/// Names among `candidates` close to `query`, by the measure of [`NameIndex::suggestions`]:
/// the same words in another order (`Petrov Ivan`), or a few typing errors away.
fn near_names<'c>(query: &str, candidates: impl Iterator<Item = &'c str>) -> Vec<String> {
    let q = Folded::new(&fold(query));
    let mut near: Vec<(usize, &str)> =
        candidates.filter_map(|name| q.distance_to(&Folded::new(&fold(name))).map(|d| (d, name))).collect();
    near.sort_unstable();
    near.into_iter().take(MAX_SUGGESTIONS).map(|(_, n)| n.to_string()).collect()
}

/// A candidate's reason in one sentence: the verdict's reason, and for a warning or failure
/// the worst finding in plain words (with whom, and the strongest evidence), so that the
/// first screen says why.
fn why(p: &Person, theirs: &[&Finding]) -> String {
    let worst = theirs
        .iter()
        .filter(|f| f.suppressed_by.is_none() && f.severity >= Severity::Medium)
        .max_by_key(|f| (f.severity, f.score));
    let (Some(f), true) = (worst, p.verdict != Verdict::Pass) else { return p.reason.clone() };
    let others: Vec<&str> = f.members.iter().map(String::as_str).filter(|m| *m != p.name).collect();
    let mut fired: Vec<_> = f.signals.iter().filter(|s| s.fired && s.points > 0).collect();
    fired.sort_by_key(|s| -s.points);
    let evidence: Vec<String> = fired.iter().take(3).map(|s| super::describe::plain(f, &s.name, &s.value)).collect();
    format!("{} with {}: {}. ({})", f.kind.as_str(), others.join(", "), evidence.join(", "), p.reason)
}

/// Keep only the findings that concern a subject (and the rings those belong to), and only
/// the subjects among the people.
pub(crate) fn keep_only_theirs(
    subjects: &[Subject],
    findings: &mut Vec<Finding>,
    people: &mut Vec<Person>,
    cases: &mut Vec<Case>,
) {
    let names: Vec<&str> = subjects.iter().filter_map(|s| s.person.as_ref()).map(|p| p.name.as_str()).collect();
    findings.retain(|f| f.members.iter().any(|m| names.contains(&m.as_str())));
    cases.retain(|c| c.members.iter().any(|m| names.contains(&m.as_str())));
    people.clear();
    people.extend(subjects.iter().filter_map(|s| s.person.clone()));
}

/// Lower case with runs of whitespace made one space.
fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Levenshtein distance over characters, giving up (None) beyond `limit`.
fn distance(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        let mut best = row[0];
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(row[j] + 1);
            best = best.min(row[j + 1]);
        }
        if best > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut row);
    }
    Some(prev[b.len()]).filter(|&d| d <= limit)
}

/// Words in sorted order, so that `Lee Ann` meets `Ann Lee`.
fn word_set(folded: &str) -> Vec<&str> {
    let mut words: Vec<&str> = folded.split(' ').collect();
    words.sort_unstable();
    words
}

/// Every name of the data prepared once for near-match search: folded (lower case, single
/// spaces, without a telling suffix), as characters, and as a sorted word list. Built once
/// per `check`, so that 2,000 absent names against 100,000 people fold each name once.
pub(crate) struct NameIndex<'g> {
    g: &'g Graph,
    entries: Vec<Folded>,
}

/// A folded name prepared for near-match search: its characters, its sorted words, and
/// their histogram.
struct Folded {
    chars: Vec<char>,
    words: String,
    histogram: Histogram,
}

impl Folded {
    fn new(folded: &str) -> Self {
        let chars: Vec<char> = folded.chars().collect();
        Folded { words: word_set(folded).join(" "), histogram: histogram(&chars), chars }
    }

    /// How near `other` is to this query: 0 for the same words in any order, else the edit
    /// distance when it is at most a third of the query's length (`None` beyond that).
    fn distance_to(&self, other: &Folded) -> Option<usize> {
        let limit = (self.chars.len() / 3).max(1);
        if other.words == self.words {
            Some(0)
        } else if other.chars.len().abs_diff(self.chars.len()) > limit
            || histogram_gap(&other.histogram, &self.histogram) > limit
        {
            None
        } else {
            distance(&self.chars, &other.chars, limit)
        }
    }
}

/// Characters counted in 32 buckets: each edit changes the counts by at most 2 in all, so
/// half the difference of two histograms is a lower bound on the edit distance, found in 32
/// steps instead of a full distance table.
type Histogram = [u8; 32];

fn histogram(chars: &[char]) -> Histogram {
    let mut h = [0u8; 32];
    for &c in chars {
        let b = &mut h[c as usize % 32];
        *b = b.saturating_add(1);
    }
    h
}

fn histogram_gap(a: &Histogram, b: &Histogram) -> usize {
    a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as usize).sum::<usize>().div_ceil(2)
}

impl<'g> NameIndex<'g> {
    /// Prepare the names of `g` (in parallel).
    pub(crate) fn new(g: &'g Graph) -> Self {
        use rayon::prelude::*;
        let entries = (0..g.node_count() as u32)
            .into_par_iter()
            .map(|v| {
                let name = g.name(v);
                // `Sam Park (Globex)`: a name kept apart from another of the same name is
                // compared without its suffix.
                Folded::new(&fold(name.split(" (").next().unwrap_or(name)))
            })
            .collect();
        NameIndex { g, entries }
    }

    /// Names in the data close to `query`: the same up to case and spacing, the same words
    /// in another order, or a few typing errors away (a third of the name's length at most).
    pub(crate) fn suggestions(&self, query: &str) -> Vec<String> {
        use rayon::prelude::*;
        let q = Folded::new(&fold(query));
        let mut near: Vec<(usize, u32)> =
            self.entries.par_iter().enumerate().filter_map(|(v, e)| q.distance_to(e).map(|d| (d, v as u32))).collect();
        near.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| self.g.name(a.1).cmp(self.g.name(b.1))));
        near.into_iter().take(MAX_SUGGESTIONS).map(|(_, v)| self.g.name(v).to_string()).collect()
    }
}

/// Names in the data close to `query` (see [`NameIndex::suggestions`]).
#[cfg(test)]
pub(crate) fn suggestions(g: &Graph, query: &str) -> Vec<String> {
    NameIndex::new(g).suggestions(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_levenshtein_with_a_limit() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(distance(&c("kitten"), &c("sitting"), 3), Some(3));
        assert_eq!(distance(&c("kitten"), &c("sitting"), 2), None);
        assert_eq!(distance(&c("ann"), &c("ann"), 1), Some(0));
        assert_eq!(distance(&c("zoë"), &c("zoe"), 1), Some(1));
    }

    #[test]
    fn suggestions_find_case_order_and_typos() {
        let g = Graph::from_edges([("Ann Lee", "Bob Stone"), ("Bob Stone", "Carla Diaz"), ("Carla Diaz", "Ann Lee")]);
        assert_eq!(suggestions(&g, "ann  lee"), ["Ann Lee"]);
        assert_eq!(suggestions(&g, "Lee Ann"), ["Ann Lee"]);
        assert_eq!(suggestions(&g, "Bob Stnoe"), ["Bob Stone"]);
        assert!(suggestions(&g, "Zed Quill").is_empty());
        let twins = Graph::from_edges([("Sam Park (Globex)", "Ann Lee"), ("Sam Park (Initech)", "Ann Lee")]);
        assert_eq!(suggestions(&twins, "Sam Park"), ["Sam Park (Globex)", "Sam Park (Initech)"]);
    }
}
