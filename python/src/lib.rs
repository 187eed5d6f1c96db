//! The native half of the `backscratch` Python package: PyO3 bindings over the library (not
//! over the binary). The Python half (`pysrc/backscratch/__init__.py`) turns keyword
//! arguments into the plain values taken here. Tables cross in both directions through the
//! Arrow PyCapsule interface (the C stream interface), without text or JSON: a DataFrame or
//! Table given as input arrives as an `arrow_array_stream` capsule, and the report's findings,
//! people, cases, inputs and candidates leave as `ArrowTable`s, which pyarrow, pandas and
//! Polars read with `__arrow_c_stream__`. The scan returns a `NativeReport` that holds the
//! report; its JSON is made only when asked for.
//!
//! Errors are raised as `backscratch._native.NativeError(kind, message)`, where `kind` is
//! `input` (a file could not be read: an `OSError` in Python), `data` (bad data, a missing
//! column) or `usage` (a bad option); the message is the one the command line prints.

use std::ffi::CString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};

use backscratch::ingest::columns::ColumnRef;
use backscratch::ingest::table::{Column, Table};
use backscratch::report::{self, Format, RenderOptions, Report};
use backscratch::score::Severity;
use backscratch::{vocab, Error, ScanConfig};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

create_exception!(_native, NativeError, PyException, "An error of the scan: args are (kind, message).");

fn raise(kind: &str, message: impl std::fmt::Display) -> PyErr {
    NativeError::new_err((kind.to_string(), message.to_string()))
}

fn library_error(e: Error) -> PyErr {
    let kind = match &e {
        Error::Io { .. } => "input",
        Error::Config(_) => "usage",
        _ => "data",
    };
    raise(kind, e)
}

/// A table's columns as the Python wrapper passes them: name and cells (`None`: empty).
type Columns = Vec<(String, Vec<Option<String>>)>;

/// The options of a scan, as the Python wrapper passes them (the command line's flags).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Options {
    people: Option<PathBuf>,
    allow: Option<PathBuf>,
    max_len: Option<usize>,
    window_days: Option<f64>,
    max_findings: usize,
    max_cases: usize,
    time_budget_seconds: Option<f64>,
    threads: Option<usize>,
    strict: bool,
    header: String,
    from_col: Option<String>,
    to_col: Option<String>,
    time_col: Option<String>,
    text_col: Option<String>,
    relationship_col: Option<String>,
    weight_col: Option<String>,
    min_weight: Option<f64>,
    keep_negative: bool,
    date_format: Option<String>,
    max_line_bytes: Option<usize>,
    count_only: bool,
    baseline: Option<PathBuf>,
    redact: bool,
    redact_key: Option<PathBuf>,
    timestamp: bool,
}

fn config(
    inputs: Vec<PathBuf>,
    table: Option<Table>,
    subjects: Option<Vec<String>>,
    o: Options,
) -> PyResult<ScanConfig> {
    let col = |c: &Option<String>| c.as_deref().map(ColumnRef::parse);
    let header = vocab::parse_header(&o.header).map_err(|e| raise("usage", e))?;
    let redact = match (&o.redact_key, o.redact) {
        (Some(key), _) => Some(report::redact::Pseudonyms::keyed_from_file(key).map_err(|e| raise("input", e))?),
        (None, true) => Some(report::redact::Pseudonyms::unkeyed()),
        (None, false) => None,
    };
    let generated_at = o
        .timestamp
        .then(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
    let time_budget = match o.time_budget_seconds {
        Some(s) if !(s.is_finite() && s >= 0.0) => {
            return Err(raise("usage", format!("time_budget must be zero or more seconds, not {s}")))
        }
        Some(s) => Some(Duration::try_from_secs_f64(s).map_err(|_| {
            raise("usage", format!("time_budget must be a number of seconds a clock can hold, not {s}"))
        })?),
        None => None,
    };
    // The option types are `#[non_exhaustive]`: start from their defaults and set each field.
    let mut c = ScanConfig::default();
    c.inputs = inputs;
    c.max_cycle_len = o.max_len;
    c.max_findings = o.max_findings;
    c.max_cases = o.max_cases;
    c.time_budget = time_budget;
    c.threads = o.threads;
    c.generated_at = generated_at;
    c.people = o.people;
    c.allow = o.allow;
    c.window_days = o.window_days;
    c.count_only = o.count_only;
    c.subjects = subjects;
    c.baseline = o.baseline;
    c.redact = redact;
    let columns = &mut c.ingest.columns;
    columns.from = col(&o.from_col);
    columns.to = col(&o.to_col);
    columns.time = col(&o.time_col);
    columns.text = col(&o.text_col);
    columns.relationship = col(&o.relationship_col);
    columns.weight = col(&o.weight_col);
    c.ingest.header = header;
    c.ingest.strict = o.strict;
    c.ingest.date_format = o.date_format;
    c.ingest.max_line_bytes = o.max_line_bytes;
    c.ingest.min_weight = o.min_weight;
    c.ingest.keep_negative = o.keep_negative;
    c.ingest.table = table.map(Arc::new);
    Ok(c)
}

/// Render `report` in `format` to bytes.
fn rendered(report: &Report, format: Format) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    let options = RenderOptions { color: false, fail_on: None };
    report::renderer(format, options).render(report, &mut out).map_err(|e| raise("input", e))?;
    Ok(out)
}

