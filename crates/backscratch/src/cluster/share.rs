//! Who reads what. Every process classifies the inputs as one process would (edge lists in
//! order, then LinkedIn exports). A plain edge-list file is cut into one byte range per
//! process (`crate::ingest::split`); any other input (compressed, Parquet, standard input,
//! or a file whose ranges hold a quote or a lone carriage return) is read whole by one
//! process, the next in turn, and LinkedIn exports by process 0. Each process reads its
//! share into its own [`Ingested`] with the input numbers of the whole run, so that rows
//! keep their place (input, line) wherever they are read.

use std::ops::Range;
use std::path::PathBuf;

use super::dictionary::Dictionary;
use super::partition::Copies;
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

/// Bytes of a split input read, and numbered, at a time (unit tests read a few lines at a
/// time, so that each of them runs many rounds).
const PIECE_BYTES: u64 = if cfg!(test) { 64 } else { 4 << 20 };

/// How many names a process keeps, with their global ids, from piece to piece: a name met
/// again is not sent to its owner again. Past this many the names are dropped and met anew,
/// so that what a process holds of names is bounded whatever the size of the graph (a
/// million short names take about 50 MiB); unit tests keep a few.
const KEPT_NAMES: usize = if cfg!(test) { 16 } else { 1 << 20 };

/// One piece of this process's share.
enum Piece {
    /// A byte range of a split input, with its first line.
    Range { input: usize, range: Range<u64>, first_line: u64 },
    /// A whole input.
    Whole { input: usize },
}

/// This process's share of every edge list, read a piece at a time and numbered by the
/// partitioned dictionary as it is read ([`Dictionary::number`]).
pub(super) struct Numbered {
    /// The copies of recommendations sent here, the owner of their recommenders, from every
    /// process's share.
    pub(super) copies: Copies,
    /// The names this process owns.
    pub(super) dictionary: Dictionary,
    /// Whether any process read more than ends and lines (dates, texts, relationships or
    /// weights), which a judged scan cannot judge from the core.
    pub(super) more: bool,
}

/// Read this process's share of every edge list as [`read`] does, but in pieces of at most
/// [`PIECE_BYTES`] of a split input (a whole input is one piece), numbering each piece's names
/// before the next is read. Every process runs as many rounds as the process with the most
/// pieces. Each piece's rows then go to their recommenders' owners at once ([`Copies::route`]),
/// so that no process holds the rows it read. Warnings of split inputs are left to
/// [`super::gather`], as with [`read`].
pub(super) fn read_numbered(
    node: &mut Node<'_>,
    inputs: &Inputs,
    options: &IngestOptions,
) -> Result<(Numbered, Vec<Done>)> {
    let me = node.index();
    let pieces = (|| {
        let mut pieces = Vec::new();
        for (input, (path, plan)) in inputs.edge_lists.iter().zip(&inputs.plans).enumerate() {
            match plan {
                Plan::Split { ranges, first_lines } => {
                    for (range, first_line) in split::cut(path, ranges[me].clone(), first_lines[me], PIECE_BYTES)? {
                        pieces.push(Piece::Range { input, range, first_line });
                    }
                }
                Plan::Whole { reader } if *reader == me => pieces.push(Piece::Whole { input }),
                Plan::Whole { .. } => {}
            }
        }
        Ok(pieces)
    })();
    let pieces = node.agree(pieces)?;
    let rounds = node.all_gather_u64(pieces.len() as u64).into_iter().max().unwrap_or(0);
    let mut done: Vec<Done> = inputs
        .plans
        .iter()
        .map(|plan| match plan {
            Plan::Split { .. } => Done::Range(Part::default()),
            Plan::Whole { .. } => Done::Nothing,
        })
        .collect();
    let mut copies = Copies::default();
    let mut dictionary = Dictionary::new(node);
    let mut more = false;
    // The names of the pieces read so far (until there are too many) and their global ids.
    let mut buffer = Ingested::default();
    let mut global: Vec<u32> = Vec::new();
    for round in 0..rounds as usize {
        let local = match pieces.get(round) {
            None => Ok(()),
            Some(piece) => read_piece(inputs, options, piece, &mut buffer, &mut done),
        };
        node.agree(local)?;
        more |= buffer.rows.is_dated()
            || !buffer.texts.is_empty()
            || !buffer.relationships.is_empty()
            || !buffer.weights.is_empty();
        let mut piece = std::mem::take(&mut buffer.rows);
        dictionary.number(node, &buffer.names, &mut global, &mut piece)?;
        copies.route(node, piece)?;
        let names = std::mem::take(&mut buffer.names);
        buffer = Ingested::default();
        if names.len() <= KEPT_NAMES {
            buffer.names = names;
        } else {
            global = Vec::new();
        }
    }
    let more = node.sum_all(&[u64::from(more)])?[0] > 0;
    Ok((Numbered { copies, dictionary, more }, done))
}

/// Read one piece into `out` (holding only names), adding its counts to its input's [`Done`].
fn read_piece(
    inputs: &Inputs,
    options: &IngestOptions,
    piece: &Piece,
    out: &mut Ingested,
    done: &mut [Done],
) -> Result<()> {
    match *piece {
        Piece::Range { input, ref range, first_line } => {
            let path = &inputs.edge_lists[input];
            let part = split::read_share(path, ingest::file_index(input)?, options, range.clone(), first_line, out)?;
            if let Done::Range(so_far) = &mut done[input] {
                so_far.merge(part);
            }
        }
        Piece::Whole { input } => {
            ingest::read_edge_list(&inputs.edge_lists[input], ingest::file_index(input)?, options, out)?;
            let stats = out.inputs.pop().expect("a whole input's counts");
            let warnings = std::mem::take(&mut out.warnings);
            done[input] = Done::Whole { stats, warnings, precision: out.date_precision };
        }
    }
    Ok(())
}
