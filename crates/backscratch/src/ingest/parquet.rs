//! Parquet input: a file whose first bytes are `PAR1` is read as a table with the same column
//! roles as a delimited file (the schema's column names are the header: `--from-col` and the
//! others take names or 1-based positions, and well-known names are found by themselves).
//!
//! Names may be string or integer columns; dates may be timestamps, dates, integers (Unix
//! seconds) or strings in any form the text reader takes. Row groups are read in parallel,
//! each into its own batch, and handed on in file order, so the rows, their accounting and
//! the report are those of the same table written as CSV; the `line` of a row is its 1-based
//! row number. A damaged or truncated file is an error naming it, never a panic (nor a
//! panic's message).
//!
//! Bounded like text: only the columns with a role are read, value by value through the
//! column readers (a dictionary's strings are shared, not copied per row); a cell longer
//! than `--max-line-bytes` skips its row as `line too long`, a cell that is not UTF-8 skips
//! it as `invalid UTF-8`; the bytes the columns decompress to and the bytes of the cells
//! copied are each held to [`MAX_EXPANSION`] times the file (past [`BOMB_FLOOR`]); the footer
//! is parsed once for every row group.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parquet::basic::{LogicalType, TimeUnit, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::file::reader::{ChunkReader, FileReader, Length, RowGroupReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::rows::{Batch, RowParser};
use super::source::{BOMB_FLOOR, MAX_EXPANSION};
use super::{IngestOptions, Ingested};
use crate::error::Error;

/// The first (and last) four bytes of every Parquet file.
/// The fewest bytes a row takes as text (`a,b` and a line end).
const MIN_ROW_BYTES: u64 = 4;

fn damaged(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format { path: path.to_path_buf(), message: format!("damaged or truncated Parquet file: {e}") }
}

/// Records read from every column at a time.
const STEP: usize = 1024;

/// A Parquet file read by position: every row group's readers keep their own place, so one
/// parsed footer serves them all in parallel (a `File`'s clones share one offset). Ranges
/// past the end of the file are errors, not allocations.
struct Positional {
    file: Arc<File>,
    len: u64,
}

impl Length for Positional {
    fn len(&self) -> u64 {
        self.len
    }
}

/// A reader at an offset of a [`Positional`] file.
struct At {
    file: Arc<File>,
    pos: u64,
    /// Reads in a row that found the end of the file.
    at_end: u32,
}

/// Reads at the end of the file after which a reader is told so by an error: the Parquet
/// crate's thrift decoder can ask again and again for bytes a damaged page header promises
/// (a 1.3 KB file made it read nothing 80,000 times a second for 92 s).
const END_READS: u32 = 16;

impl std::io::Read for At {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        if n == 0 && !buf.is_empty() {
            self.at_end += 1;
            if self.at_end > END_READS {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("read past the end of the file at offset {} more than {END_READS} times", self.pos),
                ));
            }
        } else {
            self.at_end = 0;
        }
        Ok(n)
    }
}

impl ChunkReader for Positional {
    type T = std::io::BufReader<At>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(std::io::BufReader::new(At { file: self.file.clone(), pos: start, at_end: 0 }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let end = start.checked_add(length as u64).filter(|&e| e <= self.len);
        if end.is_none() {
            return Err(parquet::errors::ParquetError::EOF(format!(
                "{length} bytes at offset {start} lie past the end of the file ({} bytes)",
                self.len
            )));
        }
        let mut buf = vec![0u8; length];
        self.file.read_exact_at(&mut buf, start)?;
        Ok(buf.into())
    }
}

/// Run `work`, turning a panic of the Parquet reader (some corrupt input it did not foresee)
/// into `failed`, without the panic's message on standard error.
fn guarded<T>(failed: impl FnOnce() -> Error, work: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    quiet_panics::quietly(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)))
        .unwrap_or_else(|_| Err(failed()))
}

