//! The JSON Lines renderer: one finding per line, each carrying `schema_version`, for
//! streaming into log pipelines and `jq -c`.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::{Finding, Render, Report};

/// `--format jsonl`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jsonl;

#[derive(Serialize)]
struct Line<'a> {
    schema_version: u32,
    #[serde(flatten)]
    finding: &'a Finding,
}

impl Render for Jsonl {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut buffered = BufWriter::with_capacity(1 << 16, out);
        for finding in &report.findings {
            serde_json::to_writer(&mut buffered, &Line { schema_version: report.schema_version, finding })?;
            buffered.write_all(b"\n")?;
        }
        buffered.flush()
    }
}
