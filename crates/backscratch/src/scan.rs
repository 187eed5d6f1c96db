//! The scan driver: ingest → graph → detect → score → report, from a plain [`ScanConfig`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::detect::{self, MAX_CYCLE_LEN};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::ingest::{self, columns::HeaderMode, IngestOptions};
use crate::report::baseline::Baseline;
use crate::report::jsonl::{self, StreamFormat, StreamInputs};
use crate::report::profile::Backings;
use crate::report::{redact, ColumnParams, Params, Report, ReportInputs};
use crate::score::allow::{self, Allowlist};
use crate::score::assess::{Evidence, Thresholds};
use crate::score::{self, employment::Employment, ScoreOptions, Scoring};

/// Most findings listed by default: a compact report (every count stays exact).
pub const DEFAULT_MAX_FINDINGS: usize = 1_000;
/// Most cases listed by default.
pub const DEFAULT_MAX_CASES: usize = 20;

/// Everything a scan needs; built by the command line or by library users.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScanConfig {
    /// Edge-list files; `-` is standard input.
    pub inputs: Vec<PathBuf>,
    /// How to read them.
    pub ingest: IngestOptions,
    /// Longest cycle searched, 3..=8; `None` (`--max-len auto`) chooses 5 or 4 from a cheap
    /// estimate of the search (`detect::estimate`).
    pub max_cycle_len: Option<usize>,
    /// Most findings listed in the report.
    pub max_findings: usize,
    /// Most cases listed in the report (their findings are listed first).
    pub max_cases: usize,
    /// Stop the search after this long and mark the report truncated.
    pub time_budget: Option<Duration>,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Unix seconds for `generated_at`, or `None` to leave it out.
    pub generated_at: Option<i64>,
    /// Employment histories (`name,company,start,end`) to check who worked together.
    pub people: Option<PathBuf>,
    /// Allowlist of pairs and groups (`members,reason`).
    pub allow: Option<PathBuf>,
    /// `--window`: cycles whose dates span more days are not findings.
    pub window_days: Option<f64>,
    /// Count pairs and cycles only; judge nothing.
    pub count_only: bool,
    /// Time windows of the severity rule.
    pub thresholds: Thresholds,
    /// `check`: report on these candidates only.
    pub subjects: Option<Vec<String>>,
    /// `--baseline`: an earlier JSON report whose findings are left out.
    pub baseline: Option<PathBuf>,
    /// `--redact`: names become stable pseudonyms, made this way (`--redact-key` keys them).
    pub redact: Option<redact::Pseudonyms>,
    /// Told when each stage starts (for a progress display).
    pub progress: Option<ProgressHook>,
    /// `--format jsonl` from `scan`: every finding is streamed to each of these files (or
    /// devices) during the scan, one compact line each (`report::jsonl`); the
    /// report itself is made as usual.
    pub stream_findings: Vec<PathBuf>,
    /// Keep the dataset's baselines in [`ScanOutcome::baselines`], to judge new pairs and
    /// cycles one at a time against them later ([`crate::score::online`]).
    pub keep_baselines: bool,
}

/// A function told the name of each stage as it starts (`ingest`, `graph`, `detect+score`,
/// `report`).
#[derive(Clone)]
pub struct ProgressHook(pub Arc<dyn Fn(&'static str) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            inputs: Vec::new(),
            ingest: IngestOptions::default(),
            max_cycle_len: None,
            max_findings: DEFAULT_MAX_FINDINGS,
            max_cases: DEFAULT_MAX_CASES,
            time_budget: None,
            threads: None,
            generated_at: None,
            people: None,
            allow: None,
            window_days: None,
            count_only: false,
            thresholds: Thresholds::default(),
            subjects: None,
            baseline: None,
            redact: None,
            progress: None,
            stream_findings: Vec::new(),
            keep_baselines: false,
        }
    }
}

