//! Ingest: turn edge-list files into recommendation rows with their source location.
//!
//! Every data row of every input lands in exactly one bucket: used, duplicate (decided
//! later by the graph builder, which keeps the earliest dated copy), self-recommendation, or
//! skipped with a reason. The per-file counts travel with the rows as [`InputStats`].

#[cfg(feature = "arrow")]
pub mod arrow;
mod body;
pub mod columns;
pub mod date;
mod delimited;
pub mod linkedin;
#[cfg(feature = "parquet")]
mod parquet;
mod plain;
pub(crate) mod quality;
pub(crate) mod records;
mod rows;
mod sniff;
pub mod source;
#[cfg(feature = "cluster")]
pub(crate) mod split;
pub(crate) mod store;
pub mod table;
pub(crate) mod zstd;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::intern::shards::ShardedInterner;
use crate::warning::{Warning, WarningCode};
use columns::{ColumnFlags, HeaderMode};
use delimited::read_one;
pub use delimited::Part;
use delimited::{header_cells, owned_fields};
use records::{Delimiter, RecordReader};
pub use rows::DateStats;
use source::Source;

/// Marks a row without a date in [`Row::created`].
pub const NO_DATE: i64 = i64::MIN;

/// How to read the inputs.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct IngestOptions {
    /// Column roles chosen by flags.
    pub columns: ColumnFlags,
    /// Whether the first data row is a header.
    pub header: HeaderMode,
    /// Turn the first row-level problem into an error instead of skipping the row.
    pub strict: bool,
    /// LinkedIn exports: endorsements, owners named by the user.
    pub linkedin: linkedin::LinkedInOptions,
    /// `--date-format`: a `strftime` form every date cell must take (e.g. `%d.%m.%Y`).
    pub date_format: Option<String>,
    /// `--max-line-bytes`: a longer line is skipped unread (`None`: 1 MiB).
    pub max_line_bytes: Option<usize>,
    /// `--time-budget`: reading stops at this moment (between blocks of a few MiB).
    pub deadline: Option<std::time::Instant>,
    /// `--min-weight`: rows whose weight is below this are skipped (and counted).
    pub min_weight: Option<f64>,
    /// `--keep-negative`: keep rows whose weight is 0 or below. Without it (and without
    /// `--min-weight`) a weight column keeps positive rows only: a negative rating or an
    /// oppose vote is not praise.
    pub keep_negative: bool,
    /// A table in memory, read before the files (the Python package's DataFrames).
    pub table: Option<std::sync::Arc<table::Table>>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// Fewer fields than the recommender and recommendee columns need.
    TooFewColumns,
    /// The recommender or the recommendee is blank.
    EmptyName,
    /// A date cell that is not a date in any accepted form.
    BadDate,
    /// A name, date, text or relationship field that is not valid UTF-8.
    InvalidUtf8,
    /// A line longer than `--max-line-bytes` (skipped unread).
    LineTooLong,
    /// A weight cell that is not a number (or is empty while `--min-weight` asks for one).
    BadWeight,
    /// A weight below `--min-weight` (a negative rating, an oppose vote).
    BelowMinWeight,
    /// A weight of 0 or below with no `--min-weight` or `--keep-negative`: a negative
    /// rating, an oppose or neutral vote is not a recommendation.
    NotPositive,
}

impl SkipReason {
    /// The stable name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooFewColumns => "too few columns",
            SkipReason::EmptyName => "empty name",
            SkipReason::BadDate => "bad date",
            SkipReason::InvalidUtf8 => "invalid UTF-8",
            SkipReason::LineTooLong => "line too long",
            SkipReason::BadWeight => "bad weight",
            SkipReason::BelowMinWeight => "below --min-weight",
            SkipReason::NotPositive => "weight 0 or below",
        }
    }

    /// Whether the row was skipped because its weight says it is no praise, as the weight
    /// floor asked: not a problem with the file.
    pub fn is_weight_floor(reason: &str) -> bool {
        reason == SkipReason::BelowMinWeight.as_str() || reason == SkipReason::NotPositive.as_str()
    }
}

