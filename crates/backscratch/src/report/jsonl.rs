//! The JSON Lines renderer: one finding per line, each carrying `schema_version`, for
//! streaming into log pipelines and `jq -c`. A `scan` streams every finding
//! ([`StreamFormat`], fed by [`crate::score::stream`]); a `check`, a cluster run and [`Jsonl`]
//! over a finished report write their listed findings, in the same lines.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::baseline::Baseline;
use super::build::id_for;
use super::model::{BaselineStatus, Report, SCHEMA_VERSION};
use super::redact::Pseudonyms;
use super::render::Render;
use crate::graph::Graph;
use crate::score::allow::Allowlist;
use crate::score::assess::Evidence;
use crate::score::rule::Check;
use crate::score::stream::{stream_findings, StreamEnd, Streamed};
use crate::score::{FindingKind, Severity};
use crate::score::{ScoreOptions, Scoring};

/// `--format jsonl` over a finished report: the listed findings, in the lines a `scan`
/// streams for every finding.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jsonl;

impl Render for Jsonl {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut buffered = BufWriter::with_capacity(1 << 16, out);
        for f in &report.findings {
            let line = StreamLine {
                schema_version: report.schema_version,
                id: f.id.clone(),
                kind: f.kind,
                members: f.members.iter().map(|m| Cow::Borrowed(m.as_str())).collect(),
                score: f.score,
                severity: f.severity,
                signals_fired: f.signals.iter().filter(|s| s.fired).map(|s| s.name.as_str()).collect(),
                suppressed: f.suppressed_by.is_some(),
                case: f.case.as_deref(),
                baseline: f.baseline,
            };
            serde_json::to_writer(&mut buffered, &line)?;
            buffered.write_all(b"\n")?;
        }
        buffered.flush()
    }
}

/// One line of the stream of every finding (`--format jsonl` from `scan`): the finding's
/// id, kind, members, score, severity, the signals that fired, whether the allowlist
/// suppresses it and its case, without the explanations and recommendations the report
/// gives its listed findings (find those by id in the JSON report).
#[derive(Serialize)]
struct StreamLine<'a> {
    schema_version: u32,
    id: String,
    kind: FindingKind,
    members: Vec<Cow<'a, str>>,
    score: u8,
    severity: Severity,
    signals_fired: Vec<&'a str>,
    suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    case: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineStatus>,
}

/// What turns a streamed finding into its line.
pub(crate) struct StreamFormat<'a> {
    /// The scan's graph.
    pub graph: &'a Graph,
    /// The id of every case, by index in the scan's cases.
    pub case_ids: Vec<String>,
    /// `--redact`: members by pseudonym (ids and case ids stay those of the names).
    pub pseudonyms: Option<&'a Pseudonyms>,
    /// `--baseline`: findings known at the same or a higher severity are left out.
    pub baseline: Option<&'a Baseline>,
}

impl StreamFormat<'_> {
    /// Append the line of `f` to `out`, or nothing when the baseline already knows it.
    pub(crate) fn line(&self, f: &Streamed<'_>, out: &mut Vec<u8>) {
        let g = self.graph;
        let id = id_for(g, f.kind, f.members, f.edges);
        let baseline = match self.baseline {
            Some(b) => match b.status(&id, f.outcome.severity) {
                None => return,
                status => status,
            },
            None => None,
        };
        let members = f
            .members
            .iter()
            .map(|&v| match self.pseudonyms {
                Some(p) => Cow::Owned(p.of(g.name(v))),
                None => Cow::Borrowed(g.name(v)),
            })
            .collect();
        let signals_fired = Check::ALL
            .iter()
            .filter(|&&c| f.outcome.fired(c))
            .map(|&c| crate::score::assess::signal_name(c, f.kind))
            .collect();
        let line = StreamLine {
            schema_version: SCHEMA_VERSION,
            id,
            kind: f.kind,
            members,
            score: f.outcome.score,
            severity: f.outcome.severity,
            signals_fired,
            suppressed: f.suppressed,
            case: f.case.map(|c| self.case_ids[c as usize].as_str()),
            baseline,
        };
        serde_json::to_writer(&mut *out, &line).expect("writing JSON to memory cannot fail");
        out.push(b'\n');
    }
}

/// Stream every finding of a scan to `path` (replaced whole, as any report) in lines of
/// `format`; how the stream ended.
pub(crate) fn stream_to(
    path: &std::path::Path,
    format: &StreamFormat<'_>,
    scan: StreamInputs<'_>,
    stop: &std::sync::atomic::AtomicBool,
) -> io::Result<StreamEnd> {
    let mut end = None;
    super::output::write_with(path, &mut |out| {
        let line = |f: &Streamed<'_>, buf: &mut Vec<u8>| format.line(f, buf);
        let mut write = |bytes: &[u8]| out.write_all(bytes);
        end = Some(stream_findings(scan.evidence, scan.allow, scan.scoring, scan.options, stop, &line, &mut write)?);
        Ok(())
    })?;
    Ok(end.expect("the stream ran"))
}

/// The scan whose findings are streamed.
#[derive(Clone, Copy)]
pub(crate) struct StreamInputs<'a> {
    /// Its evidence.
    pub evidence: &'a Evidence<'a>,
    /// Its allowlist.
    pub allow: &'a Allowlist,
    /// Its scoring (rings and cases).
    pub scoring: &'a Scoring,
    /// Its options.
    pub options: ScoreOptions,
}
