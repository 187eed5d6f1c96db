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
use std::sync::{mpsc, Arc, OnceLock, RwLock};
use std::time::Instant;

use backscratch::ingest::table::{Column, Table};
use backscratch::report::{renderer, Format, RenderOptions, Report, Verdict};
use backscratch::score::online::Baselines;
use backscratch::score::{FindingKind, Severity};
use backscratch::{scan, ScanConfig};
use tokio::sync::oneshot;

use crate::engine::{Answer, VerdictChange};
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
    /// The report as `scan --format json --no-timestamp` writes it, rendered once when first
    /// asked for ([`Judgement::json`]).
    json: OnceLock<String>,
    /// The dataset's baselines in it, which live answers judge what they close against.
    pub baselines: Option<Baselines>,
    /// Everyone `people[]` lists: their verdict and the case they are in.
    people: HashMap<String, (Verdict, Option<String>)>,
    /// Each recommendation of a listed finding: the rings and cases of the listed findings
    /// it is in (ids, each once).
    joined: HashMap<(String, String), Joined>,
}

/// The rings and cases a recommendation is in.
#[derive(Debug, Default)]
struct Joined {
    rings: Vec<String>,
    cases: Vec<String>,
}

fn add_once(ids: &mut Vec<String>, id: &str) {
    if !ids.iter().any(|i| i == id) {
        ids.push(id.to_string());
    }
}

impl Judgement {
    /// Judge the rows `reader` reads now, at `max_len`: the library's scan of them.
    pub fn of(reader: &Reader, max_len: usize) -> Result<Judgement, String> {
        let ((report, baselines), rows, seconds) = run_scan(reader, max_len, None)?;
        let people = report.people.iter().map(|p| (p.name.clone(), (p.verdict, p.case.clone()))).collect();
        let mut joined = HashMap::<(String, String), Joined>::new();
        for f in &report.findings {
            let ring = if f.kind == FindingKind::Ring { Some(&f.id) } else { f.part_of.as_ref() };
            for e in &f.edges {
                let j = joined.entry((e.from.clone(), e.to.clone())).or_default();
                ring.into_iter().for_each(|r| add_once(&mut j.rings, r));
                f.case.iter().for_each(|c| add_once(&mut j.cases, c));
            }
        }
        joined.retain(|_, j| !j.rings.is_empty() || !j.cases.is_empty());
        Ok(Judgement { rows, seconds, json: OnceLock::new(), report, baselines, people, joined })
    }

    /// The report as `scan --format json --no-timestamp` writes it. The judging thread renders
    /// it as soon as it makes a judgement for HTTP (`GET /v1/report`); `--stdio`, which never
    /// serves it, never renders it.
    pub fn json(&self) -> &str {
        self.json.get_or_init(|| json(&self.report))
    }

    /// The verdict of `name` if the report lists them (`people[]`: everyone in a listed
    /// finding).
    pub fn verdict(&self, name: &str) -> Option<Verdict> {
        self.people.get(name).map(|(v, _)| *v)
    }

    /// The id of the case `name` is a member of, if the report lists them in one.
    pub fn case(&self, name: &str) -> Option<&str> {
        self.people.get(name).and_then(|(_, c)| c.as_deref())
    }

    /// Quote this judgement in the answer to the recommendation `from -> to`: the rows it
    /// judged, the two people's verdicts and cases in it, the verdicts the answer's flagged
    /// findings (medium or above) raise, and for each of those findings the listed rings and
    /// cases it joins: those of the listed findings it shares a recommendation with, which is
    /// how a scan merges flagged findings into rings and cases.
    pub fn quote(&self, answer: &mut Answer, from: &str, to: &str) {
        answer.judged_rows = Some(self.rows);
        for name in [from, to] {
            if let Some(v) = self.verdict(name) {
                answer.verdicts.insert(name.to_string(), v);
            }
            if let Some(c) = self.case(name) {
                answer.cases.insert(name.to_string(), c.to_string());
            }
        }
        for f in answer.findings.iter_mut().filter(|f| f.severity >= Severity::Medium) {
            let now = if f.severity == Severity::High { Verdict::Fail } else { Verdict::Warn };
            for m in &f.members {
                let was = self.verdict(m);
                let raised = answer.verdict_changes.get(m).map_or(now, |c| c.now.max(now));
                if was < Some(raised) {
                    answer.verdict_changes.insert(m.clone(), VerdictChange { was, now: raised });
                }
            }
            for e in &f.edges {
                if let Some(j) = self.joined.get(e) {
                    j.rings.iter().for_each(|r| add_once(&mut f.rings, r));
                    j.cases.iter().for_each(|c| add_once(&mut f.cases, c));
                }
            }
        }
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
        self.next = next_judgement(held);
        if self.asks.try_send(Ask::Rejudge(None)).is_err() {
            self.pending.store(false, Ordering::Release);
        }
    }
}

