//! Scale-out: one scan run by several processes (on one machine or many) that talk over TCP
//! with timely dataflow (the engine under Materialize and differential dataflow), inside
//! our own binary, with no scheduler to install.
//!
//! Each process reads its share of the inputs (byte ranges of plain files cut at line ends,
//! see [`share`]), a few MiB at a time, and each piece's names are numbered by a dictionary
//! partitioned by a hash of the name before the next piece is read (`dictionary`); edges
//! live with their recommender's process, and pairs and cycles are counted by
//! distributed joins of half-paths (`count`); `--count-only` stops there. A judged scan of
//! plain edge lists sends process 0 only the recommendations around pairs and cycles, which
//! it judges with the one-process pipeline (`core`); a judged scan whose evidence needs
//! every row (dates, texts, histories, ...) gathers the rows to process 0 instead
//! ([`gather`]). Either way the report is one process's. Process 0 writes it and every
//! process exits with its code.
//!
//! Failure is an error, never a hang: a peer that cannot be reached within
//! `--connect-timeout`, was started with other inputs or flags, holds no `--cluster-key` proof,
//! dies mid-scan or stops answering (`liveness`) makes every surviving process stop with
//! exit code 2 and a message naming the peer.

pub(crate) mod components;
pub(crate) mod core;
pub(crate) mod count;
pub(crate) mod dictionary;
pub(crate) mod exchange;
pub mod gather;
pub mod hosts;
pub(crate) mod liveness;
pub mod mesh;
pub(crate) mod partition;
pub mod share;
pub(crate) mod wire;

use std::time::Duration;