/// How a column's values become the text the row parser reads.
#[derive(Debug, Clone, Copy)]
enum Text {
    /// Bytes as they are (strings, binary).
    Raw,
    /// A number or a flag, as written.
    Plain,
    /// Unsigned integers stored in signed ones.
    Unsigned,
    /// Days since 1970, as Unix seconds.
    Days,
    /// A timestamp in units of `1/per_second` seconds, as Unix seconds.
    Timestamp { per_second: i64 },
    /// A decimal with `scale` digits after the point.
    Decimal { scale: u32 },
}

fn text_of(d: &ColumnDescriptor) -> Text {
    use parquet::basic::ConvertedType as C;
    match (d.logical_type_ref(), d.converted_type()) {
        (Some(LogicalType::Date), _) | (_, C::DATE) => Text::Days,
        (Some(LogicalType::Timestamp(t)), _) => Text::Timestamp {
            per_second: match t.unit {
                TimeUnit::MILLIS => 1_000,
                TimeUnit::MICROS => 1_000_000,
                TimeUnit::NANOS => 1_000_000_000,
            },
        },
        (_, C::TIMESTAMP_MILLIS) => Text::Timestamp { per_second: 1_000 },
        (_, C::TIMESTAMP_MICROS) => Text::Timestamp { per_second: 1_000_000 },
        (Some(LogicalType::Decimal(d)), _) => Text::Decimal { scale: d.scale.clamp(0, 38) as u32 },
        (Some(LogicalType::Integer(i)), _) if !i.is_signed => Text::Unsigned,
        _ if matches!(d.physical_type(), Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY) => Text::Raw,
        _ => Text::Plain,
    }
}

fn integer_text(n: i64, text: Text, width: u32, out: &mut Vec<u8>) {
    use std::io::Write;
    let _ = match text {
        Text::Unsigned if width == 32 => write!(out, "{}", n as u32),
        Text::Unsigned => write!(out, "{}", n as u64),
        Text::Days => write!(out, "{}", n.saturating_mul(86_400)),
        Text::Timestamp { per_second } => write!(out, "{}", n.div_euclid(per_second)),
        Text::Decimal { scale } if scale > 0 => {
            let p = 10i128.pow(scale);
            let (n, sign) = (i128::from(n), if n < 0 { "-" } else { "" });
            write!(out, "{sign}{}.{:0w$}", n.abs() / p, n.abs() % p, w = scale as usize)
        }
        _ => write!(out, "{n}"),
    };
}

/// One column with a role: its reader and the values of the current step.
struct Column {
    /// Its position among the header's columns (what the row parser asks for).
    field: usize,
    reader: ColumnReader,
    text: Text,
    max_def: i16,
    defs: Vec<i16>,
    values: Values,
    /// The next value of the step to hand out.
    next: usize,
}

