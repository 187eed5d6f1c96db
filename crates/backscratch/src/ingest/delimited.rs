//! Reading one delimited text input (CSV, TSV, space-separated; plain or compressed): the
//! first records decide the delimiter, the header and the column roles ([`Head`]), the body
//! is parsed in parallel blocks ([`read_body`]), and the finished input goes through the
//! checks and warnings of a whole file ([`finish_input`]). A cluster reads one input in byte
//! ranges with the same three pieces (see [`super::split`]).

use std::path::Path;

use super::records::{self, Delimiter, RecordError, RecordReader};
use super::source::{self, Source};
use super::{
    body, columns, nothing_usable, quality, rows, sniff, weight_for_floor, IngestOptions, Ingested, InputStats,
    SkipReason,
};
use crate::error::Error;
use crate::warning::{Warning, WarningCode};

fn record_error(path: &Path, compression: source::Compression, e: RecordError) -> Error {
    match e {
        RecordError::Io(e) => source::damaged(path, compression, e),
        RecordError::UnclosedQuote { line } => Error::UnclosedQuote { path: path.to_path_buf(), line },
        RecordError::TooLong { line } => Error::Row {
            path: path.to_path_buf(),
            line,
            reason: "line longer than --max-line-bytes (rejected by --strict)".into(),
        },
    }
}

/// A record's start line and fields, copied out of the reader's buffer.
type OwnedRecord = (u64, Vec<Vec<u8>>);

/// A record copied out of the reader's buffer, for the rows read ahead to find the header.
pub(super) fn owned_fields(rec: &records::Record<'_>) -> Vec<Vec<u8>> {
    (0..rec.len()).map(|i| rec.get(i).unwrap_or(b"").to_vec()).collect()
}

/// Header cells as text (lossy: a header is only compared with names).
pub(super) fn header_cells(fields: &[Vec<u8>]) -> Vec<String> {
    fields.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect()
}

pub(super) fn read_one(path: &Path, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    let mut src = Source::open(path)?;
    let compression = src.compression;
    let head = Head::read(path, &mut src.reader, compression, options)?;
    let (parser, mut sink) = head.parser_and_sink(path, file, options, out);
    let mut part = Part::default();
    head.absorb_rows(&parser, &mut part, &mut sink)?;
    let stopped_at =
        read_body(&mut src.reader, head.body_line, &head, compression, &parser, &mut part, &mut sink, options)?;
    if let Some(line) = stopped_at {
        out.stopped = Some(format!("{} at line {line}", path.display()));
        part.stats.path = path.display().to_string();
        out.inputs.push(part.stats);
        return Ok(());
    }
    let sha256 = src.finish(path)?;
    finish_input(path, &head, part, sha256, out)
}

/// What the first records of a delimited input decide: delimiter, header, column roles.
pub(super) struct Head {
    delimiter: Delimiter,
    pub(super) max_line: usize,
    header: bool,
    first_cells: Vec<String>,
    pub(super) cols: columns::Columns,
    /// Records read ahead that are data rows (not the header).
    data: Vec<OwnedRecord>,
    /// Lines over --max-line-bytes among the records read ahead.
    too_long: u64,
    /// The first line after the records read ahead.
    pub(super) body_line: u64,
    /// What the first lines said that the user should know (a rating column found, a hint).
    notes: Vec<Warning>,
}

