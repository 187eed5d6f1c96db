//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// `../shared/data/real`, the real networks nobody on this project wrote; `None` (and a
/// message saying which tests are skipped, `what`) when it is not there.
pub fn shared(what: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: {} not found; {what} needs ../shared", dir.display());
        None
    }
}