/// The name the Arrow PyCapsule interface gives a C stream's capsule.
const STREAM: &std::ffi::CStr = c"arrow_array_stream";

/// The table an Arrow C stream `capsule` holds (from a DataFrame's `__arrow_c_stream__`),
/// called `name` in the report; the stream is consumed.
fn streamed_table(py: Python<'_>, name: &str, capsule: &Bound<'_, PyCapsule>) -> PyResult<Table> {
    if capsule.name()? != Some(STREAM) {
        return Err(raise("usage", "the table is not an Arrow C stream (a PyCapsule named 'arrow_array_stream')"));
    }
    // SAFETY: a capsule named `arrow_array_stream` holds an `FFI_ArrowArrayStream` (the Arrow
    // PyCapsule interface's contract); `from_raw` moves the stream out and leaves a released
    // one in its place, which the capsule's destructor then leaves alone.
    let reader = unsafe { RecordBatchStreamReader::from_raw(capsule.pointer().cast::<FFI_ArrowArrayStream>()) }
        .map_err(|e| raise("data", format!("{name}: not a readable Arrow stream: {e}")))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<RecordBatch>, _>>()
        .map_err(|e| raise("data", format!("{name}: the Arrow stream failed: {e}")))?;
    py.allow_threads(|| backscratch::ingest::arrow::table(name, &schema, &batches)).map_err(library_error)
}

/// Scan `inputs` (paths) and an optional in-memory table: `table` as name and columns of
/// text cells, or `stream` as name and an Arrow C stream capsule; `subjects` makes it a
/// `check`. Returns the report. The GIL is released while the scan runs.
#[pyfunction]
#[pyo3(signature = (inputs, table, stream, subjects, options))]
fn scan(
    py: Python<'_>,
    inputs: Vec<PathBuf>,
    table: Option<(String, Columns)>,
    stream: Option<(String, Bound<'_, PyCapsule>)>,
    subjects: Option<Vec<String>>,
    options: Options,
) -> PyResult<NativeReport> {
    let table = match (table, stream) {
        (Some(_), Some(_)) => return Err(raise("usage", "give a table of cells or an Arrow stream, not both")),
        (Some((name, columns)), None) => {
            let columns = columns.into_iter().map(|(name, cells)| Column::from_cells(name, cells)).collect();
            Some(Table { name, columns })
        }
        (None, Some((name, capsule))) => Some(streamed_table(py, &name, &capsule)?),
        (None, None) => None,
    };
    let config = config(inputs, table, subjects, options)?;
    let report = py.allow_threads(|| backscratch::scan(&config)).map_err(library_error)?.report;
    Ok(NativeReport { report, tables: std::sync::OnceLock::new() })
}

/// The report of a scan, held in Rust: its JSON, its parts, its tables and its renderings
/// are made from it when asked for.
#[pyclass(frozen, name = "Report", module = "backscratch._native")]
struct NativeReport {
    report: Report,
    /// The Arrow tables, built once when the first is asked for.
    tables: std::sync::OnceLock<Vec<RecordBatch>>,
}

fn to_json(value: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| raise("data", e))
}

#[pymethods]
impl NativeReport {
    /// The JSON report, byte for byte what `backscratch scan --format json` writes.
    fn json(&self, py: Python<'_>) -> PyResult<String> {
        let bytes = py.allow_threads(|| rendered(&self.report, Format::Json))?;
        String::from_utf8(bytes).map_err(|e| raise("data", e))
    }

    /// One top-level key of the JSON report (`summary`, `params`, `inputs`, `subjects`), as
    /// JSON text.
    fn part(&self, key: &str) -> PyResult<String> {
        let r = &self.report;
        match key {
            "summary" => to_json(&r.summary),
            "params" => to_json(&r.params),
            "inputs" => to_json(&r.inputs),
            "subjects" => to_json(&r.subjects),
            _ => {
                Err(raise("usage", format!("'{key}' is not a part of the report (summary, params, inputs, subjects)")))
            }
        }
    }

