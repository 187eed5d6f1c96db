//! LinkedIn data exports as `.zip` archives: the archive's directory and entries, then
//! Profile.csv, Recommendations_Given/Received.csv, Positions.csv and Endorsements in them.

use backscratch::ingest::IngestOptions;

fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let mut options = IngestOptions::default();
        options.linkedin.include_endorsements = data.first().is_some_and(|b| b & 1 != 0);
        backscratch_fuzz::read(backscratch_fuzz::as_file("export.zip", data), &options);
    });
}
