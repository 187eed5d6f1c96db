//! The body of a delimited input (everything after the rows read to find the header),
//! parsed in parallel.
//!
//! The stream is read in blocks of a few MiB cut at line ends. A block without a double
//! quote is split at line ends into pieces that rayon's threads parse into [`Batch`]es, each
//! with its own name interner; the batches are handed on in file order, so the result is
//! exactly that of a sequential read. A block that holds a quote is parsed in one piece (a
//! quoted field may span lines), and if a quoted field runs past the end of the block, the
//! block is extended with the next one and parsed again.

use std::io::BufRead;

use rayon::prelude::*;

use super::records::{Delimiter, RecordError, RecordReader};
use super::rows::{Batch, RowParser};
use super::source::{self, Compression};
use crate::error::Error;

/// Bytes read per block.
const BLOCK: usize = 8 << 20;
/// Blocks smaller than this are parsed in one piece.
const MIN_PIECE: usize = 1 << 20;

/// How a piece ended.
pub(super) enum PieceError {
    /// A quoted field was still open at the end of the piece.
    OpenQuote { line: u64 },
    /// Anything else: final.
    Fatal(Error),
}

pub(super) fn parse_piece(
    text: &[u8],
    first_line: u64,
    delimiter: Delimiter,
    parser: &RowParser,
) -> Result<Batch, PieceError> {
    let mut batch = Batch::with_capacity(count_lines(text) as usize + 1);
    let mut records = RecordReader::starting_at(text, delimiter, first_line).with_max_record(parser.max_line);
    loop {
        match records.next_record() {
            Ok(Some(rec)) => parser.row(&mut batch, rec.line, &|i| rec.get(i), rec.len()).map_err(PieceError::Fatal)?,
            Err(RecordError::TooLong { line }) => parser.too_long_in(&mut batch, line).map_err(PieceError::Fatal)?,
            Ok(None) => {
                batch.resolve(parser.names);
                return Ok(batch);
            }
            Err(RecordError::UnclosedQuote { line }) => return Err(PieceError::OpenQuote { line }),
            Err(RecordError::Io(e)) => {
                return Err(PieceError::Fatal(source::damaged(parser.path, Compression::None, e)))
            }
        }
    }
}

fn count_lines(text: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', text).count() as u64
}

/// Split `text` (which ends at a line end or at the end of the input) into pieces of about
/// `size` bytes cut after a line end, each with the number of its first line.
fn pieces(text: &[u8], first_line: u64, size: usize) -> Vec<(&[u8], u64)> {
    let mut out = Vec::with_capacity(text.len() / size + 1);
    let (mut start, mut line) = (0, first_line);
    while start < text.len() {
        let mut end = (start + size).min(text.len());
        if end < text.len() {
            end = text[end..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| end + i + 1);
        }
        out.push((&text[start..end], line));
        line += count_lines(&text[start..end]);
        start = end;
    }
    out
}

/// Block and piece sizes (small ones in tests), and the longest line read.
#[derive(Clone, Copy)]
pub(super) struct Sizes {
    block: usize,
    min_piece: usize,
    /// A line (outside quotes) longer than this is skipped as `line too long` without being
    /// held in memory; a quoted field that runs on for more than a block is an unclosed quote.
    max_line: usize,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes { block: BLOCK, min_piece: MIN_PIECE, max_line: DEFAULT_MAX_LINE }
    }
}

impl Sizes {
    /// The default sizes with another line limit.
    pub(super) fn with_max_line(max_line: usize) -> Self {
        Sizes { max_line, ..Sizes::default() }
    }
}

/// The default `--max-line-bytes`: 1 MiB, a thousand times a long recommendation.
pub(super) const DEFAULT_MAX_LINE: usize = 1 << 20;

/// Parse one block; `Err(line)` asks for more input (a quote opened on `line` is still open
/// at the block's end).
fn parse_block(
    text: &[u8],
    first_line: u64,
    at_end: bool,
    delimiter: Delimiter,
    parser: &RowParser,
    sizes: Sizes,
) -> Result<Result<Vec<Batch>, u64>, Error> {
    // One piece per thread; a block with a quote anywhere goes to the record reader whole.
    let size = text.len().div_ceil(rayon::current_num_threads()).max(sizes.min_piece);
    let plain =
        |(piece, line): (&[u8], u64)| super::plain::parse(piece, line, delimiter, parser).map_err(PieceError::Fatal);
    let results: Vec<Result<Batch, PieceError>> = if memchr::memchr(b'"', text).is_some() {
        vec![parse_piece(text, first_line, delimiter, parser)]
    } else if text.len() <= size {
        vec![plain((text, first_line))]
    } else {
        pieces(text, first_line, size).into_par_iter().map(plain).collect()
    };
    let mut batches = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(b) => batches.push(b),
            Err(PieceError::Fatal(e)) => return Err(e),
            Err(PieceError::OpenQuote { line }) if !at_end => return Ok(Err(line)),
            Err(PieceError::OpenQuote { line }) => {
                return Err(Error::UnclosedQuote { path: parser.path.to_path_buf(), line })
            }
        }
    }
    Ok(Ok(batches))
}

