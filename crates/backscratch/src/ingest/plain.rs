//! The fast path for stretches of a file that hold no double quote, which is nearly every
//! edge list: lines are found with `memchr` and fields are slices of the text between
//! delimiters, with nothing copied. Without quotes a line has no other syntax than the record
//! reader's ([`super::records`]): CR before LF, blank lines, `#` comment lines, blanks around
//! fields (which the row parser trims), runs of blanks for whitespace-separated files, and the
//! line limit; so the rows, their lines and every skip are exactly those of the reader (a test
//! holds the two side by side).

use super::records::Delimiter;
use super::rows::{Batch, RowParser};
use crate::error::Error;

/// Parse `text` (whole lines, no `"`), whose first line is `first_line`, into a batch.
pub(super) fn parse(text: &[u8], first_line: u64, delimiter: Delimiter, parser: &RowParser) -> Result<Batch, Error> {
    let mut batch = Batch::with_capacity(memchr::memchr_iter(b'\n', text).count() + 1);
    let mut fields: Vec<&[u8]> = Vec::with_capacity(8);
    let (mut rest, mut line) = (text, first_line);
    while !rest.is_empty() {
        let (mut content, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let at = line;
        line += 1;
        if content.len() > parser.max_line {
            parser.too_long_in(&mut batch, at)?;
            continue;
        }
        if let [head @ .., b'\r'] = content {
            content = head;
        }
        match content.iter().position(|b| !b.is_ascii_whitespace()) {
            None => continue,
            Some(i) if content[i] == b'#' => continue,
            Some(_) => {}
        }
        fields.clear();
        match delimiter {
            Delimiter::Byte(d) => {
                let mut start = 0;
                for i in memchr::memchr_iter(d, content) {
                    fields.push(&content[start..i]);
                    start = i + 1;
                }
                fields.push(&content[start..]);
            }
            Delimiter::Whitespace => {
                fields.extend(content.split(|&b| b == b' ' || b == b'\t').filter(|f| !f.is_empty()));
            }
        }
        parser.row(&mut batch, at, &|i| fields.get(i).copied(), fields.len())?;
    }
    batch.resolve(parser.names);
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::body::{parse_piece, PieceError};
    use crate::ingest::columns::Columns;
    use crate::ingest::rows::{DateStats, Sink};
    use crate::ingest::{InputStats, SparseColumn};
    use crate::intern::shards::ShardedInterner;
    use std::path::Path;

    /// Rows as (line, from, to, date, text) and the accounting, from one parse.
    type Parsed = (Vec<(u32, String, String, i64, Option<String>)>, InputStats, DateStats);

    fn run(text: &[u8], delimiter: Delimiter, strict: bool, fast: bool) -> Result<Parsed, String> {
        let names = ShardedInterner::new();
        let columns = Columns { from: 0, to: 1, time: Some(2), text: Some(3), relationship: None, weight: None };
        let parser = RowParser {
            path: Path::new("t.csv"),
            file: 0,
            columns,
            strict,
            date_format: None,
            now: i64::MAX,
            max_line: 40,
            names: &names,
            floor: crate::ingest::rows::WeightFloor::Positive,
        };
        let batch = if fast {
            parse(text, 7, delimiter, &parser).map_err(|e| e.to_string())?
        } else {
            match parse_piece(text, 7, delimiter, &parser) {
                Ok(b) => b,
                Err(PieceError::Fatal(e)) => return Err(e.to_string()),
                Err(PieceError::OpenQuote { line }) => return Err(format!("open quote {line}")),
            }
        };
        let (mut rows, mut texts, mut relationships, mut weights) = Default::default();
        let (mut stats, mut dates) = (InputStats::default(), DateStats::default());
        let mut sink = Sink {
            rows: &mut rows,
            texts: &mut texts,
            relationships: &mut relationships,
            weights: &mut weights,
            names: &names,
        };
        sink.absorb(batch, &mut stats, &mut dates);
        let _: &crate::ingest::Sparse<f64> = &weights;
        let texts: SparseColumn = texts;
        let (sorted, remap) = names.into_sorted(|_| true);
        let name = |id: u32| sorted.name(remap[id as usize]).to_string();
        let rows: crate::ingest::store::RowStore = rows;
        let listed = rows
            .iter()
            .map(|r| (r.source.line, name(r.from), name(r.to), r.created, texts.get(r.source).map(str::to_string)))
            .collect();
        Ok((listed, stats, dates))
    }

    #[test]
    fn quote_free_text_parses_exactly_as_the_record_reader_parses_it() {
        let cases: [&[u8]; 9] = [
            b"a,b,2020-01-02,hi\nb,a\r\n\n   \n# comment\n  #also\nc , d ,, text \n",
            b"a,b\n,b\na,\na\nx,x\na,b,not a date,t\nb,c,2021-03-04\n",
            b"a\tb\t2020-01-02\thello there\n\tc\td\n",
            b"a b 2020-01-02 word\n  c   d  \n e\t f \n",
            b"a,b\nthis line is far too long for the limit of forty bytes,x\nc,d\n",
            b"a,b\r\nc,d\r\n\r\ne,f",
            b"caf\xc3\xa9,b\nbad\xff,c\nd,e\n",
            b"\xef\xbb\xbfa,b\nc;d\n",
            b"",
        ];
        for (i, text) in cases.iter().enumerate() {
            for delimiter in
                [Delimiter::Byte(b','), Delimiter::Byte(b'\t'), Delimiter::Byte(b';'), Delimiter::Whitespace]
            {
                for strict in [false, true] {
                    let (fast, reader) = (run(text, delimiter, strict, true), run(text, delimiter, strict, false));
                    assert_eq!(fast, reader, "case {i}, {delimiter:?}, strict {strict}");
                }
            }
        }
        let (rows, stats, _) = run(cases[0], Delimiter::Byte(b','), false, true).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2].4.as_deref(), Some("text"));
        assert_eq!(stats.rows, 3);
    }
}
