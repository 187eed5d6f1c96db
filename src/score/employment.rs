//! Employment histories (`--people FILE`) and what they say about two people: whether they
//! worked together (a job at the same company with overlapping dates), only worked for the
//! same company at different times, never shared an employer, or cannot be judged because one
//! of them has no history on file. "Unknown" is kept apart from "no relationship".
//!
//! The file is CSV `name,company,start,end`, one row per job, ISO dates (any form the ingest
//! date parser accepts); an empty end means the job is current. Company names are compared
//! case- and punctuation-insensitively and without a trailing legal form (`ACME, Inc.` =
//! `Acme`).

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::Signal;
use crate::error::Error;
use crate::graph::Graph;
use crate::ingest::date::parse_date;
use crate::ingest::records::{Delimiter, RecordError, RecordReader};

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
pub enum Relation {
    /// Jobs at the same company with overlapping dates.
    WorkedTogether {
        /// The company (as written for the first person).
        company: String,
    },
    /// The same company, but never at the same time.
    SameCompanyDifferentTimes {
        /// The company.
        company: String,
    },
    /// Both have histories and never shared an employer.
    NeverTogether,
    /// At least one of them has no history on file.
    Unknown,
}

/// Employment histories by person name.
#[derive(Debug, Clone, Default)]
pub struct Employment {
    jobs: HashMap<String, Vec<Job>>,
}

/// Legal-form words dropped from the end of a company name before comparing.
const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "plc",
    "corp",
    "corporation",
    "co",
    "gmbh",
    "ag",
    "sa",
    "bv",
];

/// A company name for comparison: lower-case words of letters and digits, without trailing
/// legal forms (`ACME, Inc.` and `Acme` compare equal).
fn company_key(company: &str) -> String {
    let lower = company.to_lowercase();
    let mut words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(w)) {
        words.pop();
    }
    words.concat()
}

impl Employment {
    /// Read an employment file. Problems are errors naming the file and line: this file is
    /// evidence, and a silently dropped job would turn into false "never worked together".
    pub fn read(path: &Path) -> Result<Employment, Error> {
        let file = File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), message: e.to_string() })?;
        let mut records = RecordReader::new(BufReader::new(file), Delimiter::Byte(b','));
        let row_error = |line: u64, reason: String| Error::Row { path: path.to_path_buf(), line, reason };
        let mut out = Employment::default();
        let mut first = true;
        loop {
            let rec = match records.next_record() {
                Ok(Some(rec)) => rec,
                Ok(None) => break,
                Err(RecordError::UnclosedQuote { line }) => {
                    return Err(Error::UnclosedQuote { path: path.to_path_buf(), line })
                }
                Err(RecordError::Io(e)) => return Err(Error::Io { path: path.to_path_buf(), message: e.to_string() }),
            };
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
                parse_date(end).ok_or_else(|| row_error(rec.line, format!("bad end date '{end}'")))?
            };
            if end < start {
                return Err(row_error(rec.line, "the job ends before it starts".into()));
            }
            let job = Job { company: company.to_string(), key: company_key(company), start, end };
            out.jobs.entry(name.to_string()).or_default().push(job);
        }
        Ok(out)
    }

    /// Number of people with a history on file.
    pub fn people(&self) -> usize {
        self.jobs.len()
    }

    /// Whether `name` has a history on file.
    pub fn knows(&self, name: &str) -> bool {
        self.jobs.contains_key(name)
    }

    /// What the histories say about `a` and `b`.
    pub fn relation(&self, a: &str, b: &str) -> Relation {
        let (Some(ja), Some(jb)) = (self.jobs.get(a), self.jobs.get(b)) else {
            return Relation::Unknown;
        };
        let mut same_company = None;
        for x in ja {
            for y in jb.iter().filter(|y| y.key == x.key) {
                if x.start < y.end && y.start < x.end {
                    return Relation::WorkedTogether { company: x.company.clone() };
                }
                same_company.get_or_insert_with(|| x.company.clone());
            }
        }
        match same_company {
            Some(company) => Relation::SameCompanyDifferentTimes { company },
            None => Relation::NeverTogether,
        }
    }
}

