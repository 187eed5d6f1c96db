//! `--baseline OLD.json`: an earlier report, read for its findings' ids and severities.

fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let path = backscratch_fuzz::as_file("baseline.json", data);
        let _ = backscratch::report::baseline::Baseline::read(&path);
    });
}
