//! Employment histories (`--people FILE`) and what they say about two people: whether they
//! worked together (a job at the same company with overlapping dates), only worked for the
//! same company at different times, never shared an employer, or cannot be judged because one
//! of them has no history on file. "Unknown" is kept apart from "no relationship".
//!
//! The file is CSV `name,company,start,end`, one row per job, ISO dates (any form the ingest
//! date parser accepts); an empty end means the job is current. Company names are compared
//! case- and punctuation-insensitively and without a trailing legal form (`ACME, Inc.` =
//! `Acme`). People are matched by the identity key of LinkedIn exports
//! (`name_key`: case, accents, punctuation and spacing do not matter), so a history
//! written `ivan petrov` belongs to `Ivan Petrov`.

use std::collections::HashMap;
use std::path::Path;

use crate::error::Error;
use crate::ingest::date::parse_date;
use crate::ingest::records::{next_side_record, open_side_file};
use crate::keys::{company_key, name_key};

/// One job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Company as written in the file.
    pub company: String,
    /// Company normalized for comparison.
    key: String,
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds (`i64::MAX` while current).
    pub end: i64,
}

/// What the employment histories say about two people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation<'a> {
    /// Jobs at the same company with overlapping dates.
    WorkedTogether {
        /// The company (as written for the first person).
        company: &'a str,
    },
    /// The same company, but never at the same time.
    SameCompanyDifferentTimes {
        /// The company.
        company: &'a str,
    },
    /// Both have histories and never shared an employer.
    NeverTogether,
    /// At least one of them has no history on file.
    Unknown,
}

/// Words after a comma that end a name rather than begin it (`Ann Lee, Jr.`).
const NAME_SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "cpa", "pe"];

/// The key a person is filed under: `name_key`, with a name written `Last, First` (as
/// many HR exports do) turned into `First Last`, so that `Petrov, Ivan` is Ivan Petrov.
/// A comma before a suffix (`Ann Lee, Jr.`) is left alone.
pub fn person_key(name: &str) -> String {
    if let Some((last, first)) = name.split_once(',') {
        let first_key = name_key(first);
        let suffix = first_key.split(' ').all(|w| NAME_SUFFIXES.contains(&w));
        if !first.contains(',') && !first_key.is_empty() && !name_key(last).is_empty() && !suffix {
            return name_key(&format!("{first} {last}"));
        }
    }
    name_key(name)
}

/// Employment histories by person, keyed by [`person_key`].
#[derive(Debug, Clone, Default)]
pub struct Employment {
    jobs: HashMap<String, Vec<Job>>,
    /// The first spelling of each key, for naming people whose history matched nobody.
    spelled: HashMap<String, String>,
}

impl Employment {
    /// Read an employment file. Problems are errors naming the file and line: this file is
    /// evidence, and a silently dropped job would turn into false "never worked together".
    pub fn read(path: &Path) -> Result<Employment, Error> {
        let mut records = open_side_file(path)?;
        let row_error = |line: u64, reason: String| Error::Row { path: path.to_path_buf(), line, reason };
        let mut out = Employment::default();
        let mut first = true;
        while let Some(rec) = next_side_record(&mut records, path)? {
            let field = |i: usize| -> Result<&str, Error> {
                let bytes = rec.get(i).unwrap_or(b"");
                std::str::from_utf8(bytes)
                    .map(str::trim)
                    .map_err(|_| row_error(rec.line, "a field is not valid UTF-8".into()))
            };
            if std::mem::take(&mut first) && field(0)?.eq_ignore_ascii_case("name") {
                continue; // the header
            }
            if rec.len() < 3 {
                return Err(row_error(
                    rec.line,
                    format!("expected name,company,start,end, found {} field(s)", rec.len()),
                ));
            }
            let (name, company, start, end) = (field(0)?, field(1)?, field(2)?, field(3).unwrap_or(""));
            if name.is_empty() || company.is_empty() {
                return Err(row_error(rec.line, "empty name or company".into()));
            }
            let start = parse_date(start).ok_or_else(|| row_error(rec.line, format!("bad start date '{start}'")))?;
            let end = if end.is_empty() {
                i64::MAX
            } else {
                let at = parse_date(end).ok_or_else(|| row_error(rec.line, format!("bad end date '{end}'")))?;
                if crate::ingest::date::is_open_ended(at) {
                    i64::MAX
                } else {
                    at
                }
            };
            if end < start {
                return Err(row_error(rec.line, "the job ends before it starts".into()));
            }
            out.add_job(name, company, start, end);
        }
        out.sort_jobs();
        Ok(out)
    }

