//! The `backscratch` command: parse flags into a plain [`ScanConfig`], run, render, and map
//! the outcome to an exit code (0 clean, 1 findings at or above `--fail-on`, 2 error or a
//! search cut short by `--time-budget`).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};

use backscratch::ingest::columns::{ColumnFlags, ColumnRef, HeaderMode};
use backscratch::ingest::IngestOptions;
use backscratch::report::{Json, Render, Report, Table};
use backscratch::score::Severity;
use backscratch::{generate, scan, ScanConfig};

#[derive(Parser)]
#[command(name = "backscratch", version, about = "Find recommendation trading: reciprocal pairs and short rings")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan edge lists for reciprocal pairs and rings of recommendations.
    Scan(Box<ScanArgs>),
    /// Write a synthetic network (recommendations, employment, ground truth) into a folder.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct GenerateArgs {
    /// Folder to write recommendations.csv, employment.csv and truth.csv into.
    #[arg(long, short)]
    out: PathBuf,
    /// Number of people (at least 100).
    #[arg(long, default_value_t = 2000)]
    people: usize,
    /// Seed; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of people whose employment history is left out (private profiles).
    #[arg(long, default_value_t = 0.02)]
    missing_histories: f64,
}

fn run_generate(a: &GenerateArgs) -> anyhow::Result<u8> {
    let net = generate::generate(generate::GenerateConfig {
        people: a.people,
        seed: a.seed,
        missing_histories: a.missing_histories,
    });
    net.write(&a.out).with_context(|| format!("cannot write into {}", a.out.display()))?;
    let trades = net.truth.iter().filter(|t| t.label == "trade").count();
    eprintln!(
        "backscratch: wrote {} people, {} recommendations, {} planted trades and {} honest structures to {}",
        net.names.len(),
        net.recommendations.len(),
        trades,
        net.truth.len() - trades,
        a.out.display()
    );
    Ok(0)
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A readable terminal summary.
    Table,
    /// The JSON contract (schema_version 1).
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum Header {
    Auto,
    Yes,
    No,
}

#[derive(Args)]
struct ScanArgs {
    /// Edge-list files (CSV, TSV, whitespace; gzip or zstd); `-` reads standard input.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Longest cycle to search for (3..=8).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(3..=8))]
    max_len: u8,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// Always exit 0 when the scan ran (report-only runs); errors still exit 2.
    #[arg(long)]
    exit_zero: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Treat the first bad row (too few columns, empty name, bad date, invalid UTF-8) as an error.
    #[arg(long)]
    strict: bool,
    /// Most findings to list (all are counted).
    #[arg(long, default_value_t = 10_000)]
    max_findings: usize,
    /// Stop the search after this long (e.g. 30s, 5m, 1500ms); the report is marked truncated and the exit code is 2.
    #[arg(long, value_parser = parse_duration)]
    time_budget: Option<Duration>,
    /// Employment histories, CSV `name,company,start,end` (empty end = current): recommendations
    /// between people who worked together are corroborated, others are not.
    #[arg(long, value_name = "FILE")]
    people: Option<PathBuf>,
    /// Allowlist, CSV `members,reason` (members separated by `;`): matching findings stay in the
    /// report marked `suppressed_by` and do not count towards --fail-on or verdicts.
    #[arg(long, value_name = "FILE")]
    allow: Option<PathBuf>,
    /// Only cycles whose recommendations all fall within this window are findings (e.g. 30d,
    /// 2w, 36h; a bare number is days). Cycle counts stay structural.
    #[arg(long, value_parser = parse_days, value_name = "DURATION")]
    window: Option<f64>,
    /// Count pairs and cycles only, judge nothing (the fastest run; no findings listed).
    #[arg(long, conflicts_with_all = ["people", "allow", "window"])]
    count_only: bool,
    /// Print how long each stage took, and peak memory, to standard error.
    #[arg(long, short)]
    verbose: bool,
    /// Leave `generated_at` out of the report (it also honours SOURCE_DATE_EPOCH).
    #[arg(long)]
    no_timestamp: bool,
    /// Whether the first row is a header.
    #[arg(long, value_enum, default_value_t = Header::Auto)]
    header: Header,
    /// Recommender column (header name or 1-based index).
    #[arg(long)]
    from_col: Option<String>,
    /// Recommendee column (header name or 1-based index).
    #[arg(long)]
    to_col: Option<String>,
    /// Date column (header name or 1-based index).
    #[arg(long)]
    time_col: Option<String>,
    /// Recommendation text column (header name or 1-based index).
    #[arg(long)]
    text_col: Option<String>,
    /// Relationship column (header name or 1-based index).
    #[arg(long)]
    relationship_col: Option<String>,
}

/// A leading number and the unit that follows it (`"30d"` → `(30.0, "d")`); `what` names the
/// expected form in the error.
fn number_and_unit<'a>(s: &'a str, what: &str) -> Result<(f64, &'a str), String> {
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value = num.parse().map_err(|_| format!("'{s}' is not {what}"))?;
    Ok((value, unit))
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (value, unit) = number_and_unit(s, "a duration such as 30s, 5m or 1500ms")?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("unknown unit '{unit}' in '{s}' (use ms, s, m or h)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("'{s}': {e}"))
}

/// A window in days: `30d`, `2w`, `36h`, or a bare number of days.
fn parse_days(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (value, unit) = number_and_unit(s, "a window such as 30d, 2w or 36h")?;
    let days = match unit {
        "" | "d" => value,
        "w" => value * 7.0,
        "h" => value / 24.0,
        _ => return Err(format!("unknown unit '{unit}' in '{s}' (use h, d or w)")),
    };
    if days > 0.0 && days.is_finite() {
        Ok(days)
    } else {
        Err(format!("the window must be longer than zero, not '{s}'"))
    }
}

fn timestamp(disabled: bool) -> anyhow::Result<Option<i64>> {
    if disabled {
        return Ok(None);
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs = epoch.trim().parse().with_context(|| format!("SOURCE_DATE_EPOCH '{epoch}' is not an integer"))?;
        return Ok(Some(secs));
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("system clock before 1970")?;
    Ok(Some(now.as_secs() as i64))
}

fn config(a: &ScanArgs) -> anyhow::Result<ScanConfig> {
    let col = |s: &Option<String>| s.as_deref().map(ColumnRef::parse);
    Ok(ScanConfig {
        inputs: a.inputs.clone(),
        ingest: IngestOptions {
            columns: ColumnFlags {
                from: col(&a.from_col),
                to: col(&a.to_col),
                time: col(&a.time_col),
                text: col(&a.text_col),
                relationship: col(&a.relationship_col),
            },
            header: match a.header {
                Header::Auto => HeaderMode::Auto,
                Header::Yes => HeaderMode::Yes,
                Header::No => HeaderMode::No,
            },
            strict: a.strict,
        },
        max_cycle_len: usize::from(a.max_len),
        max_findings: a.max_findings,
        time_budget: a.time_budget,
        threads: a.threads,
        generated_at: timestamp(a.no_timestamp)?,
        people: a.people.clone(),
        allow: a.allow.clone(),
        window_days: a.window,
        count_only: a.count_only,
        thresholds: Default::default(),
    })
}

fn renderer(format: Format) -> Box<dyn Render> {
    match format {
        Format::Table => Box::new(Table::default()),
        Format::Json => Box::new(Json),
    }
}

/// Render into a temporary file beside `path`, then rename, so a failed run leaves no half
/// report.
fn write_atomically(path: &Path, report: &Report, format: Format) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().with_context(|| format!("{}: not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()));
    let written = (|| {
        let mut out = io::BufWriter::new(fs::File::create(&tmp)?);
        renderer(format).render(report, &mut out)?;
        out.flush()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
    }
    fs::rename(&tmp, path).with_context(|| format!("cannot move the report into {}", path.display()))
}

/// Render to standard output; a reader that went away (broken pipe) is not an error.
fn write_stdout(report: &Report, format: Format) -> anyhow::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match renderer(format).render(report, &mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => bail!("cannot write the report: {e}"),
        _ => Ok(()),
    }
}

fn exit_code(report: &Report, a: &ScanArgs) -> u8 {
    if report.summary.truncated {
        return 2;
    }
    let floor = match a.fail_on {
        FailOn::Never => return 0,
        FailOn::Info => Severity::Info,
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
    };
    if !a.exit_zero && report.summary.by_severity.at_least(floor) > 0 {
        1
    } else {
        0
    }
}

fn run_scan(a: &ScanArgs) -> anyhow::Result<u8> {
    let outcome = scan(&config(a)?)?;
    if a.verbose {
        for s in &outcome.stages {
            let rss = s.peak_rss.map_or(String::new(), |b| format!(", peak memory {:.1} MiB", b as f64 / 1048576.0));
            eprintln!("backscratch: {:<7} {:>9.3} s{rss}", s.stage, s.elapsed.as_secs_f64());
        }
    }
    let report = outcome.report;
    let started = std::time::Instant::now();
    match &a.output {
        Some(path) => write_atomically(path, &report, a.format)?,
        None => write_stdout(&report, a.format)?,
    }
    if a.verbose {
        eprintln!("backscratch: {:<7} {:>9.3} s", "write", started.elapsed().as_secs_f64());
    }
    if let Some(why) = &report.summary.truncated_reason {
        eprintln!("backscratch: report is truncated: {why}");
    }
    Ok(exit_code(&report, a))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Scan(a) => run_scan(a),
        Command::Generate(a) => run_generate(a),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("backscratch: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
