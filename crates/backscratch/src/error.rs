//! Typed errors of the library: what went wrong, in which file and on which line.

use std::path::PathBuf;

/// Everything that can stop a scan. Each variant names the input it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be opened or read (missing file, permission, I/O failure).
    #[error("{path}: {message}")]
    Io {
        /// The input as the user named it.
        path: PathBuf,
        /// What went wrong, as a sentence for people: it already includes what the operating
        /// system said, so the message is complete without `source`.
        message: String,
        /// The operating system's error, for programs (`source.kind()`), where there was one;
        /// `None` when the library itself refused the path (e.g. a directory).
        #[source]
        source: Option<std::io::Error>,
    },
    /// The input is damaged or is not an edge list at all (binary data, truncated archive).
    #[error("{path}: {message}")]
    Format {
        /// The input as the user named it.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A quoted field was opened and never closed before the end of the file.
    #[error("{path}:{line}: a quoted field starts here and is never closed")]
    UnclosedQuote {
        /// The input as the user named it.
        path: PathBuf,
        /// The line on which the unterminated record starts.
        line: u64,
    },
    /// The input holds no data rows (empty, comments only, or a header only).
    #[error("{path}: no recommendations: the file has {what}")]
    NoData {
        /// The input as the user named it.
        path: PathBuf,
        /// A short description such as "no rows" or "a header and no rows".
        what: String,
    },
    /// A column flag names a column that the file does not have.
    #[error("{path}: {message}")]
    Column {
        /// The input as the user named it.
        path: PathBuf,
        /// Which flag and which column.
        message: String,
    },
    /// A row-level problem: in an evidence file (`--people`, `--allow`), or in an input under
    /// `--strict` (the reason then says so).
    #[error("{path}:{line}: {reason}")]
    Row {
        /// The input as the user named it.
        path: PathBuf,
        /// The line on which the rejected row starts.
        line: u64,
        /// Why the row was rejected, e.g. "bad date '13/45/22'".
        reason: String,
    },
    /// A configuration value is out of range (e.g. `max_cycle_len` above 8).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A cluster run failed: a peer could not be reached, was started differently, or died.
    #[error("cluster: {0}")]
    Cluster(String),
}

impl Error {
    /// An [`Error::Io`] for `path` that keeps the operating system's error as its source.
    pub(crate) fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Error {
        Error::Io { path: path.into(), message: error.to_string(), source: Some(error) }
    }

    /// An [`Error::Io`] for `path` with a message of the library's own and no source.
    pub(crate) fn io_message(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::Io { path: path.into(), message: message.into(), source: None }
    }
}

/// Shorthand for results of this library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