/// What happened to the rows of one input: `rows = used + duplicates + self_loops + skipped`.
/// This is also the `inputs[]` entry of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// Rows skipped for a reason.
    pub skipped: u64,
    /// Skipped rows by reason.
    pub skipped_reasons: BTreeMap<String, u64>,
    /// Used or duplicate rows kept without their date, which could not be read (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub undated_bad_date: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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
pub struct SparseColumn(Sparse<Box<str>>);

impl SparseColumn {
    pub(crate) fn push(&mut self, at: SourcePos, value: Option<&str>) {
        self.0.push(at, value.map(Box::from));
    }

    /// Whether no row has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at `at`, if any.
    pub fn get(&self, at: SourcePos) -> Option<&str> {
        self.0.get(at).map(|v| &**v)
    }

    /// Append the values of rows that come after all of this column's rows.
    fn append(&mut self, later: SparseColumn) {
        self.0.append(later.0);
    }
}

/// Values of one column for the rows that have one, looked up by source position (rows
/// arrive in source order, so the keys are sorted and a lookup is a binary search).
#[derive(Debug, Clone)]
pub struct Sparse<T> {
    keys: Vec<SourcePos>,
    values: Vec<T>,
}

impl<T> Default for Sparse<T> {
    fn default() -> Self {
        Sparse { keys: Vec::new(), values: Vec::new() }
    }
}

impl<T> Sparse<T> {
    pub(crate) fn push(&mut self, at: SourcePos, value: Option<T>) {
        if let Some(v) = value {
            debug_assert!(self.keys.last().is_none_or(|&k| k < at), "rows arrive in source order");
            self.keys.push(at);
            self.values.push(v);
        }
    }

    /// Whether no row has a value.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The value at `at`, if any.
    pub fn get(&self, at: SourcePos) -> Option<&T> {
        self.keys.binary_search(&at).ok().map(|i| &self.values[i])
    }

    /// Append the values of rows that come after all of this column's rows.
    fn append(&mut self, mut later: Sparse<T>) {
        debug_assert!(match (self.keys.last(), later.keys.first()) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        });
        self.keys.append(&mut later.keys);
        self.values.append(&mut later.values);
    }
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Names of everyone in a kept row (and perhaps others, dropped by the graph builder).
    pub names: ShardedInterner,
    /// Rows that are candidates for edges (self-recommendations and skipped rows excluded).
    pub rows: store::RowStore,
    /// Recommendation text per row, when some input has a text column.
    pub texts: SparseColumn,
    /// Stated relationship per row, when some input has that column.
    pub relationships: SparseColumn,
    /// Weight per row (a rating, a vote), when some input has a weight column.
    pub weights: Sparse<f64>,
    /// Per-input accounting, in input order.
    pub inputs: Vec<InputStats>,
    /// Context per row (LinkedIn: the counterpart's job, the skill, since when connected).
    pub contexts: SparseColumn,
    /// Edge kind per row when it is not a recommendation (`endorsement`).
    pub kinds: SparseColumn,
    /// Jobs read from LinkedIn exports: name, company, start, end (`i64::MAX` = current).
    pub jobs: Vec<(String, String, i64, i64)>,
    /// Things the user should know about the inputs (ambiguous identities, unread files).
    pub warnings: Vec<Warning>,
    /// The coarsest precision of any date read.
    pub date_precision: date::DatePrecision,
    /// Where reading stopped when the time budget ran out (`None`: everything was read).
    pub stopped: Option<String>,
}

