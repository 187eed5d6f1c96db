//! Reading one plain input in byte ranges, one range per process of a cluster run (see
//! `crate::cluster`). A range starts at a line start after its nominal offset (the file size
//! divided evenly) and ends where the next begins, so every line is read by exactly one
//! process. A range can be parsed on its own only when no quoted field can span its edges and
//! every line end is a `\n`: each process surveys its range for double quotes and lone carriage
//! returns first, and a file with any is read whole by one process instead. Line numbers stay
//! those of the file: a range's first line is one more than the line ends before it, which
//! the processes tell each other. The merged counts then go through the same checks and
//! warnings as a file read whole (`delimited::finish_input`).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use super::delimited::{finish_input, read_body, Head, Part};
use super::source::{Compression, Source};
use super::{IngestOptions, Ingested};
use crate::error::Error;

/// Bytes scanned per read while surveying.
const CHUNK: usize = 4 << 20;

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::io(path, e)
}

/// Whether `path` may be read in ranges: a regular file (not standard input), neither
/// compressed nor Parquet.
pub(crate) fn may_split(path: &Path) -> bool {
    if path.as_os_str() == "-" || !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    if super::source::is_parquet(path) {
        return false;
    }
    Source::open(path).is_ok_and(|s| s.compression == Compression::None)
}

/// The first line start at or after byte `nominal` (the file size if none).
fn line_start_from(file: &mut File, size: u64, nominal: u64) -> std::io::Result<u64> {
    if nominal == 0 {
        return Ok(0);
    }
    // The byte before `nominal` ends a line: `nominal` starts one.
    let mut at = nominal - 1;
    file.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; 64 << 10];
    while at < size {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(at + i as u64 + 1);
        }
        at += n as u64;
    }
    Ok(size)
}

/// The byte range of process `p` of `n` in the file at `path`.
pub(crate) fn range_of(path: &Path, p: usize, n: usize) -> Result<Range<u64>, Error> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let size = file.metadata().map_err(|e| io_error(path, e))?.len();
    let nominal = |j: usize| (size as u128 * j as u128 / n as u128) as u64;
    let start = line_start_from(&mut file, size, nominal(p)).map_err(|e| io_error(path, e))?;
    let end = if p + 1 == n {
        size
    } else {
        line_start_from(&mut file, size, nominal(p + 1)).map_err(|e| io_error(path, e))?
    };
    Ok(start..end.max(start))
}

/// `range` (whose first line is `first_line`) cut at line starts into pieces of about
/// `piece` bytes, each with its first line number; at least one piece, even of an empty
/// range. A line longer than `piece` stays whole in one piece.
pub(crate) fn cut(
    path: &Path,
    range: Range<u64>,
    first_line: u64,
    piece: u64,
) -> Result<Vec<(Range<u64>, u64)>, Error> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let size = file.metadata().map_err(|e| io_error(path, e))?.len();
    let (mut start, mut line) = (range.start, first_line);
    let mut pieces = Vec::new();
    loop {
        let nominal = start.saturating_add(piece.max(1));
        let end = if nominal >= range.end {
            range.end.max(start)
        } else {
            line_start_from(&mut file, size, nominal).map_err(|e| io_error(path, e))?.min(range.end)
        };
        pieces.push((start..end, line));
        if end >= range.end {
            break;
        }
        line += survey(path, start..end)?.newlines;
        start = end;
    }
    Ok(pieces)
}

/// What a process finds in its range before reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Survey {
    /// Line ends (`\n`) in the range.
    pub newlines: u64,
    /// No double quote and no carriage return that does not end a line.
    pub plain: bool,
}

/// Survey the range `range` of the file at `path`.
pub(crate) fn survey(path: &Path, range: Range<u64>) -> Result<Survey, Error> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    file.seek(SeekFrom::Start(range.start)).map_err(|e| io_error(path, e))?;
    let mut reader = file.take(range.end - range.start);
    let mut buf = vec![0u8; CHUNK];
    let (mut newlines, mut plain, mut carry_cr) = (0u64, true, false);
    loop {
        let n = reader.read(&mut buf).map_err(|e| io_error(path, e))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        newlines += memchr::memchr_iter(b'\n', chunk).count() as u64;
        if carry_cr && chunk[0] != b'\n' {
            plain = false;
        }
        if memchr::memchr(b'"', chunk).is_some() {
            plain = false;
        }
        for i in memchr::memchr_iter(b'\r', chunk) {
            if chunk.get(i + 1).is_some_and(|&b| b != b'\n') {
                plain = false;
            }
        }
        carry_cr = chunk[n - 1] == b'\r';
    }
    // A carriage return at the very end of the file ends its last line.
    Ok(Survey { newlines, plain })
}

