//! The renderers' contract: the [`Render`] trait every format implements, and the choices
//! ([`RenderOptions`]) a renderer needs beyond the report.

use std::io::{self, Write};

use super::model::Report;
use crate::score::Severity;

/// An output format.
pub trait Render {
    /// Write `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// Choices a renderer needs beyond the report.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Colour in the terminal table.
    pub color: bool,
    /// The `--fail-on` floor (JUnit marks people at or above it as failures); `None` = never.
    pub fail_on: Option<Severity>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { color: false, fail_on: Some(Severity::High) }
    }
}