/// The values of one step, by physical type.
enum Values {
    Bool(Vec<bool>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Int96(Vec<parquet::data_type::Int96>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    Bytes(Vec<parquet::data_type::ByteArray>),
    Fixed(Vec<parquet::data_type::FixedLenByteArray>),
}

impl Column {
    /// Read the next step's records; how many.
    fn step(&mut self) -> parquet::errors::Result<usize> {
        self.defs.clear();
        self.next = 0;
        let defs = (self.max_def > 0).then_some(&mut self.defs);
        macro_rules! read {
            ($reader:expr, $values:expr) => {{
                $values.clear();
                $reader.read_records(STEP, defs, None, $values)?.0
            }};
        }
        Ok(match (&mut self.reader, &mut self.values) {
            (ColumnReader::BoolColumnReader(r), Values::Bool(v)) => read!(r, v),
            (ColumnReader::Int32ColumnReader(r), Values::Int32(v)) => read!(r, v),
            (ColumnReader::Int64ColumnReader(r), Values::Int64(v)) => read!(r, v),
            (ColumnReader::Int96ColumnReader(r), Values::Int96(v)) => read!(r, v),
            (ColumnReader::FloatColumnReader(r), Values::Float(v)) => read!(r, v),
            (ColumnReader::DoubleColumnReader(r), Values::Double(v)) => read!(r, v),
            (ColumnReader::ByteArrayColumnReader(r), Values::Bytes(v)) => read!(r, v),
            (ColumnReader::FixedLenByteArrayColumnReader(r), Values::Fixed(v)) => read!(r, v),
            _ => return Err(parquet::errors::ParquetError::General("a column reader of another type".into())),
        })
    }

    /// Write record `i`'s cell into `out` (false: the cell is null). Values are handed out in
    /// order: call once per record of the step.
    fn cell(&mut self, i: usize, out: &mut Vec<u8>) -> bool {
        out.clear();
        if self.is_null(i) {
            return false;
        }
        let k = self.next;
        self.next += 1;
        use std::io::Write;
        match &self.values {
            Values::Bool(v) => v.get(k).is_some_and(|b| write!(out, "{b}").is_ok()),
            Values::Int32(v) => v.get(k).map(|&n| integer_text(i64::from(n), self.text, 32, out)).is_some(),
            Values::Int64(v) => v.get(k).map(|&n| integer_text(n, self.text, 64, out)).is_some(),
            Values::Int96(v) => v.get(k).is_some_and(|t| write!(out, "{}", t.to_seconds()).is_ok()),
            Values::Float(v) => v.get(k).is_some_and(|x| write!(out, "{x}").is_ok()),
            Values::Double(v) => v.get(k).is_some_and(|x| write!(out, "{x}").is_ok()),
            Values::Bytes(v) => v.get(k).is_some_and(|b| {
                out.extend_from_slice(b.data());
                true
            }),
            Values::Fixed(v) => v.get(k).is_some_and(|b| {
                out.extend_from_slice(b.data());
                true
            }),
        }
    }

    /// The length of record `i`'s value if it is bytes (checked before it is copied).
    fn byte_len(&self, i: usize) -> usize {
        if self.is_null(i) {
            return 0;
        }
        match &self.values {
            Values::Bytes(v) => v.get(self.next).map_or(0, |b| b.len()),
            Values::Fixed(v) => v.get(self.next).map_or(0, |b| b.len()),
            _ => 0,
        }
    }

    /// Skip record `i`'s value without copying it.
    fn skip(&mut self, i: usize) {
        if !self.is_null(i) {
            self.next += 1;
        }
    }

    /// Whether record `i` of the step is null (its definition level short of the column's).
    fn is_null(&self, i: usize) -> bool {
        self.max_def > 0 && self.defs.get(i).is_none_or(|&d| d < self.max_def)
    }
}

fn values_for(kind: Physical) -> Values {
    match kind {
        Physical::BOOLEAN => Values::Bool(Vec::new()),
        Physical::INT32 => Values::Int32(Vec::new()),
        Physical::INT64 => Values::Int64(Vec::new()),
        Physical::INT96 => Values::Int96(Vec::new()),
        Physical::FLOAT => Values::Float(Vec::new()),
        Physical::DOUBLE => Values::Double(Vec::new()),
        Physical::BYTE_ARRAY => Values::Bytes(Vec::new()),
        Physical::FIXED_LEN_BYTE_ARRAY => Values::Fixed(Vec::new()),
    }
}

/// Read the Parquet file `path` (input number `file`) into `out`.
pub(super) fn read(path: &Path, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    let io_err = |e: std::io::Error| Error::io(path, e);
    let handle = Arc::new(File::open(path).map_err(io_err)?);
    let file_bytes = handle.metadata().map_err(io_err)?.len();
    let failed = || damaged(path, "the Parquet reader failed on its content");
    let reader = guarded(failed, || {
        SerializedFileReader::new(Positional { file: handle.clone(), len: file_bytes }).map_err(|e| damaged(path, e))
    })?;
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    let fields = schema.root_schema().get_fields();
    let header: Vec<String> = fields.iter().map(|f| f.name().to_string()).collect();
    let cols = super::input_columns(path, options, Some(&header))?;
    // The leaf column of each role's field (a role's column must be flat).
    let roles: Vec<usize> = [Some(cols.from), Some(cols.to), cols.time, cols.text, cols.relationship, cols.weight]
        .into_iter()
        .flatten()
        .collect();
    let mut leaves = Vec::with_capacity(roles.len());
    for &field in &roles {
        let name = &header[field];
        let leaf = (0..schema.num_columns()).find(|&c| {
            let parts = schema.column(c).path().parts().to_vec();
            parts.len() == 1 && parts[0] == *name
        });
        match leaf {
            Some(leaf) if fields[field].is_primitive() => leaves.push((field, leaf)),
            _ => {
                return Err(Error::Column {
                    path: path.to_path_buf(),
                    message: format!(
                        "column {} ('{name}') is nested (a list, map or struct); only flat columns are read",
                        field + 1
                    ),
                })
            }
        }
    }
    let mut first_rows = Vec::with_capacity(meta.num_row_groups() + 1);
    let mut next = 1u64;
    let mut packed = 0u64;
    for g in 0..meta.num_row_groups() {
        first_rows.push(next);
        let group = meta.row_group(g);
        let rows = u64::try_from(group.num_rows()).map_err(|_| damaged(path, "a negative row count"))?;
        next = next.saturating_add(rows);
        for &(_, leaf) in &leaves {
            packed = packed.saturating_add(u64::try_from(group.column(leaf).uncompressed_size()).unwrap_or(u64::MAX));
        }
    }
    // A file of a few kilobytes can hold a billion identical rows (run-length encoding) or
    // pages that decompress a thousandfold: as for gzip and zstd text, content worth far more
    // than the file is refused as a bomb, before it is decoded.
    let rows = next - 1;
    let budget = BOMB_FLOOR.max(MAX_EXPANSION.saturating_mul(file_bytes.max(1)));
    let bomb = |what: String| Error::Format {
        path: path.to_path_buf(),
        message: format!(
            "refused: {file_bytes} bytes of Parquet {what}, more than {MAX_EXPANSION} times the file (a decompression \
             bomb?)"
        ),
    };
    if rows.saturating_mul(MIN_ROW_BYTES) > budget {
        return Err(bomb(format!("claim {rows} rows, which would take {} bytes as text", rows * MIN_ROW_BYTES)));
    }
    if packed > budget {
        return Err(bomb(format!("claim {packed} bytes of column data once decompressed")));
    }
    let max_cell = options.max_line_bytes.unwrap_or(super::body::DEFAULT_MAX_LINE);
    let parser = RowParser::new(path, file, cols, options, max_cell, &out.names);
    let copied = AtomicU64::new(0);
    let group_reader =
        Group { path, parser: &parser, leaves: &leaves, width: header.len(), max_cell, copied: &copied, budget };
    // Past the --time-budget deadline no further group is started (`None`).
    let mut batches: Vec<Result<Option<Batch>, Error>> = first_rows
        .par_iter()
        .enumerate()
        .map(|(g, &first)| {
            if options.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return Ok(None);
            }
            guarded(failed, || {
                let group = reader.get_row_group(g).map_err(|e| damaged(path, e))?;
                group_reader.read(&*group, first).map(Some)
            })
        })
        .collect();
    if let Some(Err(Error::Format { message, .. })) = batches.iter().find(|b| b.is_err()) {
        if message.starts_with("refused") {
            return Err(bomb(format!("decode to over {budget} bytes of cells")));
        }
    }
    let stopped = batches.iter().position(|b| matches!(b, Ok(None)));
    let stopped = stopped.map(|g| {
        batches.truncate(g);
        format!("{} at row {}", path.display(), first_rows[g])
    });
    let batches = batches.into_iter().map(|b| b.map(|b| b.expect("groups before the stop were read"))).collect();
    let mut hasher = Sha256::new();
    std::io::copy(&mut File::open(path).map_err(io_err)?, &mut hasher).map_err(io_err)?;
    let sha256 = crate::hex::hex(&hasher.finalize());
    super::table::close_input(path, sha256, batches, &header, cols, stopped, out)
}

/// What reading one row group needs.
struct Group<'a> {
    path: &'a Path,
    parser: &'a RowParser<'a>,
    /// The header position and leaf column of each role's column.
    leaves: &'a [(usize, usize)],
    /// Columns in the header.
    width: usize,
    /// The longest cell read.
    max_cell: usize,
    /// Bytes of cells copied from the whole file so far, and the most allowed.
    copied: &'a AtomicU64,
    budget: u64,
}

