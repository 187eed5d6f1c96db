//! `scan --hosts FILE --process I`: this process's part of a cluster run (see
//! `backscratch::cluster`). Process 0 writes the reports; every process exits with process
//! 0's code, or 2 with the first error any process met.

use std::sync::Arc;

use anyhow::Context;

use backscratch::cluster::mesh::Agreement;
use backscratch::cluster::{self, ClusterConfig, Node};
use backscratch::report::Format;

use crate::cli::{config, ScanArgs};
use crate::exit_codes::Exit;

/// What every process must share, item by item: the options that change the results, as
/// parsed (so flag order, `--max-len=4` or `--max-len 4`, and defaults written out do not
/// matter), the size of every file read (inputs, `--people`, `--allow`, `--baseline`,
/// `--subjects`; not folders, whose sizes differ between file systems), and the host list.
/// Options for one process only are not in it: `--process`, `--threads` (per process),
/// `--connect-timeout`, `--cluster-key` (proved, not compared, see `cluster::mesh`), and what only process 0 does with the result (`-o`, `--format`,
/// `--report`, `--fail-on`, `--exit-zero`, `-q`, `--verbose`, `--github`, `--no-timestamp`).
fn agreement(a: &ScanArgs, subjects: Option<&[String]>, hosts: &[String]) -> Agreement {
    let mut items = Agreement::default();
    let mut add = |name: &str, value: String| items.add(name, value.as_bytes());
    add("the backscratch version", env!("CARGO_PKG_VERSION").to_string());
    add("the inputs", format!("{:?}", a.inputs));
    add("--max-len", format!("{:?}", a.max_len));
    add("--window", format!("{:?}", a.window));
    add("--max-findings", a.max_findings.to_string());
    add("--max-cases", a.max_cases.to_string());
    add("--time-budget", format!("{:?}", a.time_budget));
    add("--strict", a.strict.to_string());
    add("--count-only", a.count_only.to_string());
    add("--header", format!("{:?}", a.header));
    let c = a;
    for (flag, value) in [
        ("--from-col", &c.from_col),
        ("--to-col", &c.to_col),
        ("--time-col", &c.time_col),
        ("--text-col", &c.text_col),
        ("--relationship-col", &c.relationship_col),
        ("--weight-col", &c.weight_col),
        ("--date-format", &c.date_format),
    ] {
        add(flag, format!("{value:?}"));
    }
    add("--max-line-bytes", format!("{:?}", c.max_line_bytes));
    add("--min-weight", format!("{:?}", c.min_weight.map(f64::to_bits)));
    add("--keep-negative", c.keep_negative.to_string());
    add("--people", format!("{:?}", a.people));
    add("--allow", format!("{:?}", a.allow));
    add("--baseline", format!("{:?}", a.baseline));
    add("--include", format!("{:?}", a.include));
    add("--owner", format!("{:?}", a.owner));
    add("--redact", a.redact.to_string());
    add("--redact-key", format!("{:?}", a.redact_key));
    add("the candidates (check)", format!("{subjects:?}"));
    let files = a.inputs.iter().chain(&a.people).chain(&a.allow).chain(&a.baseline);
    let sizes: Vec<Option<u64>> =
        files.map(|f| std::fs::metadata(f).ok().filter(|m| m.is_file()).map(|m| m.len())).collect();
    add("the sizes of the files read", format!("{sizes:?}"));
    add("the host list", format!("{hosts:?}"));
    items
}

/// The secret in `--cluster-key FILE`: its bytes, less one line end, at least 16 of them.
fn cluster_key(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    /// A key file is a secret of some bytes, never megabytes.
    const MAX_KEY_FILE: u64 = 64 << 10;
    let bytes = backscratch::ingest::source::read_bounded(path, MAX_KEY_FILE, "the cluster key")
        .map_err(|e| anyhow::anyhow!(e))?;
    let key = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let key = key.strip_suffix(b"\r").unwrap_or(key);
    if key.len() < 16 {
        anyhow::bail!(
            "--cluster-key {}: a key of {} bytes is too short to keep strangers out; use at least 16 (e.g. `head -c 32 \
             /dev/urandom | base64 > key`)",
            path.display(),
            key.len()
        );
    }
    Ok(key.to_vec())
}

/// Agree on the exit code: process 0's, unless a process failed (then every process fails
/// with the first failure, naming it).
fn agree_code(node: &mut Node<'_>, mine: Result<Exit, String>) -> Result<Exit, String> {
    let bytes = match &mine {
        Ok(exit) => vec![0, exit.code()],
        Err(e) => [&[1u8][..], e.as_bytes()].concat(),
    };
    let all = node.all_gather(bytes);
    mine?;
    if let Some((p, b)) = all.iter().enumerate().find(|(_, b)| b.first() == Some(&1)) {
        return Err(format!("process {p} stopped: {}", String::from_utf8_lossy(&b[1..])));
    }
    Ok(Exit::from_code(all[0].get(1).copied().unwrap_or(2)))
}

/// Run this process's part; the exit code every process agreed on.
pub fn run(a: &ScanArgs, subjects: Option<Vec<String>>, format: Format) -> anyhow::Result<Exit> {
    let path = a.hosts.as_ref().expect("--hosts given");
    let hosts = cluster::hosts::read(path)?;
    let process = a.process.context("--hosts needs --process")?;
    let mut agreement = agreement(a, subjects.as_deref(), &hosts);
    if let Some(path) = &a.cluster_key {
        agreement.key = cluster_key(path)?;
    }
    let cluster = ClusterConfig { hosts, process, connect_timeout: a.connect_timeout, agreement };
    let args = Arc::new(a.clone());
    let code = cluster::execute(&cluster, move |node| {
        let made = config(&args).map(|mut c| {
            c.subjects = subjects.clone();
            c.progress = None;
            c
        });
        let made = node.agree(made.map_err(|e| backscratch::Error::Config(crate::error_message(&e))));
        let published = match made.and_then(|c| cluster::scan(node, &c)) {
            Ok(Some(outcome)) => crate::publish(&args, format, outcome, &[]).map_err(|e| crate::error_message(&e)),
            Ok(None) => Ok(Exit::Clean),
            Err(e) => Err(e.to_string()),
        };
        agree_code(node, published)
    })?;
    code.map_err(|e| anyhow::anyhow!(e))
}
