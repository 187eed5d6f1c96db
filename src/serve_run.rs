//! `backscratch serve`: the flags into the live engine's limits, the state recovered, then
//! HTTP served until SIGTERM (or NDJSON on standard input and output until the input ends).

use std::io::{self, Write};

use anyhow::{bail, Context};
use backscratch::detect::closing::ClosingLimits;
use backscratch_serve::engine::{Engine, Totals};
use backscratch_serve::{http, stdio};

use crate::cli::ServeArgs;
use crate::exit_codes::Exit;

/// Serve until standard input ends (`--stdio`) or a stop signal; the totals go to standard
/// error.
pub(crate) fn run(a: &ServeArgs) -> anyhow::Result<Exit> {
    let token = match &a.token_file {
        Some(path) => Some(read_token(path)?),
        None if !a.stdio && !a.listen.ip().is_loopback() => bail!(
            "refusing to listen on {} without --token-file: off loopback every request must carry a token",
            a.listen
        ),
        None => None,
    };
    let limits = ClosingLimits { max_len: a.max_len as usize, budget: a.budget, paths: a.paths };
    let mut engine = Engine::new(limits);
    let mut store = backscratch_serve::recover(&a.state, &mut engine).context("cannot recover the state")?;
    let recovered = store.len();
    let totals = if a.stdio {
        let mut input = io::BufReader::with_capacity(1 << 16, io::stdin().lock());
        let mut output = io::BufWriter::new(io::stdout().lock());
        match stdio::run(&mut input, &mut output, &mut store, &mut engine) {
            // The reader of the answers went away: what was answered is durable; stop quietly.
            Err(backscratch_serve::Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Exit::Clean),
            other => other.context("serving")?,
        }
    } else {
        let config = http::Config {
            listen: a.listen,
            token,
            max_body: usize::try_from(a.max_body).unwrap_or(usize::MAX),
            queue: usize::try_from(a.queue).unwrap_or(usize::MAX),
        };
        http::serve(config, store, engine, |addr| {
            let _ = writeln!(
                io::stderr().lock(),
                "backscratch: serve: {recovered} rows recovered; listening on http://{addr}/v1/"
            );
        })
        .with_context(|| format!("serving on {}", a.listen))?
    };
    report(recovered, &totals);
    Ok(Exit::Clean)
}

fn read_token(path: &std::path::Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the token file {}", path.display()))?;
    let token = text.trim();
    if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("{}: the token file must hold one token: no spaces, not empty", path.display());
    }
    Ok(token.to_string())
}

fn report(recovered: u64, totals: &Totals) {
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
}