use crate::error::{Error, Result};
use crate::scan::{Checked, Rows, ScanConfig, ScanOutcome, WholeNetwork};
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
    /// Everything that must be the same in every process (inputs, their sizes, the options
    /// that change results), item by item; a peer showing another is refused, naming the item.
    pub agreement: mesh::Agreement,
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
/// exit code 2 and a message naming it (see `exchange::watch_peers`).
pub fn execute<T, F>(config: &ClusterConfig, work: F) -> Result<T>
where
    T: Send + 'static,
    F: Fn(&mut Node<'_>) -> T + Send + Sync + 'static,
{
    config.validate()?;
    let peers = mesh::Peers { hosts: &config.hosts, me: config.process, agreement: &config.agreement };
    let connections = mesh::connect(&peers, config.connect_timeout)?;
    exchange::watch_peers(config.hosts.clone(), config.process);
    let _watch = liveness::watch(connections.liveness, &config.hosts, config.process, config.connect_timeout)
        .map_err(|e| Error::Cluster(format!("process {}: cannot watch the peers: {e}", config.process)))?;
    exchange::run(connections.data, config.process, work)
}

/// Run `config`'s scan as this process's part of a cluster run (every process calls it with
/// the same config). Process 0 gets the outcome; the others `None`. An error anywhere is an
/// error everywhere, naming the process it came from.
pub fn scan(node: &mut Node<'_>, config: &ScanConfig) -> Result<Option<ScanOutcome>> {
    let checked = (|| {
        let checked = config.validate()?;
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
        Ok(checked)
    })();
    let config = node.agree(checked)?;
    let inputs = share::plan(node, &config.inputs, &config.ingest)?;
    // Counting where the rows are, whether judged from the core or not, reads and numbers
    // the rows a piece at a time. A judged scan whose rows turn out to hold more than ends
    // (dates, texts, ...) reads them again below, whole, for process 0; standard input
    // cannot be read twice, so a scan of it goes there from the start.
    let in_core_flags = core_flags(&config, &inputs);
    let reads_stdin = inputs.edge_lists.iter().any(|p| p.as_os_str() == "-");
    if config.count_only || (in_core_flags && !reads_stdin) {
        let (numbered, done) = share::read_numbered(node, &inputs, &config.ingest)?;
        if config.count_only {
            return count_only(node, config, &inputs, numbered, &done);
        }
        if !numbered.more {
            return in_core(node, config, &inputs, numbered, &done);
        }
    }
    let (local, done) = share::read(node, &inputs, &config.ingest)?;
    let received = node.gather(gather::encode(local, &done));
    let outcome = if node.index() == 0 {
        let assembled = gather::assemble(&received, &inputs, &config.ingest);
        drop(received);
        assembled.and_then(|ingested| crate::scan::drive(config, Rows::Gathered(ingested))).map(Some)
    } else {
        Ok(None)
    };
    node.agree(outcome)
}

/// `--count-only`: count where the rows are (see [`count`]); process 0 gets every input's
/// accounting (no rows) and writes the report.
fn count_only(
    node: &mut Node<'_>,
    config: Checked<'_>,
    inputs: &share::Inputs,
    local: share::Numbered,
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
    let meta = accounting(node, &config, inputs, done);
    let whole = count::count(node, local, inputs.edge_lists.len(), config.max_cycle_len)?.whole();
    let outcome =
        meta.map(|meta| meta.and_then(|meta| crate::scan::drive(config, Rows::Counted(meta, &whole)))).transpose();
    node.agree(outcome)
}

/// Every input's accounting and warnings, without rows, at process 0 (`None` elsewhere): what
/// a scan that does not gather the rows reports about its inputs.
fn accounting(
    node: &mut Node<'_>,
    config: &ScanConfig,
    inputs: &share::Inputs,
    done: &[share::Done],
) -> Option<Result<crate::ingest::Ingested>> {
    let received = node.gather(gather::encode(crate::ingest::Ingested::default(), done));
    (node.index() == 0).then(|| gather::assemble(&received, inputs, &config.ingest))
}

/// Whether a judged scan's flags and inputs let it be judged from the core alone (see
/// [`core`]): no histories, allowlist, redaction or subjects, which need every name or every
/// row. Its rows must also hold no dates, texts, relationships or weights
/// ([`share::Numbered::more`]).
fn core_flags(config: &ScanConfig, inputs: &share::Inputs) -> bool {
    config.people.is_none()
        && config.allow.is_none()
        && config.redact.is_none()
        && config.subjects.is_none()
        && inputs.exports.is_empty()
}

/// A judged scan from the core: count where the rows are, send process 0 every
/// recommendation around a pair or cycle (and, if its report shows someone outside the core,
/// theirs), and judge that there.
fn in_core(
    node: &mut Node<'_>,
    config: Checked<'_>,
    inputs: &share::Inputs,
    local: share::Numbered,
    done: &[share::Done],
) -> Result<Option<ScanOutcome>> {
    let started = std::time::Instant::now();
    let meta = accounting(node, &config, inputs, done);
    let (counts, kept) = count::count_and_keep(node, local, inputs.edge_lists.len(), config.max_cycle_len, true)?;
    let whole = counts.whole();
    let kept = kept.ok_or_else(|| Error::Cluster("the count kept no graph".into()))?;
    // What only process 0 can get wrong (reading what the others sent, judging) is carried to
    // the final agreement, so that every process makes the same collective calls up to it.
    let (mut seen, failed) = split(kept.touching(node, kept.core_people()));
    // `--verbose` shows the distributed part as its own stage, `core`.
    let core_stage =
        crate::scan::StageTime { stage: "core", elapsed: started.elapsed(), peak_rss: crate::scan::peak_rss() };
    let judge = |seen: &core::Touching| -> Result<ScanOutcome> {
        let meta = meta.as_ref().expect("process 0").as_ref().map_err(|e| Error::Cluster(e.to_string()))?;
        let (ingested, degrees) = core::ingested(meta, seen)?;
        let mut outcome = crate::scan::drive(config, Rows::Core(ingested, WholeNetwork { counts: &whole, degrees }))?;
        outcome.stages.insert(0, core_stage);
        Ok(outcome)
    };
    let mut outcome = failed.or_else(|| seen.as_ref().map(judge));
    // People the report shows in full but outside the core (a ring's beneficiaries and
    // donors): process 0 asks for all their recommendations and judges again.
    let outside: Vec<u32> = match (&outcome, &seen) {
        (Some(Ok(o)), Some(seen)) => core::outside_core(&o.report, seen),
        _ => Vec::new(),
    };
    let wanted = core::Core::share_wanted(node, &outside)?;
    if wanted.any() {
        let (more, failed) = split(kept.touching(node, &wanted));
        if let (Some(seen), Some(more)) = (seen.as_mut(), more) {
            seen.merge(more);
            outcome = Some(judge(seen));
        }
        outcome = failed.or(outcome);
    }
    node.agree(outcome.transpose())
}

/// What a step gave, or its error as an outcome to agree on later.
fn split<T>(r: Result<Option<T>>) -> (Option<T>, Option<Result<ScanOutcome>>) {
    match r {
        Ok(v) => (v, None),
        Err(e) => (None, Some(Err(e))),
    }
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
                    agreement: {
                        let mut a = mesh::Agreement::default();
                        a.add("the test's setting", &fingerprints[i].to_le_bytes());
                        a
                    },
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
    fn the_auto_estimate_equals_one_process_on_graphs_of_many_components() {
        // Sparse graphs (many trivial people, chains, small and nested components) and one
        // dense one: the distributed components give the one-process walks, core and choice.
        let dir = std::env::temp_dir().join(format!("backscratch-cluster-auto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut state = 3u64;
        for case in 0..10u64 {
            let path = dir.join(format!("g{case}.csv"));
            let mut text = String::from("from,to\n");
            let people = 30 + 17 * case;
            let edges = if case == 9 { people * 6 } else { people + case * 4 };
            for _ in 0..edges {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let a = (state >> 33) % people;
                // Mostly forward edges (a DAG with chains), some back edges closing cycles.
                let b = if (state >> 20).is_multiple_of(4) {
                    (state >> 45) % people
                } else {
                    (a + 1 + (state >> 50) % 3) % people
                };
                text.push_str(&format!("v{a},v{b}\n"));
            }
            std::fs::write(&path, text).unwrap();
            let config = ScanConfig { inputs: vec![path], count_only: true, max_cycle_len: None, ..Default::default() };
            let one = crate::scan(&config).unwrap().report;
            let many = in_threads(3, &[0, 0, 0], move |node| scan(node, &config).map(|o| o.map(|o| o.report)));
            let many = many.into_iter().next().unwrap().unwrap().unwrap().unwrap();
            let choice = |r: &crate::report::Report| serde_json::to_string(&r.params.max_len_choice).unwrap();
            assert_eq!(choice(&one), choice(&many), "case {case}");
            assert_eq!(one.params.max_cycle_len, many.params.max_cycle_len, "case {case}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_second_look_brings_every_recommendation_of_the_people_asked_for() {
        // The mechanism behind judging from the core: process 0 asks for everyone whose id
        // is a multiple of 7 and gets each of their recommendations once, with everyone's
        // whole-network degrees, as read from the file.
        let dir = std::env::temp_dir().join(format!("backscratch-cluster-core-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("g.csv");
        let mut text = String::from("from,to\n");
        let mut state = 11u64;
        let mut edges = std::collections::BTreeSet::new();
        for _ in 0..3000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let (a, b) = (format!("v{}", (state >> 33) % 400), format!("v{}", (state >> 45) % 400));
            text.push_str(&format!("{a},{b}\n"));
            if a != b {
                edges.insert((a, b));
            }
        }
        std::fs::write(&path, text).unwrap();
        let config = ScanConfig { inputs: vec![path], max_cycle_len: Some(4), ..Default::default() };
        let got = in_threads(3, &[0, 0, 0], move |node| {
            let inputs = share::plan(node, &config.inputs, &config.ingest)?;
            let (local, _) = share::read_numbered(node, &inputs, &config.ingest)?;
            let (_, kept) = count::count_and_keep(node, local, 1, Some(4), true)?;
            let kept = kept.expect("kept");
            let wanted = core::Core::share_wanted(node, &(0..10_000u32).filter(|i| i % 7 == 0).collect::<Vec<_>>())?;
            kept.touching(node, &wanted)
        });
        let seen = got.into_iter().next().unwrap().unwrap().unwrap().expect("process 0 gets it");
        assert!(seen.people.iter().all(|p| p.0 % 3 != 0), "from three processes on, process 0 owns no one");
        let name: std::collections::HashMap<u32, &str> = seen.people.iter().map(|p| (p.0, p.1.as_str())).collect();
        let wanted: std::collections::BTreeSet<&str> =
            seen.people.iter().filter(|p| p.0 % 7 == 0).map(|p| p.1.as_str()).collect();
        let rows: std::collections::BTreeSet<(String, String)> =
            seen.rows.iter().map(|r| (name[&r.0].to_string(), name[&r.1].to_string())).collect();
        assert_eq!(rows.len(), seen.rows.len(), "each recommendation once");
        let expected: std::collections::BTreeSet<(String, String)> =
            edges.iter().filter(|(a, b)| wanted.contains(a.as_str()) || wanted.contains(b.as_str())).cloned().collect();
        assert!(!expected.is_empty());
        assert_eq!(rows, expected);
        for (_, n, received, given, _) in &seen.people {
            assert_eq!(*received as usize, edges.iter().filter(|e| &e.1 == n).count(), "{n} received");
            assert_eq!(*given as usize, edges.iter().filter(|e| &e.0 == n).count(), "{n} given");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_peer_with_other_flags_is_refused_by_name() {
        let out = in_threads(2, &[1, 2], |node| node.index());
        for r in out {
            let e = r.unwrap_err().to_string();
            assert!(e.contains("was started differently: the test's setting differs"), "{e}");
        }
    }

    #[test]
    fn a_stray_or_silent_connection_is_dropped_and_the_peers_still_meet() {
        let hosts = loopback_hosts(2);
        let target = hosts[0].clone();
        // A port scan's connect-and-close, a client that sends garbage, and one that stays
        // silent, all before process 1 starts.
        let strays = std::thread::spawn(move || {
            use std::io::Write;
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            let connect = || loop {
                match std::net::TcpStream::connect(&target) {
                    Ok(s) => return s,
                    Err(_) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                    Err(e) => panic!("{e}"),
                }
            };
            drop(connect());
            connect().write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
            connect()
        });
        let config = |i: usize| ClusterConfig {
            hosts: hosts.clone(),
            process: i,
            connect_timeout: Duration::from_secs(20),
            agreement: mesh::Agreement::default(),
        };
        let first = std::thread::spawn({
            let c = config(0);
            move || execute(&c, |node| node.index())
        });
        let _silent = strays.join().unwrap();
        let second = execute(&config(1), |node| node.index());
        assert_eq!(second.unwrap(), 1);
        assert_eq!(first.join().unwrap().unwrap(), 0);
    }

    #[test]
    fn a_peer_that_never_starts_is_named_after_the_timeout() {
        let hosts = loopback_hosts(2);
        let config = ClusterConfig {
            hosts: hosts.clone(),
            process: 0,
            connect_timeout: Duration::from_millis(600),
            agreement: mesh::Agreement::default(),
        };
        let started = std::time::Instant::now();
        let e = execute(&config, |node| node.index()).unwrap_err().to_string();
        assert!(e.contains(&format!("process 1 ({})", hosts[1])), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