impl ScanConfig {
    /// Check the config; the [`Checked`] it gives is the only way into the driver ([`drive`]),
    /// so a config is validated once however a scan is entered.
    pub(crate) fn validate(&self) -> Result<Checked<'_>> {
        if let Some(k) = self.max_cycle_len.filter(|k| !(3..=MAX_CYCLE_LEN).contains(k)) {
            return Err(Error::Config(format!("max cycle length must be 3..={MAX_CYCLE_LEN}, not {k}")));
        }
        if self.inputs.is_empty() && self.ingest.table.is_none() {
            return Err(Error::Config("no input given".into()));
        }
        if let Some(w) = self.window_days.filter(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(Error::Config(format!("the window must be a positive number of days, not {w}")));
        }
        if self.subjects.as_ref().is_some_and(|s| s.is_empty()) {
            return Err(Error::Config("no candidate named to check".into()));
        }
        if self.threads == Some(0) {
            return Err(Error::Config("threads must be at least 1".into()));
        }
        if let Some(n) = self.threads.filter(|&n| n > max_threads()) {
            return Err(Error::Config(format!(
                "threads must be at most {} (four per core on this machine), not {n}: more only cost memory and start-up \
                 time",
                max_threads()
            )));
        }
        if let Some(n) = self.ingest.max_line_bytes.filter(|&n| n < MIN_LINE_BYTES) {
            return Err(Error::Config(format!("the longest line must be at least {MIN_LINE_BYTES} bytes, not {n}")));
        }
        if let Some(f) = &self.ingest.date_format {
            ingest::date::check_format(f).map_err(Error::Config)?;
        }
        Ok(Checked(self))
    }

    fn thresholds_in_force(&self) -> Thresholds {
        Thresholds { ring_window_days: self.window_days.unwrap_or(self.thresholds.ring_window_days), ..self.thresholds }
    }

    fn params(&self, max_len: &MaxLen) -> Params {
        let col = |c: &Option<ingest::columns::ColumnRef>| c.as_ref().map(|c| c.to_string());
        let flags = &self.ingest.columns;
        Params {
            max_cycle_len: max_len.k,
            max_len_choice: max_len.choice.clone(),
            window_days: self.window_days,
            max_findings: self.max_findings,
            max_cases: self.max_cases,
            time_budget_seconds: self.time_budget.map(|d| d.as_secs_f64()),
            strict: self.ingest.strict,
            header: match self.ingest.header {
                HeaderMode::Auto => "auto",
                HeaderMode::Yes => "yes",
                HeaderMode::No => "no",
            }
            .into(),
            columns: ColumnParams {
                from: col(&flags.from),
                to: col(&flags.to),
                time: col(&flags.time),
                text: col(&flags.text),
                relationship: col(&flags.relationship),
                weight: col(&flags.weight),
            },
            people_file: self.people.as_ref().map(|p| p.display().to_string()),
            allow_file: self.allow.as_ref().map(|p| p.display().to_string()),
            scored: !self.count_only,
            severity_rule: score::RULE_TEXT.into(),
            pair_window_days: self.thresholds.pair_window_days,
            ring_window_days: self.window_days.unwrap_or(self.thresholds.ring_window_days),
            max_ring_members: score::rings::MAX_RING_MEMBERS,
            include: if self.ingest.linkedin.include_endorsements { vec!["endorsements".into()] } else { Vec::new() },
            owners: self.ingest.linkedin.owners.iter().map(|(p, n)| format!("{}={n}", p.display())).collect(),
            date_format: self.ingest.date_format.clone(),
            min_weight: self.ingest.min_weight,
            keep_negative: self.ingest.keep_negative,
        }
    }
}

/// The shortest `--max-line-bytes` (a shorter limit would skip ordinary rows).
pub const MIN_LINE_BYTES: usize = 64;

