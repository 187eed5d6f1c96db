//! backscratch finds *recommendation trading*: people who write professional
//! recommendations for each other in reciprocal pairs and small rings.
//!
//! The pipeline, one module each:
//! [`ingest`] (edge-list files → rows) → [`graph`] (interned names, CSR adjacency) →
//! [`detect`] (reciprocal pairs, exact parallel cycle search) → [`score`] (severity and
//! evidence) → [`report`] (one model, one renderer per format). [`scan()`] runs it all from a
//! plain [`ScanConfig`]. [`generate`] writes synthetic networks with a ground truth, and
//! [`evaluate`] measures a report against it.

#![warn(unreachable_pub)]

#[cfg(feature = "cluster")]
pub mod cluster;
pub mod detect;
pub mod error;
pub mod evaluate;
pub mod generate;
pub mod graph;
mod hex;
pub mod ingest;
mod intern;
pub(crate) mod keys;
mod par;
pub mod report;
mod rng;
mod scan;
pub mod score;
pub mod vocab;
pub mod warning;

pub use error::{Error, Result};
pub use scan::{
    max_threads, scan, ProgressHook, ScanConfig, ScanOutcome, StageTime, DEFAULT_MAX_CASES, DEFAULT_MAX_FINDINGS,
    MIN_LINE_BYTES,
};
