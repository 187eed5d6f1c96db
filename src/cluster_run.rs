//! `scan --hosts FILE --process I`: this process's part of a cluster run (see
//! `backscratch::cluster`). Process 0 writes the reports; every process exits with process
//! 0's code, or 2 with the first error any process met.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use sha2::{Digest, Sha256};

use backscratch::cluster::{self, ClusterConfig, Node};
use backscratch::report::Format;
use backscratch::ScanConfig;

use crate::cli::{config, ScanArgs};

/// A digest of what every process must share: the command line but `--process`, the host
/// list, and the size of every input file (inputs, `--people`, `--allow`; not the reports,
/// which only process 0 writes, nor folders, whose sizes differ between file systems).
fn fingerprint(hosts: &[String], files: &[&Path]) -> u64 {
    let mut h = Sha256::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--process" {
            args.next();
            continue;
        }
        if arg.starts_with("--process=") {
            continue;
        }
        h.update(arg.as_bytes());
        h.update([0]);
    }
    for file in files {
        if let Some(m) = std::fs::metadata(file).ok().filter(|m| m.is_file()) {
            h.update(m.len().to_le_bytes());
        }
    }
    for host in hosts {
        h.update(host.as_bytes());
        h.update([0]);
    }
    u64::from_le_bytes(h.finalize()[..8].try_into().expect("8 bytes"))
}

/// Agree on the exit code: process 0's, unless a process failed (then every process fails
/// with the first failure, naming it).
fn agree_code(node: &mut Node<'_>, mine: Result<u8, String>) -> Result<u8, String> {
    let bytes = match &mine {
        Ok(code) => vec![0, *code],
        Err(e) => [&[1u8][..], e.as_bytes()].concat(),
    };
    let all = node.all_gather(bytes);
    mine?;
    if let Some((p, b)) = all.iter().enumerate().find(|(_, b)| b.first() == Some(&1)) {
        return Err(format!("process {p} stopped: {}", String::from_utf8_lossy(&b[1..])));
    }
    Ok(all[0].get(1).copied().unwrap_or(2))
}

/// Run this process's part; the exit code every process agreed on.
pub fn run(a: &ScanArgs, subjects: Option<Vec<String>>, format: Format) -> anyhow::Result<u8> {
    let path = a.hosts.as_ref().expect("--hosts given");
    let hosts = cluster::hosts::read(path)?;
    let process = a.process.context("--hosts needs --process")?;
    let files: Vec<&Path> =
        a.inputs.iter().chain(a.people.iter()).chain(a.allow.iter()).map(PathBuf::as_path).collect();
    let fingerprint = fingerprint(&hosts, &files);
    let cluster = ClusterConfig { hosts, process, connect_timeout: a.connect_timeout, fingerprint };
    let args = Arc::new(a.clone());
    let code = cluster::execute(&cluster, move |node| {
        let made = config(&args).map(|c| ScanConfig { subjects: subjects.clone(), progress: None, ..c });
        let made = node.agree(made.map_err(|e| backscratch::Error::Config(format!("{e:#}"))));
        let published = match made.and_then(|c| cluster::scan(node, &c)) {
            Ok(Some(outcome)) => crate::publish(&args, format, outcome).map_err(|e| format!("{e:#}")),
            Ok(None) => Ok(0),
            Err(e) => Err(e.to_string()),
        };
        agree_code(node, published)
    })?;
    code.map_err(|e| anyhow::anyhow!(e))
}
