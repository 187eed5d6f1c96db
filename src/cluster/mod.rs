//! Scale-out: one scan run by several processes (on one machine or many) that talk over TCP
//! with timely dataflow (the engine under Materialize and differential dataflow), inside
//! our own binary, with no scheduler to install.
//!
//! Each process reads its share of the inputs (byte ranges of plain files cut at line ends,
//! see [`share`]). A judged scan (the default) then gathers the rows to process 0, which
//! builds the graph and judges it exactly as one process does ([`gather`]). `--count-only`
//! gathers nothing: names are numbered by a dictionary partitioned by a hash of the name,
//! edges live with their recommender's process, and pairs and cycles are counted by
//! distributed joins of half-paths ([`count`]). Process 0 writes the report and every process
//! exits with its code.
//!
//! Failure is an error, never a hang: a peer that cannot be reached within
//! `--connect-timeout`, was started with other inputs or flags, or dies mid-scan makes every
//! surviving process stop with exit code 2 and a message naming the peer.

pub mod count;
pub mod exchange;
pub mod gather;
pub mod hosts;
pub mod mesh;
pub mod share;
pub mod wire;

use std::time::Duration;

use crate::error::{Error, Result};
use crate::scan::{ScanConfig, ScanOutcome};
pub use exchange::Node;

/// How this process takes part in a cluster run.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// `host:port` of every process, in order (`--hosts FILE`).
    pub hosts: Vec<String>,
    /// This process's index into `hosts` (`--process I`).
    pub process: usize,
    /// How long to wait for every peer at the start (`--connect-timeout`).
    pub connect_timeout: Duration,
    /// A digest of everything that must be the same in every process (inputs, their sizes,
    /// and the flags); a peer showing another is refused.
    pub fingerprint: u64,
}

impl ClusterConfig {
    fn validate(&self) -> Result<()> {
        if self.process >= self.hosts.len() {
            return Err(Error::Config(format!(
                "--process {} but the host file lists {} process(es), numbered from 0",
                self.process,
                self.hosts.len()
            )));
        }
        Ok(())
    }
}

