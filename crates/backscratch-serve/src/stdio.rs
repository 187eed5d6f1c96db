//! `serve --stdio`: the engine over NDJSON. Each input line is a recommendation,
//! `{"from": "...", "to": "...", "date": "..."}` (`date` optional, text or a number of Unix
//! seconds), or the request `{"op": "totals"}`. Each line gets exactly one answer line, in
//! input order, carrying the input's line number: a row's answer (see [`crate::engine::Answer`])
//! is written only after the row is durable; a line that is not a recommendation gets
//! `{"line": N, "error": "..."}` and nothing is stored. The rows that are already waiting on
//! the input's buffer (up to [`MAX_GROUP`]) are committed together, one fsync for all of them;
//! a lone line is answered at once.
//!
//! Judgements are made as over HTTP (at a restart, after the first row, then each time the
//! store has grown by a quarter, at least [`crate::judgement::MIN_GROWTH`] rows), but in
//! line and at fixed rows: a group ends at the row that reaches the mark, its answers go
//! out, then the judgement of every row held is made and the rows after quote it. So the
//! same input on the same state gives the same answers, byte for byte, however it arrives
//! and whatever the machine's speed.

use std::io::{BufRead, BufReader, Read, Write};

use crate::engine::{Engine, Totals};
use crate::judge::MAX_GROUP;
use crate::judgement::{next_judgement, Judgement};
use crate::store::Store;
use crate::wire::{request, Reply, Request};
use crate::Error;

/// Longest input line read, as a file's default `--max-line-bytes`.
pub const MAX_LINE: usize = 1 << 20;

/// Serve `input` until it ends, answering on `output`; the totals at the end.
pub fn run<R: Read, W: Write>(
    input: &mut BufReader<R>,
    output: &mut W,
    store: &mut Store,
    engine: &mut Engine,
) -> Result<Totals, Error> {
    let mut number = 0u64;
    let mut text = String::new();
    let mut at_end = false;
    // The first judgement: of the rows held at a restart, or of the first row.
    let (mut judged, mut next): (Option<Judgement>, u64) = (None, store.len().max(1));
    while !at_end {
        // The rows up to the mark were answered with the judgement before; the rows after it
        // quote the one made now.
        if store.len() >= next {
            // A failed judgement (the store unreadable) leaves the last one quoted.
            if let Ok(j) = Judgement::of(&store.reader(), engine.limits().max_len) {
                judged = Some(j);
            }
            next = next_judgement(store.len());
        }
        // One group: the lines already waiting (at least one), ended early by a request that
        // reads the state.
        let mut group: Vec<(u64, Request)> = Vec::new();
        let (held, mut rows) = (store.len(), 0u64);
        loop {
            text.clear();
            let n = Read::take(&mut *input, MAX_LINE as u64 + 1).read_line(&mut text)?;
            if n == 0 {
                at_end = true;
                break;
            }
            number += 1;
            let line = text.trim_end_matches(['\n', '\r']);
            let req = if n > MAX_LINE {
                skip_rest(input)?;
                Request::Bad(format!("line longer than {MAX_LINE} bytes"))
            } else if line.trim().is_empty() {
                Request::Bad("an empty line".into())
            } else {
                request(line)
            };
            let ends = matches!(req, Request::Totals);
            rows += u64::from(matches!(req, Request::Row(_)));
            group.push((number, req));
            // Only what is already buffered joins the group: waiting for more would hold
            // back the answers to what came. A group also ends at the row a judgement
            // follows, so that judgements read the same rows however the input arrives.
            if ends || group.len() >= MAX_GROUP || input.buffer().is_empty() || held + rows == next {
                break;
            }
        }
        let mut seq =
            store.append(group.iter().filter_map(|(_, r)| if let Request::Row(row) = r { Some(row) } else { None }))?;
        for (line, req) in &group {
            let reply = match req {
                Request::Row(row) => {
                    let mut answer = engine.submit(seq, row, judged.as_ref().and_then(|j| j.baselines.as_ref()));
                    if let Some(j) = &judged {
                        j.quote(&mut answer, row.from.trim(), row.to.trim());
                    }
                    seq += 1;
                    serde_json::to_string(&Reply { line: *line, answer: &answer })
                }
                Request::Totals => {
                    serde_json::to_string(&serde_json::json!({ "line": line, "totals": engine.totals() }))
                }
                Request::Bad(error) => serde_json::to_string(&serde_json::json!({ "line": line, "error": error })),
            };
            output.write_all(reply.map_err(std::io::Error::other)?.as_bytes())?;
            output.write_all(b"\n")?;
        }
        output.flush()?;
    }
    Ok(engine.totals().clone())
}

/// Read and drop the rest of an over-long line.
fn skip_rest(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            input.consume(i + 1);
            return Ok(());
        }
        let n = buf.len();
        input.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backscratch::detect::closing::ClosingLimits;
    use serde_json::Value;
    use std::path::Path;

    const LIMITS: ClosingLimits = ClosingLimits { max_len: 4, budget: 1_000_000, paths: 3 };

    fn serve(state: &Path, input: &str) -> Vec<Value> {
        let mut engine = Engine::new(LIMITS);
        let mut store = crate::recover(state, &mut engine).unwrap();
        let mut out = Vec::new();
        run(&mut BufReader::new(input.as_bytes()), &mut out, &mut store, &mut engine).unwrap();
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn answers_every_line_in_order_and_keeps_the_rows_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let first = serve(dir.path(), "{\"from\":\"a\",\"to\":\"b\"}\nnot json\n{\"from\":\"b\",\"to\":\"c\",\"date\":1700000000}\n{\"to\":\"a\"}\n");
        assert_eq!(first.len(), 4);
        assert_eq!(
            (first[0]["line"].as_u64(), first[0]["seq"].as_u64(), first[0]["status"].as_str()),
            (Some(1), Some(0), Some("new"))
        );
        assert!(first[1]["error"].as_str().unwrap().starts_with("not JSON"));
        assert_eq!(first[2]["seq"], 1);
        assert!(first[3]["error"].as_str().unwrap().contains("'from' is missing"));
        // A restart replays the two stored rows: c -> a closes the triangle, b -> a the pair.
        let second =
            serve(dir.path(), "{\"from\":\"c\",\"to\":\"a\"}\n{\"from\":\"b\",\"to\":\"a\"}\n{\"op\":\"totals\"}\n");
        assert_eq!((second[0]["seq"].as_u64(), &second[0]["cycles"]["3"]), (Some(2), &Value::from(1)));
        assert_eq!(second[0]["closing"][0], serde_json::json!(["c", "a", "b"]));
        assert_eq!(second[1]["pair"], true);
        let totals = &second[2]["totals"];
        assert_eq!(
            (totals["rows"].as_u64(), totals["pairs"].as_u64(), totals["recommendations"].as_u64()),
            (Some(4), Some(1), Some(4))
        );
    }

    #[test]
    fn an_over_long_line_is_an_error_and_the_next_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("{{\"from\":\"{}\",\"to\":\"b\"}}\n{{\"from\":\"a\",\"to\":\"b\"}}\n", "x".repeat(MAX_LINE));
        let answers = serve(dir.path(), &long);
        assert!(answers[0]["error"].as_str().unwrap().contains("longer than"));
        assert_eq!((answers[1]["line"].as_u64(), answers[1]["seq"].as_u64()), (Some(2), Some(0)));
    }
}
