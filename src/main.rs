//! The `backscratch` command: parse flags into a plain [`ScanConfig`], run, render, and map
//! the outcome to an exit code (0 clean, 1 findings at or above `--fail-on`, 2 error or a
//! search cut short by `--time-budget`).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Parser;

use backscratch::report::{self, github, output, Format, Render, RenderOptions, Report};
use backscratch::{generate, scan};

/// A line to standard error that never panics: a closed or full stderr (`2>&-`,
/// `2>/dev/full`, a pipe whose reader left) must not turn the exit code into 101.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr().lock(), $($arg)*);
    }};
}

mod cli;
mod cluster_run;
mod exit_codes;
mod read_set;
mod serve_run;

use cli::{config, fail_floor, subjects, Cli, Command, GenerateArgs, ScanArgs};
use exit_codes::Exit;

fn run_generate(a: &GenerateArgs) -> anyhow::Result<Exit> {
    let existing: Vec<&str> =
        generate::FILES.iter().copied().filter(|f| a.out.join(f).symlink_metadata().is_ok()).collect();
    if !existing.is_empty() && !a.force {
        bail!(
            "{} already holds {}; give --force to replace them, or another --out folder",
            a.out.display(),
            existing.join(", ")
        );
    }
    let people = usize::try_from(a.people).context("--people is too large for this machine")?;
    if a.ring_sizes.0 < 3 || a.ring_sizes.1 > 8 {
        bail!("--ring-sizes must lie within 3..8, not {}..{}", a.ring_sizes.0, a.ring_sizes.1);
    }
    let net = generate::generate(generate::GenerateConfig {
        people,
        seed: a.seed,
        missing_histories: a.missing_histories,
        honest_quick_share: a.honest_quick_share,
        honest_quick_days: a.honest_quick_days as usize,
        trade_lag_days: a.trade_lag_days,
        trade_specific_share: a.trade_specific_share,
        honest_stock_share: a.honest_stock_share,
        clients_per_1000: a.clients_per_1000,
        club_size: a.club_size as usize,
        club_density: a.club_density,
        ring_sizes: a.ring_sizes,
    });
    net.write(&a.out).with_context(|| format!("cannot write into {}", a.out.display()))?;
    let trades = net.truth.iter().filter(|t| t.label == "trade").count();
    say!(
        "backscratch: wrote {} people, {} recommendations, {} planted trades and {} honest structures to {}",
        net.names.len(),
        net.recommendations.len(),
        trades,
        net.truth.len() - trades,
        a.out.display()
    );
    Ok(Exit::Clean)
}

/// Render to standard output; a reader that went away (broken pipe) is not an error.
fn write_stdout(report: &Report, format: Format, options: RenderOptions) -> anyhow::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match report::renderer(format, options).render(report, &mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => bail!("cannot write the report: {e}"),
        _ => Ok(()),
    }
}

/// GitHub Actions: annotations on standard error, the Markdown summary appended to the step
/// summary file.
fn github_outputs(report: &Report) -> anyhow::Result<()> {
    let mut err = io::stderr().lock();
    for line in github::annotations(report) {
        let _ = writeln!(err, "{line}");
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let markdown = report::Markdown::default();
        output::append_with(Path::new(&path), &mut |out| markdown.render(report, out))
            .context("cannot append to $GITHUB_STEP_SUMMARY")?;
    }
    Ok(())
}

/// The exit code: 2 for an error (a search cut short, a candidate not found), else 1 for
/// findings at or above `--fail-on`, 3 for a candidate whose verdict cannot be told, 0 clean;
/// `--exit-zero` turns 1 and 3 into 0.
fn exit_code(report: &Report, a: &ScanArgs) -> Exit {
    Exit::of_gate(report.gate(fail_floor(a)), a.exit_zero)
}