/// The most worker threads a scan starts: four per core. More only cost memory and start-up
/// time (20,000 took minutes, then aborted).
pub fn max_threads() -> usize {
    4 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How long one stage of the pipeline took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageTime {
    /// `ingest`, `graph`, `detect+score` (one parallel pass judges every cycle as it is found) or
    /// `report`.
    pub stage: &'static str,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Peak resident memory of the process so far, in bytes (Linux only).
    pub peak_rss: Option<u64>,
}

/// The process's peak resident set size so far, from `/proc/self/status` (Linux).
pub(crate) fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The result of a scan: the report, and how long each stage took (kept out of the report
/// so that reports stay byte-identical between runs).
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// The report.
    pub report: Report,
    /// Wall-clock time per stage, in pipeline order.
    pub stages: Vec<StageTime>,
    /// The dataset's baselines, with [`ScanConfig::keep_baselines`] on a judged scan.
    pub baselines: Option<score::online::Baselines>,
}

/// Times the stages of one run.
struct Stopwatch {
    last: Instant,
    stages: Vec<StageTime>,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch { last: Instant::now(), stages: Vec::new() }
    }
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push(StageTime { stage, elapsed: now - self.last, peak_rss: peak_rss() });
        self.last = now;
    }
}

/// Run a scan and return its report.
pub fn scan(config: &ScanConfig) -> Result<ScanOutcome> {
    drive(config.validate()?, Rows::Inputs)
}

/// A config that [`ScanConfig::validate`] accepted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checked<'a>(&'a ScanConfig);

impl std::ops::Deref for Checked<'_> {
    type Target = ScanConfig;
    fn deref(&self) -> &ScanConfig {
        self.0
    }
}

/// The rows a scan judges or reports, and where they came from.
#[cfg_attr(not(feature = "cluster"), allow(dead_code))]
pub(crate) enum Rows<'a> {
    /// Read here, from the config's inputs.
    Inputs,
    /// Every row of the network, gathered by a cluster.
    Gathered(ingest::Ingested),
    /// The rows around every pair and cycle (a cluster's core), judged as one process judges
    /// the whole network, with what the cluster counted of it.
    Core(ingest::Ingested, WholeNetwork<'a>),
    /// No rows, only the inputs' accounting and warnings, with counts made elsewhere
    /// (`--count-only` on a cluster).
    Counted(ingest::Ingested, &'a WholeCounts),
}

/// The one way into the driver, for [`scan`] and for a cluster's process 0 alike.
pub(crate) fn drive(config: Checked<'_>, rows: Rows<'_>) -> Result<ScanOutcome> {
    let config = config.0;
    match rows {
        Rows::Inputs => {
            within_threads(config.threads, || run(config, |options| ingest::read_inputs(&config.inputs, options), None))
        }
        Rows::Gathered(all) => within_threads(config.threads, || run(config, |_| Ok(all), None)),
        Rows::Core(core, whole) => within_threads(config.threads, || run(config, |_| Ok(core), Some(whole))),
        Rows::Counted(meta, counts) => Ok(counted_report(config, meta, counts)),
    }
}

/// What a cluster counted of the whole network, for a report on rows it did not all gather.
#[cfg_attr(not(feature = "cluster"), allow(dead_code))]
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WholeCounts {
    /// People in a kept row.
    pub people: u64,
    /// Distinct recommendations.
    pub recommendations: u64,
    /// Duplicate rows per input.
    pub duplicates: Vec<u64>,
    /// Reciprocal pairs.
    pub pairs: u64,
    /// Cycles by number of people (index 3..=max_len).
    pub cycles: Vec<u64>,
    /// The longest cycle searched.
    pub max_len: usize,
    /// With `auto`: the walks of length 4 the choice was estimated from, and among whom they
    /// were counted (words for the report).
    pub auto: Option<(f64, String)>,
}

/// What a cluster knows of the whole network when process 0 judges only its core: the
/// counts, and everyone's whole-network degrees.
#[cfg_attr(not(feature = "cluster"), allow(dead_code))]
pub(crate) struct WholeNetwork<'a> {
    /// The distributed count (people, recommendations, duplicates, the length searched).
    pub counts: &'a WholeCounts,
    /// Everyone's degrees in the whole network.
    pub degrees: Degrees,
}

