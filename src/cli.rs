//! The command line: flags and subcommands (clap), their parsers, and their translation into
//! the library's plain [`ScanConfig`]. Nothing here runs a scan; `main` does, and maps the
//! outcome to an exit code.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};

use backscratch::ingest::columns::{ColumnFlags, ColumnRef, HeaderMode};
use backscratch::ingest::linkedin::LinkedInOptions;
use backscratch::ingest::IngestOptions;
use backscratch::report::redact::Pseudonyms;
use backscratch::report::Format;
use backscratch::score::Severity;
use backscratch::{vocab, ProgressHook, ScanConfig};

#[derive(Parser)]
#[command(name = "backscratch", version, about = "Find recommendation trading: reciprocal pairs and short rings")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Scan edge lists for reciprocal pairs and rings of recommendations.
    Scan(Box<ScanArgs>),
    /// The verdict (pass/warn/fail) for named candidates only, with the evidence about them.
    Check(Box<CheckArgs>),
    /// Write a synthetic network (recommendations, employment, ground truth) into a folder.
    Generate(GenerateArgs),
    /// Live detection: say what each new recommendation closes (pair, cycles, closing paths)
    /// as it arrives, after it is durable in --state (HTTP/JSON under /v1, or NDJSON on
    /// standard input and output with --stdio).
    Serve(ServeArgs),
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Folder of the durable state (created if missing); started again on it, the service
    /// recovers every acknowledged recommendation.
    #[arg(long, value_name = "DIR")]
    pub(crate) state: PathBuf,
    /// Read recommendations as NDJSON lines on standard input and answer each on standard
    /// output, instead of serving HTTP.
    #[arg(long, conflicts_with_all = ["listen", "token_file"])]
    pub(crate) stdio: bool,
    /// Address to serve HTTP on (port 0: any free port, printed at start). Off loopback it
    /// needs --token-file.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// File holding the bearer token that every request must carry
    /// (`Authorization: Bearer TOKEN`); without it requests get 401.
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
    /// Largest request body, in bytes; a larger one gets 413 and nothing is stored.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_body: u64,
    /// Requests that may wait for the engine; when more arrive they get 503 with
    /// Retry-After instead of waiting.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) queue: u64,
    /// Longest cycle looked for, 3..8.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(3..=8))]
    pub(crate) max_len: u64,
    /// Most steps one answer's search may take; an answer that hits it says "complete": false
    /// and its counts are lower bounds.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) budget: u64,
    /// Closing cycles listed per answer (every one is counted).
    #[arg(long, default_value_t = 10)]
    pub(crate) paths: usize,
}

#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// Folder to write recommendations.csv, employment.csv and truth.csv into.
    #[arg(long, short)]
    pub(crate) out: PathBuf,
    /// Number of people (at least 100).
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..))]
    pub(crate) people: u64,
    /// Seed; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Share of people whose employment history is left out (private profiles).
    #[arg(long, default_value_t = 0.02)]
    pub(crate) missing_histories: f64,
    /// Replace recommendations.csv, employment.csv and truth.csv if the folder has them.
    #[arg(long)]
    pub(crate) force: bool,
    /// Share of honest reciprocations that come quickly.
    #[arg(long, default_value_t = 0.33, value_parser = parse_share)]
    pub(crate) honest_quick_share: f64,
    /// Quick honest reciprocations come within this many days (1 = a platform that prompts
    /// "return the favour").
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) honest_quick_days: u32,
    /// Traded pairs reciprocate after MIN..MAX days.
    #[arg(long, default_value = "0..3", value_parser = parse_range, value_name = "MIN..MAX")]
    pub(crate) trade_lag_days: (usize, usize),
    /// Share of traded texts written to sound specific.
    #[arg(long, default_value_t = 0.0, value_parser = parse_share)]
    pub(crate) trade_specific_share: f64,
    /// Share of honest texts that are stock praise.
    #[arg(long, default_value_t = 0.0, value_parser = parse_share)]
    pub(crate) honest_stock_share: f64,
    /// Honest client/vendor pairs per 1,000 people.
    #[arg(long, default_value_t = 5.0)]
    pub(crate) clients_per_1000: f64,
    /// People in the trading club.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(3..=40))]
    pub(crate) club_size: u32,
    /// Share of the club's ordered pairs that recommend.
    #[arg(long, default_value_t = 1.0, value_parser = parse_share)]
    pub(crate) club_density: f64,
    /// Sizes of the planted rings, MIN..MAX (3..8).
    #[arg(long, default_value = "3..5", value_parser = parse_range, value_name = "MIN..MAX")]
    pub(crate) ring_sizes: (usize, usize),
}

