//! One record becomes one row in exactly one bucket: kept, self-recommendation, or skipped
//! with a reason (duplicates are decided later, when the graph is built). Rows are collected
//! in [`Batch`]es with their own name interner, so that stretches of a file can be parsed on
//! different threads and merged in file order.

use std::collections::BTreeMap;
use std::path::Path;

use super::columns::Columns;
use super::date::{self, DatePrecision};
use super::store::RowStore;
use super::{InputStats, Row, SkipReason, SourcePos, Sparse, SparseColumn, NO_DATE};
use crate::error::Error;
use crate::intern::shards::{NameBatch, ShardedInterner};

/// How to turn the records of one input into rows; shared by every thread reading it.
pub(super) struct RowParser<'a> {
    /// The input, for error messages.
    pub path: &'a Path,
    /// Index of the input.
    pub file: u32,
    /// Column roles.
    pub columns: Columns,
    /// Whether a row-level problem is an error.
    pub strict: bool,
    /// `--date-format`: the only form a date may take.
    pub date_format: Option<&'a str>,
    /// Dates after this (Unix seconds) are in the future.
    pub now: i64,
    /// The longest line read (`--max-line-bytes`).
    pub max_line: usize,
    /// The dictionary each thread interns its batch's names in.
    pub names: &'a ShardedInterner,
    /// Which weights make a row a recommendation.
    pub floor: WeightFloor,
}

/// Which weights make a row a recommendation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum WeightFloor {
    /// Every weight (`--keep-negative`).
    Any,
    /// Positive weights (the default): a rating of 0 or below, an oppose or neutral vote is
    /// not praise. A blank weight is no weight, and the row is kept.
    Positive,
    /// `--min-weight X`: weights of at least `X`; a blank weight is a bad one.
    AtLeast(f64),
}

impl WeightFloor {
    /// The floor `options` ask for.
    pub(super) fn of(options: &super::IngestOptions) -> WeightFloor {
        match (options.min_weight, options.keep_negative) {
            (Some(x), _) => WeightFloor::AtLeast(x),
            (None, true) => WeightFloor::Any,
            (None, false) => WeightFloor::Positive,
        }
    }
}

/// Dates before this (1990-01-01) are suspect: recommendations online began later, and a
/// rating or count column read as Unix seconds lands in 1970.
pub(super) const EARLIEST_PLAUSIBLE: i64 = 631_152_000;

/// What one input's date column held: how precise, how many unreadable or implausible.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DateStats {
    /// Dates read.
    pub dated: u64,
    /// The coarsest precision among them.
    pub coarsest: DatePrecision,
    /// Rows kept undated because their date could not be read.
    pub unreadable: u64,
    /// The first unreadable date: line and text.
    pub first_unreadable: Option<(u64, String)>,
    /// Dates before `EARLIEST_PLAUSIBLE`.
    pub too_early: u64,
    /// Dates after the time of the scan.
    pub in_future: u64,
    /// The first implausible date: line and text.
    pub first_implausible: Option<(u64, String)>,
}

impl DateStats {
    pub(super) fn merge(&mut self, later: DateStats) {
        self.dated += later.dated;
        self.coarsest = self.coarsest.max(later.coarsest);
        self.unreadable += later.unreadable;
        self.too_early += later.too_early;
        self.in_future += later.in_future;
        self.first_unreadable = self.first_unreadable.take().or(later.first_unreadable);
        self.first_implausible = self.first_implausible.take().or(later.first_implausible);
    }
}

/// Rows parsed from one stretch of an input. Until [`Batch::resolve`] interns its names, a
/// row's `from` and `to` are positions in the batch's own list of names.
#[derive(Default)]
pub(super) struct Batch {
    names: NameBatch,
    resolved: bool,
    rows: RowStore,
    texts: SparseColumn,
    relationships: SparseColumn,
    weights: Sparse<f64>,
    rows_read: u64,
    self_loops: u64,
    skipped: BTreeMap<SkipReason, u64>,
    dates: DateStats,
    /// The most fields any record had.
    pub widest: usize,
    /// The previous row's recommender and its id: edge lists are often sorted by source,
    /// and this skips most lookups of that column.
    last_from: (String, u32),
}

