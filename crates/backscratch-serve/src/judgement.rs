//! Judgements: the severity rule over every row held, by the library's own scan, so that the
//! service's findings, scores, severities, cases and people are the batch scan's. The rule's
//! signals are relative to the dataset (its baselines: how quickly and how often people here
//! return praise), so they move as rows arrive; a judgement fixes them at the rows it read.
//!
//! One thread makes judgements, one at a time: after the store has grown by a quarter since
//! the last one (at least [`MIN_GROWTH`] rows), at a restart, and whenever asked
//! (`POST /v1/rejudge`, which waits for one that starts after the request). Every live answer
//! names the judgement whose verdicts it quotes (`judged_rows`). A `check` of named people is
//! run on the same thread over the rows held when it starts. The thread runs at a lower
//! priority (nice 10), so judgements take the cores the answers leave.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, RwLock};
use std::time::Instant;

use backscratch::ingest::table::{Column, Table};
use backscratch::report::{renderer, Format, RenderOptions, Report, Verdict};
use backscratch::score::online::Baselines;
use backscratch::{scan, ScanConfig};
use tokio::sync::oneshot;

use crate::store::{Reader, Row};

/// Fewest new rows that start an automatic judgement.
pub const MIN_GROWTH: u64 = 1_000;

/// The rule's view of the rows held at one moment.
#[derive(Debug)]
pub struct Judgement {
    /// How many rows it judged (the store's first `rows`).
    pub rows: u64,
    /// Seconds the scan took.
    pub seconds: f64,
    /// The report, as `scan` makes it of the same rows.
    pub report: Report,
    /// The report as `scan --format json --no-timestamp` writes it.
    pub json: String,
    /// The dataset's baselines in it, which live answers judge what they close against.
    pub baselines: Option<Baselines>,
    verdicts: HashMap<String, Verdict>,
}

impl Judgement {
    /// The verdict of `name` if the report lists them (`people[]`: everyone in a listed
    /// finding).
    pub fn verdict(&self, name: &str) -> Option<Verdict> {
        self.verdicts.get(name).copied()
    }
}

/// The rows committed now, as a table a scan reads (columns `from`, `to`, `date`).
fn table(reader: &Reader) -> Result<(Table, u64), String> {
    let mut columns = ["from", "to", "date"].map(|n| Column::with_capacity(n, 0, 0));
    let mut rows = 0u64;
    reader
        .for_each_row(|Row { from, to, date }| {
            columns[0].push(Some(&from));
            columns[1].push(Some(&to));
            columns[2].push(date.as_deref());
            rows += 1;
        })
        .map_err(|e| e.to_string())?;
    Ok((Table { name: "serve".into(), columns: columns.into() }, rows))
}

/// Scan the rows committed now at `max_len` (for `subjects`: a `check` of them).
fn run_scan(reader: &Reader, max_len: usize, subjects: Option<Vec<String>>) -> Result<(Scanned, u64, f64), String> {
    let started = Instant::now();
    let (table, rows) = table(reader)?;
    if rows == 0 {
        return Err("nothing to judge: no recommendation has been accepted".into());
    }
    let mut c = ScanConfig::default();
    c.max_cycle_len = Some(max_len);
    c.generated_at = None;
    // One worker: the service keeps the other core for answering.
    c.threads = Some(1);
    c.subjects = subjects;
    c.ingest.table = Some(Arc::new(table));
    c.keep_baselines = true;
    let outcome = scan(&c).map_err(|e| e.to_string())?;
    Ok(((outcome.report, outcome.baselines), rows, started.elapsed().as_secs_f64()))
}

/// A scan's report and the baselines it measured.
type Scanned = (Report, Option<Baselines>);

