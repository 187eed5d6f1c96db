//! The JSON renderer: the contract of `schema_version` 1, pretty-printed, keys in contract
//! order, one trailing newline.
//!
//! The long lists (cases, findings, people, subjects) are serialized item by item on every
//! core, a chunk at a time, each item by a pretty printer that starts at the item's depth
//! ([`AtDepth`]): the bytes are exactly those of `serde_json::to_writer_pretty` over the whole
//! report, which the tests check, and the memory held is one chunk, not the report's text.

use std::io::{self, BufWriter, Write};

use rayon::prelude::*;
use serde::Serialize;

use super::model::Report;
use super::render::Render;

/// `--format json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

/// Items of a list serialized in parallel at a time.
const CHUNK: usize = 256;

impl Render for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Buffer the many small pieces here, in a concrete type, so that each is a copy
        // rather than a dynamic call.
        let mut w = Object { out: BufWriter::with_capacity(1 << 16, out), first: true };
        w.value("schema_version", &report.schema_version)?;
        w.value("tool", &report.tool)?;
        w.value("inputs", &report.inputs)?;
        w.value("params", &report.params)?;
        w.value("summary", &report.summary)?;
        w.list("cases", &report.cases)?;
        w.list("findings", &report.findings)?;
        w.list("people", &report.people)?;
        if let Some(subjects) = &report.subjects {
            w.list("subjects", subjects)?;
        }
        w.value("generated_at", &report.generated_at)?;
        let mut out = w.out;
        out.write_all(b"\n}\n")?;
        out.flush()
    }
}

/// The report's top-level object, written key by key.
struct Object<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> Object<W> {
    /// Start the entry `key` (one level deep, as serde_json's pretty printer does).
    fn key(&mut self, key: &str) -> io::Result<()> {
        self.out.write_all(if std::mem::take(&mut self.first) { b"{\n  \"" } else { b",\n  \"" })?;
        self.out.write_all(key.as_bytes())?;
        self.out.write_all(b"\": ")
    }

    /// One entry, its value serialized here.
    fn value(&mut self, key: &str, value: &impl Serialize) -> io::Result<()> {
        self.key(key)?;
        self.out.write_all(&at_depth(value, 1)?)
    }

    /// One entry whose value is a list, its items serialized in parallel.
    fn list<T: Serialize + Sync>(&mut self, key: &str, items: &[T]) -> io::Result<()> {
        self.key(key)?;
        if items.is_empty() {
            return self.out.write_all(b"[]");
        }
        self.out.write_all(b"[")?;
        for (i, chunk) in items.chunks(CHUNK).enumerate() {
            let texts: Vec<Vec<u8>> = chunk.par_iter().map(|item| at_depth(item, 2)).collect::<Result<_, _>>()?;
            for (j, text) in texts.iter().enumerate() {
                self.out.write_all(if i == 0 && j == 0 { b"\n    " } else { b",\n    " })?;
                self.out.write_all(text)?;
            }
        }
        self.out.write_all(b"\n  ]")
    }
}

/// `value` as serde_json's pretty printer writes it `depth` levels deep in a document.
fn at_depth(value: &impl Serialize, depth: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, AtDepth { depth, has_value: false }))?;
    Ok(out)
}

/// serde_json's `PrettyFormatter` (two spaces a level) starting `depth` levels in, so that an
/// item serialized on its own has the bytes it has inside the whole document, with no second
/// pass to indent it.
struct AtDepth {
    depth: usize,
    has_value: bool,
}

impl AtDepth {
    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(out, true)?;
        }
        out.write_all(bracket)
    }

    /// A newline (after a comma unless `first`) and the indent of the current depth.
    fn newline<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        (0..self.depth).try_for_each(|_| out.write_all(b"  "))
    }
}

impl serde_json::ser::Formatter for AtDepth {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.newline(out, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.newline(out, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{scan, ScanConfig};

    fn whole(report: &Report) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(report).unwrap();
        v.push(b'\n');
        v
    }

    fn rendered(report: &Report) -> Vec<u8> {
        let mut v = Vec::new();
        Json.render(report, &mut v).unwrap();
        v
    }

    #[test]
    fn writes_the_bytes_of_the_whole_report_serialized_at_once() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/");
        let config = ScanConfig {
            inputs: vec![format!("{dir}recommendations.csv").into()],
            people: Some(format!("{dir}employment.csv").into()),
            ..ScanConfig::default()
        };
        let mut report = scan(&config).unwrap().report;
        assert!(!report.findings.is_empty() && !report.cases.is_empty());
        assert_eq!(rendered(&report), whole(&report));
        // More items than a chunk, empty lists, and a check's subjects.
        let many = report.findings.iter().cycle().take(3 * CHUNK + 5).cloned().collect();
        report.findings = many;
        report.cases.clear();
        report.subjects = Some(Vec::new());
        assert_eq!(rendered(&report), whole(&report));
    }
}
