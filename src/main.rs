//! The `backscratch` command: parse flags into a plain [`ScanConfig`], run, render, and map
//! the outcome to an exit code (0 clean, 1 findings at or above `--fail-on`, 2 error or a
//! search cut short by `--time-budget`).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};

use backscratch::ingest::columns::{ColumnFlags, ColumnRef, HeaderMode};
use backscratch::ingest::linkedin::LinkedInOptions;
use backscratch::ingest::IngestOptions;
use backscratch::report::redact::Pseudonyms;
use backscratch::report::{self, github, output, Format, Render, RenderOptions, Report};
use backscratch::score::Severity;
use backscratch::{generate, scan, ProgressHook, ScanConfig};

/// A line to standard error that never panics: a closed or full stderr (`2>&-`,
/// `2>/dev/full`, a pipe whose reader left) must not turn the exit code into 101.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr().lock(), $($arg)*);
    }};
}

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
    /// The verdict (pass/warn/fail) for named candidates only, with the evidence about them.
    Check(Box<CheckArgs>),
    /// Write a synthetic network (recommendations, employment, ground truth) into a folder.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct GenerateArgs {
    /// Folder to write recommendations.csv, employment.csv and truth.csv into.
    #[arg(long, short)]
    out: PathBuf,
    /// Number of people (at least 100).
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..))]
    people: u64,
    /// Seed; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of people whose employment history is left out (private profiles).
    #[arg(long, default_value_t = 0.02)]
    missing_histories: f64,
    /// Replace recommendations.csv, employment.csv and truth.csv if the folder has them.
    #[arg(long)]
    force: bool,
    /// Share of honest reciprocations that come quickly.
    #[arg(long, default_value_t = 0.33, value_parser = parse_share)]
    honest_quick_share: f64,
    /// Quick honest reciprocations come within this many days (1 = a platform that prompts
    /// "return the favour").
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..))]
    honest_quick_days: u32,
    /// Traded pairs reciprocate after MIN..MAX days.
    #[arg(long, default_value = "0..3", value_parser = parse_range, value_name = "MIN..MAX")]
    trade_lag_days: (usize, usize),
    /// Share of traded texts written to sound specific.
    #[arg(long, default_value_t = 0.0, value_parser = parse_share)]
    trade_specific_share: f64,
    /// Share of honest texts that are stock praise.
    #[arg(long, default_value_t = 0.0, value_parser = parse_share)]
    honest_stock_share: f64,
    /// Honest client/vendor pairs per 1,000 people.
    #[arg(long, default_value_t = 5.0)]
    clients_per_1000: f64,
    /// People in the trading club.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(3..=40))]
    club_size: u32,
    /// Share of the club's ordered pairs that recommend.
    #[arg(long, default_value_t = 1.0, value_parser = parse_share)]
    club_density: f64,
    /// Sizes of the planted rings, MIN..MAX (3..8).
    #[arg(long, default_value = "3..5", value_parser = parse_range, value_name = "MIN..MAX")]
    ring_sizes: (usize, usize),
}

/// `--max-len`: a cycle length, or `auto` (`None`).
#[derive(Clone, Copy, Debug)]
struct MaxLenArg(Option<usize>);

/// `auto` or a cycle length 3..=8.
fn parse_max_len(s: &str) -> Result<MaxLenArg, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(MaxLenArg(None));
    }
    match s.trim().parse::<usize>() {
        Ok(k) if (3..=8).contains(&k) => Ok(MaxLenArg(Some(k))),
        _ => Err(format!("'{s}' is not auto or a length 3..8")),
    }
}

/// A share, 0 to 1.
fn parse_share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{s}' is not a share between 0 and 1")),
    }
}

/// `MIN..MAX` (inclusive), MIN <= MAX.
fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("'{s}' is not MIN..MAX (e.g. 0..3)");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let (a, b): (usize, usize) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a > b {
        return Err(bad());
    }
    Ok((a, b))
}

fn run_generate(a: &GenerateArgs) -> anyhow::Result<u8> {
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
    Ok(0)
}

#[derive(Args)]
struct CheckArgs {
    /// A candidate's name exactly as in the data (repeatable).
    #[arg(long = "subject", value_name = "NAME", required_unless_present = "subjects")]
    subject: Vec<String>,
    /// A file of candidates' names, one per line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    subjects: Option<PathBuf>,
    #[command(flatten)]
    scan: ScanArgs,
}

/// `--format`: the library's format names, listed in `--help`.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    let names = Format::ALL.map(Format::name);
    clap::builder::PossibleValuesParser::new(names).map(|name| Format::from_name(&name).unwrap_or(Format::Table))
}

/// `--report FORMAT=PATH`.
#[derive(Clone)]
struct ReportTarget {
    format: Format,
    path: PathBuf,
}