/// Name, recommendations received and given in the whole network, of each person of a graph
/// that holds part of it.
#[cfg_attr(not(feature = "cluster"), allow(dead_code))]
pub(crate) type Degrees = Vec<(String, u32, u32)>;

/// Run `work` on `threads` threads (all cores when `None`).
pub(crate) fn within_threads<T: Send>(threads: Option<usize>, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    match threads {
        None => work(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::Config(format!("cannot start {n} threads: {e}")))?
            .install(work),
    }
}

impl ScanConfig {
    fn starting(&self, stage: &'static str) {
        if let Some(hook) = &self.progress {
            (hook.0)(stage);
        }
    }
}

fn run(
    config: &ScanConfig,
    read: impl FnOnce(&IngestOptions) -> Result<ingest::Ingested>,
    whole: Option<WholeNetwork<'_>>,
) -> Result<ScanOutcome> {
    let mut watch = Stopwatch::start();
    // --time-budget bounds the whole run: reading stops at the deadline too, not only the
    // search.
    let started = Instant::now();
    let deadline = config.time_budget.map(|b| started + b);
    config.starting("ingest");
    let baseline = config.baseline.as_deref().map(Baseline::read).transpose()?;
    let mut employment = config.people.as_deref().map(Employment::read).transpose()?;
    let allow_entries = config.allow.as_deref().map(allow::read).transpose()?.unwrap_or_default();
    let ingest_options = IngestOptions { deadline, ..config.ingest.clone() };
    let mut ingested = read(&ingest_options)?;
    let stopped_reading = ingested.stopped.take();
    watch.lap("ingest");
    config.starting("graph");
    let mut built = Graph::build(ingested);
    if let Some(w) = &whole {
        whole_accounting(&mut built.inputs, &w.counts.duplicates);
        let degrees = w.degrees.iter().map(|(name, ins, outs)| (name.as_str(), *ins, *outs));
        built.graph.set_whole_degrees(degrees);
    }
    let graph = built.graph;
    // Positions from LinkedIn exports are employment histories like a --people file.
    if !built.jobs.is_empty() {
        let e = employment.get_or_insert_with(Employment::default);
        for (name, company, start, end) in &built.jobs {
            e.add_job(name, company, *start, *end);
        }
        e.sort_jobs();
    }
    let max_len = match &whole {
        Some(w) => MaxLen::of_cluster(w.counts),
        None => MaxLen::choose(config.max_cycle_len, &graph),
    };
    watch.lap("graph");
    config.starting("detect+score");
    let stop = AtomicBool::new(false);
    // What is left of the budget; a run that stopped reading, or whose budget ran out while
    // the graph was built, searches nothing.
    let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
    let out_after_graph = stopped_reading.is_none() && left.is_some_and(|l| l.is_zero());
    if stopped_reading.is_some() || out_after_graph {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let mut baselines = None;
    let (scoring, checks_unavailable, backings) = within_budget(left, &stop, || {
        if config.count_only || stopped_reading.is_some() {
            let pairs = detect::pairs::reciprocal_pairs(&graph).len() as u64;
            let outcome = detect::visit_cycles(&graph, max_len.k, &stop, || detect::cycles::NoVisitor);
            let scoring = Scoring::unscored(pairs, outcome.counts, outcome.stopped, graph.edge_count());
            let (code, why) = if config.count_only {
                COUNT_ONLY
            } else {
                ("time_budget", "scoring: the --time-budget ran out while reading, so nothing was judged")
            };
            return Ok((scoring, vec![(code, why.to_string())], None));
        }
        let pairs = detect::pairs::reciprocal_pairs(&graph);
        let lags = pairs.iter().map(|p| score::time::pair_lag(&graph, p.ab, p.ba));
        let mut evidence = Evidence::new(&graph, employment.as_ref(), lags, config.thresholds_in_force());
        let allow = Allowlist::new(&graph, allow_entries);
        let options = ScoreOptions {
            max_len: max_len.k,
            max_findings: config.max_findings,
            // `check` lists the candidates' cases wherever they rank.
            max_cases: if config.subjects.is_some() { usize::MAX } else { config.max_cases },
            window_seconds: config.window_days.map(|d| (d * 86_400.0) as i64),
        };
        let unavailable = unavailable_checks(&graph, &evidence, employment.is_some());
        let mut scoring = score::score_all(&evidence, &allow, pairs, options, &stop);
        if !config.stream_findings.is_empty() {
            let format = StreamFormat {
                graph: &graph,
                case_ids: crate::report::cases::ids(&graph, &scoring.cases),
                pseudonyms: config.redact.as_ref(),
                baseline: baseline.as_ref(),
            };
            let scan = StreamInputs { evidence: &evidence, allow: &allow, scoring: &scoring, options };
            let mut cut_short = false;
            for path in &config.stream_findings {
                let end = jsonl::stream_to(path, &format, scan, &stop).map_err(|e| Error::io(path.clone(), e))?;
                cut_short |= end.stopped;
            }
            // A stream cut short by the budget makes the report say it is truncated.
            scoring.stopped |= cut_short;
        }
        if config.keep_baselines {
            baselines = Some(score::online::Baselines {
                lags: std::mem::take(&mut evidence.lags).into_owned(),
                spans: std::mem::take(&mut evidence.spans).into_owned(),
                thresholds: evidence.thresholds,
                precision: graph.date_precision(),
            });
        }
        Ok((scoring, unavailable, Some(std::mem::take(&mut evidence.backings))))
    })?;
    watch.lap("detect+score");
    config.starting("report");
    let budget = config.time_budget.map_or(0.0, |d| d.as_secs_f64());
    let truncated_reason = match &stopped_reading {
        Some(at) => Some(format!(
            "--time-budget {budget:.3}s ran out while reading the inputs (stage ingest, stopped in {at}); the rest \
             was not read and nothing was searched"
        )),
        None if out_after_graph => Some(format!(
            "--time-budget {budget:.3}s ran out while the graph was built (stage graph); nothing was searched"
        )),
        None => scoring.stopped.then(|| {
            format!("--time-budget {budget:.3}s ran out in the search (stage detect+score) before it finished")
        }),
    };
    let matched = employment.as_ref().map(|e| {
        use rayon::prelude::*;
        e.match_names((0..graph.node_count() as u32).into_par_iter().map(|v| graph.name(v)))
    });
    let mut report = Report::assemble(ReportInputs {
        graph: &graph,
        inputs: &built.inputs,
        params: config.params(&max_len),
        scoring,
        checks_unavailable,
        warnings: built.warnings,
        truncated_reason,
        generated_at: config.generated_at,
        subjects: config.subjects.as_deref(),
        history: matched.as_ref().map(|(known, _)| known.as_slice()),
        backings: backings.as_deref().map(|of_edge| Backings { of_edge, employment: employment.as_ref() }),
    });
    if let Some(w) = &whole {
        report.summary.people = w.counts.people;
        report.summary.recommendations = w.counts.recommendations;
    }
    if let (Some(e), Some((_, keys)), Some(c)) = (&employment, &matched, report.summary.coverage.as_mut()) {
        let unmatched = e.unmatched(keys);
        c.history_people = e.people() as u64;
        c.history_unmatched = unmatched.len() as u64;
        c.unmatched_examples = unmatched.iter().take(5).map(|n| n.to_string()).collect();
    }
    if let Some((code, note)) = report.summary.coverage.as_ref().and_then(coverage_gap) {
        report.summary.checks_unavailable.insert(0, note);
        report.summary.checks_unavailable_codes.insert(0, code.to_string());
        for s in report.subjects.iter_mut().flatten().filter(|s| s.person.is_some()) {
            s.reason.push_str("; but employment histories were missing for the people in findings, so this verdict rests on weaker evidence (see not checked)");
        }
    }
    if let Some(b) = &baseline {
        b.apply(&mut report);
    }
    if let Some(pseudonyms) = &config.redact {
        let s = &report.summary;
        let texts: Vec<&str> = s.warnings.iter().chain(&s.checks_unavailable).map(String::as_str).collect();
        let also = redact::names_mentioned(&texts, (0..graph.node_count() as u32).map(|v| graph.name(v)));
        redact::redact(&mut report, pseudonyms, &also);
    }
    watch.lap("report");
    Ok(ScanOutcome { report, stages: watch.stages, baselines })
}

/// The report of a `--count-only` run whose counting happened elsewhere (on a cluster):
/// `meta` holds the inputs' accounting and warnings but no rows; `counts` the numbers.
#[cfg_attr(not(feature = "cluster"), allow(dead_code))]
fn counted_report(config: &ScanConfig, mut meta: ingest::Ingested, counts: &WholeCounts) -> ScanOutcome {
    let mut watch = Stopwatch::start();
    whole_accounting(&mut meta.inputs, &counts.duplicates);
    let max_len = MaxLen::of_cluster(counts);
    let mut cycle_counts = [0u64; MAX_CYCLE_LEN + 1];
    for (l, n) in counts.cycles.iter().enumerate().take(MAX_CYCLE_LEN + 1) {
        cycle_counts[l] = *n;
    }
    let empty = Graph::build(ingest::Ingested::default()).graph;
    let scoring = Scoring::unscored(counts.pairs, cycle_counts, false, 0);
    let inputs = std::mem::take(&mut meta.inputs);
    let mut report = Report::assemble(ReportInputs {
        graph: &empty,
        inputs: &inputs,
        params: config.params(&max_len),
        scoring,
        checks_unavailable: vec![(COUNT_ONLY.0, COUNT_ONLY.1.to_string())],
        warnings: std::mem::take(&mut meta.warnings),
        truncated_reason: None,
        generated_at: config.generated_at,
        subjects: config.subjects.as_deref(),
        history: None,
        backings: None,
    });
    report.summary.people = counts.people;
    report.summary.recommendations = counts.recommendations;
    watch.lap("report");
    ScanOutcome { report, stages: watch.stages, baselines: None }
}

/// Histories cover fewer than this share of the people in findings: the employment check
/// is as good as unavailable.
pub(crate) const MIN_HISTORY_COVERAGE: f64 = 0.1;

/// What could not be checked when nothing was judged: `--count-only`.
const COUNT_ONLY: (&str, &str) = ("count_only", "scoring: --count-only, so nothing was judged");

/// A code and a sentence when histories were given but (nearly) none of the people in
/// findings has one.
fn coverage_gap(c: &crate::report::Coverage) -> Option<(&'static str, String)> {
    let with = c.with_history?;
    if c.people_in_findings == 0 || with as f64 >= MIN_HISTORY_COVERAGE * c.people_in_findings as f64 {
        return None;
    }
    let files = if c.history_people == 0 {
        "the histories hold no one".to_string()
    } else {
        let examples: Vec<String> = c.unmatched_examples.iter().map(|n| format!("'{n}'")).collect();
        format!(
            "{} of the {} people in the histories match no one in the recommendations (for example {})",
            c.history_unmatched,
            c.history_people,
            examples.join(", ")
        )
    };
    let sentence = format!(
        "employment coverage: only {with} of the {} people in findings have a history on file ({files}), so \
         working relationships could not be checked and nothing is rated high for lack of one",
        c.people_in_findings
    );
    Some(("employment_coverage", sentence))
}

/// Sentences for the evidence this data cannot give.
fn unavailable_checks(g: &Graph, evidence: &Evidence<'_>, has_employment: bool) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !evidence.corroboration_checkable() && has_employment {
        out.push((
            "corroboration_no_overlap",
            "corroboration: the employment histories on file never hold both the writer and the receiver of a \
             recommendation, and no relationship is stated, so no recommendation could be checked against a working relationship; \
             without that evidence nothing is rated high"
                .to_string(),
        ));
    } else if !evidence.corroboration_checkable() {
        out.push((
            "corroboration_no_evidence",
            "corroboration: no employment histories on file and no relationship stated, so no recommendation could \
             be checked against a working relationship; without that evidence nothing is rated high"
                .to_string(),
        ));
    } else if !has_employment {
        out.push((
            "employment_missing",
            "employment: no histories (--people), so stated relationships are taken at their word and no \
             recommendation can be shown uncorroborated; without that evidence nothing is rated high"
                .to_string(),
        ));
    }
    if evidence.texts.is_none() {
        out.push(("text_missing", "text: the data has no recommendation texts".to_string()));
    }
    if (0..g.edge_count() as u32).all(|e| g.created(e).is_none()) {
        out.push(("time_missing", "time: the data has no dates".to_string()));
    } else if g.date_precision() != crate::ingest::date::DatePrecision::Day {
        out.push((
            "time_coarse",
            format!(
                "time: some dates give {} only, so no reciprocation lag or ring span was checked",
                g.date_precision().plural()
            ),
        ));
    }
    out
}

