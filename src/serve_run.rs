//! `backscratch serve`: the flags into the live engine's limits, the state recovered, then
//! NDJSON served on standard input and output until the input ends.

use std::io::{self, Write};

use anyhow::Context;
use backscratch::detect::closing::ClosingLimits;
use backscratch_serve::engine::Engine;
use backscratch_serve::stdio;

use crate::cli::ServeArgs;
use crate::exit_codes::Exit;

/// Serve until standard input ends; the totals go to standard error.
pub(crate) fn run(a: &ServeArgs) -> anyhow::Result<Exit> {
    let limits = ClosingLimits { max_len: a.max_len as usize, budget: a.budget, paths: a.paths };
    let mut engine = Engine::new(limits);
    let mut store = stdio::recover(&a.state, &mut engine).context("cannot recover the state")?;
    let recovered = store.len();
    let mut input = io::BufReader::with_capacity(1 << 16, io::stdin().lock());
    let mut output = io::BufWriter::new(io::stdout().lock());
    let totals = match stdio::run(&mut input, &mut output, &mut store, &mut engine) {
        // The reader of the answers went away: what was answered is durable; stop quietly.
        Err(backscratch_serve::Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Exit::Clean),
        other => other.context("serving")?,
    };
    let _ = writeln!(
        io::stderr().lock(),
        "backscratch: serve: {} rows recovered, {} taken in all; {} recommendations, {} pairs, {} cycles{}",
        recovered,
        totals.rows,
        totals.recommendations,
        totals.pairs,
        totals.cycles.values().sum::<u64>(),
        if totals.incomplete > 0 {
            format!(" (lower bounds: {} searches hit --budget)", totals.incomplete)
        } else {
            String::new()
        }
    );
    Ok(Exit::Clean)
}