fn parse_report_target(s: &str) -> Result<ReportTarget, String> {
    let (name, path) = s.split_once('=').ok_or_else(|| format!("'{s}' is not FORMAT=PATH (e.g. html=report.html)"))?;
    let format = Format::from_name(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format '{name}' (use one of {})", names.join(", "))
    })?;
    if path.is_empty() {
        return Err(format!("'{s}' names no file"));
    }
    Ok(ReportTarget { format, path: PathBuf::from(path) })
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Include {
    /// LinkedIn endorsements, as edges of kind `endorsement`.
    Endorsements,
}

fn parse_date_format(s: &str) -> Result<String, String> {
    backscratch::ingest::date::check_format(s).map(|()| s.to_string())
}

fn parse_owner(s: &str) -> Result<(PathBuf, String), String> {
    match s.split_once('=') {
        Some((path, name)) if !path.is_empty() && !name.trim().is_empty() => {
            Ok((PathBuf::from(path), name.trim().to_string()))
        }
        _ => Err(format!("'{s}' is not PATH=NAME (e.g. exports/ann.zip=\"Ann Lee\")")),
    }
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
    /// Longest cycle to search for: 3..=8, or auto (5 when a cheap estimate of the search
    /// predicts a few seconds, else 4; the report says which and why).
    #[arg(long, default_value = "auto", value_parser = parse_max_len, value_name = "K|auto")]
    max_len: MaxLenArg,
    /// Output format [default: from the --output file's extension (.json, .jsonl, .csv, .md,
    /// .html, .xml, .dot), else table]. CSV to a file also writes X.people.csv beside it.
    #[arg(long, value_parser = format_parser())]
    format: Option<Format>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Also write FORMAT to PATH (repeatable, e.g. --report html=out.html --report junit=out.xml).
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    reports: Vec<ReportTarget>,
    /// Print nothing but errors (files asked for with --report or --output are still written).
    #[arg(long, short)]
    quiet: bool,
    /// GitHub Actions mode (on by itself when GITHUB_ACTIONS=true): annotations on standard error
    /// and the Markdown summary appended to $GITHUB_STEP_SUMMARY.
    #[arg(long)]
    github: bool,
    /// Replace every name by a stable pseudonym in every output, for sharing.
    #[arg(long, visible_alias = "pseudonymize")]
    redact: bool,
    /// Make the pseudonyms HMAC-SHA-256 under the secret key in FILE (at least 16 bytes), so
    /// that nobody without the key can re-identify people by hashing names (implies --redact).
    #[arg(long, value_name = "FILE")]
    redact_key: Option<PathBuf>,
    /// Also read these from LinkedIn exports (`endorsements`: a second, weaker kind of edge).
    #[arg(long, value_enum, value_name = "WHAT")]
    include: Vec<Include>,
    /// The owner of a LinkedIn export without Profile.csv (repeatable), e.g. --owner exports/ann.zip="Ann Lee".
    #[arg(long, value_name = "PATH=NAME", value_parser = parse_owner)]
    owner: Vec<(PathBuf, String)>,
    /// An earlier JSON report: list only findings whose id it does not have (new since then).
    #[arg(long, value_name = "OLD.json")]
    baseline: Option<PathBuf>,
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
    /// The form of every date cell, strftime-style (e.g. %d.%m.%Y for 04.09.2023), when the
    /// forms read by default do not fit; a date not in this form is kept undated and counted.
    #[arg(long, value_name = "FORMAT", value_parser = parse_date_format)]
    date_format: Option<String>,
    /// The longest line read, in bytes (default 1 MiB): a longer line is skipped unread and
    /// counted as `line too long`, a quoted field running on longer is an unclosed quote.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(64..))]
    max_line_bytes: Option<u64>,
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

/// `--threads N`, at most four per core: more only cost memory and start-up time (20,000
/// threads took minutes and then aborted), so a larger number is lowered, with a message.
fn capped_threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cap = 4 * cores;
    if asked > cap {
        say!("backscratch: --threads {asked} lowered to {cap} (four per core on this machine)");
        return cap;
    }
    asked
}

/// `--redact` and `--redact-key`: how names become pseudonyms, if they do.
fn pseudonyms(a: &ScanArgs) -> anyhow::Result<Option<Pseudonyms>> {
    match &a.redact_key {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read the redaction key {}", path.display()))?;
            let key = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            let key = key.strip_suffix(b"\r").unwrap_or(key);
            Pseudonyms::keyed(key).map(Some).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
        None => Ok(a.redact.then(Pseudonyms::unkeyed)),
    }
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
            date_format: a.date_format.clone(),
            max_line_bytes: a.max_line_bytes.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            deadline: None,
            linkedin: LinkedInOptions {
                include_endorsements: a.include.contains(&Include::Endorsements),
                owners: a.owner.clone(),
            },
        },
        max_cycle_len: a.max_len.0,
        max_findings: a.max_findings,
        time_budget: a.time_budget,
        threads: a.threads.map(capped_threads),
        generated_at: timestamp(a.no_timestamp)?,
        people: a.people.clone(),
        allow: a.allow.clone(),
        window_days: a.window,
        count_only: a.count_only,
        thresholds: Default::default(),
        subjects: None,
        baseline: a.baseline.clone(),
        redact: pseudonyms(a)?,
        progress: progress_display(a),
    })
}

