//! The two threads behind the queue: the committer owns the store, the searcher the engine.
//! Jobs arrive on a bounded queue; the committer makes the rows of every job already waiting
//! (up to [`MAX_GROUP`] rows) durable together, one fsync for all of them, and hands the group
//! on; the searcher judges and answers its jobs in arrival order while the next group is being
//! committed. No answer leaves before its rows are durable. A full queue is the caller's
//! signal to push back (HTTP answers 503); nothing waits unbounded.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::engine::{Answer, Engine, Person, Totals};
use crate::judgement::{Latest, Trigger};
use crate::store::{Row, Store};
use crate::Error;

/// Most rows committed together.
pub const MAX_GROUP: usize = 4096;

/// Work for the judge.
pub enum Job {
    /// Make these rows durable and answer each (or say why the store failed).
    Rows {
        /// The rows, in order.
        rows: Vec<Row>,
        /// Where the answers go.
        reply: oneshot::Sender<Result<Vec<Answer>, String>>,
    },
    /// The totals after every row queued before this job.
    Totals(oneshot::Sender<Totals>),
    /// One person's view after every row queued before this job.
    Person {
        /// The name asked for.
        name: String,
        /// Where the view goes (`None`: nobody of that name).
        reply: oneshot::Sender<Option<Person>>,
    },
}

impl Job {
    fn rows(&self) -> usize {
        match self {
            Job::Rows { rows, .. } => rows.len(),
            _ => 0,
        }
    }
}

/// What the judge publishes after each group, for health and metrics to read without
/// queueing behind the rows.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// The totals after the last group.
    pub totals: Totals,
    /// Commits made since the start (each one fsync).
    pub commits: u64,
    /// Seconds spent committing.
    pub commit_seconds: f64,
    /// Seconds spent searching (judging the committed rows).
    pub search_seconds: f64,
    /// Rows in the store when the service started (replayed, not answered).
    pub recovered: u64,
    /// Set when the store failed and the judge stopped.
    pub failed: Option<String>,
}

/// The running judge: the queue into it and its two threads.
pub struct Judge {
    /// Where jobs go.
    pub queue: mpsc::Sender<Job>,
    /// What it last published.
    pub published: Arc<Mutex<Published>>,
    committer: JoinHandle<Result<(), Error>>,
    searcher: JoinHandle<Totals>,
}

/// A committed group on its way to the searcher: its jobs and its first row's number.
type Committed = (Vec<Job>, u64);

impl Judge {
    /// Start the judge on `store` and `engine` (already recovered) with room for `queue` jobs;
    /// with `judging`, commits start judgements and answers quote the latest one's verdicts.
    pub fn spawn(store: Store, engine: Engine, queue: usize, judging: Option<(Trigger, Latest)>) -> Judge {
        let (trigger, latest) = judging.unzip();
        let asker = trigger.clone();
        let (tx, rx) = mpsc::channel(queue.max(1));
        let published = Arc::new(Mutex::new(Published {
            totals: engine.totals().clone(),
            recovered: store.len(),
            ..Published::default()
        }));
        // Two groups in flight at most: one being judged, one committed and waiting.
        let (handoff, committed) = std::sync::mpsc::sync_channel::<Committed>(1);
        let shared = Arc::clone(&published);
        let committer = std::thread::Builder::new()
            .name("committer".into())
            .spawn(move || commit(rx, store, handoff, trigger, &shared))
            .expect("the committer thread starts");
        let shared = Arc::clone(&published);
        let searcher = std::thread::Builder::new()
            .name("searcher".into())
            .spawn(move || search(committed, engine, latest, asker, &shared))
            .expect("the searcher thread starts");
        Judge { queue: tx, published, committer, searcher }
    }

    /// Wait for the judge to finish every job queued (it ends when every sender is gone);
    /// the final totals.
    pub fn join(self) -> Result<Totals, Error> {
        drop(self.queue);
        let panicked = || Error::Io(std::io::Error::other("a judge thread panicked"));
        let committed = self.committer.join().unwrap_or_else(|_| Err(panicked()));
        let totals = self.searcher.join().map_err(|_| panicked())?;
        committed.map(|()| totals)
    }
}

fn lock(published: &Mutex<Published>) -> std::sync::MutexGuard<'_, Published> {
    published.lock().unwrap_or_else(|p| p.into_inner())
}