    /// Sort every history by company key, then start, as [`relation_of`] needs; call after
    /// adding jobs with [`Employment::add_job`].
    pub fn sort_jobs(&mut self) {
        for jobs in self.jobs.values_mut() {
            jobs.sort_unstable_by(|x, y| (&x.key, x.start, x.end).cmp(&(&y.key, y.start, y.end)));
        }
    }

    /// Add one job (from a LinkedIn export's Positions.csv, for instance); `end` is
    /// `i64::MAX` for a current job. Call [`Employment::sort_jobs`] when done adding.
    pub fn add_job(&mut self, name: &str, company: &str, start: i64, end: i64) {
        let job = Job { company: company.to_string(), key: company_key(company), start, end };
        let key = person_key(name);
        self.spelled.entry(key.clone()).or_insert_with(|| name.to_string());
        self.jobs.entry(key).or_default().push(job);
    }

    /// Number of people with a history on file.
    pub fn people(&self) -> usize {
        self.jobs.len()
    }

    /// Everyone on file, as first spelled (in no particular order).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.spelled.values().map(String::as_str)
    }

    /// Whether `name` has a history on file.
    pub fn knows(&self, name: &str) -> bool {
        self.jobs.contains_key(&person_key(name))
    }

    /// The jobs of `name`, if a history is on file.
    pub fn jobs(&self, name: &str) -> Option<&[Job]> {
        self.jobs.get(&person_key(name)).map(Vec::as_slice)
    }

    /// For each name, whether a history is on file; and the keys that matched someone.
    /// Parallel: a scan with histories asks this of every person.
    pub fn match_names<'n>(
        &self,
        names: impl rayon::iter::IndexedParallelIterator<Item = &'n str>,
    ) -> (Vec<bool>, std::collections::HashSet<String>) {
        use rayon::prelude::*;
        let keys: Vec<Option<String>> = names
            .map(|name| {
                let key = person_key(name);
                self.jobs.contains_key(&key).then_some(key)
            })
            .collect();
        let known = keys.iter().map(Option::is_some).collect();
        (known, keys.into_iter().flatten().collect())
    }

    /// The people on file (as first spelled) whose key is not in `matched`, sorted, and how
    /// many there are.
    pub fn unmatched<'a>(&'a self, matched: &std::collections::HashSet<String>) -> Vec<&'a str> {
        let mut out: Vec<&str> =
            self.spelled.iter().filter(|(key, _)| !matched.contains(*key)).map(|(_, name)| name.as_str()).collect();
        out.sort_unstable();
        out
    }

    /// What the histories say about `a` and `b`.
    pub fn relation(&self, a: &str, b: &str) -> Relation<'_> {
        match (self.jobs(a), self.jobs(b)) {
            (Some(ja), Some(jb)) => relation_of(ja, jb),
            _ => Relation::Unknown,
        }
    }
}