/// Refuse an output over a file the run reads (directly, inside an input folder, behind
/// standard input), and two outputs that would land in one file (`-o x.json --report
/// html=x.json`, a CSV's people sheet, a Parquet report's other tables): the second would
/// silently replace the first. Devices and pipes may be shared.
fn distinct_outputs(a: &ScanArgs, format: Format, subjects_file: Option<&Path>) -> anyhow::Result<()> {
    let mut named: Vec<(String, PathBuf)> = Vec::new();
    let mut add = |label: String, path: &Path, format: Format| {
        named.push((label.clone(), path.to_path_buf()));
        for companion in output::companion_paths(path, format) {
            named.push((format!("{label} (beside it, {})", companion.display()), companion));
        }
    };
    if let Some(path) = &a.output {
        add(format!("-o {}", path.display()), path, format);
    }
    for t in &a.reports {
        add(format!("--report {}={}", t.format.name(), t.path.display()), &t.path, t.format);
    }
    // A report written over a file the run reads would destroy the data it reports on.
    let side_files = [
        ("--people", &a.people),
        ("--allow", &a.allow),
        ("--subjects", &subjects_file.map(Path::to_path_buf)),
        ("--redact-key", &a.redact_key),
        ("--hosts", &a.hosts),
        ("--cluster-key", &a.cluster_key),
    ];
    let read = read_set::ReadSet::new(
        &a.inputs,
        side_files.iter().filter_map(|(flag, path)| path.as_deref().map(|p| (*flag, p))),
    );
    for (label, path) in &named {
        read.refuse_output(label, path)?;
    }
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for (label, path) in &named {
        let Ok(output::Target::Replace(file)) = output::classify(path) else { continue };
        let file = std::path::absolute(&file).unwrap_or(file);
        if let Some((_, earlier)) = seen.iter().find(|(f, _)| *f == file) {
            bail!("{label} and {earlier} name the same file {}; give each report its own path", file.display());
        }
        seen.push((file, label));
    }
    Ok(())
}

/// A Parquet report is files: refuse one to standard output, a device or a pipe before the
/// scan runs, not after.
fn files_only(a: &ScanArgs, format: Format) -> anyhow::Result<()> {
    let mut targets: Vec<&Path> =
        a.reports.iter().filter(|t| t.format == Format::Parquet).map(|t| t.path.as_path()).collect();
    match &a.output {
        Some(path) if format == Format::Parquet => targets.push(path),
        None if format == Format::Parquet && !a.quiet => {
            bail!("--format parquet writes five files, not standard output; give -o FILE.parquet")
        }
        _ => {}
    }
    for path in targets {
        output::parquet_target(path)?;
    }
    Ok(())
}

fn run_scan(a: &ScanArgs, subjects: Option<Vec<String>>, subjects_file: Option<&Path>) -> anyhow::Result<Exit> {
    let format = a
        .format
        .unwrap_or_else(|| a.output.as_deref().and_then(backscratch::vocab::format_for_path).unwrap_or(Format::Table));
    files_only(a, format)?;
    distinct_outputs(a, format, subjects_file)?;
    if a.hosts.is_some() {
        return cluster_run::run(a, subjects, format);
    }
    let streams = if subjects.is_some() { Vec::new() } else { streamed(a, format) };
    let mut c = config(a)?;
    c.subjects = subjects;
    c.stream_findings = streams.clone();
    let outcome = scan(&c)?;
    publish(a, format, outcome, &streams)
}

/// Where `scan` streams every finding as it runs: each `jsonl` output (`-o`, standard output,
/// `--report jsonl=PATH`). Not with `--count-only`, which judges nothing (those outputs get
/// the report's listed findings, none), nor from `check` or a cluster (their listed findings,
/// in the same lines).
fn streamed(a: &ScanArgs, format: Format) -> Vec<PathBuf> {
    if a.count_only {
        return Vec::new();
    }
    let mut paths = Vec::new();
    if format == Format::Jsonl {
        match &a.output {
            Some(path) => paths.push(path.clone()),
            None if !a.quiet => paths.push(PathBuf::from("/dev/stdout")),
            None => {}
        }
    }
    paths.extend(a.reports.iter().filter(|t| t.format == Format::Jsonl).map(|t| t.path.clone()));
    paths
}