/// `--max-len`: a cycle length, or `auto` (`None`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct MaxLenArg(pub(crate) Option<usize>);

/// `auto` or a cycle length 3..=8.
pub(crate) fn parse_max_len(s: &str) -> Result<MaxLenArg, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(MaxLenArg(None));
    }
    match s.trim().parse::<usize>() {
        Ok(k) if (3..=8).contains(&k) => Ok(MaxLenArg(Some(k))),
        _ => Err(format!("'{s}' is not auto or a length 3..8")),
    }
}

/// A share, 0 to 1.
pub(crate) fn parse_share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{s}' is not a share between 0 and 1")),
    }
}

/// `MIN..MAX` (inclusive), MIN <= MAX.
pub(crate) fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("'{s}' is not MIN..MAX (e.g. 0..3)");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let (a, b): (usize, usize) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a > b {
        return Err(bad());
    }
    Ok((a, b))
}

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// A candidate's name exactly as in the data (repeatable).
    #[arg(long = "subject", value_name = "NAME", required_unless_present = "subjects")]
    pub(crate) subject: Vec<String>,
    /// A file of candidates' names, one per line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    pub(crate) subjects: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) scan: ScanArgs,
}

/// `--format`: the library's format names, listed in `--help`, read by the library's parser.
pub(crate) fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    let names = Format::ALL.map(Format::name);
    clap::builder::PossibleValuesParser::new(names).try_map(|name| vocab::parse_format(&name))
}

/// `--fail-on`: a severity or `never`, listed in `--help`, read by the library's parser.
pub(crate) fn fail_on_parser() -> impl clap::builder::TypedValueParser<Value = FailOn> {
    clap::builder::PossibleValuesParser::new(["info", "low", "medium", "high", "never"])
        .try_map(|name| vocab::parse_fail_on(&name).map(FailOn))
}

/// `--header`: `auto`, `yes` or `no`, listed in `--help`, read by the library's parser.
pub(crate) fn header_parser() -> impl clap::builder::TypedValueParser<Value = HeaderMode> {
    clap::builder::PossibleValuesParser::new(["auto", "yes", "no"]).try_map(|name| vocab::parse_header(&name))
}

/// `--report FORMAT=PATH`.
#[derive(Clone)]
pub(crate) struct ReportTarget {
    pub(crate) format: Format,
    pub(crate) path: PathBuf,
}

pub(crate) fn parse_report_target(s: &str) -> Result<ReportTarget, String> {
    let (name, path) = s.split_once('=').ok_or_else(|| format!("'{s}' is not FORMAT=PATH (e.g. html=report.html)"))?;
    let format = vocab::parse_format(name)?;
    if path.is_empty() {
        return Err(format!("'{s}' names no file"));
    }
    Ok(ReportTarget { format, path: PathBuf::from(path) })
}

/// `--fail-on`'s floor: findings at or above it fail the gate; `None` is `never`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FailOn(pub(crate) Option<Severity>);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Include {
    /// LinkedIn endorsements, as edges of kind `endorsement`.
    Endorsements,
}

pub(crate) fn parse_date_format(s: &str) -> Result<String, String> {
    backscratch::ingest::date::check_format(s).map(|()| s.to_string())
}

pub(crate) fn parse_owner(s: &str) -> Result<(PathBuf, String), String> {
    match s.split_once('=') {
        Some((path, name)) if !path.is_empty() && !name.trim().is_empty() => {
            Ok((PathBuf::from(path), name.trim().to_string()))
        }
        _ => Err(format!("'{s}' is not PATH=NAME (e.g. exports/ann.zip=\"Ann Lee\")")),
    }
}

