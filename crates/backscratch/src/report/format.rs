//! The output formats by name ([`Format`], the one parser of that vocabulary), and the
//! renderer for each ([`renderer`]).

use super::csv::{Csv, Sheet};
use super::dot::Dot;
use super::html::Html;
use super::json::Json;
use super::jsonl::Jsonl;
use super::junit::Junit;
use super::markdown::Markdown;
use super::model::Report;
use super::render::{Render, RenderOptions};
use super::table::Table;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A readable terminal summary.
    Table,
    /// The JSON contract.
    Json,
    /// One finding per line.
    Jsonl,
    /// Findings and people as spreadsheet-safe CSV.
    Csv,
    /// GitHub-flavoured Markdown (step summaries, pull requests).
    Markdown,
    /// One self-contained HTML page with a drawing of each ring.
    Html,
    /// JUnit XML, one test case per person checked.
    Junit,
    /// Graphviz of the flagged rings.
    Dot,
    /// Findings, people, cases, inputs and subjects as Parquet files (to files only).
    Parquet,
}

/// The tables a Parquet report writes beside its findings file (`r.parquet`,
/// `r.people.parquet`, ...), in this order.
pub const PARQUET_SIBLINGS: [&str; 4] = ["people", "cases", "inputs", "subjects"];

impl Format {
    /// Every format, in the order the help lists them.
    pub const ALL: [Format; 9] = [
        Format::Table,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Markdown,
        Format::Html,
        Format::Junit,
        Format::Dot,
        Format::Parquet,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Junit => "junit",
            Format::Dot => "dot",
            Format::Parquet => "parquet",
        }
    }

    /// The format with this name (`md` and `xml` are accepted too).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "md" => Some(Format::Markdown),
            "xml" => Some(Format::Junit),
            "gv" => Some(Format::Dot),
            "htm" => Some(Format::Html),
            "pq" => Some(Format::Parquet),
            _ => Format::ALL.into_iter().find(|f| f.name() == name),
        }
    }
}

/// The renderer for `format`.
pub fn renderer(format: Format, options: RenderOptions) -> Box<dyn Render> {
    match format {
        Format::Table => Box::new(Table { color: options.color, ..Table::default() }),
        Format::Json => Box::new(Json),
        Format::Jsonl => Box::new(Jsonl),
        Format::Csv => Box::new(Csv { sheet: Sheet::Both }),
        Format::Markdown => Box::new(Markdown::default()),
        Format::Html => Box::new(Html),
        Format::Junit => Box::new(Junit { fail_on: options.fail_on }),
        Format::Dot => Box::new(Dot),
        Format::Parquet => Box::new(FilesOnly),
    }
}

/// The renderer of a format that is only ever files (Parquet): to a stream it is an error
/// saying so, never binary on a terminal.
struct FilesOnly;

impl Render for FilesOnly {
    fn render(&self, _: &Report, _: &mut dyn std::io::Write) -> std::io::Result<()> {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a Parquet report is five files, not a stream; give -o a file name",
        ))
    }
}
