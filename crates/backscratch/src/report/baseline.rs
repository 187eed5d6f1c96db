//! `--baseline OLD.json`: keep only the findings an earlier report did not have (the trades
//! that are new since the last run) and those it had at a lower severity (escalated, say by
//! histories added since), and count the ones already known as they are.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::model::{BaselineStatus, BaselineSummary, Report};
use crate::error::{Error, Result};
use crate::score::Severity;

/// A finding's `severity` in an earlier report: a severity's name, or anything else, read
/// past without being built (a hostile baseline's 100 MB array costs no memory).
#[derive(Debug, Default)]
struct MaybeSeverity(Option<Severity>);

impl<'de> serde::Deserialize<'de> for MaybeSeverity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Reader;
        impl<'de> Visitor<'de> for Reader {
            type Value = MaybeSeverity;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a severity")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<MaybeSeverity, E> {
                let known = [Severity::Info, Severity::Low, Severity::Medium, Severity::High];
                Ok(MaybeSeverity(known.into_iter().find(|k| k.as_str() == s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<MaybeSeverity, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeSeverity(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<MaybeSeverity, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeSeverity(None))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<MaybeSeverity, E> {
                Ok(MaybeSeverity(None))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<MaybeSeverity, E> {
                Ok(MaybeSeverity(None))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<MaybeSeverity, E> {
                Ok(MaybeSeverity(None))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<MaybeSeverity, E> {
                Ok(MaybeSeverity(None))
            }
            fn visit_unit<E>(self) -> std::result::Result<MaybeSeverity, E> {
                Ok(MaybeSeverity(None))
            }
        }
        d.deserialize_any(Reader)
    }
}

/// The findings of an earlier report: id and severity (`None` when the report did not say).
#[derive(Debug, Clone)]
pub struct Baseline {
    file: String,
    ids: BTreeMap<String, Option<Severity>>,
}

impl Baseline {
    /// Read the ids and severities from a JSON report written by `--format json` (any schema
    /// version that has `findings[].id`; `findings[].severity` when present). The report is
    /// streamed and only ids and severities are kept, so a 1 GB baseline costs the memory
    /// of its ids, not of its whole tree; a byte-order mark is skipped.
    pub fn read(path: &Path) -> Result<Baseline> {
        use std::io::{BufRead, Read};
        #[derive(serde::Deserialize)]
        struct Earlier {
            findings: Option<Vec<EarlierFinding>>,
        }
        #[derive(serde::Deserialize)]
        struct EarlierFinding {
            id: Option<String>,
            #[serde(default)]
            severity: MaybeSeverity,
        }
        let format = |message: String| Error::Format { path: path.to_path_buf(), message };
        let file = std::fs::File::open(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            message: format!("cannot read the baseline: {e}"),
            source: Some(e),
        })?;
        let mut reader = std::io::BufReader::new(file);
        if reader.fill_buf().is_ok_and(|head| head.starts_with(&[0xEF, 0xBB, 0xBF])) {
            reader.consume(3);
        }
        let earlier: Earlier = serde_json::from_reader(reader.by_ref()).map_err(|e| {
            let what = if e.is_data() { "not a backscratch JSON report" } else { "not JSON" };
            format(format!("the baseline is {what} (line {}): {e}", e.line()))
        })?;
        let findings = earlier
            .findings
            .ok_or_else(|| format("the baseline is not a backscratch JSON report (no \"findings\" list)".into()))?;
        let ids = findings
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let severity = f.severity.0;
                f.id.map(|id| (id, severity)).ok_or_else(|| format(format!("findings[{i}] has no id")))
            })
            .collect::<Result<_>>()?;
        Ok(Baseline { file: path.display().to_string(), ids })
    }

    /// Baseline from ids and severities directly (tests, library users).
    pub fn from_ids(file: &str, ids: impl IntoIterator<Item = (String, Option<Severity>)>) -> Baseline {
        Baseline { file: file.to_string(), ids: ids.into_iter().collect() }
    }

    /// How a finding compares with the earlier report: `None` when known at the same or a
    /// higher severity.
    pub fn status(&self, id: &str, severity: Severity) -> Option<BaselineStatus> {
        match self.ids.get(id) {
            None => Some(BaselineStatus::New),
            Some(Some(before)) if severity > *before => Some(BaselineStatus::Escalated { from: *before }),
            Some(_) => None,
        }
    }

    /// Drop the known findings from `report` (keeping new and escalated ones, marked), keep
    /// the people and cases of the rest, and record the counts in `summary.baseline`.
    pub fn apply(&self, report: &mut Report) {
        let before = report.findings.len();
        report.findings.retain_mut(|f| {
            f.baseline = self.status(&f.id, f.severity);
            f.baseline.is_some()
        });
        let listed = report.findings.len();
        let escalated =
            report.findings.iter().filter(|f| matches!(f.baseline, Some(BaselineStatus::Escalated { .. }))).count();
        let members: BTreeSet<&str> =
            report.findings.iter().flat_map(|f| f.members.iter().map(String::as_str)).collect();
        if report.subjects.is_none() {
            report.people.retain(|p| members.contains(p.name.as_str()));
        }
        // A candidate's verdict stands, but one resting only on known findings says so and
        // names them (they are no longer listed, and do not fail this run).
        let listed_ids: BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        for s in report.subjects.iter_mut().flatten() {
            let judged = matches!(s.status, super::model::SubjectStatus::Fail | super::model::SubjectStatus::Warn);
            if judged && !s.findings.is_empty() && s.findings.iter().all(|id| !listed_ids.contains(id.as_str())) {
                s.reason.push_str(&format!(
                    "; already known: every finding behind this verdict is in the baseline {} ({}), so it does not \
                     count against this run",
                    self.file,
                    s.findings.join(", ")
                ));
            }
        }
        // A case lists only what is still listed; a case left with nothing new goes.
        for c in &mut report.cases {
            c.listed.retain(|id| listed_ids.contains(id.as_str()));
        }
        report.cases.retain(|c| !c.listed.is_empty());
        report.summary.cases_listed = report.cases.len() as u64;
        report.summary.listed = listed as u64;
        report.summary.baseline = Some(BaselineSummary {
            file: self.file.clone(),
            already_known: (before - listed) as u64,
            new: (listed - escalated) as u64,
            escalated: escalated as u64,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_severity_of_any_other_shape_is_read_past_as_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.json");
        let array: Vec<u32> = (0..100_000).collect();
        let text = serde_json::json!({"findings": [
            {"id": "a", "severity": "high"},
            {"id": "b", "severity": array},
            {"id": "c", "severity": {"nested": [1, {"x": null}]}},
            {"id": "d", "severity": 3},
            {"id": "e"},
        ]});
        std::fs::write(&path, text.to_string()).unwrap();
        let b = Baseline::read(&path).unwrap();
        assert_eq!(b.ids["a"], Some(Severity::High));
        assert!(["b", "c", "d", "e"].iter().all(|id| b.ids[*id].is_none()));
        // Known at "high": an equal finding is not new, a missing one is.
        assert_eq!(b.status("a", Severity::High), None);
        assert_eq!(b.status("z", Severity::Low), Some(BaselineStatus::New));
    }
}