/// What two job histories say about their owners. Both must be sorted by company key, then
/// start ([`Employment`] keeps them so), so that this is a merge, linear in the two lengths:
/// two people with 200,000 jobs each cost no more than reading them.
pub fn relation_of<'a>(ja: &'a [Job], jb: &[Job]) -> Relation<'a> {
    let mut same_company = None;
    let mut a = ja.chunk_by(|x, y| x.key == y.key).peekable();
    let mut b = jb.chunk_by(|x, y| x.key == y.key).peekable();
    while let (Some(ga), Some(gb)) = (a.peek(), b.peek()) {
        match ga[0].key.cmp(&gb[0].key) {
            std::cmp::Ordering::Less => {
                a.next();
            }
            std::cmp::Ordering::Greater => {
                b.next();
            }
            std::cmp::Ordering::Equal => {
                if let Some((company, _, _)) = first_overlap(ga, gb) {
                    return Relation::WorkedTogether { company };
                }
                same_company.get_or_insert(ga[0].company.as_str());
                a.next();
                b.next();
            }
        }
    }
    match same_company {
        Some(company) => Relation::SameCompanyDifferentTimes { company },
        None => Relation::NeverTogether,
    }
}

/// The first overlap of two jobs at one company, each list sorted by start: a sweep in start
/// order keeping the job of each side that ends last so far. Returns the company as written
/// for `ga`'s side and the overlap's start and end.
fn first_overlap<'a>(ga: &'a [Job], gb: &[Job]) -> Option<(&'a str, i64, i64)> {
    let (mut i, mut j) = (0, 0);
    let (mut last_a, mut last_b): (Option<&Job>, Option<&Job>) = (None, None);
    while i < ga.len() || j < gb.len() {
        let take_a = j == gb.len() || (i < ga.len() && ga[i].start <= gb[j].start);
        if take_a {
            let x = &ga[i];
            i += 1;
            if let Some(y) = last_b.filter(|y| y.end > x.start && x.end > x.start) {
                return Some((x.company.as_str(), x.start.max(y.start), x.end.min(y.end)));
            }
            if last_a.is_none_or(|l| x.end > l.end) {
                last_a = Some(x);
            }
        } else {
            let y = &gb[j];
            j += 1;
            if let Some(x) = last_a.filter(|x| x.end > y.start && y.end > y.start) {
                return Some((x.company.as_str(), x.start.max(y.start), x.end.min(y.end)));
            }
            if last_b.is_none_or(|l| y.end > l.end) {
                last_b = Some(y);
            }
        }
    }
    None
}

/// Where and when two histories (sorted as for [`relation_of`]) overlapped: the company (as
/// written for the first person) at which their jobs overlapped, with the overlap's start and
/// end (`i64::MAX` while both are current).
pub fn overlap<'a>(ja: &'a [Job], jb: &[Job]) -> Option<(&'a str, i64, i64)> {
    let mut b = jb.chunk_by(|x, y| x.key == y.key).peekable();
    for ga in ja.chunk_by(|x, y| x.key == y.key) {
        while b.peek().is_some_and(|gb| gb[0].key < ga[0].key) {
            b.next();
        }
        if let Some(gb) = b.peek().filter(|gb| gb[0].key == ga[0].key) {
            if let Some(found) = first_overlap(ga, gb) {
                return Some(found);
            }
        }
    }
    None
}

