//! Delimited text (CSV, TSV, SNAP-style whitespace lists, gzip): the first byte picks the
//! options (header mode, strictness, a 64-byte line limit, column flags by position and by
//! name, a weight floor) and the file's extension; the rest is the file.

use backscratch::ingest::columns::{ColumnRef, HeaderMode};
use backscratch::ingest::IngestOptions;

fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let Some((&pick, body)) = data.split_first() else { return };
        let mut options = IngestOptions::default();
        options.header = [HeaderMode::Auto, HeaderMode::Yes, HeaderMode::No, HeaderMode::Auto][usize::from(pick & 3)];
        options.strict = pick & 4 != 0;
        options.max_line_bytes = (pick & 8 != 0).then_some(64);
        options.keep_negative = pick & 64 != 0;
        if pick & 16 != 0 {
            options.columns.time = Some(ColumnRef::parse("3"));
            options.columns.weight = Some(ColumnRef::parse("weight"));
            options.columns.text = Some(ColumnRef::parse("text"));
        }
        let name =
            ["in.csv", "in.tsv", "in.txt", "in.csv.gz"][usize::from(pick >> 7) * 2 + usize::from(pick & 32 != 0)];
        backscratch_fuzz::read(backscratch_fuzz::as_file(name, body), &options);
    });
}
