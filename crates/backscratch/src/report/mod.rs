//! Report, the folder's face: the report model (its types live in `model.rs`, the JSON
//! contract, `schema_version` 1), what a report means for a pipeline ([`Gate`]), and one
//! small renderer per output format behind the [`Render`] trait.

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod baseline;
mod build;
pub(crate) mod cases;
mod csv;
pub(crate) mod describe;
mod dot;
pub mod escape;
mod format;
mod gate;
pub mod github;
mod html;
mod json;
pub(crate) mod jsonl;
mod junit;
mod markdown;
mod model;
pub mod output;
#[cfg(feature = "parquet")]
pub mod parquet;
mod people;
pub(crate) mod profile;
pub mod redact;
mod render;
#[cfg(feature = "schema")]
pub mod schema;
pub(crate) mod subjects;
mod svg;
mod table;

pub use build::{finding_id, ReportInputs};
pub use csv::{Csv, Sheet};
pub use dot::Dot;
pub use format::{renderer, Format, PARQUET_SIBLINGS};
pub use gate::Gate;
pub use html::Html;
pub use json::Json;
pub use jsonl::Jsonl;
pub use junit::Junit;
pub use markdown::Markdown;
pub use model::*;
pub use render::{Render, RenderOptions};
pub use table::Table;