/// Read every input in order; a table given in memory comes first.
pub fn read_inputs(paths: &[PathBuf], options: &IngestOptions) -> Result<Ingested, Error> {
    let mut out = Ingested::default();
    if let Some(t) = &options.table {
        table::read(t, 0, options, &mut out)?;
    }
    let (edge_lists, exports) = classify_inputs(paths, options, &mut out.warnings)?;
    // Edge lists first, in the order given; then every export, read together so that people
    // can be matched across them.
    for path in edge_lists {
        if out.stopped.is_some() {
            out.warnings.push(Warning::not_read_in_time(&path));
            continue;
        }
        let file = file_index(out.inputs.len())?;
        read_edge_list(&path, file, options, &mut out)?;
    }
    if out.stopped.is_some() {
        for path in &exports {
            out.warnings.push(Warning::not_read_in_time(path));
        }
    } else if !exports.is_empty() {
        read_exports(&exports, options, &mut out)?;
    }
    Ok(out)
}

/// The input number of the `i`-th input.
pub fn file_index(i: usize) -> Result<u32, Error> {
    u32::try_from(i).map_err(|_| Error::Config("too many inputs".into()))
}

/// Sort the inputs as they are read: the edge lists in the order given, then the LinkedIn
/// exports (zip files and folders). Warnings about what a folder holds go to `warnings`.
pub fn classify_inputs(
    paths: &[PathBuf],
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    let recognised = |path: &Path| recognised_edge_list(path, &options.columns);
    let kinds = linkedin::classify(paths, &recognised, warnings)?;
    let (mut edge_lists, mut exports) = (Vec::new(), Vec::new());
    for kind in kinds {
        match kind {
            linkedin::InputKind::EdgeList(p) => edge_lists.push(p),
            linkedin::InputKind::Export(p) => exports.push(p),
        }
    }
    Ok((edge_lists, exports))
}

/// Read one edge list (delimited text, compressed or not, or Parquet) as input number `file`.
pub fn read_edge_list(path: &Path, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    if source::is_parquet(path) {
        read_parquet(path, file, options, out)
    } else {
        read_one(path, file, options, out)
    }
}

#[cfg(feature = "parquet")]
fn read_parquet(path: &Path, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    parquet::read(path, file, options, out)
}

/// Built without the `parquet` feature: a Parquet file is recognised and refused by name.
#[cfg(not(feature = "parquet"))]
fn read_parquet(path: &Path, _: u32, _: &IngestOptions, _: &mut Ingested) -> Result<(), Error> {
    Err(Error::Format {
        path: path.to_path_buf(),
        message: "a Parquet file, but this build of backscratch reads no Parquet (built without the `parquet` \
                  feature)"
            .into(),
    })
}

/// Read LinkedIn exports together (people are matched across them) and append their edges.
pub fn read_exports(exports: &[PathBuf], options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    let read = linkedin::read_exports(exports, &options.linkedin, options.strict, options.deadline)?;
    out.add_exports(read)
}

impl Ingested {
    /// What the dates of the input being closed (the next in `inputs`, its rows the last
    /// stored) mean for the whole: none at all when most are implausible (the column held
    /// no dates), else their precision counts towards the coarsest.
    fn close_dates(&mut self, dates: &DateStats) -> Result<(), Error> {
        if quality::dates_implausible(dates) {
            self.rows.forget_dates(file_index(self.inputs.len())?);
        } else if dates.dated > 0 {
            self.date_precision = self.date_precision.max(dates.coarsest);
        }
        Ok(())
    }

