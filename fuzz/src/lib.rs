//! What every fuzz target shares: the file a reader is given (the readers take paths, as
//! the command line does), written afresh for each input in a folder of this process's own.

use std::path::PathBuf;

/// Write `bytes` to a file named `name` in this process's scratch folder and return its path.
/// The folder is under `$TMPDIR` (or /tmp), one per process, so parallel fuzzers never share
/// a file.
pub fn as_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("backscratch-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("the input written");
    path
}

/// Read `path` as the command line reads an input, with default options but the ones given.
pub fn read(path: PathBuf, options: &backscratch::ingest::IngestOptions) {
    // An error is an answer; only a panic, an abort or a hang is a finding.
    let _ = backscratch::ingest::read_inputs(&[path], options);
}