#[derive(Args, Clone)]
pub(crate) struct ScanArgs {
    /// Edge-list files (CSV, TSV, whitespace; gzip or zstd); `-` reads standard input.
    #[arg(required = true)]
    pub(crate) inputs: Vec<PathBuf>,
    /// Longest cycle to search for: 3..=8, or auto (5 when a cheap estimate of the search
    /// predicts a few seconds, else 4; the report says which and why).
    #[arg(long, default_value = "auto", value_parser = parse_max_len, value_name = "K|auto")]
    pub(crate) max_len: MaxLenArg,
    /// Output format [default: from the --output file's extension (.json, .jsonl, .csv, .md,
    /// .html, .xml, .dot), else table]. CSV to a file also writes X.people.csv beside it.
    #[arg(long, value_parser = format_parser())]
    pub(crate) format: Option<Format>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
    /// Also write FORMAT to PATH (repeatable, e.g. --report html=out.html --report junit=out.xml).
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    pub(crate) reports: Vec<ReportTarget>,
    /// Print nothing but errors (files asked for with --report or --output are still written).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// GitHub Actions mode (on by itself when GITHUB_ACTIONS=true): annotations on standard error
    /// and the Markdown summary appended to $GITHUB_STEP_SUMMARY.
    #[arg(long)]
    pub(crate) github: bool,
    /// Replace every name by a stable pseudonym in every output, for sharing.
    #[arg(long, visible_alias = "pseudonymize")]
    pub(crate) redact: bool,
    /// Make the pseudonyms HMAC-SHA-256 under the secret key in FILE (at least 16 bytes), so
    /// that nobody without the key can re-identify people by hashing names (implies --redact).
    #[arg(long, value_name = "FILE")]
    pub(crate) redact_key: Option<PathBuf>,
    /// Also read these from LinkedIn exports (`endorsements`: a second, weaker kind of edge).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub(crate) include: Vec<Include>,
    /// The owner of a LinkedIn export without Profile.csv (repeatable), e.g. --owner exports/ann.zip="Ann Lee".
    #[arg(long, value_name = "PATH=NAME", value_parser = parse_owner)]
    pub(crate) owner: Vec<(PathBuf, String)>,
    /// An earlier JSON report: list only findings whose id it does not have (new since then).
    #[arg(long, value_name = "OLD.json")]
    pub(crate) baseline: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_parser = fail_on_parser(), default_value = "high")]
    pub(crate) fail_on: FailOn,
    /// Always exit 0 when the scan ran (report-only runs); errors still exit 2.
    #[arg(long)]
    pub(crate) exit_zero: bool,
    /// Worker threads (default: all cores); with --hosts, threads per process.
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Run as one of several processes (on one machine or many): FILE lists `host:port`, one
    /// line per process. Start every process with the same command but --process; process 0
    /// writes the report, and every process exits with the same code.
    #[arg(long, value_name = "FILE", requires = "process")]
    pub(crate) hosts: Option<PathBuf>,
    /// This process's line of --hosts, counting from 0.
    #[arg(long, value_name = "I", requires = "hosts")]
    pub(crate) process: Option<usize>,
    /// With --hosts: a secret of at least 16 bytes in FILE, the same for every process; each
    /// connection proves it (HMAC challenge and response, the key never travels), so only
    /// processes holding it join the run. Use one on any network you do not control.
    #[arg(long, value_name = "FILE", requires = "hosts")]
    pub(crate) cluster_key: Option<PathBuf>,
    /// With --hosts: how long to wait for every process to connect (e.g. 60s, 2m), and how long
    /// a peer may go silent mid-run (at least 10s); a peer that does not answer in time is an
    /// error naming it.
    #[arg(long, value_parser = vocab::parse_duration, default_value = "60s", value_name = "D")]
    pub(crate) connect_timeout: Duration,
    /// Treat the first bad row (too few columns, empty name, bad date, invalid UTF-8) as an error.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Most findings to list (all are counted): the listed cases' findings first, then the most severe findings in no case.
    #[arg(long, default_value_t = backscratch::DEFAULT_MAX_FINDINGS)]
    pub(crate) max_findings: usize,
    /// Most cases to list, most severe first (all are counted); each listed case's findings and people are listed in full, up to --max-findings.
    #[arg(long, default_value_t = backscratch::DEFAULT_MAX_CASES)]
    pub(crate) max_cases: usize,
    /// Stop the search after this long (e.g. 30s, 5m, 1500ms); the report is marked truncated and the exit code is 2.
    #[arg(long, value_parser = vocab::parse_duration)]
    pub(crate) time_budget: Option<Duration>,
    /// Employment histories, CSV `name,company,start,end` (empty end = current): recommendations
    /// between people who worked together are corroborated, others are not.
    #[arg(long, value_name = "FILE")]
    pub(crate) people: Option<PathBuf>,
    /// Allowlist, CSV `members,reason` (members separated by `;`): matching findings stay in the
    /// report marked `suppressed_by` and do not count towards --fail-on or verdicts.
    #[arg(long, value_name = "FILE")]
    pub(crate) allow: Option<PathBuf>,
    /// Only cycles whose recommendations all fall within this window are findings (e.g. 30d,
    /// 2w, 36h; a bare number is days). Cycle counts stay structural.
    #[arg(long, value_parser = vocab::parse_days, value_name = "DURATION")]
    pub(crate) window: Option<f64>,
    /// Count pairs and cycles only, judge nothing (the fastest run; no findings listed).
    #[arg(long, conflicts_with_all = ["people", "allow", "window"])]
    pub(crate) count_only: bool,
    /// Print how long each stage took, and peak memory, to standard error.
    #[arg(long, short)]
    pub(crate) verbose: bool,
    /// Leave `generated_at` out of the report (it also honours SOURCE_DATE_EPOCH).
    #[arg(long)]
    pub(crate) no_timestamp: bool,
    /// Whether the first row is a header.
    #[arg(long, value_parser = header_parser(), default_value = "auto")]
    pub(crate) header: HeaderMode,
    /// Recommender column (header name or 1-based index).
    #[arg(long)]
    pub(crate) from_col: Option<String>,
    /// Recommendee column (header name or 1-based index).
    #[arg(long)]
    pub(crate) to_col: Option<String>,
    /// Date column (header name or 1-based index).
    #[arg(long)]
    pub(crate) time_col: Option<String>,
    /// The form of every date cell, strftime-style (e.g. %d.%m.%Y for 04.09.2023), when the
    /// forms read by default do not fit; a date not in this form is kept undated and counted.
    #[arg(long, value_name = "FORMAT", value_parser = parse_date_format)]
    pub(crate) date_format: Option<String>,
    /// The longest line read, in bytes (default 1 MiB): a longer line is skipped unread and
    /// counted as `line too long`, a quoted field running on longer is an unclosed quote.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(64..))]
    pub(crate) max_line_bytes: Option<u64>,
    /// Recommendation text column (header name or 1-based index).
    #[arg(long)]
    pub(crate) text_col: Option<String>,
    /// Relationship column (header name or 1-based index).
    #[arg(long)]
    pub(crate) relationship_col: Option<String>,
    /// Weight column: a rating, vote or sign (header name or 1-based index; found by itself
    /// from a header named weight, rating, score, vote, vot or sign). Its value is in each
    /// JSON edge; a cell that is not a number skips the row as `bad weight`
    #[arg(long)]
    pub(crate) weight_col: Option<String>,
    /// Skip rows whose weight is below this (counted as `below --min-weight`), e.g.
    /// `--min-weight 1` keeps ratings of 1 and above. Without it a weight column keeps
    /// positive rows only (counted as `weight 0 or below`)
    #[arg(long, value_name = "X", allow_negative_numbers = true, value_parser = parse_weight)]
    pub(crate) min_weight: Option<f64>,
    /// Keep rows whose weight is 0 or below (negative ratings, oppose votes) as
    /// recommendations; by default a weight column keeps positive rows only
    #[arg(long, conflicts_with = "min_weight")]
    pub(crate) keep_negative: bool,
}

