//! Live detection: each new recommendation is judged as it arrives, with what it closed
//! (the reciprocal pair, the cycles by length, the closing paths), and is durable before the
//! answer is given.
//!
//! - [`store`] keeps the accepted recommendations in an embedded crash-safe store (redb), a
//!   batch of them per commit (group commit);
//! - [`engine`] holds the growing graph and answers for each recommendation, by the library's
//!   closing search ([`backscratch::detect::closing`]);
//! - [`judge`] is the one thread that owns both, fed by a bounded queue (group commit across
//!   requests, backpressure when full);
//! - [`http`] serves it over HTTP/JSON under `/v1` (`serve --listen`);
//! - [`stdio`] runs the engine over NDJSON on standard input and output (`serve --stdio`);
//! - [`client`] is a minimal blocking client for the load generator and the tests;
//! - [`wire`] is the JSON form of a recommendation and an answer, shared by both.
//!
//! Restarting on the same state directory replays the stored rows, so the engine's graph is
//! exactly the acknowledged rows; what a replay closes is not answered again.

pub mod client;
pub mod engine;
pub mod http;
pub mod judge;
pub mod judgement;
pub mod stdio;
pub mod store;
pub mod wire;

/// Load the state in `state` into a new engine: the stored rows replayed (not answered), then
/// the pairs and cycles of the whole graph counted by the batch search.
pub fn recover(state: &std::path::Path, engine: &mut engine::Engine) -> Result<store::Store, Error> {
    let store = store::Store::open(state)?;
    store.for_each_row(|row| engine.replay(&row))?;
    if !store.is_empty() {
        engine.recount();
    }
    Ok(store)
}

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