impl Group<'_> {
    /// The rows of `group`, whose first row is number `first`.
    fn read(&self, group: &dyn RowGroupReader, first: u64) -> Result<Batch, Error> {
        let damaged = |e: parquet::errors::ParquetError| damaged(self.path, e);
        let mut columns = Vec::with_capacity(self.leaves.len());
        for &(field, leaf) in self.leaves {
            let descr = group.metadata().column(leaf).column_descr_ptr();
            columns.push(Column {
                field,
                reader: group.get_column_reader(leaf).map_err(damaged)?,
                text: text_of(&descr),
                max_def: descr.max_def_level(),
                defs: Vec::new(),
                values: values_for(descr.physical_type()),
                next: 0,
            });
        }
        // The footer's row count is only a hint (a damaged or hostile footer may claim billions).
        let hint = usize::try_from(group.metadata().num_rows()).unwrap_or(0).min(1 << 16);
        let mut batch = Batch::with_capacity(hint);
        let mut cells: Vec<Option<Vec<u8>>> = vec![None; self.width];
        let mut line = first;
        loop {
            let mut step = None;
            for c in &mut columns {
                let n = c.step().map_err(damaged)?;
                if *step.get_or_insert(n) != n {
                    return Err(damaged(parquet::errors::ParquetError::General(
                        "columns of one row group hold different numbers of rows".into(),
                    )));
                }
            }
            let n = step.unwrap_or(0);
            if n == 0 {
                break;
            }
            for i in 0..n {
                if columns.iter().any(|c| c.byte_len(i) > self.max_cell) {
                    columns.iter_mut().for_each(|c| c.skip(i));
                    self.parser.too_long_in(&mut batch, line)?;
                    line += 1;
                    continue;
                }
                let mut bytes = 0u64;
                for c in &mut columns {
                    let slot = cells[c.field].get_or_insert_with(Vec::new);
                    let present = c.cell(i, slot);
                    bytes += slot.len() as u64;
                    if !present {
                        cells[c.field] = None;
                    }
                }
                if self.copied.fetch_add(bytes, Ordering::Relaxed) + bytes > self.budget {
                    return Err(Error::Format { path: self.path.to_path_buf(), message: "refused".into() });
                }
                self.parser.row(&mut batch, line, &|k| cells.get(k).and_then(|c| c.as_deref()), self.width)?;
                line += 1;
            }
        }
        batch.resolve(self.parser.names);
        Ok(batch)
    }
}

/// Panics that are caught and turned into errors are not printed: a panic hook installed once
/// stays silent while the current thread is inside [`quietly`], and otherwise hands on to
/// the hook that was there before.
mod quiet_panics {
    use std::cell::Cell;
    use std::sync::Once;

    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }

    /// Run `work` with this thread's panic messages silenced.
    pub(super) fn quietly<T>(work: impl FnOnce() -> T) -> T {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            let earlier = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if !QUIET.with(Cell::get) {
                    earlier(info);
                }
            }));
        });
        let before = QUIET.with(|q| q.replace(true));
        let out = work();
        QUIET.with(|q| q.set(before));
        out
    }
}
