//! Which column means what: header detection and column roles.
//!
//! Roles come from flags first (`--from-col` etc., by header name or 1-based index), then
//! from well-known header names (`from`/`recommender`/`source`/`src`/`voter`/`endorser`,
//! `to`/`recommendee`/`target`/`dst`/`candidate`/`endorsee`, `date`/`created`/`time`/
//! `timestamp`/`creation date`, `text`, `relationship`, `company`, and a weight:
//! `weight`/`rating`/`score`/`vote`/`vot`/`sign`). Without a header, column 1 is the
//! recommender, column 2 the recommendee, and there is a date or weight column only if asked
//! for by index.

/// A column chosen by the user: by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// Matches a header cell exactly, or else case- and punctuation-insensitively.
    Name(String),
    /// 1-based column position.
    Index(usize),
}

impl ColumnRef {
    /// Read a flag value: a positive integer is a position, anything else a name.
    pub fn parse(s: &str) -> ColumnRef {
        match s.trim().parse::<usize>() {
            Ok(i) if i > 0 => ColumnRef::Index(i),
            _ => ColumnRef::Name(s.trim().to_string()),
        }
    }
}

impl std::fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnRef::Name(n) => write!(f, "'{n}'"),
            ColumnRef::Index(i) => write!(f, "{i}"),
        }
    }
}

/// Column choices made by flags; `None` means "find it from the header".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnFlags {
    /// `--from-col`: who wrote the recommendation.
    pub from: Option<ColumnRef>,
    /// `--to-col`: who received it.
    pub to: Option<ColumnRef>,
    /// `--time-col`: when it was written.
    pub time: Option<ColumnRef>,
    /// `--text-col`: its text.
    pub text: Option<ColumnRef>,
    /// `--relationship-col`: the stated relationship.
    pub relationship: Option<ColumnRef>,
    /// `--weight-col`: a rating, vote or sign.
    pub weight: Option<ColumnRef>,
}

impl ColumnFlags {
    fn any_by_name(&self) -> bool {
        [&self.from, &self.to, &self.time, &self.text, &self.relationship, &self.weight]
            .iter()
            .any(|c| matches!(c, Some(ColumnRef::Name(_))))
    }
}

/// Whether the first data row is a header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HeaderMode {
    /// Decide from the content (known column names, or names above numbers).
    #[default]
    Auto,
    /// The first data row is always a header.
    Yes,
    /// There is no header.
    No,
}

/// Resolved 0-based positions of each role in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// Recommender.
    pub from: usize,
    /// Recommendee.
    pub to: usize,
    /// Date, if the file has one.
    pub time: Option<usize>,
    /// Recommendation text, if any.
    pub text: Option<usize>,
    /// Stated relationship, if any.
    pub relationship: Option<usize>,
    /// Weight (rating, vote, sign), if any.
    pub weight: Option<usize>,
}

impl Columns {
    /// The number of fields a row needs so that every required column is present.
    pub fn min_width(&self) -> usize {
        self.from.max(self.to) + 1
    }
}

const FROM_NAMES: &[&str] = &[
    "from",
    "recommender",
    "source",
    "src",
    "voter",
    "endorser",
    "sourceid",
    "fromid",
    "srcid",
    "fromnodeid",
    "author",
    "giver",
];
const TO_NAMES: &[&str] = &[
    "to",
    "recommendee",
    "target",
    "dst",
    "tgt",
    "candidate",
    "endorsee",
    "targetid",
    "toid",
    "dstid",
    "tonodeid",
    "recommended",
    "receiver",
    "subject",
];
const TIME_NAMES: &[&str] =
    &["date", "created", "time", "timestamp", "creationdate", "createdat", "createdon", "datetime", "ts"];
const TEXT_NAMES: &[&str] = &["text", "recommendation", "recommendationtext", "body", "comment"];
const RELATIONSHIP_NAMES: &[&str] = &["relationship", "relation", "relationshiptype"];
const WEIGHT_NAMES: &[&str] = &["weight", "rating", "score", "vote", "vot", "sign"];

/// Lower-case a header cell and drop everything but letters and digits.
pub(super) fn normalize(cell: &str) -> String {
    cell.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether header cells name both a recommender and a recommendee column.
pub fn names_edge_roles(header: &[String]) -> bool {
    role_position(header, FROM_NAMES).is_some() && role_position(header, TO_NAMES).is_some()
}

/// Whether header cells name neither a recommender nor a recommendee column.
pub fn names_no_edge_role(header: &[String]) -> bool {
    role_position(header, FROM_NAMES).is_none() && role_position(header, TO_NAMES).is_none()
}

fn role_position(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| names.contains(&normalize(h).as_str()))
}

