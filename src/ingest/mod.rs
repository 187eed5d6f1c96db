//! Ingest: turn edge-list files into recommendation rows with their source location.
//!
//! Every data row of every input lands in exactly one bucket: used, duplicate (decided
//! later by the graph builder, which keeps the earliest dated copy), self-recommendation, or
//! skipped with a reason. The per-file counts travel with the rows as [`InputStats`].

pub mod columns;
pub mod date;
pub mod records;
pub mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::graph::interner::Interner;
use columns::{ColumnFlags, Columns, HeaderMode};
use records::{Delimiter, RecordError, RecordReader};
use source::Source;

/// Marks a row without a date in [`Row::created`].
pub const NO_DATE: i64 = i64::MIN;

/// How to read the inputs.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Column roles chosen by flags.
    pub columns: ColumnFlags,
    /// Whether the first data row is a header.
    pub header: HeaderMode,
    /// Turn the first row-level problem into an error instead of skipping the row.
    pub strict: bool,
}

/// One usable recommendation row, names interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Recommender id (in the ingest interner).
    pub from: u32,
    /// Recommendee id (in the ingest interner).
    pub to: u32,
    /// Unix seconds, or [`NO_DATE`].
    pub created: i64,
    /// Where the row starts.
    pub source: SourcePos,
}

/// Why a row was skipped. The text is the key of `skipped_reasons` in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// Fewer fields than the recommender and recommendee columns need.
    TooFewColumns,
    /// The recommender or the recommendee is blank.
    EmptyName,
    /// A date cell that is not a date in any accepted form.
    BadDate,
    /// A name, date, text or relationship field that is not valid UTF-8.
    InvalidUtf8,
}

impl SkipReason {
    /// The stable name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooFewColumns => "too few columns",
            SkipReason::EmptyName => "empty name",
            SkipReason::BadDate => "bad date",
            SkipReason::InvalidUtf8 => "invalid UTF-8",
        }
    }
}

/// What happened to the rows of one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputStats {
    /// The input as the user named it (`-` for standard input).
    pub path: String,
    /// SHA-256 of the raw bytes (before decompression), lower-case hex.
    pub sha256: String,
    /// Data rows read (header, comments and blank lines excluded).
    pub rows: u64,
    /// Rows that became an edge of the graph.
    pub used: u64,
    /// Rows repeating a recommendation already counted (the earliest dated copy is used).
    pub duplicates: u64,
    /// Rows in which someone recommends themselves.
    pub self_loops: u64,
    /// Rows skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
}

impl InputStats {
    /// Total skipped rows over all reasons.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Where a row came from: input index and 1-based line. Ordered by input, then line, which
/// is the order in which ingest reads rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourcePos {
    /// Index into the list of inputs.
    pub file: u32,
    /// Line on which the row starts.
    pub line: u32,
}

/// A text column kept only for the rows that have a value, looked up by source position.
/// Rows arrive in source order, so the keys are sorted and a lookup is a binary search;
/// files without the column cost nothing.
#[derive(Debug, Clone, Default)]
pub struct SparseColumn {
    keys: Vec<SourcePos>,
    values: Vec<Box<str>>,
}

impl SparseColumn {
    fn push(&mut self, at: SourcePos, value: Option<&str>) {
        if let Some(v) = value {
            debug_assert!(self.keys.last().is_none_or(|&k| k < at), "rows arrive in source order");
            self.keys.push(at);
            self.values.push(v.into());
        }
    }

    /// The value of the row at `at`, if it had one.
    pub fn get(&self, at: SourcePos) -> Option<&str> {
        self.keys.binary_search(&at).ok().map(|i| &*self.values[i])
    }

    /// Whether no row has a value.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Names of everyone seen in a kept or self row.
    pub names: Interner,
    /// Rows that are candidates for edges (self-recommendations and skipped rows excluded).
    pub rows: Vec<Row>,
    /// Recommendation text per row, when some input has a text column.
    pub texts: SparseColumn,
    /// Stated relationship per row, when some input has that column.
    pub relationships: SparseColumn,
    /// Per-input accounting, in input order.
    pub inputs: Vec<InputStats>,
}