/// The report as `scan --format json` writes it.
pub fn json(report: &Report) -> String {
    let mut out = Vec::new();
    let options = RenderOptions { color: false, fail_on: None };
    // Rendering into memory fails only on a bug; say so rather than panic.
    if let Err(e) = renderer(Format::Json, options).render(report, &mut out) {
        return serde_json::json!({ "error": format!("rendering the report failed: {e}") }).to_string();
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn judge(reader: &Reader, max_len: usize) -> Result<Judgement, String> {
    let ((report, baselines), rows, seconds) = run_scan(reader, max_len, None)?;
    let verdicts = report.people.iter().map(|p| (p.name.clone(), p.verdict)).collect();
    Ok(Judgement { rows, seconds, json: json(&report), report, baselines, verdicts })
}

/// Work for the judging thread.
pub enum Ask {
    /// Make a judgement of the rows held now; the reply, if any, gets it.
    Rejudge(Option<oneshot::Sender<Result<Arc<Judgement>, String>>>),
    /// `check` these people over the rows held now; the reply gets the JSON report.
    Check(Vec<String>, oneshot::Sender<Result<String, String>>),
}

/// The latest judgement, shared with the threads that quote it.
pub type Latest = Arc<RwLock<Option<Arc<Judgement>>>>;

/// The judging thread and the way to it.
pub struct Judger {
    /// Where requests go (bounded: a full queue is the caller's 503).
    pub asks: mpsc::SyncSender<Ask>,
    /// The latest judgement.
    pub latest: Latest,
    pending: Arc<AtomicBool>,
    /// Judgements made and whether one is being made now, for the metrics.
    pub activity: Arc<Activity>,
}

/// What the judging thread is doing, for the metrics.
#[derive(Debug, Default)]
pub struct Activity {
    /// Whether a judgement or a check is running.
    pub busy: AtomicBool,
    /// Judgements made since the start.
    pub made: std::sync::atomic::AtomicU64,
}

impl Judger {
    /// Start judging the rows `reader` reads, at `max_len`.
    pub fn spawn(reader: Reader, max_len: usize) -> Judger {
        let (asks, rx) = mpsc::sync_channel::<Ask>(16);
        let latest: Latest = Arc::default();
        let pending = Arc::new(AtomicBool::new(false));
        let activity = Arc::new(Activity::default());
        let (shared, flag, doing) = (Arc::clone(&latest), Arc::clone(&pending), Arc::clone(&activity));
        // Detached: it only reads, so a stop need not wait for it (it ends when every sender
        // of requests is gone, or with the process).
        std::thread::Builder::new()
            .name("judger".into())
            .spawn(move || {
                background();
                serve(&rx, &reader, max_len, &shared, &flag, &doing)
            })
            .expect("the judging thread starts");
        Judger { asks, latest, pending, activity }
    }

    /// What the committer calls after each commit to start automatic judgements, for a store
    /// that holds `held` rows now (if any, the first judgement starts at once).
    pub fn trigger(&self, held: u64) -> Trigger {
        let mut t = Trigger { asks: self.asks.clone(), pending: Arc::clone(&self.pending), next: 0 };
        if held > 0 {
            t.after_commit(held);
        }
        t
    }
}

/// Starts a judgement when the store has grown enough since the last one, or at once.
#[derive(Clone)]
pub struct Trigger {
    asks: mpsc::SyncSender<Ask>,
    pending: Arc<AtomicBool>,
    next: u64,
}

impl Trigger {
    /// Ask for a judgement of the rows committed now, unless one is already waiting to start
    /// (so at most one waits, and one runs, whatever asks).
    pub fn now(&self) {
        if !self.pending.swap(true, Ordering::AcqRel) && self.asks.try_send(Ask::Rejudge(None)).is_err() {
            self.pending.store(false, Ordering::Release);
        }
    }

    /// The store now holds `held` rows.
    pub fn after_commit(&mut self, held: u64) {
        if held < self.next || self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        self.next = held + (held / 4).max(MIN_GROWTH);
        if self.asks.try_send(Ask::Rejudge(None)).is_err() {
            self.pending.store(false, Ordering::Release);
        }
    }
}

/// Lower this thread's priority (nice 10): judgements are background work, and when the
/// cores are busy the answers, which someone is waiting for, should get them.
fn background() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take no pointers; setpriority on our own thread id only
    // changes this thread's nice value, and a failure (EPERM, EACCES) is harmless.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Give the memory a judgement freed back to the system (glibc keeps it otherwise, and a
/// long-running service's resident set would stay at its largest judgement).
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers and only releases free heap pages.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn serve(
    rx: &mpsc::Receiver<Ask>,
    reader: &Reader,
    max_len: usize,
    latest: &Latest,
    pending: &AtomicBool,
    activity: &Activity,
) {
    while let Ok(first) = rx.recv() {
        activity.busy.store(true, Ordering::Release);
        let mut asks = vec![first];
        asks.extend(rx.try_iter());
        let (mut waiting, mut rejudge, mut checks) = (Vec::new(), false, Vec::new());
        for ask in asks {
            match ask {
                Ask::Rejudge(reply) => {
                    rejudge = true;
                    waiting.extend(reply);
                }
                Ask::Check(names, reply) => checks.push((names, reply)),
            }
        }
        if rejudge {
            pending.store(false, Ordering::Release);
            let made = judge(reader, max_len).map(Arc::new);
            if let Ok(j) = &made {
                // The one before is dropped here (unless a reader still holds it).
                *latest.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(j));
                activity.made.fetch_add(1, Ordering::Relaxed);
            }
            for reply in waiting {
                let _ = reply.send(made.clone());
            }
        }
        for (names, reply) in checks {
            let _ = reply.send(run_scan(reader, max_len, Some(names)).map(|((report, _), _, _)| json(&report)));
        }
        return_freed_memory();
        activity.busy.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_judgement_is_the_scan_of_the_rows_held() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let row = |a: &str, b: &str, d: &str| Row { from: a.into(), to: b.into(), date: Some(d.into()) };
        store.append(&[row("ann", "bo", "2024-01-01"), row("bo", "ann", "2024-01-02")]).unwrap();
        let j = judge(&store.reader(), 4).unwrap();
        assert_eq!((j.rows, j.report.summary.reciprocal_pairs), (2, 1));
        assert!(j.json.starts_with('{') && j.json.contains("\"reciprocal_pairs\": 1"), "{}", j.json);
        assert!(j.verdict("ann").is_some() && j.verdict("nobody").is_none());
        let empty = tempfile::tempdir().unwrap();
        assert!(judge(&Store::open(empty.path()).unwrap().reader(), 4).unwrap_err().starts_with("nothing to judge"));
    }

    /// Judge `rows`, take them into an engine, and judge every listed pair and cycle of the
    /// judgement's report again on its own from the engine's graph, as a live answer does:
    /// id, score, severity and every signal must be the report's. Returns how many compared.
    fn answers_judge_as_the_scan(rows: &[Row], what: &str) -> usize {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.append(rows).unwrap();
        let j = judge(&store.reader(), 4).unwrap();
        let baselines = j.baselines.as_ref().expect("a judgement keeps its baselines");
        let limits = backscratch::detect::closing::ClosingLimits { max_len: 4, budget: 1 << 20, paths: 3 };
        let mut engine = crate::engine::Engine::new(limits);
        rows.iter().for_each(|r| engine.replay(r));
        let mut compared = 0;
        for f in j.report.findings.iter().filter(|f| f.kind != backscratch::score::FindingKind::Ring) {
            let members: Vec<&str> = f.members.iter().map(String::as_str).collect();
            let alone = engine.judge_members(baselines, &members).unwrap_or_else(|| panic!("{what}: {}", f.id));
            assert_eq!((&alone.id, alone.kind, &alone.members), (&f.id, f.kind, &f.members), "{what}");
            assert_eq!((alone.score, alone.severity), (f.score, f.severity), "{what}: {}", f.id);
            assert_eq!(alone.signals, f.signals, "{what}: {}", f.id);
            compared += 1;
        }
        compared
    }

    #[test]
    fn an_answer_judges_what_it_closed_as_the_scan_does() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/recommendations.csv"))
                .unwrap();
        let rows: Vec<Row> = text
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                Row { from: f[0].into(), to: f[1].into(), date: Some(f[2].into()) }
            })
            .collect();
        assert!(answers_judge_as_the_scan(&rows, "the sample") > 0);
        let alpha = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/real/snap/soc-sign-bitcoinalpha.csv.gz");
        let Ok(file) = std::fs::File::open(alpha) else {
            eprintln!("skipped Bitcoin Alpha: {alpha} is missing");
            return;
        };
        use std::io::BufRead;
        let rows: Vec<Row> = std::io::BufReader::new(flate2::read::GzDecoder::new(file))
            .lines()
            .map(|l| l.unwrap().split(',').map(str::to_string).collect::<Vec<_>>())
            .filter(|f| f[2].parse::<f64>().unwrap() > 0.0)
            .map(|f| Row { from: f[0].clone(), to: f[1].clone(), date: Some(f[3].trim().into()) })
            .collect();
        // Every listed pair and cycle of the default report (up to 1,000 findings).
        assert!(answers_judge_as_the_scan(&rows, "Bitcoin Alpha") > 100);
    }
}