/// The longest cycle searched, and how it was chosen.
struct MaxLen {
    k: usize,
    choice: Option<crate::report::MaxLenChoice>,
}

/// Each input's duplicates as the whole network counted them, and its rows used.
fn whole_accounting(inputs: &mut [ingest::InputStats], duplicates: &[u64]) {
    for (input, duplicates) in inputs.iter_mut().zip(duplicates) {
        input.duplicates = *duplicates;
        input.used = input.rows - input.duplicates - input.self_loops - input.skipped;
    }
}

impl MaxLen {
    /// What a cluster's count searched (with `auto`, estimated as its counts say).
    #[cfg_attr(not(feature = "cluster"), allow(dead_code))]
    fn of_cluster(counts: &WholeCounts) -> MaxLen {
        match &counts.auto {
            None => MaxLen { k: counts.max_len, choice: None },
            Some((walks4, among)) => MaxLen::auto(counts.max_len, *walks4, among),
        }
    }

    fn choose(asked: Option<usize>, g: &Graph) -> MaxLen {
        match asked {
            Some(k) => MaxLen { k, choice: None },
            None => {
                let e = detect::estimate::estimate(g);
                let among = format!("among the {} people of cyclic components", e.core_people);
                MaxLen::auto(e.auto_max_len(), e.walks4, &among)
            }
        }
    }