/// Read every input in order.
pub fn read_inputs(paths: &[PathBuf], options: &IngestOptions) -> Result<Ingested, Error> {
    let mut out = Ingested::default();
    for (i, path) in paths.iter().enumerate() {
        let file = u32::try_from(i).map_err(|_| Error::Config("too many inputs".into()))?;
        read_one(path, file, options, &mut out)?;
    }
    Ok(out)
}

/// Decode a field as trimmed UTF-8.
fn text_field(bytes: Option<&[u8]>) -> Result<Option<&str>, SkipReason> {
    match bytes {
        None => Ok(None),
        Some(b) => std::str::from_utf8(b).map(|s| Some(s.trim())).map_err(|_| SkipReason::InvalidUtf8),
    }
}

/// Outcome of one data row.
enum RowOutcome {
    Kept,
    SelfLoop,
    Skipped(SkipReason, String),
}

/// Reads the data rows of one input into `out`.
struct FileReader<'a> {
    path: &'a Path,
    file: u32,
    columns: Columns,
    out: &'a mut Ingested,
    stats: InputStats,
    strict: bool,
    /// The previous row's recommender and its id: edge lists are often sorted by source,
    /// and this skips most lookups of that column.
    last_from: (String, u32),
}

impl FileReader<'_> {
    fn row<'r>(&mut self, line: u64, fields: &dyn Fn(usize) -> Option<&'r [u8]>, width: usize) -> Result<(), Error> {
        self.stats.rows += 1;
        let outcome = self.classify(line, fields, width);
        match outcome {
            RowOutcome::Kept => {}
            RowOutcome::SelfLoop => self.stats.self_loops += 1,
            RowOutcome::Skipped(reason, detail) => {
                if self.strict {
                    return Err(Error::Row { path: self.path.to_path_buf(), line, reason: detail });
                }
                *self.stats.skipped.entry(reason.as_str().to_string()).or_insert(0) += 1;
            }
        }
        Ok(())
    }

    fn classify<'r>(&mut self, line: u64, fields: &dyn Fn(usize) -> Option<&'r [u8]>, width: usize) -> RowOutcome {
        let c = self.columns;
        if width < c.min_width() {
            let detail =
                format!("too few columns: {width} field(s), the recommender and recommendee need {}", c.min_width());
            return RowOutcome::Skipped(SkipReason::TooFewColumns, detail);
        }
        let decoded = (|| {
            Ok::<_, SkipReason>((
                text_field(fields(c.from))?.unwrap_or(""),
                text_field(fields(c.to))?.unwrap_or(""),
                text_field(c.time.and_then(fields))?.unwrap_or(""),
                text_field(c.text.and_then(fields))?.filter(|s| !s.is_empty()),
                text_field(c.relationship.and_then(fields))?.filter(|s| !s.is_empty()),
            ))
        })();
        let (from, to, date, text, relationship) = match decoded {
            Ok(v) => v,
            Err(reason) => return RowOutcome::Skipped(reason, "a field is not valid UTF-8".into()),
        };
        if from.is_empty() || to.is_empty() {
            let which = if from.is_empty() { "recommender" } else { "recommendee" };
            return RowOutcome::Skipped(SkipReason::EmptyName, format!("empty name: the {which} is blank"));
        }
        let created = if date.is_empty() {
            NO_DATE
        } else {
            match date::parse_date(date) {
                Some(secs) => secs,
                None => return RowOutcome::Skipped(SkipReason::BadDate, format!("bad date '{date}'")),
            }
        };
        // `from` is never empty here, so the initial empty cache never matches.
        let from_id = if self.last_from.0 == from {
            self.last_from.1
        } else {
            let id = self.out.names.intern(from);
            self.last_from.0.clear();
            self.last_from.0.push_str(from);
            self.last_from.1 = id;
            id
        };
        let to_id = self.out.names.intern(to);
        if from_id == to_id {
            return RowOutcome::SelfLoop;
        }
        let source = SourcePos { file: self.file, line: u32::try_from(line).unwrap_or(u32::MAX) };
        self.out.texts.push(source, text);
        self.out.relationships.push(source, relationship);
        self.out.rows.push(Row { from: from_id, to: to_id, created, source });
        RowOutcome::Kept
    }
}