    /// One of the report's tables (`findings`, `people`, `cases`, `inputs`, `subjects`) as
    /// Arrow, the columns of `docs/report-format.md`'s Parquet tables.
    fn table(&self, py: Python<'_>, name: &str) -> PyResult<ArrowTable> {
        let Some(at) = report::arrow::TABLES.iter().position(|t| *t == name) else {
            return Err(raise(
                "usage",
                format!("'{name}' is not a table of the report ({})", report::arrow::TABLES.join(", ")),
            ));
        };
        let tables = match self.tables.get() {
            Some(tables) => tables,
            None => {
                let built = py.allow_threads(|| report::arrow::tables(&self.report)).map_err(|e| raise("data", e))?;
                self.tables.get_or_init(|| built)
            }
        };
        Ok(ArrowTable { batch: tables[at].clone() })
    }

    /// The report rendered in `format` (`table`, `json`, `jsonl`, `csv`, `markdown`, `html`,
    /// `junit`, `dot`; `parquet` is files only, see `write`).
    fn render(&self, py: Python<'_>, format: &str) -> PyResult<Vec<u8>> {
        let format = parse_format(format)?;
        py.allow_threads(|| rendered(&self.report, format))
    }

    /// Write the report to `path` in `format`, as `-o` does (atomically, never over a
    /// device); returns the files written (CSV also writes the people sheet beside it,
    /// Parquet its other four tables).
    fn write(&self, py: Python<'_>, path: PathBuf, format: &str) -> PyResult<Vec<PathBuf>> {
        let format = parse_format(format)?;
        let options = RenderOptions { color: false, fail_on: None };
        py.allow_threads(|| report::output::write_report(&path, &self.report, format, options))
            .map_err(|e| raise("input", format!("{}: {e}", path.display())))
    }

    /// Whether the command line would exit 1 with `--fail-on floor`: findings (a check's
    /// candidates' findings) at or above it, and no error before them.
    fn fails(&self, floor: &str) -> PyResult<bool> {
        Ok(self.report.gate(parse_floor(floor)?) == report::Gate::Findings)
    }

    /// The command line's exit code with `--fail-on floor`, and its name (`clean`,
    /// `findings`, `error`, `cannot_tell`).
    fn gate(&self, floor: &str) -> PyResult<(u8, &'static str)> {
        let gate = self.report.gate(parse_floor(floor)?);
        Ok((gate.code(), gate.as_str()))
    }
}

/// One table of the report as Arrow: anything that reads the Arrow PyCapsule interface
/// (`pyarrow.table(t)`, `polars.DataFrame(t)`, DuckDB) takes it without a copy through text.
#[pyclass(frozen, name = "ArrowTable", module = "backscratch._native")]
struct ArrowTable {
    batch: RecordBatch,
}

#[pymethods]
impl ArrowTable {
    /// The table as an Arrow C stream (one record batch) in a capsule. A requested schema is
    /// not applied (the interface lets the producer keep its own).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new([Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new(py, stream, Some(CString::from(STREAM)))
    }

    /// The number of rows.
    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }
}

fn parse_format(name: &str) -> PyResult<Format> {
    vocab::parse_format(name).map_err(|e| raise("usage", e))
}

/// `--fail-on`'s value: a severity, or `never`, read as the command line reads it.
fn parse_floor(floor: &str) -> PyResult<Option<Severity>> {
    vocab::parse_fail_on(floor).map_err(|e| raise("usage", e))
}

/// A window such as `30d`, `2w`, `36h` or `90m` (a bare number is days), in days, read as
/// `--window` reads it.
#[pyfunction]
fn parse_days(text: &str) -> PyResult<f64> {
    vocab::parse_days(text).map_err(|e| raise("usage", e))
}

/// A time budget such as `30s`, `5m` or `1500ms` (a bare number is seconds), in seconds,
/// read as `--time-budget` reads it.
#[pyfunction]
fn parse_seconds(text: &str) -> PyResult<f64> {
    vocab::parse_duration(text).map(|d| d.as_secs_f64()).map_err(|e| raise("usage", e))
}

/// The format that `path`'s extension names (`r.md` is `markdown`, `r.gv` is `dot`), as
/// `-o` picks it, or `None`.
#[pyfunction]
fn format_for_path(path: PathBuf) -> Option<&'static str> {
    vocab::format_for_path(&path).map(Format::name)
}

/// The files a report in `format` to `path` writes beside `path` (a CSV's people sheet, a
/// Parquet report's other tables).
#[pyfunction]
fn companion_paths(path: PathBuf, format: &str) -> PyResult<Vec<PathBuf>> {
    Ok(report::output::companion_paths(&path, parse_format(format)?))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("NativeError", m.py().get_type::<NativeError>())?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_class::<NativeReport>()?;
    m.add_class::<ArrowTable>()?;
    m.add_function(wrap_pyfunction!(parse_days, m)?)?;
    m.add_function(wrap_pyfunction!(parse_seconds, m)?)?;
    m.add_function(wrap_pyfunction!(format_for_path, m)?)?;
    m.add_function(wrap_pyfunction!(companion_paths, m)?)?;
    Ok(())
}