fn commit(
    mut rx: mpsc::Receiver<Job>,
    mut store: Store,
    handoff: std::sync::mpsc::SyncSender<Committed>,
    mut trigger: Option<Trigger>,
    published: &Mutex<Published>,
) -> Result<(), Error> {
    while let Some(first) = rx.blocking_recv() {
        let mut rows = first.rows();
        let mut group = vec![first];
        while rows < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => {
                    rows += job.rows();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let committed = store.append(group.iter().flat_map(|job| match job {
            Job::Rows { rows, .. } => rows.as_slice(),
            _ => &[],
        }));
        let seconds = started.elapsed().as_secs_f64();
        match committed {
            Ok(seq) => {
                let mut p = lock(published);
                p.commits += u64::from(rows > 0);
                p.commit_seconds += seconds;
                drop(p);
                if let Some(t) = trigger.as_mut().filter(|_| rows > 0) {
                    t.after_commit(store.len());
                }
                if handoff.send((group, seq)).is_err() {
                    return Ok(());
                }
            }
            Err(e) => {
                let message = format!("the store failed, nothing of this request was stored: {e}");
                for job in group {
                    if let Job::Rows { reply, .. } = job {
                        let _ = reply.send(Err(message.clone()));
                    }
                }
                lock(published).failed = Some(e.to_string());
                return Err(e);
            }
        }
    }
    Ok(())
}

fn search(
    committed: std::sync::mpsc::Receiver<Committed>,
    mut engine: Engine,
    latest: Option<Latest>,
    asker: Option<Trigger>,
    published: &Mutex<Published>,
) -> Totals {
    for (group, mut seq) in committed {
        let started = Instant::now();
        let judged = latest.as_ref().and_then(|l| l.read().unwrap_or_else(|p| p.into_inner()).clone());
        for job in group {
            match job {
                Job::Rows { rows, reply } => {
                    let answers = rows
                        .iter()
                        .map(|row| {
                            seq += 1;
                            let mut answer =
                                engine.submit(seq - 1, row, judged.as_ref().and_then(|j| j.baselines.as_ref()));
                            if let Some(t) = asker.as_ref().filter(|_| !answer.complete) {
                                // The batch search is exact: the next judgement holds this row.
                                t.now();
                                answer.exact = Some(format!(
                                    "the search stopped at --budget, so these counts are lower bounds; a judgement \
                                     of the rows held has been asked for: GET /v1/cases and /v1/findings give the \
                                     exact result once their judged_rows exceeds {}",
                                    seq - 1
                                ));
                            }
                            if let Some(j) = &judged {
                                j.quote(&mut answer, row.from.trim(), row.to.trim());
                            }
                            answer
                        })
                        .collect();
                    // A client that went away still had its rows stored: they are in the
                    // totals and in a restart's state.
                    let _ = reply.send(Ok(answers));
                }
                Job::Totals(reply) => {
                    let _ = reply.send(engine.totals().clone());
                }
                Job::Person { name, reply } => {
                    let _ = reply.send(engine.person(&name));
                }
            }
        }
        let mut p = lock(published);
        p.totals.clone_from(engine.totals());
        p.search_seconds += started.elapsed().as_secs_f64();
    }
    engine.totals().clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use backscratch::detect::closing::ClosingLimits;

    #[test]
    fn jobs_are_answered_in_order_after_their_rows_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let judge = Judge::spawn(store, Engine::new(ClosingLimits { max_len: 4, budget: 1000, paths: 2 }), 8, None);
        let row = |a: &str, b: &str| Row { from: a.into(), to: b.into(), date: None };
        let (tx1, rx1) = oneshot::channel();
        let (tx2, rx2) = oneshot::channel();
        let (tx3, rx3) = oneshot::channel();
        judge.queue.blocking_send(Job::Rows { rows: vec![row("a", "b"), row("b", "a")], reply: tx1 }).unwrap();
        judge.queue.blocking_send(Job::Totals(tx2)).unwrap();
        judge.queue.blocking_send(Job::Person { name: "a".into(), reply: tx3 }).unwrap();
        let answers = rx1.blocking_recv().unwrap().unwrap();
        assert_eq!((answers[0].seq, answers[1].seq, answers[1].pair), (0, 1, true));
        assert_eq!(rx2.blocking_recv().unwrap().pairs, 1);
        assert_eq!(rx3.blocking_recv().unwrap().unwrap().reciprocal, ["b"]);
        let published = Arc::clone(&judge.published);
        assert_eq!(judge.join().unwrap().rows, 2);
        let p = published.lock().unwrap();
        assert_eq!((p.totals.rows, p.commits), (2, 1));
        assert_eq!(Store::open(dir.path()).unwrap().len(), 2);
    }
}