/// Whether standard error goes to a person (a terminal, not a CI log).
fn interactive_stderr() -> bool {
    io::stderr().is_terminal() && std::env::var_os("CI").is_none() && std::env::var_os("GITHUB_ACTIONS").is_none()
}

/// A spinner naming the running stage, on a terminal only and never with --quiet.
fn progress_display(a: &ScanArgs) -> Option<ProgressHook> {
    if a.quiet || !interactive_stderr() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner().with_finish(indicatif::ProgressFinish::AndClear);
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}").ok()?);
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(ProgressHook(Arc::new(move |stage| {
        let what = match stage {
            "ingest" => "reading the inputs",
            "graph" => "building the graph",
            "detect+score" => "finding and judging pairs and rings",
            _ => "writing the report",
        };
        bar.set_message(what);
        if stage == "report" {
            bar.finish_and_clear();
        }
    })))
}

/// The names in a subjects file: one per line; a byte-order mark, blanks around a name, blank
/// lines, `#` comment lines and trailing ` # comments` are ignored.
fn subject_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.trim_start_matches('\u{feff}').lines().filter_map(|line| {
        let name = match line.find(" #").or_else(|| line.find("\t#")) {
            Some(i) => &line[..i],
            None => line,
        };
        let name = name.trim();
        (!name.is_empty() && !name.starts_with('#')).then(|| name.to_string())
    })
}

/// Names from `--subject` and `--subjects FILE`, in order, without repeats.
fn subjects(a: &CheckArgs) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = a.subject.iter().map(|n| n.trim().to_string()).collect();
    if let Some(path) = &a.subjects {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        names.extend(subject_lines(&text));
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    if names.is_empty() {
        bail!("no candidate named: give --subject NAME or a --subjects file with names in it");
    }
    Ok(names)
}

fn fail_floor(a: &ScanArgs) -> Option<Severity> {
    match a.fail_on {
        FailOn::Never => None,
        FailOn::Info => Some(Severity::Info),
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
    }
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

fn exit_code(report: &Report, a: &ScanArgs) -> u8 {
    if report.summary.truncated || !report.missing_subjects().is_empty() {
        return 2;
    }
    match fail_floor(a) {
        Some(floor) if !a.exit_zero && report.fails(floor) => 1,
        _ => 0,
    }
}

/// Refuse two outputs that would land in one file (`-o x.json --report html=x.json`, or a
/// CSV's people sheet): the second would silently replace the first. Devices and pipes may
/// be shared.
fn distinct_outputs(a: &ScanArgs, format: Format) -> anyhow::Result<()> {
    let mut named: Vec<(String, PathBuf)> = Vec::new();
    let mut add = |label: String, path: &Path, format: Format| {
        named.push((label.clone(), path.to_path_buf()));
        if format == Format::Csv {
            named.push((format!("{label} (its people sheet)"), output::people_sheet_path(path)));
        }
    };
    if let Some(path) = &a.output {
        add(format!("-o {}", path.display()), path, format);
    }
    for t in &a.reports {
        add(format!("--report {}={}", t.format.name(), t.path.display()), &t.path, t.format);
    }
    // A report written over one of the inputs would destroy the data it reports on (the
    // baseline is read before anything is written, so refreshing it in place is fine).
    use std::os::unix::fs::MetadataExt;
    let inputs: Vec<(u64, u64, &PathBuf)> = a
        .inputs
        .iter()
        .chain(a.people.iter())
        .chain(a.allow.iter())
        .filter_map(|p| std::fs::metadata(p).ok().filter(|m| m.is_file()).map(|m| (m.dev(), m.ino(), p)))
        .collect();
    for (label, path) in &named {
        if let Ok(m) = std::fs::metadata(path) {
            if let Some((_, _, input)) = inputs.iter().find(|(dev, ino, _)| (*dev, *ino) == (m.dev(), m.ino())) {
                bail!("{label} would write over the input {}; give the report another path", input.display());
            }
        }
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

fn run_scan(a: &ScanArgs, subjects: Option<Vec<String>>) -> anyhow::Result<u8> {
    let format = a.format.unwrap_or_else(|| {
        let ext = a.output.as_ref().and_then(|p| p.extension()).map(|e| e.to_string_lossy().to_lowercase());
        ext.and_then(|e| Format::from_name(&e)).unwrap_or(Format::Table)
    });
    distinct_outputs(a, format)?;
    let outcome = scan(&ScanConfig { subjects, ..config(a)? })?;
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
    match &a.output {
        Some(path) => {
            output::write_report(path, &report, format, plain)?;
        }
        None if !a.quiet => write_stdout(&report, format, options)?,
        None => {}
    }
    for target in &a.reports {
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
    Ok(exit_code(&report, a))
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

fn main() -> ExitCode {
    watch_signals();
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Scan(a) => run_scan(a, None),
        Command::Check(a) => subjects(a).and_then(|names| run_scan(&a.scan, Some(names))),
        Command::Generate(a) => run_generate(a),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            say!("backscratch: error: {}", report::escape::terminal(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}