/// Print the stage times, write the reports, say what the user should know; the exit code.
fn publish(
    a: &ScanArgs,
    format: Format,
    outcome: backscratch::ScanOutcome,
    streamed: &[PathBuf],
) -> anyhow::Result<Exit> {
    if a.verbose && !a.quiet {
        for s in &outcome.stages {
            let rss = s.peak_rss.map_or(String::new(), |b| format!(", peak memory {:.1} MiB", b as f64 / 1048576.0));
            say!("backscratch: {:<7} {:>9.3} s{rss}", s.stage, s.elapsed.as_secs_f64());
        }
    }
    let report = outcome.report;
    let started = std::time::Instant::now();
    let color = format == Format::Table
        && a.output.is_none()
        && io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let options = RenderOptions { color, fail_on: fail_floor(a) };
    let plain = RenderOptions { color: false, ..options };
    // What the scan streamed is written already.
    let stdout_streamed = streamed.iter().any(|p| p == Path::new("/dev/stdout")) && a.output.is_none();
    match &a.output {
        Some(path) if streamed.contains(path) => {}
        Some(path) => {
            output::write_report(path, &report, format, plain)?;
        }
        None if !a.quiet && !stdout_streamed => write_stdout(&report, format, options)?,
        None => {}
    }
    for target in a.reports.iter().filter(|t| !streamed.contains(&t.path)) {
        output::write_report(&target.path, &report, target.format, plain)?;
    }
    if a.github || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        github_outputs(&report)?;
    }
    if a.verbose && !a.quiet {
        say!("backscratch: {:<7} {:>9.3} s", "write", started.elapsed().as_secs_f64());
    }
    if let Some(why) = &report.summary.truncated_reason {
        say!("backscratch: report is truncated: {why}");
    }
    let missing = report.missing_subjects();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(10).copied().collect();
        let more = if missing.len() > shown.len() {
            format!(" and {} more", missing.len() - shown.len())
        } else {
            String::new()
        };
        let shown = report::escape::terminal(&shown.join(", "));
        say!("backscratch: not in the data or ambiguous, so no verdict: {shown}{more}");
    }
    let code = exit_code(&report, a);
    // The process ends next: freeing a report of thousands of findings piece by piece only
    // delays the exit (a tenth of a second on Bitcoin Alpha), and the kernel takes it back
    // whole.
    std::mem::forget(report);
    Ok(code)
}

/// SIGINT and SIGTERM: remove any half-written report, then exit as a shell expects (128 plus
/// the signal). The signals are blocked in every thread (the mask is inherited, so this runs
/// before any other thread starts) and taken by one watcher thread with `sigwait`, so the
/// clean-up runs as ordinary code, not in a signal handler.
fn watch_signals() {
    // SAFETY: plain libc calls on a stack-allocated signal set; the set is initialised by
    // sigemptyset before use and copied into the watcher thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        std::thread::spawn(move || {
            let mut signal = 0;
            // SAFETY: `set` is a valid, initialised signal set owned by this thread.
            if libc::sigwait(&set, &mut signal) == 0 {
                output::remove_pending();
                std::process::exit(128 + signal);
            }
        });
    }
}