fn record_error(path: &Path, compression: source::Compression, e: RecordError) -> Error {
    match e {
        RecordError::Io(e) => source::damaged(path, compression, e),
        RecordError::UnclosedQuote { line } => Error::UnclosedQuote { path: path.to_path_buf(), line },
    }
}

/// A record's start line and fields, copied out of the reader's buffer.
type OwnedRecord = (u64, Vec<Vec<u8>>);

/// A record copied out of the reader's buffer, for the rows read ahead to find the header.
fn owned_fields(rec: &records::Record<'_>) -> Vec<Vec<u8>> {
    (0..rec.len()).map(|i| rec.get(i).unwrap_or(b"").to_vec()).collect()
}

/// Header cells as text (lossy: a header is only compared with names).
fn header_cells(fields: &[Vec<u8>]) -> Vec<String> {
    fields.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect()
}

fn read_one(path: &Path, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    let mut src = Source::open(path)?;
    let compression = src.compression;
    let head = src.reader.fill_buf().map_err(|e| source::damaged(path, compression, e))?;
    let delimiter = source::first_data_line(head).map(Delimiter::detect).unwrap_or(Delimiter::Byte(b','));
    let mut records = RecordReader::new(&mut src.reader, delimiter);
    let mut next_owned = || -> Result<Option<OwnedRecord>, Error> {
        let rec = records.next_record().map_err(|e| record_error(path, compression, e))?;
        Ok(rec.map(|r| (r.line, owned_fields(&r))))
    };

    // The first two records decide about the header; keep them owned.
    let Some(first) = next_owned()? else {
        return Err(Error::NoData { path: path.to_path_buf(), what: "no data rows".into() });
    };
    let second = next_owned()?;
    let first_cells = header_cells(&first.1);
    let second_cells = second.as_ref().map(|s| header_cells(&s.1));
    let header = columns::is_header(options.header, &options.columns, &first_cells, second_cells.as_deref());
    let cols = columns::resolve(&options.columns, header.then_some(first_cells.as_slice()))
        .map_err(|message| Error::Column { path: path.to_path_buf(), message })?;
    let stats = InputStats { path: path.display().to_string(), ..Default::default() };
    let mut reader =
        FileReader { path, file, columns: cols, out, stats, strict: options.strict, last_from: (String::new(), 0) };

    let mut widest = 0usize;
    let pending = if header { vec![] } else { vec![first] };
    for (line, fields) in pending.iter().chain(second.iter()) {
        widest = widest.max(fields.len());
        reader.row(*line, &|i| fields.get(i).map(Vec::as_slice), fields.len())?;
    }
    while let Some(rec) = records.next_record().map_err(|e| record_error(path, compression, e))? {
        widest = widest.max(rec.len());
        reader.row(rec.line, &|i| rec.get(i), rec.len())?;
    }
    let mut stats = reader.stats;
    if stats.rows == 0 {
        return Err(Error::NoData { path: path.to_path_buf(), what: "a header and no data rows".into() });
    }
    let needed = [Some(cols.from), Some(cols.to), cols.time, cols.text, cols.relationship]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
        + 1;
    if !header && widest < needed {
        return Err(Error::Column {
            path: path.to_path_buf(),
            message: format!("a column flag asks for column {needed}, but no row has more than {widest} column(s)"),
        });
    }
    stats.sha256 = src.finish(path)?;
    out.inputs.push(stats);
    Ok(())
}