/// Read and drop the rest of the current line (after a line over the limit).
fn skip_line(reader: &mut dyn BufRead, compression: Compression, parser: &RowParser) -> Result<(), Error> {
    loop {
        let buf = reader.fill_buf().map_err(|e| source::damaged(parser.path, compression, e))?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(());
        }
        let n = buf.len();
        reader.consume(n);
    }
}

/// Read the rest of `reader`, whose first line is `first_line`, handing each batch of rows
/// to `sink` in file order. Past `deadline` (checked between blocks) it stops and returns the
/// first line not read.
#[allow(clippy::too_many_arguments)]
pub(super) fn parse_body(
    reader: &mut dyn BufRead,
    first_line: u64,
    delimiter: Delimiter,
    compression: Compression,
    parser: &RowParser,
    sink: &mut dyn FnMut(Batch),
    sizes: Sizes,
    deadline: Option<std::time::Instant>,
) -> Result<Option<u64>, Error> {
    let mut line = first_line;
    let mut block: Vec<u8> = Vec::new();
    let mut at_end = false;
    // The line of a quoted field found open at the end of the block, which was extended
    // for it: still open at the same line after another whole block, it is an unclosed quote.
    let mut open_since: Option<u64> = None;
    loop {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return Ok(Some(line));
        }
        // Fill the block up to another BLOCK bytes (or the end of the input).
        let target = block.len() + sizes.block;
        while block.len() < target && !at_end {
            let buf = reader.fill_buf().map_err(|e| source::damaged(parser.path, compression, e))?;
            if buf.is_empty() {
                at_end = true;
                break;
            }
            let take = buf.len().min(target - block.len());
            block.extend_from_slice(&buf[..take]);
            reader.consume(take);
        }
        if block.is_empty() {
            return Ok(None);
        }
        let cut = if at_end { block.len() } else { block.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) };
        if cut == 0 {
            if block.len() > sizes.max_line {
                // One line longer than the limit: skip it without holding it, count it.
                skip_line(reader, compression, parser)?;
                let mut batch = Batch::default();
                parser.too_long_in(&mut batch, line)?;
                sink(batch);
                line += 1;
                block.clear();
            }
            continue; // one line longer than a block: read more
        }
        match parse_block(&block[..cut], line, at_end, delimiter, parser, sizes)? {
            Ok(batches) => {
                line += count_lines(&block[..cut]);
                batches.into_iter().for_each(&mut *sink);
                block.drain(..cut);
                open_since = None;
            }
            // A quoted field still open after a whole extra block is not a field but an
            // unclosed quote: stop instead of reading on.
            Err(open) if open_since == Some(open) => {
                return Err(Error::UnclosedQuote { path: parser.path.to_path_buf(), line: open });
            }
            Err(open) => {
                // Everything before the open field was whole: hand it on and keep only the
                // open record, so that a file of many multi-line texts is parsed once, not
                // once per block it has grown to.
                let offset = offset_of_line(&block[..cut], open - line);
                if offset > 0 {
                    match parse_block(&block[..offset], line, false, delimiter, parser, sizes)? {
                        Ok(batches) => batches.into_iter().for_each(&mut *sink),
                        Err(again) => {
                            return Err(Error::UnclosedQuote { path: parser.path.to_path_buf(), line: again });
                        }
                    }
                    block.drain(..offset);
                    line = open;
                }
                open_since = Some(open);
            }
        }
    }
}

