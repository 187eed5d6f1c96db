//! A streaming reader of delimited records: CSV, TSV or whitespace-separated text.
//!
//! It owns the low-level syntax: quoted fields (with doubled quotes, delimiters and line
//! breaks inside), CRLF line ends, a UTF-8 byte order mark, blank lines and `#` comment lines
//! (SNAP style). Every record carries the line on which it starts, so that later stages can
//! point the user at the exact place of a problem. Fields stay bytes here; decoding them as
//! UTF-8 is the caller's decision (an invalid field is a skipped row, not a failed file).

use std::io::{self, BufRead};

/// How fields are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    /// One byte such as `,`, `\t` or `;`; empty fields are kept.
    Byte(u8),
    /// Any run of spaces and tabs; leading and trailing blanks are ignored.
    Whitespace,
}

impl Delimiter {
    /// Guess the delimiter from the first data line: comma, else tab, else semicolon, else
    /// runs of whitespace (SNAP edge lists).
    pub(crate) fn detect(first_line: &[u8]) -> Delimiter {
        if first_line.contains(&b',') {
            Delimiter::Byte(b',')
        } else if first_line.contains(&b'\t') {
            Delimiter::Byte(b'\t')
        } else if first_line.contains(&b';') {
            Delimiter::Byte(b';')
        } else {
            Delimiter::Whitespace
        }
    }
}

/// A failure of the record syntax itself.
#[derive(Debug)]
pub(crate) enum RecordError {
    /// Reading the underlying stream failed (including a damaged compressed stream).
    Io(io::Error),
    /// The file ended inside a quoted field that starts on `line` (or the field ran on for
    /// more than the record limit).
    UnclosedQuote {
        /// The line on which the unterminated record starts.
        line: u64,
    },
    /// A line longer than the record limit; it was read past (not held) and can be counted.
    TooLong {
        /// The line.
        line: u64,
    },
}

impl From<io::Error> for RecordError {
    fn from(e: io::Error) -> Self {
        RecordError::Io(e)
    }
}

/// One record: its fields (as byte slices into the reader's buffer) and where it starts.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    /// 1-based line number on which the record starts.
    pub line: u64,
    buf: &'a [u8],
    bounds: &'a [(usize, usize)],
}

impl<'a> Record<'a> {
    /// Number of fields in the record.
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// The raw bytes of field `i`, if the record has that many fields.
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.bounds.get(i).map(|&(s, e)| &self.buf[s..e])
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Streams records out of any buffered byte source.
pub(crate) struct RecordReader<R> {
    inner: R,
    delimiter: Delimiter,
    next_line: u64,
    line: Vec<u8>,
    field_bytes: Vec<u8>,
    bounds: Vec<(usize, usize)>,
    at_start: bool,
    /// The longest record held in memory.
    max_record: usize,
    /// Whether the last line read was over the limit (and so was dropped).
    too_long: bool,
}

impl<R: BufRead> RecordReader<R> {
    /// A reader that splits fields by `delimiter`.
    pub(crate) fn new(inner: R, delimiter: Delimiter) -> Self {
        RecordReader {
            inner,
            delimiter,
            next_line: 1,
            line: Vec::new(),
            field_bytes: Vec::new(),
            bounds: Vec::new(),
            at_start: true,
            max_record: usize::MAX,
            too_long: false,
        }
    }

    /// The same reader, holding no record longer than `max` bytes: a longer line is read past
    /// and reported as [`RecordError::TooLong`], a longer quoted field as an unclosed quote.
    pub(crate) fn with_max_record(mut self, max: usize) -> Self {
        self.max_record = max;
        self
    }

    /// A reader for text that starts at `line` of a larger file (no byte order mark there).
    pub(crate) fn starting_at(inner: R, delimiter: Delimiter, line: u64) -> Self {
        RecordReader { next_line: line, at_start: false, ..RecordReader::new(inner, delimiter) }
    }

    /// The number of the next line to be read.
    pub(crate) fn next_line(&self) -> u64 {
        self.next_line
    }

