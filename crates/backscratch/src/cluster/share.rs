//! Who reads what. Every process classifies the inputs as one process would (edge lists in
//! order, then LinkedIn exports). A plain edge-list file is cut into one byte range per
//! process (`crate::ingest::split`); any other input (compressed, Parquet, standard input,
//! or a file whose ranges hold a quote or a lone carriage return) is read whole by one
//! process, the next in turn, and LinkedIn exports by process 0. Each process reads its
//! share into its own [`Ingested`] with the input numbers of the whole run, so that rows
//! keep their place (input, line) wherever they are read.

use std::ops::Range;
use std::path::PathBuf;

use super::wire::{Reader, Writer};
use super::Node;
use crate::error::Result;
use crate::ingest::split::{self, Survey};
use crate::ingest::{self, date::DatePrecision, IngestOptions, Ingested, InputStats, Part};
use crate::warning::Warning;

/// How one edge list is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// In byte ranges, one per process, with the line number each starts at.
    Split {
        /// Byte range per process.
        ranges: Vec<Range<u64>>,
        /// First line number per process.
        first_lines: Vec<u64>,
    },
    /// Whole, by one process.
    Whole {
        /// The process that reads it.
        reader: usize,
    },
}

/// What this process did with one edge list.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub enum Done {
    /// Nothing: another process read it.
    #[default]
    Nothing,
    /// Read its range; the counts still to be merged.
    Range(Part),
    /// Read it whole: its final counts, warnings and coarsest date.
    Whole {
        /// The input's accounting.
        stats: InputStats,
        /// Warnings about it.
        warnings: Vec<Warning>,
        /// The coarsest date read (a day when none was read).
        precision: DatePrecision,
    },
}

/// The inputs of a run and how each is read.
#[derive(Debug)]
pub struct Inputs {
    /// Edge lists, in reading order (their index is their input number).
    pub edge_lists: Vec<PathBuf>,
    /// How each is read.
    pub plans: Vec<Plan>,
    /// LinkedIn exports (read by process 0, after the edge lists).
    pub exports: Vec<PathBuf>,
    /// Warnings from sorting the inputs.
    pub warnings: Vec<Warning>,
}

/// What one process found of each edge list: its range and survey, if the file may split.
type Surveys = Vec<Option<(Range<u64>, Survey)>>;

/// Decide who reads what (every process takes part).
pub fn plan(node: &mut Node<'_>, paths: &[PathBuf], options: &IngestOptions) -> Result<Inputs> {
    let (me, n) = (node.index(), node.peers());
    let local = (|| {
        let mut warnings = Vec::new();
        let (edge_lists, exports) = ingest::classify_inputs(paths, options, &mut warnings)?;
        let mut mine: Surveys = Vec::new();
        for path in &edge_lists {
            mine.push(if split::may_split(path) {
                let range = split::range_of(path, me, n)?;
                Some((range.clone(), split::survey(path, range)?))
            } else {
                None
            });
        }
        Ok((edge_lists, exports, warnings, mine))
    })();
    let (edge_lists, exports, warnings, mine) = node.agree(local)?;
    let mut w = Writer::default();
    w.json(&mine);
    let all: Vec<Surveys> = node.all_gather(w.bytes).iter().map(|b| Reader::new(b).json()).collect::<Result<_>>()?;
    let mut whole_readers = 0usize;
    let plans = (0..edge_lists.len())
        .map(|f| {
            let shares: Option<Vec<(Range<u64>, Survey)>> = all.iter().map(|p| p[f].clone()).collect();
            match shares.filter(|s| s.iter().all(|(_, survey)| survey.plain)) {
                Some(s) => {
                    let mut line = 1;
                    let mut first_lines = Vec::new();
                    for (_, survey) in &s {
                        first_lines.push(line);
                        line += survey.newlines;
                    }
                    Plan::Split { ranges: s.into_iter().map(|(r, _)| r).collect(), first_lines }
                }
                None => {
                    whole_readers += 1;
                    Plan::Whole { reader: (whole_readers - 1) % n }
                }
            }
        })
        .collect();
    Ok(Inputs { edge_lists, plans, exports, warnings })
}

/// Read this process's share of every edge list into one [`Ingested`]; returns it with what
/// was done per edge list. Exports are not read here.
pub fn read(node: &mut Node<'_>, inputs: &Inputs, options: &IngestOptions) -> Result<(Ingested, Vec<Done>)> {
    let me = node.index();
    let local = (|| {
        let mut out = Ingested::default();
        let mut done = Vec::with_capacity(inputs.edge_lists.len());
        for (f, (path, plan)) in inputs.edge_lists.iter().zip(&inputs.plans).enumerate() {
            let file = ingest::file_index(f)?;
            done.push(match plan {
                Plan::Split { ranges, first_lines } => {
                    Done::Range(split::read_share(path, file, options, ranges[me].clone(), first_lines[me], &mut out)?)
                }
                Plan::Whole { reader } if *reader == me => {
                    let warned = out.warnings.len();
                    // This input's coarsest date alone (the default, a day, changes nothing).
                    let before = std::mem::take(&mut out.date_precision);
                    ingest::read_edge_list(path, file, options, &mut out)?;
                    let precision = out.date_precision;
                    out.date_precision = before.max(precision);
                    let stats = out.inputs.pop().expect("a whole input's counts");
                    Done::Whole { stats, warnings: out.warnings.split_off(warned), precision }
                }
                Plan::Whole { .. } => Done::Nothing,
            });
        }
        Ok((out, done))
    })();
    node.agree(local)
}