/// Read this process's share `range` of the input at `path` (input number `file`) into
/// `out`; `first_line` is the file's line number at the start of the range. The share that
/// starts the file also reads the header and the records read ahead to find it. Returns the
/// share's counts, to be merged in range order and finished with [`finish`].
pub(crate) fn read_share(
    path: &Path,
    file: u32,
    options: &IngestOptions,
    range: Range<u64>,
    first_line: u64,
    out: &mut Ingested,
) -> Result<Part, Error> {
    let mut src = Source::open(path)?;
    let head = Head::read(path, &mut src.reader, Compression::None, options)?;
    drop(src);
    let (parser, mut sink) = head.parser_and_sink(path, file, options, out);
    let mut part = Part::default();
    // The records read ahead (the header and up to two rows) are the first range's, even
    // where they run past its end; every range starts after them.
    if range.start == 0 {
        head.absorb_rows(&parser, &mut part, &mut sink)?;
    }
    let mut f = File::open(path).map_err(|e| io_error(path, e))?;
    let body_start = offset_of_line(&mut f, head.body_line).map_err(|e| io_error(path, e))?;
    let (start, line) = if range.start < body_start { (body_start, head.body_line) } else { (range.start, first_line) };
    if start >= range.end {
        return Ok(part);
    }
    f.seek(SeekFrom::Start(start)).map_err(|e| io_error(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, f.take(range.end - start));
    let options = IngestOptions { deadline: None, ..options.clone() };
    read_body(&mut reader, line, &head, Compression::None, &parser, &mut part, &mut sink, &options)?;
    Ok(part)
}

/// The byte offset at which 1-based line `line` starts (in a file whose lines end in `\n`).
fn offset_of_line(file: &mut File, line: u64) -> std::io::Result<u64> {
    let mut reader = BufReader::new(file);
    let (mut seen, mut offset) = (1u64, 0u64);
    while seen < line {
        let buf = std::io::BufRead::fill_buf(&mut reader)?;
        if buf.is_empty() {
            break;
        }
        let mut used = buf.len();
        for i in memchr::memchr_iter(b'\n', buf) {
            seen += 1;
            if seen == line {
                used = i + 1;
                break;
            }
        }
        offset += used as u64;
        std::io::BufRead::consume(&mut reader, used);
    }
    Ok(offset)
}

/// Finish a split input: the shares' counts merged in range order go through the checks and
/// warnings of a whole file; the SHA-256 is of the whole file, read here once more.
pub(crate) fn finish(path: &Path, options: &IngestOptions, parts: Vec<Part>, out: &mut Ingested) -> Result<(), Error> {
    let mut src = Source::open(path)?;
    let head = Head::read(path, &mut src.reader, Compression::None, options)?;
    let sha256 = src.finish(path)?;
    let mut merged = Part::default();
    for p in parts {
        merged.merge(p);
    }
    finish_input(path, &head, merged, sha256, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_a_range_at_line_starts_with_their_line_numbers() {
        let path = std::env::temp_dir().join(format!("backscratch-cut-{}.csv", std::process::id()));
        let lines: Vec<String> = (0..200).map(|i| format!("p{i},q{}", i * 7 % 13)).collect();
        let text = lines.join("\n") + "\n";
        std::fs::write(&path, &text).unwrap();
        let size = text.len() as u64;
        let range = range_of(&path, 1, 3).unwrap();
        let first_line = 1 + text.as_bytes()[..range.start as usize].iter().filter(|&&b| b == b'\n').count() as u64;
        for piece in [1, 10, 64, 1 << 20] {
            let pieces = cut(&path, range.clone(), first_line, piece).unwrap();
            assert_eq!(pieces.first().unwrap().0.start, range.start);
            assert_eq!(pieces.last().unwrap().0.end, range.end);
            for w in pieces.windows(2) {
                assert_eq!(w[0].0.end, w[1].0.start, "pieces meet");
            }
            for (r, line) in &pieces {
                assert!(r.start == 0 || text.as_bytes()[r.start as usize - 1] == b'\n', "a piece starts a line");
                let before = text.as_bytes()[..r.start as usize].iter().filter(|&&b| b == b'\n').count() as u64;
                assert_eq!(*line, before + 1, "piece {r:?} of {piece} bytes");
            }
            if piece == 1 {
                assert!(pieces.len() > 50, "one line a piece");
            }
        }
        let empty = cut(&path, size..size, 201, 64).unwrap();
        assert_eq!(empty, vec![(size..size, 201)], "an empty range is one empty piece");
        std::fs::remove_file(&path).ok();
    }
}