    /// `auto`'s choice `k`, made from `walks4` walks of length 4 counted as `counted` says.
    fn auto(k: usize, walks4: f64, counted: &str) -> MaxLen {
        let seconds = detect::estimate::seconds_k5(walks4);
        let choice = crate::report::MaxLenChoice {
            mode: "auto".into(),
            walks4,
            predicted_seconds_k5: (seconds * 1000.0).round() / 1000.0,
            budget_seconds: detect::estimate::AUTO_BUDGET_SECONDS,
            reason: format!(
                "the k = 5 scan is predicted to take {seconds:.2} s ({walks4:.3e} walks of length 4 {counted}), {} the \
                 {} s budget; --max-len K overrides",
                if k == 5 { "within" } else { "over" },
                detect::estimate::AUTO_BUDGET_SECONDS
            ),
        };
        MaxLen { k, choice: Some(choice) }
    }
}

/// Run `work`, with `stop` raised after `budget` if one is given.
fn within_budget<T>(budget: Option<Duration>, stop: &AtomicBool, work: impl FnOnce() -> T) -> T {
    match budget {
        None => work(),
        Some(budget) => with_deadline(budget, stop, work),
    }
}

/// Run `work`, raising `stop` if it is still running after `budget`.
fn with_deadline<T>(budget: Duration, stop: &AtomicBool, work: impl FnOnce() -> T) -> T {
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|s| {
        s.spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(budget) {
                stop.store(true, Ordering::Relaxed);
            }
        });
        let out = work();
        drop(done);
        out
    })
}
