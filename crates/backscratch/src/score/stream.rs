//! Every finding of a scan, one at a time, for `--format jsonl`: the reciprocal pairs, then
//! every cycle (a third search, judged as the first one judged it), then the rings, each with
//! its outcome and its case. The cycles are found by one thread, in a fixed order, and their
//! lines made on every core a batch at a time (`stream_cycles`); nothing is held but a few
//! batches, so the stream is the same whatever the threads and its memory does not grow
//! with the number of findings.

use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Mutex};

use rayon::prelude::*;

use super::allow::Allowlist;
use super::assess::Evidence;
use super::casebook::CaseOf;
use super::findings::{ScoreOptions, Scoring};
use super::rule::Outcome;
use super::verdicts::VerdictCache;
use super::{FindingKind, Severity};
use crate::detect::cycles::{self, CycleVisitor, SearchParams, MAX_CYCLE_LEN};
use crate::detect::pairs::reciprocal_pairs;

/// Judged cycles per batch (about 90 bytes each, and 200 of text).
const BATCH: usize = 1 << 15;

/// Batches between the search and the writing: the search waits when all are full.
const BATCHES_IN_FLIGHT: usize = 2;

/// Reciprocal pairs judged per chunk.
const PAIRS_PER_CHUNK: usize = 1 << 14;

/// One finding as the stream sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Streamed<'a> {
    /// Pair, cycle or ring.
    pub kind: FindingKind,
    /// Its people (a cycle's in order around it, from the smallest id; a ring's sorted).
    pub members: &'a [u32],
    /// Its recommendations.
    pub edges: &'a [u32],
    /// The rule's outcome.
    pub outcome: Outcome,
    /// Whether the allowlist suppresses it.
    pub suppressed: bool,
    /// Its case (index in [`Scoring::cases`]): a ring's people's, or for an unsuppressed
    /// pair or cycle at medium or above the case of most of its members.
    pub case: Option<u32>,
}

/// How the stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamEnd {
    /// Findings passed to the line writer.
    pub findings: u64,
    /// Whether `stop` cut the cycle search short (the stream is then incomplete).
    pub stopped: bool,
}

/// Pass every finding of a scan to `line`, which appends its text (or nothing) to a
/// buffer, and every buffer to `write`, in a fixed order. `scoring` is the scan's outcome
/// over the same evidence, allowlist and options (its rings and cases).
pub(crate) fn stream_findings(
    ev: &Evidence<'_>,
    allow: &Allowlist,
    scoring: &Scoring,
    options: ScoreOptions,
    stop: &AtomicBool,
    line: &(dyn Fn(&Streamed<'_>, &mut Vec<u8>) + Sync),
    write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<StreamEnd> {
    let g = ev.g;
    let stream = Stream { ev, allow, case_of: &scoring.case_of, line };
    let mut findings = 0;

    let pairs = reciprocal_pairs(g);
    for chunk in pairs.chunks(PAIRS_PER_CHUNK) {
        let (text, n) = chunk
            .par_iter()
            .fold(
                || (Vec::new(), 0u64),
                |(mut buf, n), p| {
                    let outcome = ev.outcome(FindingKind::Pair, &[p.a, p.b], &[p.ab, p.ba]);
                    stream.emit(FindingKind::Pair, &[p.a, p.b], &[p.ab, p.ba], outcome, &mut buf);
                    (buf, n + 1)
                },
            )
            .reduce(|| (Vec::new(), 0), join);
        write(&text)?;
        findings += n;
    }
    drop(pairs);

    let (n, stopped) = stream_cycles(&stream, options, stop, write)?;
    findings += n;

    let mut text = Vec::new();
    for ring in &scoring.rings {
        let outcome = ev.judge(FindingKind::Ring, &ring.members, &ring.edges).1;
        stream.emit(FindingKind::Ring, &ring.members, &ring.edges, outcome, &mut text);
        findings += 1;
    }
    write(&text)?;
    Ok(StreamEnd { findings, stopped })
}

fn join((mut a, n): (Vec<u8>, u64), (b, m): (Vec<u8>, u64)) -> (Vec<u8>, u64) {
    a.extend_from_slice(&b);
    (a, n + m)
}

/// What every chunk needs to judge and write a finding.
struct Stream<'a> {
    ev: &'a Evidence<'a>,
    allow: &'a Allowlist,
    case_of: &'a CaseOf,
    line: &'a (dyn Fn(&Streamed<'_>, &mut Vec<u8>) + Sync),
}