fn is_integer(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Decide whether `first` is a header row, looking at `second` (the next data row) too.
pub fn is_header(mode: HeaderMode, flags: &ColumnFlags, first: &[String], second: Option<&[String]>) -> bool {
    match mode {
        HeaderMode::Yes => return true,
        HeaderMode::No => return false,
        HeaderMode::Auto => {}
    }
    if flags.any_by_name() {
        return true;
    }
    let all_names: [&[&str]; 6] = [FROM_NAMES, TO_NAMES, TIME_NAMES, TEXT_NAMES, RELATIONSHIP_NAMES, WEIGHT_NAMES];
    let known = first.iter().filter(|c| all_names.iter().any(|names| names.contains(&normalize(c).as_str()))).count();
    if known >= 2 {
        return true;
    }
    // Names above numbers: "a,b" followed by "1,2".
    match (first, second) {
        ([a, b, ..], Some([c, d, ..])) => !is_integer(a) && !is_integer(b) && is_integer(c) && is_integer(d),
        _ => false,
    }
}

/// Find the header cell a flag names: exact match first, then normalized.
fn find_named(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h.trim() == name).or_else(|| header.iter().position(|h| normalize(h) == normalize(name)))
}

/// Resolve one flag against the header (if any). Errors describe the problem in words.
fn resolve_flag(flag: &str, spec: &ColumnRef, header: Option<&[String]>) -> Result<usize, String> {
    match (spec, header) {
        (ColumnRef::Index(i), Some(h)) if *i > h.len() => {
            Err(format!("{flag} {i}: the header has only {} columns", h.len()))
        }
        (ColumnRef::Index(i), _) => Ok(i - 1),
        (ColumnRef::Name(n), Some(h)) => {
            find_named(h, n).ok_or_else(|| format!("{flag} '{n}' names no column; the header has: {}", h.join(", ")))
        }
        (ColumnRef::Name(n), None) => {
            Err(format!("{flag} '{n}' names a column, but the file has no header (use a 1-based index)"))
        }
    }
}

/// Work out the role of each column from flags and, if present, the header.
pub fn resolve(flags: &ColumnFlags, header: Option<&[String]>) -> Result<Columns, String> {
    let pick = |flag: &str, spec: &Option<ColumnRef>, names: &[&str]| -> Result<Option<usize>, String> {
        match spec {
            Some(s) => resolve_flag(flag, s, header).map(Some),
            None => Ok(header.and_then(|h| role_position(h, names))),
        }
    };
    let from = pick("--from-col", &flags.from, FROM_NAMES)?.unwrap_or(0);
    let to = pick("--to-col", &flags.to, TO_NAMES)?.unwrap_or(if from == 1 { 0 } else { 1 });
    if from == to {
        return Err(format!("the recommender and the recommendee are the same column ({})", from + 1));
    }
    let mut columns = Columns {
        from,
        to,
        time: pick("--time-col", &flags.time, TIME_NAMES)?,
        text: pick("--text-col", &flags.text, TEXT_NAMES)?,
        relationship: pick("--relationship-col", &flags.relationship, RELATIONSHIP_NAMES)?,
        weight: pick("--weight-col", &flags.weight, WEIGHT_NAMES)?,
    };
    // A weight found by its header name never takes a column another role has.
    let taken = [Some(from), Some(to), columns.time, columns.text, columns.relationship];
    if flags.weight.is_none() && columns.weight.is_some() && taken.contains(&columns.weight) {
        columns.weight = None;
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_detection() {
        let f = ColumnFlags::default();
        assert!(is_header(HeaderMode::Auto, &f, &row(&["Recommender", "Recommendee", "Date"]), None));
        assert!(is_header(HeaderMode::Auto, &f, &row(&["SRC", "TGT", "VOT"]), Some(&row(&["x", "y", "1"]))));
        assert!(is_header(HeaderMode::Auto, &f, &row(&["source_id", "target_id", "trust_value"]), None));
        assert!(is_header(HeaderMode::Auto, &f, &row(&["a", "b"]), Some(&row(&["1", "2"]))));
        assert!(!is_header(HeaderMode::Auto, &f, &row(&["1", "2"]), Some(&row(&["3", "4"]))));
        assert!(!is_header(HeaderMode::Auto, &f, &row(&["ann", "bob"]), Some(&row(&["cid", "dan"]))));
        assert!(is_header(HeaderMode::Yes, &f, &row(&["1", "2"]), None));
    }

    #[test]
    fn roles_from_header_names() {
        let h = row(&["Creation Date", "Recommendee", "Recommender", "Text", "Relationship"]);
        let c = resolve(&ColumnFlags::default(), Some(&h)).unwrap();
        assert_eq!(c, Columns { from: 2, to: 1, time: Some(0), text: Some(3), relationship: Some(4), weight: None });
    }

    #[test]
    fn roles_from_flags_and_errors() {
        let flags = ColumnFlags { time: Some(ColumnRef::Index(4)), ..Default::default() };
        let c = resolve(&flags, None).unwrap();
        assert_eq!((c.from, c.to, c.time), (0, 1, Some(3)));
        let named = ColumnFlags { from: Some(ColumnRef::parse("giver name")), ..Default::default() };
        let err = resolve(&named, Some(&row(&["a", "b"]))).unwrap_err();
        assert!(err.contains("--from-col 'giver name' names no column"), "{err}");
        assert!(resolve(&named, None).unwrap_err().contains("no header"));
        let too_far = ColumnFlags { to: Some(ColumnRef::Index(9)), ..Default::default() };
        assert!(resolve(&too_far, Some(&row(&["a", "b"]))).unwrap_err().contains("only 2 columns"));
    }
}
