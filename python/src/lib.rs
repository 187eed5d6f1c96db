//! The native half of the `backscratch` Python package: PyO3 bindings over the library (not
//! over the binary). The Python half (`pysrc/backscratch/__init__.py`) turns keyword
//! arguments and DataFrames into the plain values taken here, and the JSON report given back
//! into dicts and DataFrames.
//!
//! Errors are raised as `backscratch._native.NativeError(kind, message)`, where `kind` is
//! `input` (a file could not be read: an `OSError` in Python), `data` (bad data, a missing
//! column) or `usage` (a bad option); the message is the one the command line prints.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use backscratch::ingest::columns::ColumnRef;
use backscratch::ingest::table::Table;
use backscratch::report::{self, Format, RenderOptions, Report};
use backscratch::score::Severity;
use backscratch::{vocab, Error, ScanConfig};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

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

/// Scan `inputs` (paths) and an optional in-memory `table` (name and columns of text
/// cells); `subjects` makes it a `check`. Returns the JSON report (the command line's).
/// The GIL is released while the scan runs.
#[pyfunction]
#[pyo3(signature = (inputs, table, subjects, options))]
fn scan(
    py: Python<'_>,
    inputs: Vec<PathBuf>,
    table: Option<(String, Columns)>,
    subjects: Option<Vec<String>>,
    options: Options,
) -> PyResult<String> {
    let table = table.map(|(name, columns)| Table { name, columns });
    let config = config(inputs, table, subjects, options)?;
    let report = py.allow_threads(|| backscratch::scan(&config)).map_err(library_error)?.report;
    String::from_utf8(rendered(&report, Format::Json)?).map_err(|e| raise("data", e))
}

fn parse_report(json: &str) -> PyResult<Report> {
    serde_json::from_str(json).map_err(|e| raise("usage", format!("not a backscratch JSON report: {e}")))
}

fn parse_format(name: &str) -> PyResult<Format> {
    vocab::parse_format(name).map_err(|e| raise("usage", e))
}

/// The report `json` rendered in `format` (`table`, `json`, `jsonl`, `csv`, `markdown`,
/// `html`, `junit`, `dot`).
#[pyfunction]
fn render(json: &str, format: &str) -> PyResult<Vec<u8>> {
    rendered(&parse_report(json)?, parse_format(format)?)
}

/// Write the report `json` to `path` in `format`, as `-o` does (atomically, never over a
/// device); returns the files written (CSV also writes the people sheet beside it).
#[pyfunction]
fn write(json: &str, path: PathBuf, format: &str) -> PyResult<Vec<PathBuf>> {
    let report = parse_report(json)?;
    let options = RenderOptions { color: false, fail_on: None };
    report::output::write_report(&path, &report, parse_format(format)?, options)
        .map_err(|e| raise("input", format!("{}: {e}", path.display())))
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

/// Whether the command line would exit 1 with `--fail-on floor`: findings (a check's
/// candidates' findings) at or above it, and no error before them.
#[pyfunction]
fn fails(json: &str, floor: &str) -> PyResult<bool> {
    Ok(parse_report(json)?.gate(parse_floor(floor)?) == report::Gate::Findings)
}

/// The command line's exit code with `--fail-on floor`, and its name (`clean`, `findings`,
/// `error`, `cannot_tell`).
#[pyfunction]
fn gate(json: &str, floor: &str) -> PyResult<(u8, &'static str)> {
    let gate = parse_report(json)?.gate(parse_floor(floor)?);
    Ok((gate.code(), gate.as_str()))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("NativeError", m.py().get_type::<NativeError>())?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(render, m)?)?;
    m.add_function(wrap_pyfunction!(write, m)?)?;
    m.add_function(wrap_pyfunction!(fails, m)?)?;
    m.add_function(wrap_pyfunction!(gate, m)?)?;
    m.add_function(wrap_pyfunction!(parse_days, m)?)?;
    m.add_function(wrap_pyfunction!(parse_seconds, m)?)?;
    m.add_function(wrap_pyfunction!(format_for_path, m)?)?;
    Ok(())
}