/// The byte offset of the start of the line `lines` lines into `text`.
fn offset_of_line(text: &[u8], lines: u64) -> usize {
    match lines.checked_sub(1) {
        None => 0,
        Some(k) => memchr::memchr_iter(b'\n', text).nth(k as usize).map_or(text.len(), |i| i + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::columns::Columns;
    use crate::ingest::{Ingested, InputStats};
    use std::path::Path;

    /// Parse `text` with tiny blocks and pieces; return the rows as (line, from, to).
    fn rows_with(text: &str, sizes: Sizes) -> Result<Vec<(u32, String, String)>, Error> {
        let columns = Columns { from: 0, to: 1, time: None, text: Some(2), relationship: None, weight: None };
        let names = crate::intern::shards::ShardedInterner::new();
        let parser = RowParser {
            path: Path::new("t.csv"),
            file: 0,
            columns,
            strict: false,
            date_format: None,
            now: i64::MAX,
            max_line: DEFAULT_MAX_LINE,
            names: &names,
            floor: crate::ingest::rows::WeightFloor::Positive,
        };
        let mut out = Ingested::default();
        let mut stats = InputStats::default();
        let mut dates = crate::ingest::rows::DateStats::default();
        let mut reader = text.as_bytes();
        let delimiter = Delimiter::Byte(b',');
        parse_body(
            &mut reader,
            1,
            delimiter,
            Compression::None,
            &parser,
            &mut |b| {
                let mut sink = crate::ingest::rows::Sink {
                    rows: &mut out.rows,
                    texts: &mut out.texts,
                    relationships: &mut out.relationships,
                    weights: &mut out.weights,
                    names: &names,
                };
                sink.absorb(b, &mut stats, &mut dates)
            },
            sizes,
            None,
        )?;
        let (sorted, remap) = names.into_sorted(|_| true);
        let name = |id: u32| sorted.name(remap[id as usize]).to_string();
        Ok(out.rows.iter().map(|r| (r.source.line, name(r.from), name(r.to))).collect())
    }

    #[test]
    fn tiny_blocks_give_the_same_rows_and_lines_as_one_block() {
        let mut text = String::new();
        for i in 0..400 {
            if i % 37 == 0 {
                text.push_str(&format!("a{i},b{i},\"a text\nover \"\"two\"\" lines\"\n"));
            } else if i % 11 == 0 {
                text.push_str("# a comment\n\n");
            } else {
                text.push_str(&format!("a{i},b{},plain\n", i % 7));
            }
        }
        let whole = rows_with(&text, Sizes { block: 1 << 20, min_piece: 1 << 20, max_line: DEFAULT_MAX_LINE }).unwrap();
        assert!(whole.len() > 300);
        for (block, min_piece) in [(64, 16), (200, 50), (1000, 100)] {
            assert_eq!(
                rows_with(&text, Sizes { block, min_piece, max_line: DEFAULT_MAX_LINE }).unwrap(),
                whole,
                "block {block}"
            );
        }
    }

    #[test]
    fn every_row_with_a_multi_line_text_reads_whole_in_any_blocks() {
        // Every block's last line end falls inside a quoted text, the extended block's too
        // (LinkedIn texts): each block must still be read, not refused as an unclosed quote.
        let text: String =
            (0..500).map(|i| format!("a{i},b{},\"line one\nline two of {i}\nthree\"\n", i % 9)).collect();
        let whole = rows_with(&text, Sizes { block: 1 << 20, min_piece: 1 << 20, max_line: DEFAULT_MAX_LINE }).unwrap();
        assert_eq!(whole.len(), 500);
        for block in [40, 64, 100, 333] {
            let sizes = Sizes { block, min_piece: 16, max_line: DEFAULT_MAX_LINE };
            assert_eq!(rows_with(&text, sizes).unwrap(), whole, "block {block}");
        }
    }

    #[test]
    fn an_unclosed_quote_is_reported_at_its_line_whatever_the_blocks() {
        let text = "a,b,x\nc,d,\"never closed\ne,f,g\nh,i,j\n";
        for block in [4, 8, 1 << 20] {
            match rows_with(text, Sizes { block, min_piece: 4, max_line: DEFAULT_MAX_LINE }) {
                Err(Error::UnclosedQuote { line, .. }) => assert_eq!(line, 2),
                other => panic!("block {block}: {other:?}"),
            }
        }
    }

    #[test]
    fn pieces_cut_after_line_ends_and_number_their_lines() {
        let text: Vec<u8> = (0..300_000).flat_map(|i| format!("p{i} q{i}\n").into_bytes()).collect();
        let parts = pieces(&text, 5, 1 << 20);
        assert!(parts.len() > 2);
        let mut line = 5;
        let mut total = 0;
        for (piece, first) in &parts {
            assert_eq!(*first, line);
            assert_eq!(piece.last(), Some(&b'\n'));
            line += count_lines(piece);
            total += piece.len();
        }
        assert_eq!(total, text.len());
    }
}