impl Head {
    /// Read the first records of `reader` (the start of the input at `path`) and decide.
    pub(super) fn read(
        path: &Path,
        reader: &mut dyn std::io::BufRead,
        compression: source::Compression,
        options: &IngestOptions,
    ) -> Result<Head, Error> {
        let head = reader.fill_buf().map_err(|e| source::damaged(path, compression, e))?;
        let delimiter = source::first_data_line(head).map(Delimiter::detect).unwrap_or(Delimiter::Byte(b','));
        let sample = sniff::Sample::read(head, delimiter);
        // The first two records decide about the header; keep them owned.
        let max_line = options.max_line_bytes.unwrap_or(body::DEFAULT_MAX_LINE);
        let mut records = RecordReader::new(reader, delimiter).with_max_record(max_line);
        // Lines over --max-line-bytes among the first records are read past and counted.
        let mut too_long = 0u64;
        let mut next_owned = || -> Result<Option<OwnedRecord>, Error> {
            loop {
                match records.next_record() {
                    Err(RecordError::TooLong { .. }) if !options.strict => too_long += 1,
                    rec => {
                        let rec = rec.map_err(|e| record_error(path, compression, e))?;
                        return Ok(rec.map(|r| (r.line, owned_fields(&r))));
                    }
                }
            }
        };
        let Some(first) = next_owned()? else {
            return Err(Error::NoData { path: path.to_path_buf(), what: "no data rows".into() });
        };
        let second = next_owned()?;
        let body_line = records.next_line();
        let first_cells = header_cells(&first.1);
        let second_cells = second.as_ref().map(|s| header_cells(&s.1));
        let header = columns::is_header(options.header, &options.columns, &first_cells, second_cells.as_deref())
            || (options.header == columns::HeaderMode::Auto && sample.words_above_values().is_some());
        let named_edge_roles = header && columns::names_edge_roles(&first_cells);
        let flagged_edge_roles = options.columns.from.is_some() || options.columns.to.is_some();
        if header && !named_edge_roles && !flagged_edge_roles && sniff::is_jobs_header(&first_cells) {
            return Err(Error::Column {
                path: path.to_path_buf(),
                message: format!(
                    "this looks like an employment history (its header is: {}), not a list of recommendations: \
                     give it with --people; or name the recommender and recommendee columns with --from-col and \
                     --to-col",
                    first_cells.join(", ")
                ),
            });
        }
        let mut cols = columns::resolve(&options.columns, header.then_some(first_cells.as_slice()))
            .map_err(|message| Error::Column { path: path.to_path_buf(), message })?;
        let mut notes = Vec::new();
        let p = path.display();
        if header && columns::names_no_edge_role(&first_cells) && !flagged_edge_roles {
            notes.push(Warning::new(
                WarningCode::HeaderNamesNoColumns,
                format!(
                    "{p}: the first row is read as a header (its cells are words above numbers or dates), but it \
                     names no recommender or recommendee column, so columns 1 and 2 are taken as them (--from-col \
                     and --to-col choose others)"
                ),
            ));
        }
        if !header {
            guess_headerless(&sample, options, &mut cols, &mut notes, &p.to_string());
        }
        let cols = weight_for_floor(path, options, cols)?;
        let data = if header { second.into_iter().collect() } else { [first].into_iter().chain(second).collect() };
        Ok(Head { delimiter, max_line, header, first_cells, cols, data, too_long, body_line, notes })
    }

    /// The parser of this input's rows (input number `file`) and where they go in `out`.
    pub(super) fn parser_and_sink<'a>(
        &self,
        path: &'a Path,
        file: u32,
        options: &'a IngestOptions,
        out: &'a mut Ingested,
    ) -> (rows::RowParser<'a>, rows::Sink<'a>) {
        let parser = rows::RowParser::new(path, file, self.cols, options, self.max_line, &out.names);
        let sink = rows::Sink {
            rows: &mut out.rows,
            texts: &mut out.texts,
            relationships: &mut out.relationships,
            weights: &mut out.weights,
            names: &out.names,
        };
        (parser, sink)
    }

    /// Account for the records read ahead (the data rows among them and the lines too long).
    pub(super) fn absorb_rows(
        &self,
        parser: &rows::RowParser,
        part: &mut Part,
        sink: &mut rows::Sink,
    ) -> Result<(), Error> {
        let mut head_rows = rows::Batch::default();
        for (line, fields) in &self.data {
            parser.row(&mut head_rows, *line, &|i| fields.get(i).map(Vec::as_slice), fields.len())?;
        }
        if self.too_long > 0 {
            let stats = &mut part.stats;
            stats.rows += self.too_long;
            stats.skipped += self.too_long;
            *stats.skipped_reasons.entry(SkipReason::LineTooLong.as_str().to_string()).or_insert(0) += self.too_long;
        }
        part.absorb(head_rows, sink);
        Ok(())
    }
}

