//! The JSON renderer: the contract of `schema_version` 1, pretty-printed, keys in contract
//! order, one trailing newline.

use std::io::{self, Write};

use super::{Render, Report};

/// `--format json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    }
}
