//! `--baseline OLD.json`: keep only findings whose stable id an earlier report did not
//! have (the trades that are new since the last run) and count the ones already known.

use std::collections::BTreeSet;
use std::path::Path;

use super::{BaselineSummary, Report};
use crate::error::{Error, Result};

/// The finding ids of an earlier report.
#[derive(Debug, Clone)]
pub struct Baseline {
    file: String,
    ids: BTreeSet<String>,
}

impl Baseline {
    /// Read the ids from a JSON report written by `--format json` (any schema version that has
    /// `findings[].id`).
    pub fn read(path: &Path) -> Result<Baseline> {
        let format = |message: String| Error::Format { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io { path: path.to_path_buf(), message: format!("cannot read the baseline: {e}") })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format(format!("the baseline is not JSON (line {}): {e}", e.line())))?;
        let findings = value
            .get("findings")
            .and_then(|f| f.as_array())
            .ok_or_else(|| format("the baseline is not a backscratch JSON report (no \"findings\" list)".into()))?;
        let ids = findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                f.get("id")
                    .and_then(|id| id.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| format(format!("findings[{i}] has no id")))
            })
            .collect::<Result<_>>()?;
        Ok(Baseline { file: path.display().to_string(), ids })
    }

    /// Baseline from ids directly (tests, library users).
    pub fn from_ids(file: &str, ids: impl IntoIterator<Item = String>) -> Baseline {
        Baseline { file: file.to_string(), ids: ids.into_iter().collect() }
    }

    /// Drop the known findings from `report`, keep the people of the rest, and record the
    /// counts in `summary.baseline`.
    pub fn apply(&self, report: &mut Report) {
        let before = report.findings.len();
        report.findings.retain(|f| !self.ids.contains(&f.id));
        let new = report.findings.len();
        let members: BTreeSet<&str> =
            report.findings.iter().flat_map(|f| f.members.iter().map(String::as_str)).collect();
        if report.subjects.is_none() {
            report.people.retain(|p| members.contains(p.name.as_str()));
        }
        report.summary.listed = new as u64;
        report.summary.baseline =
            Some(BaselineSummary { file: self.file.clone(), already_known: (before - new) as u64, new: new as u64 });
    }
}