/// How many rows the store holds when the next automatic judgement starts, after one of
/// `held` rows: a quarter more, and at least [`MIN_GROWTH`] more.
pub fn next_judgement(held: u64) -> u64 {
    held + (held / 4).max(MIN_GROWTH)
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
            let made = Judgement::of(reader, max_len).map(Arc::new);
            if let Ok(j) = &made {
                // Rendered here, at this thread's low priority, not by the first request.
                j.json();
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
        let j = Judgement::of(&store.reader(), 4).unwrap();
        assert_eq!((j.rows, j.report.summary.reciprocal_pairs), (2, 1));
        assert!(j.json().starts_with('{') && j.json().contains("\"reciprocal_pairs\": 1"), "{}", j.json());
        assert!(j.verdict("ann").is_some() && j.verdict("nobody").is_none());
        let empty = tempfile::tempdir().unwrap();
        assert!(Judgement::of(&Store::open(empty.path()).unwrap().reader(), 4)
            .unwrap_err()
            .starts_with("nothing to judge"));
    }

    /// Judge `rows`, take them into an engine, and judge every listed pair and cycle of the
    /// judgement's report again on its own from the engine's graph, as a live answer does:
    /// id, score, severity and every signal must be the report's. Returns how many compared.
    fn answers_judge_as_the_scan(rows: &[Row], what: &str) -> usize {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.append(rows).unwrap();
        let j = Judgement::of(&store.reader(), 4).unwrap();
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

    fn sample() -> Vec<Row> {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/recommendations.csv"))
                .unwrap();
        text.lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                Row { from: f[0].into(), to: f[1].into(), date: Some(f[2].into()) }
            })
            .collect()
    }

    /// Bitcoin Alpha's positive ratings, dated (`None` when `../shared` is missing).
    fn alpha() -> Option<Vec<Row>> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/real/snap/soc-sign-bitcoinalpha.csv.gz");
        let Ok(file) = std::fs::File::open(path) else {
            eprintln!("skipped Bitcoin Alpha: {path} is missing");
            return None;
        };
        use std::io::BufRead;
        let rows = std::io::BufReader::new(flate2::read::GzDecoder::new(file))
            .lines()
            .map(|l| l.unwrap().split(',').map(str::to_string).collect::<Vec<_>>())
            .filter(|f| f[2].parse::<f64>().unwrap() > 0.0)
            .map(|f| Row { from: f[0].clone(), to: f[1].clone(), date: Some(f[3].trim().into()) })
            .collect();
        Some(rows)
    }

    /// Judge `rows` without the recommendation `last` (every copy of it), then submit it to
    /// an engine that holds the rest: that judgement, and the answer quoting it.
    fn withheld(rows: &[Row], last: (&str, &str)) -> (Judgement, Answer) {
        let (after, before): (Vec<Row>, Vec<Row>) =
            rows.iter().cloned().partition(|r| (r.from.as_str(), r.to.as_str()) == last);
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.append(&before).unwrap();
        let earlier = Judgement::of(&store.reader(), 4).unwrap();
        let limits = backscratch::detect::closing::ClosingLimits { max_len: 4, budget: 1 << 20, paths: 100 };
        let mut engine = crate::engine::Engine::new(limits);
        before.iter().for_each(|r| engine.replay(r));
        let mut answer = engine.submit(before.len() as u64, &after[0], earlier.baselines.as_ref());
        earlier.quote(&mut answer, &after[0].from, &after[0].to);
        (earlier, answer)
    }

    /// For the first flagged pairs and cycles of Bitcoin Alpha's report that share a case
    /// with other findings (not a core split from a larger group, which a judgement may cut
    /// differently): judge the rows without the finding's last recommendation, then submit
    /// that one. The answer judges the finding, names the cases of the judgement before that
    /// it joins, and the next judgement puts it in a case that holds each of them.
    #[test]
    fn an_answer_names_the_cases_the_next_judgement_puts_its_trade_in() {
        let Some(rows) = alpha() else { return };
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.append(&rows).unwrap();
        let full = Judgement::of(&store.reader(), 4).unwrap();
        let case_of = |id: &str| full.report.cases.iter().find(|c| c.id == id).unwrap();
        let (mut checked, mut rings) = (0, 0);
        for f in full.report.findings.iter().filter(|f| f.kind != FindingKind::Ring && f.severity >= Severity::Medium) {
            let Some(case) = f.case.as_deref().map(case_of).filter(|c| c.findings > 1 && c.split_from.is_none()) else {
                continue;
            };
            if checked == 5 {
                break;
            }
            let last = f.edges.last().unwrap();
            let (earlier, answer) = withheld(&rows, (&last.from, &last.to));
            assert_eq!(answer.judged_rows, Some(earlier.rows));
            let judged =
                answer.findings.iter().find(|a| a.id == f.id).unwrap_or_else(|| panic!("{}: {answer:?}", f.id));
            if judged.severity < Severity::Medium {
                continue;
            }
            assert!(!judged.cases.is_empty(), "{}: joins no case of {:?}", f.id, earlier.report.cases);
            for joined in &judged.cases {
                let was = earlier.report.cases.iter().find(|c| &c.id == joined).unwrap();
                assert!(
                    was.members.iter().all(|m| case.members.contains(m)),
                    "{}: {joined} not inside {}",
                    f.id,
                    case.id
                );
            }
            for joined in &judged.rings {
                let was = earlier.report.findings.iter().find(|r| &r.id == joined).unwrap();
                let ring = f.part_of.as_deref().map(|id| full.report.findings.iter().find(|r| r.id == id).unwrap());
                let inside = ring.is_some_and(|r| was.members.iter().all(|m| r.members.contains(m)));
                // A ring that grew past a ring's size is reported as its findings instead.
                assert!(inside || f.part_of.is_none(), "{}: {joined} not inside {:?}", f.id, f.part_of);
                rings += usize::from(inside);
            }
            checked += 1;
        }
        eprintln!("{checked} trades checked, {rings} joined a ring the next judgement grows");
        assert_eq!(checked, 5, "Bitcoin Alpha has flagged trades that join cases");
    }

    /// The sample's ring of three (Kofi, Lena, Marco) without its last recommendation is no
    /// finding: the answer to that recommendation raises the three to the verdict the full
    /// judgement gives them.
    #[test]
    fn an_answer_says_whose_verdict_it_raises() {
        let rows = sample();
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.append(&rows).unwrap();
        let full = Judgement::of(&store.reader(), 4).unwrap();
        let (_, answer) = withheld(&rows, ("Marco Rossi", "Kofi Mensah"));
        let raised: Vec<(&str, Option<Verdict>, Verdict)> =
            answer.verdict_changes.iter().map(|(n, c)| (n.as_str(), c.was, c.now)).collect();
        assert_eq!(raised.len(), 3, "{answer:?}");
        for (name, was, now) in raised {
            assert_ne!(was, Some(now), "{name}");
            assert_eq!(full.verdict(name), Some(now), "{name}: the full judgement's verdict");
        }
    }

    #[test]
    fn an_answer_judges_what_it_closed_as_the_scan_does() {
        let rows = sample();
        assert!(answers_judge_as_the_scan(&rows, "the sample") > 0);
        let Some(rows) = alpha() else { return };
        // Every listed pair and cycle of the default report (up to 1,000 findings).
        assert!(answers_judge_as_the_scan(&rows, "Bitcoin Alpha") > 100);
    }
}
