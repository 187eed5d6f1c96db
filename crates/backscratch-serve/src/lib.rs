//! Live detection: each new recommendation is judged as it arrives, with what it closed
//! (the reciprocal pair, the cycles by length, the closing paths), and is durable before the
//! answer is given.
//!
//! - [`store`] keeps the accepted recommendations in an embedded crash-safe store (redb), a
//!   batch of them per commit (group commit);
//! - [`engine`] holds the growing graph and answers for each recommendation, by the library's
//!   closing search ([`backscratch::detect::closing`]);
//! - [`stdio`] runs the engine over NDJSON on standard input and output (`serve --stdio`).
//!
//! Restarting on the same state directory replays the stored rows, so the engine's graph is
//! exactly the acknowledged rows; what a replay closes is not answered again.

pub mod engine;
pub mod stdio;
pub mod store;

/// What can go wrong while serving.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The state directory or its store could not be opened, read or written.
    #[error("{path}: {message}")]
    State {
        /// The state directory.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Reading requests or writing answers failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