/// Connect to every peer, then run `work` on this process's worker with a [`Node`] to talk
/// to the others; returns what `work` returned. A peer lost mid-run ends this process with
/// exit code 2 and a message naming it (see [`exchange::watch_peers`]).
pub fn execute<T, F>(config: &ClusterConfig, work: F) -> Result<T>
where
    T: Send + 'static,
    F: Fn(&mut Node<'_>) -> T + Send + Sync + 'static,
{
    config.validate()?;
    let peers = mesh::Peers { hosts: &config.hosts, me: config.process, fingerprint: config.fingerprint };
    let sockets = mesh::connect(&peers, config.connect_timeout)?;
    exchange::watch_peers(config.hosts.clone(), config.process);
    exchange::run(sockets, config.process, work)
}

/// Run `config`'s scan as this process's part of a cluster run (every process calls it with
/// the same config). Process 0 gets the outcome; the others `None`. An error anywhere is an
/// error everywhere, naming the process it came from.
pub fn scan(node: &mut Node<'_>, config: &ScanConfig) -> Result<Option<ScanOutcome>> {
    let checked = (|| {
        config.validate()?;
        if config.time_budget.is_some() {
            return Err(Error::Config("--time-budget cannot be used with --hosts (not supported yet)".into()));
        }
        if config.ingest.table.is_some() {
            return Err(Error::Config("a table in memory cannot be scanned by a cluster".into()));
        }
        if let Some(n) = config.threads {
            // The pool may exist already (a second scan in one process): then it stays.
            let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
        }
        Ok(())
    })();
    node.agree(checked)?;
    let inputs = share::plan(node, &config.inputs, &config.ingest)?;
    let (local, done) = share::read(node, &inputs, &config.ingest)?;
    if config.count_only {
        return count_only(node, config, &inputs, local, &done);
    }
    let received = node.gather(gather::encode(local, &done));
    let outcome = if node.index() == 0 {
        let assembled = gather::assemble(&received, &inputs, &config.ingest);
        drop(received);
        assembled.and_then(|ingested| crate::scan::scan_read(config, |_| Ok(ingested))).map(Some)
    } else {
        Ok(None)
    };
    node.agree(outcome)
}

/// `--count-only`: count where the rows are (see [`count`]); process 0 gets every input's
/// accounting (no rows) and writes the report.
fn count_only(
    node: &mut Node<'_>,
    config: &ScanConfig,
    inputs: &share::Inputs,
    local: crate::ingest::Ingested,
    done: &[share::Done],
) -> Result<Option<ScanOutcome>> {
    node.agree(if inputs.exports.is_empty() {
        Ok(())
    } else {
        Err(Error::Config(
            "--count-only on a cluster reads edge lists only; LinkedIn exports need a judged scan (without \
             --count-only)"
                .into(),
        ))
    })?;
    let received = node.gather(gather::encode(crate::ingest::Ingested::default(), done));
    let counts = count::count(node, local, inputs.edge_lists.len(), config.max_cycle_len)?;
    let outcome = if node.index() == 0 {
        gather::assemble(&received, inputs, &config.ingest)
            .map(|meta| Some(crate::scan::counted_report(config, meta, &counts)))
    } else {
        Ok(None)
    };
    node.agree(outcome)
}

/// Free loopback addresses for `n` processes (tests).
#[cfg(test)]
pub(crate) fn loopback_hosts(n: usize) -> Vec<String> {
    let listeners: Vec<std::net::TcpListener> =
        (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port")).collect();
    listeners.iter().map(|l| l.local_addr().expect("bound").to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run `work` as `n` processes (threads here), each with its own config.
    fn in_threads<T: Send + 'static>(
        n: usize,
        fingerprints: &[u64],
        work: impl Fn(&mut Node<'_>) -> T + Send + Sync + Clone + 'static,
    ) -> Vec<Result<T>> {
        let hosts = loopback_hosts(n);
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let config = ClusterConfig {
                    hosts: hosts.clone(),
                    process: i,
                    connect_timeout: Duration::from_secs(5),
                    fingerprint: fingerprints[i],
                };
                let work = work.clone();
                std::thread::spawn(move || execute(&config, work))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("no panic")).collect()
    }

    #[test]
    fn three_processes_exchange_and_agree() {
        let out = in_threads(3, &[7, 7, 7], |node| {
            let me = node.index() as u8;
            let all = node.all_gather(vec![me; 3 << 20]); // several pieces each
            let lens: Vec<usize> = all.iter().map(Vec::len).collect();
            let firsts: Vec<u8> = all.iter().map(|b| b[0]).collect();
            let word = node.broadcast(if me == 0 { b"zero".to_vec() } else { Vec::new() });
            let failed = node.agree(if me == 2 { Err(Error::Config("bad".into())) } else { Ok(()) });
            (lens, firsts, word, failed.map_err(|e| e.to_string()))
        });
        for (i, r) in out.into_iter().enumerate() {
            let (lens, firsts, word, failed) = r.unwrap();
            assert_eq!(lens, [3 << 20; 3]);
            assert_eq!(firsts, [0, 1, 2]);
            assert_eq!(word, b"zero");
            let e = failed.unwrap_err();
            assert!(if i == 2 { e.contains("bad") } else { e.contains("process 2 stopped") }, "{e}");
        }
    }

    #[test]
    fn streams_run_in_rounds_whatever_each_process_plans() {
        // Process i sends i × 9 MB of numbers to every process (process 0 nothing), and plans
        // a third of it (process 2) or all of it: every process runs the same rounds and
        // every number arrives once.
        let out = in_threads(3, &[0, 0, 0], |node| {
            let me = node.index() as u32;
            let per_dest = me as usize * (9 << 20) / 4;
            let planned = if me == 2 { per_dest } else { 3 * per_dest * 4 };
            let mut sum = 0u64;
            let mut count = 0usize;
            let mut outbox = node.stream(planned, |source, _, bytes| {
                for c in bytes.chunks_exact(4) {
                    sum += u64::from(u32::from_le_bytes(c.try_into().unwrap()));
                    count += 1;
                }
                assert!(source != 0, "process 0 sent nothing");
                Ok(())
            });
            for dest in 0..3 {
                for k in 0..per_dest as u32 {
                    outbox.push(dest, |w| w.u32(me * 1000 + k % 7));
                }
            }
            outbox.finish().unwrap();
            (sum, count)
        });
        let n = (9usize << 20) / 4;
        let expected_count = n + 2 * n;
        let expected_sum: u64 =
            (0..n as u64).map(|k| 1000 + k % 7).sum::<u64>() + (0..2 * n as u64).map(|k| 2000 + k % 7).sum::<u64>();
        for r in out {
            assert_eq!(r.unwrap(), (expected_sum, expected_count));
        }
    }

    #[test]
    fn distributed_counts_equal_one_process_on_random_graphs() {
        // Dense small graphs, every length up to 8: the half-path joins of odd and even
        // lengths, batches and the dictionary against the single-process search.
        let dir = std::env::temp_dir().join(format!("backscratch-cluster-count-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut state = 7u64;
        let mut longest = 0u64;
        for case in 0..12 {
            let path = dir.join(format!("g{case}.csv"));
            let mut text = String::from("from,to\n");
            let people = 6 + case % 6;
            for _ in 0..(people * 3) {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push_str(&format!("v{},v{}\n", (state >> 33) % people, (state >> 45) % people));
            }
            std::fs::write(&path, text).unwrap();
            let config =
                ScanConfig { inputs: vec![path], count_only: true, max_cycle_len: Some(8), ..Default::default() };
            let one = crate::scan(&config).unwrap().report.summary;
            let many = in_threads(3, &[0, 0, 0], move |node| scan(node, &config).map(|o| o.map(|o| o.report.summary)));
            let many = many.into_iter().next().unwrap().unwrap().unwrap().unwrap();
            assert_eq!(
                (one.people, one.recommendations, one.reciprocal_pairs, &one.cycles),
                (many.people, many.recommendations, many.reciprocal_pairs, &many.cycles),
                "case {case}"
            );
            longest += one.cycles["8"];
        }
        assert!(longest > 0, "some graph has cycles of 8");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_peer_with_other_flags_is_refused_by_name() {
        let out = in_threads(2, &[1, 2], |node| node.index());
        for r in out {
            let e = r.unwrap_err().to_string();
            assert!(e.contains("was started with other inputs"), "{e}");
        }
    }

    #[test]
    fn a_peer_that_never_starts_is_named_after_the_timeout() {
        let hosts = loopback_hosts(2);
        let config = ClusterConfig {
            hosts: hosts.clone(),
            process: 0,
            connect_timeout: Duration::from_millis(600),
            fingerprint: 0,
        };
        let started = std::time::Instant::now();
        let e = execute(&config, |node| node.index()).unwrap_err().to_string();
        assert!(e.contains(&format!("process 1 ({})", hosts[1])), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