    /// Read one physical line (without its line end) into `self.line`, at most the record
    /// limit of it (the rest of a longer line is read past; `too_long` says so).
    /// Returns false at the end of the input.
    fn read_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        self.too_long = false;
        let limit = self.max_record.saturating_add(1) as u64;
        let n = io::Read::take(&mut self.inner, limit).read_until(b'\n', &mut self.line)?;
        if n == 0 {
            return Ok(false);
        }
        if self.line.len() > self.max_record && self.line.last() != Some(&b'\n') {
            self.too_long = true;
            self.line.clear();
            loop {
                let buf = self.inner.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                    self.inner.consume(i + 1);
                    break;
                }
                let all = buf.len();
                self.inner.consume(all);
            }
        }
        self.next_line += 1;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        }
        if self.at_start {
            self.at_start = false;
            if self.line.starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.line.drain(..3);
            }
        }
        Ok(true)
    }

    fn is_separator(&self, b: u8) -> bool {
        match self.delimiter {
            Delimiter::Byte(d) => b == d,
            Delimiter::Whitespace => b == b' ' || b == b'\t',
        }
    }

    /// The next record, skipping blank and comment lines; `None` at the end of the input.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record<'_>>, RecordError> {
        // Find the first line that holds data.
        let start_line = loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if self.too_long {
                return Err(RecordError::TooLong { line: self.next_line - 1 });
            }
            let first = self.line.iter().position(|b| !b.is_ascii_whitespace());
            match first {
                None => continue,
                Some(i) if self.line[i] == b'#' => continue,
                Some(_) => break self.next_line - 1,
            }
        };
        self.field_bytes.clear();
        self.bounds.clear();
        let mut state = State::FieldStart;
        let mut field_start = 0usize;
        loop {
            let mut i = 0;
            while i < self.line.len() {
                let b = self.line[i];
                match state {
                    State::FieldStart => {
                        if b == b'"' {
                            state = State::Quoted;
                        } else if self.is_separator(b) {
                            if self.delimiter != Delimiter::Whitespace {
                                self.bounds.push((field_start, field_start));
                            }
                        } else if b == b' ' || b == b'\t' {
                            // leading blanks before a field are not part of it
                        } else {
                            self.field_bytes.push(b);
                            state = State::Unquoted;
                        }
                    }
                    State::Unquoted => {
                        if self.is_separator(b) {
                            self.bounds.push((field_start, self.field_bytes.len()));
                            field_start = self.field_bytes.len();
                            state = State::FieldStart;
                        } else {
                            self.field_bytes.push(b);
                        }
                    }
                    State::Quoted => {
                        if b == b'"' {
                            state = State::QuoteInQuoted;
                        } else {
                            self.field_bytes.push(b);
                        }
                    }
                    State::QuoteInQuoted => {
                        if b == b'"' {
                            self.field_bytes.push(b'"');
                            state = State::Quoted;
                        } else if self.is_separator(b) {
                            self.bounds.push((field_start, self.field_bytes.len()));
                            field_start = self.field_bytes.len();
                            state = State::FieldStart;
                        } else {
                            // Lenient: text after a closing quote continues the field.
                            self.field_bytes.push(b);
                            state = State::Unquoted;
                        }
                    }
                }
                i += 1;
            }
            if state == State::Quoted {
                // The quoted field goes on past the line break.
                self.field_bytes.push(b'\n');
                if !self.read_line()? || self.too_long || self.field_bytes.len() + self.line.len() > self.max_record {
                    return Err(RecordError::UnclosedQuote { line: start_line });
                }
                continue;
            }
            // End of record: close the last field (an empty trailing field counts for
            // byte delimiters, as in `a,b,`).
            match state {
                State::FieldStart if self.delimiter == Delimiter::Whitespace => {}
                _ => self.bounds.push((field_start, self.field_bytes.len())),
            }
            break;
        }
        Ok(Some(Record { line: start_line, buf: &self.field_bytes, bounds: &self.bounds }))
    }
}

/// The longest record of a side file (a job, an allowlist entry, a LinkedIn row).
pub(crate) const SIDE_FILE_MAX_RECORD: usize = 1 << 20;

/// Open a small comma-separated side file (employment histories, allowlists) for reading
/// with [`next_side_record`].
pub(crate) fn open_side_file(
    path: &std::path::Path,
) -> Result<RecordReader<std::io::BufReader<std::fs::File>>, crate::Error> {
    let file = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
    Ok(RecordReader::new(std::io::BufReader::new(file), Delimiter::Byte(b',')).with_max_record(SIDE_FILE_MAX_RECORD))
}

/// The next record of a side file, with errors that name the file (and line).
pub(crate) fn next_side_record<'r, R: BufRead>(
    records: &'r mut RecordReader<R>,
    path: &std::path::Path,
) -> Result<Option<Record<'r>>, crate::Error> {
    records.next_record().map_err(|e| match e {
        RecordError::UnclosedQuote { line } => crate::Error::UnclosedQuote { path: path.to_path_buf(), line },
        RecordError::TooLong { line } => crate::Error::Row {
            path: path.to_path_buf(),
            line,
            reason: "line longer than the 1 MiB a record may take".into(),
        },
        RecordError::Io(e) => crate::Error::io(path, e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, d: Delimiter) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(text.as_bytes(), d);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            let fields = (0..rec.len()).map(|i| String::from_utf8(rec.get(i).unwrap().to_vec()).unwrap()).collect();
            out.push((rec.line, fields));
        }
        out
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(Delimiter::detect(b"a,b"), Delimiter::Byte(b','));
        assert_eq!(Delimiter::detect(b"a\tb c"), Delimiter::Byte(b'\t'));
        assert_eq!(Delimiter::detect(b"a;b"), Delimiter::Byte(b';'));
        assert_eq!(Delimiter::detect(b"1 2"), Delimiter::Whitespace);
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines() {
        let text = "from,to,text\r\nann,bob,\"great, \"\"really\"\"\nthorough\"\r\ncid,dan,plain\n";
        let got = all(text, Delimiter::Byte(b','));
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].0, 2);
        assert_eq!(got[1].1[2], "great, \"really\"\nthorough");
        assert_eq!(got[2], (4, vec!["cid".into(), "dan".into(), "plain".into()]));
    }

    #[test]
    fn comments_blank_lines_bom_and_whitespace() {
        let text = "\u{feff}# comment\n\n  1   2\t3\n# another\n4 5";
        let got = all(text, Delimiter::Whitespace);
        assert_eq!(got, vec![(3, vec!["1".into(), "2".into(), "3".into()]), (5, vec!["4".into(), "5".into()])]);
    }

    #[test]
    fn empty_fields_are_kept_for_byte_delimiters() {
        let got = all(",b,\n", Delimiter::Byte(b','));
        assert_eq!(got[0].1, vec!["", "b", ""]);
    }

    #[test]
    fn unclosed_quote_names_the_starting_line() {
        let mut r = RecordReader::new("a,b\nc,\"d\ne,f\n".as_bytes(), Delimiter::Byte(b','));
        assert!(r.next_record().unwrap().is_some());
        match r.next_record() {
            Err(RecordError::UnclosedQuote { line }) => assert_eq!(line, 2),
            other => panic!("expected an unclosed quote, got {other:?}"),
        }
    }
}
