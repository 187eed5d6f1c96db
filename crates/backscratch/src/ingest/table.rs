//! Tables given in memory instead of files (the Python package's DataFrames), and the
//! accounting every table-shaped input ends with (Parquet files too).
//!
//! A table is its column names (the header, so the same flags and well-known names pick the
//! columns) and its cells as text, column by column, each column's cells end to end in one
//! buffer (a 10M-row DataFrame is a few buffers, not tens of millions of strings). Each row goes
//! through the same row parser as a line of CSV, so dates, weights, blank names and
//! self-recommendations are read and counted exactly as in a file; the rows are parsed in
//! pieces on rayon's threads while another hashes them, as a file's are. A row's `line` is its
//! 1-based row number.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::columns::Columns;
use super::rows::{Batch, DateStats, RowParser, Sink};
use super::{IngestOptions, Ingested, InputStats};
use crate::error::Error;

/// Rows per piece below which a table is not split further between threads.
const MIN_PIECE_ROWS: usize = 1 << 16;

/// An edge table in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// What the report calls this input (its `inputs[].path`).
    pub name: String,
    /// The columns, in order; every column as long as the first.
    pub columns: Vec<Column>,
}

impl Table {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }
}

/// One column of a [`Table`]: its name and its text cells, stored end to end. An empty cell
/// and a missing one (a null) are the same, as an empty CSV field is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    name: String,
    text: String,
    /// Where each cell's text ends in `text`.
    ends: Vec<usize>,
}

impl Column {
    /// An empty column called `name`, with room for `cells` cells of `bytes` bytes in all.
    pub fn with_capacity(name: impl Into<String>, cells: usize, bytes: usize) -> Self {
        Column { name: name.into(), text: String::with_capacity(bytes), ends: Vec::with_capacity(cells) }
    }

    /// A column called `name` holding `cells` (`None`: empty).
    pub fn from_cells<S: AsRef<str>>(name: impl Into<String>, cells: impl IntoIterator<Item = Option<S>>) -> Self {
        let mut column = Column::with_capacity(name, 0, 0);
        column.extend(cells);
        column
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Append a cell (`None`: empty).
    pub fn push(&mut self, cell: Option<&str>) {
        self.text.push_str(cell.unwrap_or(""));
        self.ends.push(self.text.len());
    }

    /// Append a cell holding `value` as text (`None`: empty), written straight into the buffer.
    pub fn push_display(&mut self, value: Option<impl std::fmt::Display>) {
        if let Some(v) = value {
            // Writing into a String cannot fail.
            let _ = write!(self.text, "{v}");
        }
        self.ends.push(self.text.len());
    }

    /// Append `cells` (`None`: empty).
    pub fn extend<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = Option<S>>) {
        for cell in cells {
            self.push(cell.as_ref().map(AsRef::as_ref));
        }
    }

    /// Cell `row` (`None`: empty, or past the end).
    pub fn get(&self, row: usize) -> Option<&str> {
        let end = *self.ends.get(row)?;
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        (end > start).then(|| &self.text[start..end])
    }

    /// The cells in order (`None`: empty).
    pub fn cells(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|row| self.get(row))
    }
}

/// Read `table` as input number `file` into `out`.
pub(super) fn read(table: &Table, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    let path = Path::new(&table.name);
    let n = table.rows();
    if let Some(c) = table.columns.iter().find(|c| c.len() != n) {
        return Err(Error::Format {
            path: path.to_path_buf(),
            message: format!("column '{}' has another number of rows than the first column ({n})", c.name),
        });
    }
    let header: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let cols = super::input_columns(path, options, Some(&header))?;
    let parser = RowParser::new(path, file, cols, options, usize::MAX, &out.names);
    let width = table.columns.len();
    let piece = n.div_ceil(rayon::current_num_threads()).max(MIN_PIECE_ROWS);
    let parse = |start: usize| -> Result<Batch, Error> {
        let rows = start..(start + piece).min(n);
        let mut batch = Batch::with_capacity(rows.len());
        for i in rows {
            let cell = |k: usize| table.columns.get(k).and_then(|c| c.get(i)).map(str::as_bytes);
            parser.row(&mut batch, i as u64 + 1, &cell, width)?;
        }
        batch.resolve(parser.names);
        Ok(batch)
    };
    let (sha256, batches) = rayon::join(
        || digest(table),
        || (0..n).step_by(piece).collect::<Vec<_>>().into_par_iter().map(parse).collect(),
    );
    close_input(path, sha256, batches, &header, cols, None, out)
}

/// The table's SHA-256: row by row, each cell followed by a unit separator (0x1f) and each row
/// by a record separator (0x1e).
fn digest(table: &Table) -> String {
    let mut hasher = Sha256::new();
    for i in 0..table.rows() {
        for c in &table.columns {
            hasher.update(c.get(i).unwrap_or("").as_bytes());
            hasher.update([0x1f]);
        }
        hasher.update([0x1e]);
    }
    crate::hex::hex(&hasher.finalize())
}