/// In a file without a header: take a third column of small signed numbers as the weight
/// (SNAP's signed networks: a negative rating is not praise), and name a column of Unix times
/// that no flag reads as dates. Each choice and hint goes to `notes`.
fn guess_headerless(
    sample: &sniff::Sample,
    options: &IngestOptions,
    cols: &mut columns::Columns,
    notes: &mut Vec<Warning>,
    p: &str,
) {
    let taken = [Some(cols.from), Some(cols.to), cols.time, cols.text, cols.relationship];
    if options.columns.weight.is_none() && options.header != columns::HeaderMode::Yes {
        if let Some(signed) = sample.signed_column().filter(|s| !taken.contains(&Some(s.column))) {
            cols.weight = Some(signed.column);
            let (lo, hi) = signed.range;
            let kept = if options.min_weight.is_some() {
                "--min-weight decides which rows are kept"
            } else if options.keep_negative {
                "--keep-negative keeps every row"
            } else {
                "rows weighing 0 or below are skipped as no praise (--keep-negative keeps them)"
            };
            notes.push(Warning::new(
                WarningCode::SignedColumnRead,
                format!(
                    "{p}: column {} holds signed numbers ({lo} to {hi} in the first {} rows), so it is read as a \
                     rating (--weight-col {}): {kept}",
                    signed.column + 1,
                    signed.rows,
                    signed.column + 1
                ),
            ));
        }
    }
    if cols.time.is_none() {
        if let Some((j, lo, hi)) = sample.unix_time_column(super::now(), cols.weight) {
            let (lo, hi) = (super::date::format_timestamp(lo), super::date::format_timestamp(hi));
            notes.push(Warning::new(
                WarningCode::UnixTimesNotRead,
                format!(
                    "{p}: column {} looks like Unix times ({lo} to {hi} in the first rows), but no flag reads it: \
                     --time-col {} takes it as the dates of the recommendations",
                    j + 1,
                    j + 1
                ),
            ));
        }
    }
}

/// The counts of an input (or of one share of it) so far.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// Rows by outcome (`used` and `duplicates` are decided later).
    stats: InputStats,
    /// Dates read.
    dates: rows::DateStats,
    /// The most fields any record had.
    widest: usize,
}

impl Part {
    fn absorb(&mut self, batch: rows::Batch, sink: &mut rows::Sink) {
        self.widest = self.widest.max(batch.widest);
        sink.absorb(batch, &mut self.stats, &mut self.dates);
    }

    /// Add the counts of a later share of the same input.
    #[cfg(feature = "cluster")]
    pub(crate) fn merge(&mut self, later: Part) {
        let (s, l) = (&mut self.stats, later.stats);
        s.rows += l.rows;
        s.self_loops += l.self_loops;
        s.skipped += l.skipped;
        s.undated_bad_date += l.undated_bad_date;
        for (reason, n) in l.skipped_reasons {
            *s.skipped_reasons.entry(reason).or_insert(0) += n;
        }
        self.dates.merge(later.dates);
        self.widest = self.widest.max(later.widest);
    }
}

/// Parse the body of an input from `reader` (whose first line is `first_line`) into `out`.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_body(
    reader: &mut dyn std::io::BufRead,
    first_line: u64,
    head: &Head,
    compression: source::Compression,
    parser: &rows::RowParser,
    part: &mut Part,
    out: &mut rows::Sink,
    options: &IngestOptions,
) -> Result<Option<u64>, Error> {
    let sink = &mut |batch: rows::Batch| part.absorb(batch, out);
    let sizes = body::Sizes::with_max_line(head.max_line);
    body::parse_body(reader, first_line, head.delimiter, compression, parser, sink, sizes, options.deadline)
}

/// The checks and warnings of a whole input, once all its rows are read: no rows, a column
/// flag beyond every row, nothing usable; date warnings.
pub(super) fn finish_input(
    path: &Path,
    head: &Head,
    mut part: Part,
    sha256: String,
    out: &mut Ingested,
) -> Result<(), Error> {
    if part.stats.rows == 0 {
        return Err(Error::NoData { path: path.to_path_buf(), what: "a header and no data rows".into() });
    }
    let cols = head.cols;
    let needed = [Some(cols.from), Some(cols.to), cols.time, cols.text, cols.relationship, cols.weight]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
        + 1;
    if !head.header && part.widest < needed {
        return Err(Error::Column {
            path: path.to_path_buf(),
            message: format!(
                "a column flag asks for column {needed}, but no row has more than {} column(s)",
                part.widest
            ),
        });
    }
    part.stats.path = path.display().to_string();
    part.stats.sha256 = sha256;
    nothing_usable(path, &part.stats)?;
    let column = cols.time.map(|i| match head.header.then(|| head.first_cells.get(i)).flatten() {
        Some(name) => format!("column {} ('{name}')", i + 1),
        None => format!("column {}", i + 1),
    });
    out.warnings.extend(head.notes.iter().cloned());
    out.warnings.extend(quality::input_warnings(path, &part.stats, &part.dates, column.as_deref()));
    out.close_dates(&part.dates)?;
    out.inputs.push(part.stats);
    Ok(())
}