impl Batch {
    /// An empty batch with room for `rows` rows (a piece's line count is a tight bound).
    pub(super) fn with_capacity(rows: usize) -> Self {
        Batch { rows: RowStore::with_capacity(rows), ..Batch::default() }
    }

    /// Intern the batch's names in the shared dictionary and give its rows their ids (done
    /// on the thread that parsed the batch; a second call does nothing).
    pub(super) fn resolve(&mut self, dictionary: &ShardedInterner) {
        if std::mem::replace(&mut self.resolved, true) {
            return;
        }
        let ids = dictionary.intern_batch(&self.names);
        self.names = NameBatch::default();
        self.rows.map_ids(|from, to| (ids.get(from), ids.get(to)));
    }
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
    /// Skipped by the weight floor: what was asked for, so never an error under `--strict`.
    Floor(SkipReason),
}

impl<'a> RowParser<'a> {
    /// The parser of input number `file` at `path`, with the columns `columns`, reading lines
    /// of at most `max_line` bytes, as `options` say.
    pub(super) fn new(
        path: &'a Path,
        file: u32,
        columns: Columns,
        options: &'a super::IngestOptions,
        max_line: usize,
        names: &'a ShardedInterner,
    ) -> Self {
        RowParser {
            path,
            file,
            columns,
            strict: options.strict,
            date_format: options.date_format.as_deref(),
            now: super::now(),
            max_line,
            names,
            floor: WeightFloor::of(options),
        }
    }

    /// Account for one line skipped as too long in `batch` (an error under `strict`).
    pub(super) fn too_long_in(&self, batch: &mut Batch, line: u64) -> Result<(), Error> {
        if self.strict {
            let reason = format!("line longer than {} bytes (--max-line-bytes) (rejected by --strict)", self.max_line);
            return Err(Error::Row { path: self.path.to_path_buf(), line, reason });
        }
        batch.rows_read += 1;
        *batch.skipped.entry(SkipReason::LineTooLong).or_insert(0) += 1;
        Ok(())
    }