fn parse_weight(s: &str) -> Result<f64, String> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| format!("'{s}' is not a number"))
}

pub(crate) fn timestamp(disabled: bool) -> anyhow::Result<Option<i64>> {
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
pub(crate) fn capped_threads(asked: usize) -> usize {
    let cap = backscratch::max_threads();
    if asked > cap {
        say!("backscratch: --threads {asked} lowered to {cap} (four per core on this machine)");
        return cap;
    }
    asked
}

/// `--redact` and `--redact-key`: how names become pseudonyms, if they do.
pub(crate) fn pseudonyms(a: &ScanArgs) -> anyhow::Result<Option<Pseudonyms>> {
    match &a.redact_key {
        Some(path) => Pseudonyms::keyed_from_file(path).map(Some).map_err(|e| anyhow::anyhow!(e)),
        None => Ok(a.redact.then(Pseudonyms::unkeyed)),
    }
}

pub(crate) fn config(a: &ScanArgs) -> anyhow::Result<ScanConfig> {
    let col = |s: &Option<String>| s.as_deref().map(ColumnRef::parse);
    // The option types are `#[non_exhaustive]`: start from their defaults and set each field.
    let mut columns = ColumnFlags::default();
    columns.from = col(&a.from_col);
    columns.to = col(&a.to_col);
    columns.time = col(&a.time_col);
    columns.text = col(&a.text_col);
    columns.relationship = col(&a.relationship_col);
    columns.weight = col(&a.weight_col);
    let mut linkedin = LinkedInOptions::default();
    linkedin.include_endorsements = a.include.contains(&Include::Endorsements);
    linkedin.owners = a.owner.clone();
    let mut ingest = IngestOptions::default();
    ingest.columns = columns;
    ingest.header = a.header;
    ingest.strict = a.strict;
    ingest.date_format = a.date_format.clone();
    ingest.max_line_bytes = a.max_line_bytes.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    ingest.min_weight = a.min_weight;
    ingest.keep_negative = a.keep_negative;
    ingest.linkedin = linkedin;
    let mut c = ScanConfig::default();
    c.inputs = a.inputs.clone();
    c.ingest = ingest;
    c.max_cycle_len = a.max_len.0;
    c.max_findings = a.max_findings;
    c.max_cases = a.max_cases;
    c.time_budget = a.time_budget;
    c.threads = a.threads.map(capped_threads);
    c.generated_at = timestamp(a.no_timestamp)?;
    c.people = a.people.clone();
    c.allow = a.allow.clone();
    c.window_days = a.window;
    c.count_only = a.count_only;
    c.baseline = a.baseline.clone();
    c.redact = pseudonyms(a)?;
    c.progress = progress_display(a);
    Ok(c)
}

/// Whether standard error goes to a person (a terminal, not a CI log).
pub(crate) fn interactive_stderr() -> bool {
    io::stderr().is_terminal() && std::env::var_os("CI").is_none() && std::env::var_os("GITHUB_ACTIONS").is_none()
}

/// A spinner naming the running stage, on a terminal only and never with --quiet.
pub(crate) fn progress_display(a: &ScanArgs) -> Option<ProgressHook> {
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
pub(crate) fn subject_lines(text: &str) -> impl Iterator<Item = String> + '_ {
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
pub(crate) fn subjects(a: &CheckArgs) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = a.subject.iter().map(|n| n.trim().to_string()).collect();
    if let Some(path) = &a.subjects {
        // A list of candidates, not a data set: 64 MiB is a million long names.
        let bytes = backscratch::ingest::source::read_bounded(path, 64 << 20, "the --subjects file")
            .map_err(anyhow::Error::msg)?;
        let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?;
        names.extend(subject_lines(&text));
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    if names.is_empty() {
        bail!("no candidate named: give --subject NAME or a --subjects file with names in it");
    }
    Ok(names)
}

pub(crate) fn fail_floor(a: &ScanArgs) -> Option<Severity> {
    a.fail_on.0
}