/// For a cluster run: large buffers go back to the system when freed. glibc raises its
/// threshold for serving allocations from fresh mappings each time such a mapping is freed
/// (up to 32 MiB), after which freed buffers of a scan's size stay in the heap. A cluster
/// process frees its exchange pieces, rows and dictionary stage after stage, and peaked 1.3
/// times higher for it (10M edges on 2 processes, `--count-only`: 306 MiB a process, about
/// 228 with the threshold fixed at 512 KiB, no slower). One process gains little (348 ->
/// 338 MiB) and its default scan ran about 6 % slower with it, so only cluster runs set it.
/// A user's `MALLOC_MMAP_THRESHOLD_` wins.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        const HALF_MIB: libc::c_int = 512 << 10;
        // SAFETY: mallopt only sets allocator parameters; called before any thread starts.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, HALF_MIB);
            libc::mallopt(libc::M_TRIM_THRESHOLD, HALF_MIB);
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to standard output as clap writes them; a usage error quotes
        // what the user typed, which may hold escape sequences: escaped like every message.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return Exit::Clean.into();
        }
        Err(e) => {
            let text = e.render().to_string();
            let _ = write!(io::stderr().lock(), "{}", report::escape::terminal(&text).replace("\\u{a}", "\n"));
            return Exit::Error.into();
        }
    };
    let scan_args: Option<&ScanArgs> = match &cli.command {
        Command::Scan(a) => Some(a),
        Command::Check(a) => Some(&a.scan),
        Command::Generate(_) | Command::Serve(_) => None,
    };
    if scan_args.is_some_and(|a| a.hosts.is_some()) {
        return_freed_memory();
    }
    if !matches!(cli.command, Command::Serve(_)) {
        // A scan stops cleanly on a signal; the service needs no such stop: it answers only
        // what is durable, so ending it at any moment loses nothing acknowledged.
        watch_signals();
    }
    let outcome = match &cli.command {
        Command::Scan(a) => run_scan(a, None, None),
        Command::Check(a) => subjects(a).and_then(|names| run_scan(&a.scan, Some(names), a.subjects.as_deref())),
        Command::Generate(a) => run_generate(a),
        Command::Serve(a) => serve_run::run(a),
    };
    match outcome {
        Ok(exit) => exit.into(),
        Err(e) => {
            let mut message = error_message(&e);
            if let Some(a) = scan_args.filter(|a| a.redact || a.redact_key.is_some()) {
                message = redacted_message(&message, a, subjects_file(&cli.command));
            }
            say!("backscratch: error: {}", report::escape::terminal(&message));
            Exit::Error.into()
        }
    }
}

/// The error as one line: each context the binary added, then the library's error, whose
/// message is complete (an [`backscratch::Error::Io`] keeps the operating system's error as
/// its `source` for programs, and its message already says it, so the chain stops there).
pub(crate) fn error_message(e: &anyhow::Error) -> String {
    let mut parts = Vec::new();
    for cause in e.chain() {
        parts.push(cause.to_string());
        if cause.is::<backscratch::Error>() {
            break;
        }
    }
    parts.join(": ")
}

fn subjects_file(command: &Command) -> Option<&Path> {
    match command {
        Command::Check(a) => a.subjects.as_deref(),
        _ => None,
    }
}

/// An error under `--redact` names no file the way the user named it (a file named after a
/// person names them) and quotes no header cells (a misread header is a row of names): paths
/// become `input-N`, `people-file`, `allow-file`, `subjects-file`, as in the report.
fn redacted_message(message: &str, a: &ScanArgs, subjects: Option<&Path>) -> String {
    let alias = |stem: String, path: &Path| {
        let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
        (path.display().to_string(), format!("{stem}{ext}"))
    };
    let mut map: Vec<(String, String)> =
        a.inputs.iter().enumerate().map(|(i, p)| alias(format!("input-{}", i + 1), p)).collect();
    let named = [("people-file", a.people.as_deref()), ("allow-file", a.allow.as_deref()), ("subjects-file", subjects)];
    map.extend(named.into_iter().filter_map(|(stem, p)| p.map(|p| alias(stem.to_string(), p))));
    map.retain(|(from, _)| !from.is_empty() && from != "-");
    map.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    let mut out = message.to_string();
    for (from, to) in &map {
        out = out.replace(from.as_str(), to);
    }
    match out.find("the header has: ") {
        Some(i) => format!("{}the header has: [redacted]", &out[..i]),
        None => out,
    }
}
