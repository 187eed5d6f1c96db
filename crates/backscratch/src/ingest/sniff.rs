//! What the first lines of a delimited input say about it before its rows are read: whether
//! a first row of unknown names is a header (its cells are words above numbers or dates),
//! whether the file is an employment history rather than recommendations, and, in a file
//! without a header, whether the third column is a signed rating (as in SNAP's signed
//! networks) and which column holds Unix times.

use super::date;
use super::records::{Delimiter, RecordReader};
use super::rows::EARLIEST_PLAUSIBLE;

/// Records sampled from the start of an input.
const SAMPLE_ROWS: usize = 2000;

/// At least this many sampled rows below the first are needed to judge a column.
const MIN_ROWS: usize = 3;

/// The first records of an input, read from the bytes already in its reader's buffer.
#[derive(Debug, Default)]
pub(super) struct Sample {
    rows: Vec<Vec<String>>,
}

/// What one cell looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Empty,
    Number,
    Date,
    Words,
}

fn kind(cell: &str) -> Kind {
    let cell = cell.trim();
    if cell.is_empty() {
        Kind::Empty
    } else if cell.parse::<f64>().is_ok_and(f64::is_finite) {
        Kind::Number
    } else if date::parse_date(cell).is_some() {
        Kind::Date
    } else {
        Kind::Words
    }
}

/// A signed column found in a file without a header.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Signed {
    /// 0-based column.
    pub column: usize,
    /// The smallest and largest value sampled.
    pub range: (f64, f64),
    /// Rows sampled.
    pub rows: usize,
}

impl Sample {
    /// Parse up to [`SAMPLE_ROWS`] records from `head` (the start of the input, cut at its
    /// last line end so that no record is partial). Comment and blank lines are skipped.
    pub(super) fn read(head: &[u8], delimiter: Delimiter) -> Sample {
        let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(head);
        let Some(end) = head.iter().rposition(|&b| b == b'\n') else { return Sample::default() };
        let mut records = RecordReader::new(&head[..=end], delimiter);
        let mut rows = Vec::new();
        while rows.len() < SAMPLE_ROWS {
            match records.next_record() {
                Ok(Some(r)) => {
                    rows.push((0..r.len()).map(|i| String::from_utf8_lossy(r.get(i).unwrap_or(b"")).into()).collect())
                }
                _ => break,
            }
        }
        Sample { rows }
    }

    /// The cells of column `j` in the rows below the first.
    fn below(&self, j: usize) -> impl Iterator<Item = &str> {
        self.rows.iter().skip(1).filter_map(move |r| r.get(j)).map(String::as_str)
    }

    /// Whether the first row reads as a header because one of its cells is words where
    /// every row below holds a number or a date ("Date" above dates, "rating" above 5).
    pub(super) fn words_above_values(&self) -> Option<usize> {
        let first = self.rows.first()?;
        (0..first.len()).find(|&j| {
            if kind(&first[j]) != Kind::Words {
                return false;
            }
            let kinds: Vec<Kind> = self.below(j).map(kind).filter(|k| *k != Kind::Empty).collect();
            kinds.len() >= MIN_ROWS && kinds.iter().all(|k| matches!(k, Kind::Number | Kind::Date))
        })
    }