/// The `worked_together` signal of a finding: for each of its recommendations, what the
/// histories say about recommender and recommendee. Recorded as evidence; the structural rule
/// does not weigh it (it never fires).
pub fn worked_together_signal(g: &Graph, edges: &[u32], employment: &Employment) -> Signal {
    let (mut together, mut apart_in_time, mut never, mut unknown) = (0u64, 0u64, 0u64, 0u64);
    let (mut shared, mut shared_at_other_times): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut unknown_people: Vec<&str> = Vec::new();
    for &e in edges {
        let (from, to) = g.endpoints(e);
        let (a, b) = (g.name(from), g.name(to));
        match employment.relation(a, b) {
            Relation::WorkedTogether { company } => {
                together += 1;
                shared.push(company);
            }
            Relation::SameCompanyDifferentTimes { company } => {
                apart_in_time += 1;
                shared_at_other_times.push(company);
            }
            Relation::NeverTogether => never += 1,
            Relation::Unknown => {
                unknown += 1;
                unknown_people.extend([a, b].into_iter().filter(|p| !employment.knows(p)));
            }
        }
    }
    for list in [&mut shared, &mut shared_at_other_times] {
        list.sort_by_cached_key(|c| (company_key(c), c.clone()));
        list.dedup_by_key(|c| company_key(c)); // one spelling per company
    }
    unknown_people.sort_unstable();
    unknown_people.dedup();
    let mut explanation = format!("{together} of {} recommendation(s) between people who worked together", edges.len());
    if !shared.is_empty() {
        explanation.push_str(&format!(" ({})", shared.join(", ")));
    }
    if apart_in_time > 0 {
        let companies = shared_at_other_times.join(", ");
        explanation.push_str(&format!(
            "; {apart_in_time} between people at the same company at different times ({companies})"
        ));
    }
    if never > 0 {
        explanation.push_str(&format!("; {never} between people who never shared an employer"));
    }
    if !unknown_people.is_empty() {
        explanation.push_str(&format!("; no employment history for {}", unknown_people.join(", ")));
    }
    Signal {
        name: "worked_together".into(),
        value: serde_json::json!({
            "worked_together": together,
            "same_company_different_times": apart_in_time,
            "never_together": never,
            "unknown": unknown,
        }),
        baseline: serde_json::Value::Null,
        fired: false,
        explanation,
    }
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
        assert_eq!(e.relation("ann", "bob"), Relation::WorkedTogether { company: "ACME, Inc.".into() });
        assert_eq!(company_key("Northwind Analytics, Inc."), company_key("northwind analytics"));
        assert_ne!(company_key("Inc"), "");
        assert_eq!(e.relation("ann", "cid"), Relation::SameCompanyDifferentTimes { company: "ACME, Inc.".into() });
        assert_eq!(e.relation("bob", "cid"), Relation::WorkedTogether { company: "Acme Inc".into() });
        assert_eq!(e.relation("ann", "dan"), Relation::NeverTogether);
        assert_eq!(e.relation("ann", "eve"), Relation::Unknown);
    }

    #[test]
    fn signal_counts_each_recommendation() {
        let e = load("ann,Acme,2019-01-01,\nbob,ACME,2020-01-01,\ncid,Globex,2019-01-01,\n").unwrap();
        let g = Graph::from_edges([("ann", "bob"), ("bob", "cid"), ("cid", "dan")]);
        let edges: Vec<u32> = (0..3).collect();
        let s = worked_together_signal(&g, &edges, &e);
        assert_eq!(s.value["worked_together"], 1);
        assert_eq!(s.value["never_together"], 1);
        assert_eq!(s.value["unknown"], 1);
        assert!(!s.fired);
        assert_eq!(
            s.explanation,
            "1 of 3 recommendation(s) between people who worked together (Acme); \
             1 between people who never shared an employer; no employment history for dan"
        );
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
