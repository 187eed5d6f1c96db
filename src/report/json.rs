//! The JSON renderer: the contract of `schema_version` 1, pretty-printed, keys in contract
//! order, one trailing newline.

use std::io::{self, BufWriter, Write};

use super::{Render, Report};

/// `--format json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // serde_json writes in many small pieces; buffer them here, in a concrete type, so
        // that each piece is a copy rather than a dynamic call.
        let mut buffered = BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut buffered, report)?;
        buffered.write_all(b"\n")?;
        buffered.flush()
    }
}
