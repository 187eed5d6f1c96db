//! Tables given in memory instead of files (the Python package's DataFrames), and the
//! accounting every table-shaped input ends with (Parquet files too).
//!
//! A table is its column names (the header, so the same flags and well-known names pick the
//! columns) and its cells as text, column by column; each row goes through the same row parser
//! as a line of CSV, so dates, weights, blank names and self-recommendations are read and
//! counted exactly as in a file. A row's `line` is its 1-based row number.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::columns::Columns;
use super::rows::{Batch, DateStats, RowParser, Sink};
use super::{IngestOptions, Ingested, InputStats};
use crate::error::Error;

/// An edge table in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// What the report calls this input (its `inputs[].path`).
    pub name: String,
    /// Column names and cells (`None`: empty), column by column; every column as long as the
    /// first.
    pub columns: Vec<(String, Vec<Option<String>>)>,
}

impl Table {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }
}

/// Read `table` as input number `file` into `out`.
pub(super) fn read(table: &Table, file: u32, options: &IngestOptions, out: &mut Ingested) -> Result<(), Error> {
    let path = Path::new(&table.name);
    let n = table.rows();
    if let Some((name, _)) = table.columns.iter().find(|(_, c)| c.len() != n) {
        return Err(Error::Format {
            path: path.to_path_buf(),
            message: format!("column '{name}' has another number of rows than the first column ({n})"),
        });
    }
    let header: Vec<String> = table.columns.iter().map(|(name, _)| name.clone()).collect();
    let cols = super::input_columns(path, options, Some(&header))?;
    let parser = RowParser::new(path, file, cols, options, usize::MAX, &out.names);
    let mut batch = Batch::with_capacity(n);
    let mut hasher = Sha256::new();
    for i in 0..n {
        let cell = |k: usize| table.columns.get(k).and_then(|(_, c)| c[i].as_deref()).map(str::as_bytes);
        for k in 0..table.columns.len() {
            hasher.update(cell(k).unwrap_or(b""));
            hasher.update([0x1f]);
        }
        hasher.update([0x1e]);
        parser.row(&mut batch, i as u64 + 1, &cell, table.columns.len())?;
    }
    batch.resolve(parser.names);
    let sha256 = crate::hex::hex(&hasher.finalize());
    close_input(path, sha256, vec![Ok(batch)], &header, cols, None, out)
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

    fn cells(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| (!v.is_empty()).then(|| v.to_string())).collect()
    }

    #[test]
    fn a_table_is_read_and_counted_like_a_file() {
        let table = Table {
            name: "<dataframe>".into(),
            columns: vec![
                ("recommender".into(), cells(&["a", "b", "c", "", "d"])),
                ("recommendee".into(), cells(&["b", "a", "c", "x", "a"])),
                ("date".into(), cells(&["2024-01-02", "2024-01-03", "", "", "not a date"])),
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
    fn ragged_or_unnamed_tables_are_errors() {
        let ragged = Table {
            name: "t".into(),
            columns: vec![("from".into(), cells(&["a", "b"])), ("to".into(), cells(&["b"]))],
        };
        let options = IngestOptions { table: Some(Arc::new(ragged)), ..Default::default() };
        let err = crate::ingest::read_inputs(&[], &options).unwrap_err().to_string();
        assert!(err.contains("another number of rows"), "{err}");
    }
}