    /// Append the edges of LinkedIn exports, one input per export file.
    fn add_exports(&mut self, read: linkedin::Exports) -> Result<(), Error> {
        let first = self.inputs.len();
        for f in &read.files {
            let mut stats =
                InputStats { path: f.path.clone(), sha256: f.sha256.clone(), rows: f.rows, ..Default::default() };
            for (reason, n) in &f.skipped {
                stats.skipped += n;
                stats.skipped_reasons.insert(reason.clone(), *n);
            }
            stats.undated_bad_date = f.undated_bad_date;
            if let Some((line, text)) = &f.first_bad_date {
                self.warnings.push(Warning::new(
                    WarningCode::UnreadableDates,
                    format!(
                        "{}: {} date(s) could not be read (first on line {line}: '{text}'); those recommendations \
                         are kept undated",
                        f.path, f.undated_bad_date
                    ),
                ));
            }
            self.inputs.push(stats);
        }
        for e in read.edges {
            let file = u32::try_from(first + e.file).map_err(|_| Error::Config("too many inputs".into()))?;
            let line = u32::try_from(e.line).unwrap_or(u32::MAX);
            let source = SourcePos { file, line };
            if e.from == e.to {
                self.inputs[first + e.file].self_loops += 1;
                continue;
            }
            let (from, to) = (self.names.intern(&e.from), self.names.intern(&e.to));
            self.rows.push(Row { from, to, created: e.created.unwrap_or(NO_DATE), source });
            self.texts.push(source, e.text.as_deref());
            self.contexts.push(source, Some(e.context.as_str()).filter(|c| !c.is_empty()));
            self.kinds.push(source, e.kind);
        }
        self.jobs.extend(read.jobs);
        self.warnings.extend(read.warnings);
        if self.stopped.is_none() {
            self.stopped = read.stopped;
        }
        Ok(())
    }
}

/// Whether a file met in a folder is an edge list: the user named its columns by flag, or
/// its first line is a header naming a recommender and a recommendee column. A folder also
/// holds other tables (employment histories, allowlists) that must not become edges.
fn recognised_edge_list(path: &Path, flags: &ColumnFlags) -> bool {
    if flags.from.is_some() && flags.to.is_some() {
        return true;
    }
    let Ok(mut src) = Source::open(path) else { return false };
    let Ok(head) = src.reader.fill_buf() else { return false };
    let Some(line) = source::first_data_line(head) else { return false };
    let line = line.to_vec();
    let mut records = RecordReader::new(&line[..], Delimiter::detect(&line));
    match records.next_record() {
        Ok(Some(first)) => columns::names_edge_roles(&header_cells(&owned_fields(&first))),
        _ => false,
    }
}

/// The column roles of the input at `path` (from the flags and its header, if it has one),
/// as an error naming the file when they cannot be resolved. `--min-weight` with no weight
/// column would skip every row as `bad weight`, so that is an error too, saying why.
fn input_columns(path: &Path, options: &IngestOptions, header: Option<&[String]>) -> Result<columns::Columns, Error> {
    let cols = columns::resolve(&options.columns, header)
        .map_err(|message| Error::Column { path: path.to_path_buf(), message })?;
    weight_for_floor(path, options, cols)
}

/// `cols`, unless `--min-weight` asks for a weight column they lack.
fn weight_for_floor(path: &Path, options: &IngestOptions, cols: columns::Columns) -> Result<columns::Columns, Error> {
    let column_error = |message: String| Error::Column { path: path.to_path_buf(), message };
    if options.min_weight.is_some() && cols.weight.is_none() {
        return Err(column_error(
            "--min-weight needs a weight column: name it with --weight-col (no header cell is named weight, \
             rating, score, vote, vot or sign)"
                .into(),
        ));
    }
    Ok(cols)
}

/// The time of the scan in Unix seconds (dates after it are in the future).
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(i64::MAX, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// An input none of whose rows became a recommendation is an error naming the main reason.
fn nothing_usable(path: &Path, stats: &InputStats) -> Result<(), Error> {
    if stats.rows == 0 || stats.skipped + stats.self_loops < stats.rows {
        return Ok(());
    }
    let main = stats.skipped_reasons.iter().max_by_key(|(_, n)| **n);
    let why = match main {
        Some((reason, n)) if stats.skipped > 0 => format!("{n} skipped as '{reason}'"),
        _ => format!("{} self-recommendations", stats.self_loops),
    };
    Err(Error::NoData {
        path: path.to_path_buf(),
        what: format!("rows, but none became a recommendation (of {} row(s), {why})", stats.rows),
    })
}