impl Stream<'_> {
    fn emit(&self, kind: FindingKind, members: &[u32], edges: &[u32], outcome: Outcome, buf: &mut Vec<u8>) {
        let suppressed = !self.allow.is_empty() && self.allow.matching(members).is_some();
        // A ring is under the case of its people, as the report lists it; a pair or a cycle
        // is in the case of most of its members when it is flagged.
        let case = if kind == FindingKind::Ring {
            self.case_of.of_ring(members)
        } else if suppressed || outcome.severity < Severity::Medium {
            None
        } else {
            self.case_of.of_finding(members)
        };
        (self.line)(&Streamed { kind, members, edges, outcome, suppressed, case }, buf);
    }
}

/// One judged cycle waiting for its line.
#[derive(Clone, Copy)]
struct Record {
    len: u8,
    vertices: [u32; MAX_CYCLE_LEN],
    edges: [u32; MAX_CYCLE_LEN],
    outcome: Outcome,
}

/// Every cycle to `write`, in the order one thread finds them: the search runs on a thread
/// of its own and hands over batches of judged cycles through a channel of
/// [`BATCHES_IN_FLIGHT`] (so it waits when the writing falls behind), and each batch's
/// lines are made on every core of the caller's pool, then written in order. Returns the
/// cycles written and whether `stop` cut the search short.
fn stream_cycles(
    stream: &Stream<'_>,
    options: ScoreOptions,
    stop: &AtomicBool,
    write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<(u64, bool)> {
    let g = stream.ev.g;
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().map_err(io::Error::other)?;
    let (batches, received) = mpsc::sync_channel::<Vec<Record>>(BATCHES_IN_FLIGHT);
    let pending = &Mutex::new(Vec::with_capacity(BATCH));
    let one = &one;
    std::thread::scope(|s| {
        let search = s.spawn(move || {
            let roots = cycles::search_roots(g, g.components());
            let params = SearchParams { max_len: options.max_len, components: g.components(), stop };
            // One thread: the visitors see the cycles one after another in the search's
            // order, and all add to one batch.
            let out = one.install(|| {
                cycles::search_from::<true, _, _>(g, params, &roots, || CycleRecords {
                    ev: stream.ev,
                    window: options.window_seconds,
                    verdicts: VerdictCache::default(),
                    pending,
                    batches: &batches,
                })
            });
            let stopped = out.stopped;
            drop(out);
            let rest = std::mem::take(&mut *pending.lock().unwrap_or_else(|e| e.into_inner()));
            if !rest.is_empty() {
                let _ = batches.send(rest);
            }
            stopped
        });
        let mut written = 0u64;
        let mut result = Ok(());
        for batch in received.iter() {
            if result.is_err() {
                continue; // drain, so the search can finish
            }
            let text = batch
                .par_chunks(1024)
                .map(|part| {
                    let mut buf = Vec::new();
                    for r in part {
                        let (v, e) = (&r.vertices[..r.len as usize], &r.edges[..r.len as usize]);
                        stream.emit(FindingKind::Cycle, v, e, r.outcome, &mut buf);
                    }
                    buf
                })
                .collect::<Vec<_>>();
            written += batch.len() as u64;
            result = text.iter().try_for_each(|t| write(t));
        }
        let stopped = search.join().expect("the search thread does not panic");
        result.map(|()| (written, stopped))
    })
}

/// Judges each cycle and adds it to the batch being filled, sending full batches on.
struct CycleRecords<'a> {
    ev: &'a Evidence<'a>,
    window: Option<i64>,
    verdicts: VerdictCache,
    pending: &'a Mutex<Vec<Record>>,
    batches: &'a mpsc::SyncSender<Vec<Record>>,
}

impl CycleVisitor for CycleRecords<'_> {
    fn cycle(&mut self, vertices: &[u32], edges: &[u32]) {
        if let Some(w) = self.window {
            if super::time::span_seconds(self.ev.g, edges).is_some_and(|span| span > w) {
                return; // not a finding
            }
        }
        let outcome = self.ev.cached_outcome(FindingKind::Cycle, vertices, edges, &mut self.verdicts);
        let mut r =
            Record { len: vertices.len() as u8, vertices: [0; MAX_CYCLE_LEN], edges: [0; MAX_CYCLE_LEN], outcome };
        r.vertices[..vertices.len()].copy_from_slice(vertices);
        r.edges[..edges.len()].copy_from_slice(edges);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.push(r);
        if pending.len() >= BATCH {
            let full = std::mem::replace(&mut *pending, Vec::with_capacity(BATCH));
            // A closed channel means the writing failed; the error is reported there.
            let _ = self.batches.send(full);
        }
    }
    fn merge(&mut self, _other: Self) {}
}
