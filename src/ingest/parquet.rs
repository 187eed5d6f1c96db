//! Parquet input: a file whose first bytes are `PAR1` is read as a table with the same column
//! roles as a delimited file (the schema's column names are the header: `--from-col` and the
//! others take names or 1-based positions, and well-known names are found by themselves).
//!
//! Names may be string or integer columns; dates may be timestamps, dates, integers (Unix
//! seconds) or strings in any form the text reader takes. Row groups are read in parallel,
//! each into its own batch, and handed on in file order, so the rows, their accounting and
//! the report are those of the same table written as CSV; the `line` of a row is its 1-based
//! row number. A damaged or truncated file is an error naming it, never a panic.

use std::fs::File;
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::rows::{Batch, RowParser};
use super::source::{BOMB_FLOOR, MAX_EXPANSION};
use super::{IngestOptions, Ingested};
use crate::error::Error;

/// The first (and last) four bytes of every Parquet file.
const MAGIC: &[u8] = b"PAR1";
/// The fewest bytes a row takes as text (`a,b` and a line end).
const MIN_ROW_BYTES: u64 = 4;

/// Whether `path` is a Parquet file (by its first bytes; standard input never is).
pub(super) fn is_parquet(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    path.as_os_str() != "-"
        && path.is_file()
        && File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && head == MAGIC
}

fn damaged(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Format { path: path.to_path_buf(), message: format!("damaged or truncated Parquet file: {e}") }
}

/// The text a cell stands for, as the delimited reader would have seen it (`None`: empty).
fn cell(field: &Field) -> Option<Vec<u8>> {
    let text = match field {
        Field::Null => return None,
        Field::Str(s) => return Some(s.as_bytes().to_vec()),
        Field::Bytes(b) => return Some(b.data().to_vec()),
        Field::Bool(b) => b.to_string(),
        Field::Byte(n) => n.to_string(),
        Field::Short(n) => n.to_string(),
        Field::Int(n) => n.to_string(),
        Field::Long(n) => n.to_string(),
        Field::UByte(n) => n.to_string(),
        Field::UShort(n) => n.to_string(),
        Field::UInt(n) => n.to_string(),
        Field::ULong(n) => n.to_string(),
        Field::Float(x) => x.to_string(),
        Field::Double(x) => x.to_string(),
        // Days since 1970 and timestamps become Unix seconds, which the date reader takes.
        Field::Date(days) => (i64::from(*days) * 86_400).to_string(),
        Field::TimestampMillis(ms) => ms.div_euclid(1000).to_string(),
        Field::TimestampMicros(us) => us.div_euclid(1_000_000).to_string(),
        other => other.to_string(),
    };
    Some(text.into_bytes())
}

/// Read the Parquet file `path` (input number `file`) into `out`.
pub(super) fn read(path: &Path, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    let io_err = |e: std::io::Error| Error::Io { path: path.to_path_buf(), message: e.to_string() };
    let handle = File::open(path).map_err(io_err)?;
    // The parquet crate reports damage as errors; a panic on some corrupt input it did not
    // foresee is turned into the same error rather than ending the process.
    let guarded = |work: &mut dyn FnMut() -> Result<(), Error>| -> Result<(), Error> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .unwrap_or_else(|_| Err(damaged(path, "the Parquet reader failed on its content")))
    };
    let reader = {
        let mut made = None;
        guarded(&mut || {
            made = Some(SerializedFileReader::new(handle.try_clone().map_err(io_err)?).map_err(|e| damaged(path, e))?);
            Ok(())
        })?;
        made.expect("set on success")
    };
    let meta = reader.metadata();
    let header: Vec<String> =
        meta.file_metadata().schema_descr().root_schema().get_fields().iter().map(|f| f.name().to_string()).collect();
    let cols = super::input_columns(path, options, Some(&header))?;
    let mut first_rows = Vec::with_capacity(meta.num_row_groups() + 1);
    let mut next = 1u64;
    for g in 0..meta.num_row_groups() {
        first_rows.push(next);
        let rows = u64::try_from(meta.row_group(g).num_rows()).map_err(|_| damaged(path, "a negative row count"))?;
        next = next.saturating_add(rows);
    }
    // A file of a few kilobytes can hold a billion identical rows (run-length encoding): as
    // for gzip and zstd text, rows worth far more than the file are refused as a bomb.
    let rows = next - 1;
    let file_bytes = handle.metadata().map_err(io_err)?.len();
    let as_text = rows.saturating_mul(MIN_ROW_BYTES);
    if as_text > BOMB_FLOOR && as_text > MAX_EXPANSION.saturating_mul(file_bytes.max(1)) {
        return Err(Error::Format {
            path: path.to_path_buf(),
            message: format!(
                "refused: {file_bytes} bytes of Parquet claim {rows} rows, more than {MAX_EXPANSION} times what \
                 they would take as text (a decompression bomb?)"
            ),
        });
    }
    let parser = RowParser::new(path, file, cols, options, usize::MAX, &out.names);
    // Each row group gets a reader of its own: readers of one file share its read position.
    // Past the --time-budget deadline no further group is started (`None`).
    let mut batches: Vec<Result<Option<Batch>, Error>> = first_rows
        .par_iter()
        .enumerate()
        .map(|(g, &first)| {
            if options.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return Ok(None);
            }
            let mut batch = None;
            guarded(&mut || {
                let own = SerializedFileReader::new(File::open(path).map_err(io_err)?).map_err(|e| damaged(path, e))?;
                batch = Some(read_group(&own, g, first, &parser)?);
                Ok(())
            })?;
            Ok(batch)
        })
        .collect();
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

/// The rows of row group `g`, whose first row is number `first`.
fn read_group(reader: &SerializedFileReader<File>, g: usize, first: u64, parser: &RowParser) -> Result<Batch, Error> {
    let damaged = |e: parquet::errors::ParquetError| damaged(parser.path, e);
    let group = reader.get_row_group(g).map_err(damaged)?;
    // The footer's row count is only a hint (a damaged or hostile footer may claim billions).
    let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0).min(1 << 16);
    let mut batch = Batch::with_capacity(rows);
    let mut cells: Vec<Option<Vec<u8>>> = Vec::new();
    for (i, row) in group.get_row_iter(None).map_err(damaged)?.enumerate() {
        let row = row.map_err(damaged)?;
        cells.clear();
        cells.extend(row.get_column_iter().map(|(_, field)| cell(field)));
        parser.row(&mut batch, first + i as u64, &|k| cells.get(k).and_then(|c| c.as_deref()), cells.len())?;
    }
    batch.resolve(parser.names);
    Ok(batch)
}