/// A company name in one spelling per company, for listing several.
pub fn dedup_companies(companies: &mut Vec<&str>) {
    companies.sort_by_cached_key(|c| (company_key(c), c.to_string()));
    companies.dedup_by_key(|c| company_key(c));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Employment, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.csv");
        std::fs::write(&path, text).unwrap();
        Employment::read(&path)
    }

    #[test]
    fn last_comma_first_is_the_same_person_but_a_suffix_is_not_a_first_name() {
        let e =
            load("name,company,start,end\n\"Petrov, Ivan\",Acme,2019-01-01,\n\"Lee, Jr.\",Acme,2019-01-01,\n").unwrap();
        assert!(e.knows("Ivan Petrov") && e.knows("Petrov, Ivan") && e.knows("petrov,ivan"));
        assert_eq!(person_key("Ann Lee, Jr."), name_key("Ann Lee Jr"));
        assert!(e.knows("Lee Jr") && !e.knows("Jr Lee"));
    }

    #[test]
    fn names_match_whatever_their_case_accents_and_spacing() {
        let e = load(
            "name,company,start,end\nivan  petrov,Acme,2019-01-01,\nJOSÉ Núñez,Acme,2019-01-01,\nZed,X,2019-01-01,\n",
        )
        .unwrap();
        assert!(e.knows("Ivan Petrov") && e.knows("Jose Nunez") && e.knows(" ivan petrov "));
        assert_eq!(e.relation("Ivan Petrov", "José Núñez"), Relation::WorkedTogether { company: "Acme" });
        let (known, matched) =
            e.match_names(rayon::iter::IntoParallelIterator::into_par_iter(["Ivan Petrov", "Nobody"]));
        assert_eq!(known, vec![true, false]);
        assert_eq!(e.unmatched(&matched), vec!["JOSÉ Núñez", "Zed"]);
    }

    /// The pairwise definition the merge must agree with.
    fn brute_relation<'a>(ja: &'a [Job], jb: &[Job]) -> Relation<'a> {
        let mut same = None;
        for x in ja {
            for y in jb.iter().filter(|y| y.key == x.key) {
                if x.start < y.end && y.start < x.end && x.end > x.start && y.end > y.start {
                    return Relation::WorkedTogether { company: &x.company };
                }
                same.get_or_insert(x.company.as_str());
            }
        }
        same.map_or(Relation::NeverTogether, |company| Relation::SameCompanyDifferentTimes { company })
    }

    #[test]
    fn the_merge_agrees_with_the_pairwise_definition() {
        let mut rng = crate::rng::Rng(7);
        for _ in 0..2_000 {
            let jobs = |rng: &mut crate::rng::Rng| -> Vec<Job> {
                let n = 1 + rng.below(6);
                let mut v: Vec<Job> = (0..n)
                    .map(|_| {
                        let start = rng.below(40) as i64;
                        let company = format!("c{}", rng.below(4));
                        Job { key: company_key(&company), company, start, end: start + rng.below(10) as i64 }
                    })
                    .collect();
                v.sort_unstable_by(|x, y| (&x.key, x.start, x.end).cmp(&(&y.key, y.start, y.end)));
                v
            };
            let (ja, jb) = (jobs(&mut rng), jobs(&mut rng));
            let fast = relation_of(&ja, &jb);
            let slow = brute_relation(&ja, &jb);
            // Which company is named may differ; the kind of relation may not.
            assert_eq!(std::mem::discriminant(&fast), std::mem::discriminant(&slow), "{ja:?} {jb:?}");
            assert_eq!(overlap(&ja, &jb).is_some(), matches!(slow, Relation::WorkedTogether { .. }));
        }
    }

    #[test]
    fn relations() {
        let e = load(
            "name,company,start,end\n\
             ann,\"ACME, Inc.\",2019-01-01,2021-06-30\n\
             bob,Acme Inc,2021-01-01,\n\
             cid,acme inc,2022-01-01,2023-01-01\n\
             dan,Globex,2019-01-01,2020-01-01\n",
        )
        .unwrap();
        assert_eq!(e.people(), 4);
        assert_eq!(e.relation("ann", "bob"), Relation::WorkedTogether { company: "ACME, Inc." });
        assert_eq!(company_key("Northwind Analytics, Inc."), company_key("northwind analytics"));
        assert_ne!(company_key("Inc"), "");
        assert_eq!(e.relation("ann", "cid"), Relation::SameCompanyDifferentTimes { company: "ACME, Inc." });
        assert_eq!(e.relation("bob", "cid"), Relation::WorkedTogether { company: "Acme Inc" });
        assert_eq!(e.relation("ann", "dan"), Relation::NeverTogether);
        assert_eq!(e.relation("ann", "eve"), Relation::Unknown);
    }

    #[test]
    fn problems_name_the_line() {
        for (text, expected) in [
            ("name,company,start,end\nann,Acme,yesterday,\n", "jobs.csv:2: bad start date"),
            ("ann,Acme,2020-01-01,2019-01-01\n", "jobs.csv:1: the job ends before it starts"),
            ("name,company,start,end\nann,Acme\n", "jobs.csv:2: expected name,company,start,end, found 2"),
        ] {
            let err = load(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }
}
