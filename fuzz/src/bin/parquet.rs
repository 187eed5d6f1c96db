//! Parquet files: footer, row groups, dictionary and data pages of every encoding and
//! compression the reader accepts; the first byte picks strictness and a 64-byte cell limit.

use backscratch::ingest::IngestOptions;

fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let Some((&pick, body)) = data.split_first() else { return };
        let mut options = IngestOptions::default();
        options.strict = pick & 1 != 0;
        options.max_line_bytes = (pick & 2 != 0).then_some(64);
        backscratch_fuzz::read(backscratch_fuzz::as_file("in.parquet", body), &options);
    });
}