    /// In a file without a header: a column after the first two whose every sampled value
    /// is a small number (a rating or a vote, |x| <= 100) and some are negative. Only the
    /// third column is looked at, SNAP's place for a sign or rating.
    pub(super) fn signed_column(&self) -> Option<Signed> {
        let column = 2;
        let values: Vec<f64> = self
            .rows
            .iter()
            .filter_map(|r| r.get(column))
            .map(|c| c.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .ok()?;
        if values.len() < MIN_ROWS || values.len() < self.rows.len() {
            return None;
        }
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        ((-100.0..0.0).contains(&lo) && hi <= 100.0).then_some(Signed { column, range: (lo, hi), rows: values.len() })
    }

    /// In a file without a header: the first column after the first two whose every sampled
    /// value is a number of seconds between 1990 and `now` (Unix times), with its range.
    pub(super) fn unix_time_column(&self, now: i64, skip: Option<usize>) -> Option<(usize, i64, i64)> {
        let width = self.rows.iter().map(Vec::len).min()?;
        (2..width).filter(|&j| Some(j) != skip).find_map(|j| {
            let secs: Vec<f64> = self.rows.iter().map(|r| r[j].trim().parse::<f64>()).collect::<Result<_, _>>().ok()?;
            let plausible = |s: &f64| (EARLIEST_PLAUSIBLE as f64..=now as f64).contains(s);
            (secs.len() >= MIN_ROWS && secs.iter().all(plausible)).then(|| {
                let lo = secs.iter().copied().fold(f64::INFINITY, f64::min) as i64;
                let hi = secs.iter().copied().fold(f64::NEG_INFINITY, f64::max) as i64;
                (j, lo, hi)
            })
        })
    }
}

/// Normalized header names that say a table is an employment history.
const JOB_NAMES: &[&str] = &["company", "companyname", "employer", "organization", "organisation"];
const JOB_DATE_NAMES: &[&str] = &["start", "end", "startdate", "enddate", "startedon", "finishedon", "from", "until"];

/// Whether a header names a company and a start or end: a jobs file (`--people`), not
/// recommendations.
pub(super) fn is_jobs_header(header: &[String]) -> bool {
    let norm: Vec<String> = header.iter().map(|c| super::columns::normalize(c)).collect();
    norm.iter().any(|c| JOB_NAMES.contains(&c.as_str())) && norm.iter().any(|c| JOB_DATE_NAMES.contains(&c.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(text: &str) -> Sample {
        let delimiter = Delimiter::detect(text.lines().next().unwrap().as_bytes());
        Sample::read(text.as_bytes(), delimiter)
    }

    #[test]
    fn a_row_of_words_above_dates_is_a_header() {
        let s = sample("From Name,To Name,Date\nAva,Bo,2021-03-04\nBo,Ava,2021-03-05\nCy,Ava,2021-04-01\n");
        assert_eq!(s.words_above_values(), Some(2));
        let data = sample("Ava,Bo,2021-03-04\nBo,Ava,2021-03-05\nCy,Ava,2021-04-01\nAva,Cy,2021-04-02\n");
        assert_eq!(data.words_above_values(), None);
        // Too few rows below to judge.
        assert_eq!(sample("x,y,when\na,b,2021-01-01\n").words_above_values(), None);
    }

    #[test]
    fn a_third_column_of_small_signed_numbers_is_a_rating() {
        let otc =
            sample("6,2,4,1289241911.72836\n6,5,2,1289241941.53378\n1,15,-10,1289243140.39049\n4,3,7,1289245000\n");
        let signed = otc.signed_column().unwrap();
        assert_eq!((signed.column, signed.range, signed.rows), (2, (-10.0, 7.0), 4));
        assert_eq!(otc.unix_time_column(2_000_000_000, Some(2)).map(|t| t.0), Some(3));
        // All positive: a count or a weight, not a sign; a timestamp is not a rating.
        assert_eq!(sample("1 2 3\n2 1 5\n3 1 1\n").signed_column(), None);
        let college = sample("1 2 1082040961\n3 4 1082155839\n5 2 1082414391\n");
        assert_eq!(college.signed_column(), None);
        assert_eq!(college.unix_time_column(2_000_000_000, None).map(|t| t.0), Some(2));
    }

    #[test]
    fn a_jobs_header_is_recognised() {
        let h = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(is_jobs_header(&h(&["name", "company", "start", "end"])));
        assert!(is_jobs_header(&h(&["Company Name", "Title", "Started On", "Finished On"])));
        assert!(!is_jobs_header(&h(&["recommender", "recommendee", "date"])));
    }
}