    /// Account for one record; under `strict`, a row-level problem is an error naming the line.
    pub(super) fn row<'r>(
        &self,
        batch: &mut Batch,
        line: u64,
        fields: &dyn Fn(usize) -> Option<&'r [u8]>,
        width: usize,
    ) -> Result<(), Error> {
        batch.rows_read += 1;
        batch.widest = batch.widest.max(width);
        match self.classify(batch, line, fields, width) {
            RowOutcome::Kept => {}
            RowOutcome::SelfLoop => batch.self_loops += 1,
            RowOutcome::Floor(reason) => *batch.skipped.entry(reason).or_insert(0) += 1,
            RowOutcome::Skipped(reason, detail) => {
                if self.strict {
                    let reason = format!("{detail} (rejected by --strict)");
                    return Err(Error::Row { path: self.path.to_path_buf(), line, reason });
                }
                *batch.skipped.entry(reason).or_insert(0) += 1;
            }
        }
        Ok(())
    }

    fn classify<'r>(
        &self,
        b: &mut Batch,
        line: u64,
        fields: &dyn Fn(usize) -> Option<&'r [u8]>,
        width: usize,
    ) -> RowOutcome {
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
                text_field(c.weight.and_then(fields))?.unwrap_or(""),
            ))
        })();
        let (from, to, date, text, relationship, weight) = match decoded {
            Ok(v) => v,
            Err(reason) => return RowOutcome::Skipped(reason, "a field is not valid UTF-8".into()),
        };
        if from.is_empty() || to.is_empty() {
            let which = if from.is_empty() { "recommender" } else { "recommendee" };
            return RowOutcome::Skipped(SkipReason::EmptyName, format!("empty name: the {which} is blank"));
        }
        let weight = match (weight, self.floor) {
            ("", WeightFloor::AtLeast(_)) => {
                return RowOutcome::Skipped(SkipReason::BadWeight, "bad weight: the weight is blank".into());
            }
            ("", _) => None,
            (w, floor) => match w.parse::<f64>().ok().filter(|x| x.is_finite()) {
                None => return RowOutcome::Skipped(SkipReason::BadWeight, format!("bad weight '{w}'")),
                Some(x) => match floor {
                    WeightFloor::AtLeast(f) if x < f => {
                        return RowOutcome::Floor(SkipReason::BelowMinWeight);
                    }
                    WeightFloor::Positive if x <= 0.0 => return RowOutcome::Floor(SkipReason::NotPositive),
                    _ => Some(x),
                },
            },
        };
        let created = if date.is_empty() {
            NO_DATE
        } else {
            match date::parse_date_with(date, self.date_format) {
                Some((secs, precision)) => {
                    let d = &mut b.dates;
                    d.dated += 1;
                    d.coarsest = d.coarsest.max(precision);
                    let early = secs < EARLIEST_PLAUSIBLE;
                    if early || secs > self.now {
                        d.too_early += u64::from(early);
                        d.in_future += u64::from(!early);
                        d.first_implausible.get_or_insert_with(|| (line, date.to_string()));
                    }
                    secs
                }
                None if self.strict => return RowOutcome::Skipped(SkipReason::BadDate, format!("bad date '{date}'")),
                None => {
                    // The recommendation stands; only its date is lost (and counted).
                    b.dates.unreadable += 1;
                    b.dates.first_unreadable.get_or_insert_with(|| (line, date.to_string()));
                    NO_DATE
                }
            }
        };
        if from == to {
            return RowOutcome::SelfLoop;
        }
        // `from` is never empty here, so the initial empty cache never matches.
        let from_id = if b.last_from.0 == from {
            b.last_from.1
        } else {
            let id = b.names.push(from);
            b.last_from.0.clear();
            b.last_from.0.push_str(from);
            b.last_from.1 = id;
            id
        };
        let to_id = b.names.push(to);
        let source = SourcePos { file: self.file, line: u32::try_from(line).unwrap_or(u32::MAX) };
        b.texts.push(source, text);
        b.relationships.push(source, relationship);
        b.weights.push(source, weight);
        b.rows.push(Row { from: from_id, to: to_id, created, source });
        RowOutcome::Kept
    }
}

/// The row-shaped parts of [`Ingested`], which parsed batches are appended to (borrowed
/// apart from the name dictionary, which the parsing threads share meanwhile).
pub(super) struct Sink<'a> {
    /// Kept rows.
    pub rows: &'a mut RowStore,
    /// Texts by row.
    pub texts: &'a mut SparseColumn,
    /// Stated relationships by row.
    pub relationships: &'a mut SparseColumn,
    /// Weights by row.
    pub weights: &'a mut Sparse<f64>,
    /// The dictionary, for batches whose thread did not intern their names.
    pub names: &'a ShardedInterner,
}

impl Sink<'_> {
    /// Append a batch (which must come after everything absorbed so far in file order),
    /// interning its names if its thread did not, and add its counts to `stats` and `dates`.
    pub(super) fn absorb(&mut self, mut batch: Batch, stats: &mut InputStats, dates: &mut DateStats) {
        batch.resolve(self.names);
        self.rows.append(std::mem::take(&mut batch.rows));
        self.texts.append(batch.texts);
        self.relationships.append(batch.relationships);
        self.weights.append(batch.weights);
        stats.rows += batch.rows_read;
        stats.self_loops += batch.self_loops;
        stats.undated_bad_date += batch.dates.unreadable;
        dates.merge(batch.dates);
        for (reason, n) in batch.skipped {
            stats.skipped += n;
            *stats.skipped_reasons.entry(reason.as_str().to_string()).or_insert(0) += n;
        }
    }
}