/// Absorb the batches of a table-shaped input (in order), check that it held something
/// usable, add its warnings, and record its accounting. `stopped` says where reading stopped
/// when the time budget ran out (then what was read is kept as it is).
pub(super) fn close_input(
    path: &Path,
    sha256: String,
    batches: Vec<Result<Batch, Error>>,
    header: &[String],
    cols: Columns,
    stopped: Option<String>,
    out: &mut Ingested,
) -> Result<(), Error> {
    let mut stats = InputStats { path: path.display().to_string(), sha256, ..Default::default() };
    let mut dates = DateStats::default();
    let mut sink = Sink {
        rows: &mut out.rows,
        texts: &mut out.texts,
        relationships: &mut out.relationships,
        weights: &mut out.weights,
        names: &out.names,
    };
    for batch in batches {
        sink.absorb(batch?, &mut stats, &mut dates);
    }
    if stopped.is_some() {
        out.stopped = stopped;
        out.inputs.push(stats);
        return Ok(());
    }
    if stats.rows == 0 {
        return Err(Error::NoData { path: path.to_path_buf(), what: "no rows".into() });
    }
    super::nothing_usable(path, &stats)?;
    let column = cols.time.map(|i| format!("column {} ('{}')", i + 1, header[i]));
    out.warnings.extend(super::quality::input_warnings(path, &stats, &dates, column.as_deref()));
    out.close_dates(&dates)?;
    out.inputs.push(stats);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn cells(name: &str, values: &[&str]) -> Column {
        Column::from_cells(name, values.iter().map(|v| Some(*v)))
    }

    #[test]
    fn a_table_is_read_and_counted_like_a_file() {
        let table = Table {
            name: "<dataframe>".into(),
            columns: vec![
                cells("recommender", &["a", "b", "c", "", "d"]),
                cells("recommendee", &["b", "a", "c", "x", "a"]),
                cells("date", &["2024-01-02", "2024-01-03", "", "", "not a date"]),
            ],
        };
        let options = IngestOptions { table: Some(Arc::new(table)), ..Default::default() };
        let read = crate::ingest::read_inputs(&[], &options).unwrap();
        let stats = &read.inputs[0];
        assert_eq!((stats.path.as_str(), stats.rows, stats.self_loops, stats.skipped), ("<dataframe>", 5, 1, 1));
        assert_eq!(stats.undated_bad_date, 1);
        assert_eq!(read.rows.len(), 3);
        assert_eq!(read.rows.iter().next().map(|r| r.source.line), Some(1));
        assert_eq!(stats.sha256.len(), 64);
    }

    #[test]
    fn a_column_keeps_its_cells_end_to_end() {
        let mut c = Column::from_cells("to", [Some("Zoë"), None, Some("")]);
        c.push_display(Some(42));
        c.push_display(None::<u8>);
        assert_eq!((c.name(), c.len(), c.is_empty()), ("to", 5, false));
        assert_eq!(c.cells().collect::<Vec<_>>(), [Some("Zoë"), None, None, Some("42"), None]);
        assert_eq!(c.get(5), None, "past the end");
    }

    #[test]
    fn a_table_split_between_threads_reads_as_its_csv_does() {
        // Several pieces (over MIN_PIECE_ROWS rows each), with blank names, self-recommendations
        // and bad dates spread through them; strict mode names the first bad row in row order.
        let n = 3 * MIN_PIECE_ROWS + 17;
        let name = |i: usize| if i % 1000 == 7 { String::new() } else { format!("p{}", i % 5000) };
        let from: Vec<String> = (0..n).map(name).collect();
        let to: Vec<String> = (0..n).map(|i| if i % 777 == 0 { name(i) } else { name(i * 31 + 1) }).collect();
        let date: Vec<String> = (0..n)
            .map(|i| if i % 501 == 500 { "never".into() } else { format!("2020-01-{:02}", i % 28 + 1) })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("t.csv");
        let mut text = String::from("from,to,date\n");
        for i in 0..n {
            text.push_str(&format!("{},{},{}\n", from[i], to[i], date[i]));
        }
        std::fs::write(&csv, text).unwrap();
        let table = Table {
            name: "<dataframe>".into(),
            columns: vec![
                Column::from_cells("from", from.iter().map(Some)),
                Column::from_cells("to", to.iter().map(Some)),
                Column::from_cells("date", date.iter().map(Some)),
            ],
        };
        let options = IngestOptions { table: Some(Arc::new(table)), ..Default::default() };
        let from_table = crate::ingest::read_inputs(&[], &options).unwrap();
        let from_csv = crate::ingest::read_inputs(&[csv], &IngestOptions::default()).unwrap();
        let (t, c) = (&from_table.inputs[0], &from_csv.inputs[0]);
        assert_eq!(
            (t.rows, t.self_loops, t.skipped, t.undated_bad_date),
            (c.rows, c.self_loops, c.skipped, c.undated_bad_date)
        );
        assert!(t.self_loops > 0 && t.skipped > 0 && t.undated_bad_date > 0);
        let edges = |r: Ingested| {
            let rows: Vec<_> = r.rows.iter().map(|e| (e.from, e.to, e.source.line)).collect();
            let (names, ids) = r.names.into_sorted(|_| true);
            let name = |id: u32| names.name(ids[id as usize]).to_string();
            rows.into_iter().map(|(f, t, line)| (name(f), name(t), line)).collect::<Vec<_>>()
        };
        let (mut a, mut b) = (edges(from_table), edges(from_csv));
        a.sort();
        b.sort();
        // The CSV's line numbers count its header.
        b.iter_mut().for_each(|e| e.2 -= 1);
        assert_eq!(a, b);
        let strict = IngestOptions { strict: true, ..options };
        let err = crate::ingest::read_inputs(&[], &strict).unwrap_err().to_string();
        assert!(err.contains("<dataframe>:8: empty name"), "the first blank name, row 8: {err}");
    }

    #[test]
    fn ragged_or_unnamed_tables_are_errors() {
        let ragged = Table { name: "t".into(), columns: vec![cells("from", &["a", "b"]), cells("to", &["b"])] };
        let options = IngestOptions { table: Some(Arc::new(ragged)), ..Default::default() };
        let err = crate::ingest::read_inputs(&[], &options).unwrap_err().to_string();
        assert!(err.contains("another number of rows"), "{err}");
    }
}
