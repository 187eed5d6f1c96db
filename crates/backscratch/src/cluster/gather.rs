//! Judged scans: every process sends the rows it read to process 0, which puts them in input
//! and line order into one [`Ingested`], exactly what one process reading every input would
//! hold, and judges it with the single-process pipeline. Rows travel as names once per
//! process plus fixed-size records (ids, date, line) and the optional text, relationship and
//! weight.

use super::share::{Done, Inputs, Plan};
use super::wire::{Reader, Writer};
use crate::error::{Error, Result};
use crate::ingest::{self, IngestOptions, Ingested, Row, SourcePos, NO_DATE};

/// Encode this process's rows (grouped by input, in line order) and what it did per input.
pub fn encode(local: Ingested, done: &[Done]) -> Vec<u8> {
    let Ingested { names, rows, texts, relationships, weights, .. } = local;
    let (names, remap) = names.into_sorted(|_| true);
    let mut w = Writer::default();
    w.json(&done);
    w.u32(names.len() as u32);
    for i in 0..names.len() as u32 {
        w.str(names.name(i));
    }
    let mut rows = rows.iter().peekable();
    for f in 0..done.len() as u32 {
        // The row count goes first; it is known once the rows are written.
        let at = w.bytes.len();
        w.u64(0);
        let mut count = 0u64;
        while let Some(r) = rows.next_if(|r| r.source.file == f) {
            count += 1;
            w.u32(remap[r.from as usize]);
            w.u32(remap[r.to as usize]);
            w.opt_i64((r.created != NO_DATE).then_some(r.created));
            w.u32(r.source.line);
            w.opt_str(texts.get(r.source));
            w.opt_str(relationships.get(r.source));
            w.opt_f64(weights.get(r.source).copied());
        }
        w.bytes[at..at + 8].copy_from_slice(&count.to_le_bytes());
    }
    w.bytes
}

/// Process 0: assemble every process's rows (`from[q]` is what process `q` sent) into one
/// [`Ingested`] in input order, finish each input's counts, and read the exports.
pub fn assemble(from: &[Vec<u8>], inputs: &Inputs, options: &IngestOptions) -> Result<Ingested> {
    let mut out = Ingested { warnings: inputs.warnings.clone(), ..Ingested::default() };
    let mut readers: Vec<Reader<'_>> = from.iter().map(|b| Reader::new(b)).collect();
    let mut dones: Vec<Vec<Done>> = Vec::with_capacity(from.len());
    let mut ids: Vec<Vec<u32>> = Vec::with_capacity(from.len());
    for r in &mut readers {
        dones.push(r.json()?);
        let n = r.u32()?;
        // Every name takes at least its 4-byte length: a count beyond that is no reason to
        // reserve memory for it.
        let mut map = Vec::with_capacity((n as usize).min(r.remaining() / 4));
        for _ in 0..n {
            map.push(out.names.intern(r.str()?));
        }
        ids.push(map);
    }
    for (f, (path, plan)) in inputs.edge_lists.iter().zip(&inputs.plans).enumerate() {
        let file = ingest::file_index(f)?;
        for (q, r) in readers.iter_mut().enumerate() {
            let count = r.u64()?;
            let id = |i: u32| {
                ids[q]
                    .get(i as usize)
                    .copied()
                    .ok_or_else(|| Error::Cluster(format!("process {q} sent a row naming no one")))
            };
            for _ in 0..count {
                let (from, to) = (id(r.u32()?)?, id(r.u32()?)?);
                let (created, line) = (r.opt_i64()?.unwrap_or(NO_DATE), r.u32()?);
                let source = SourcePos { file, line };
                out.rows.push(Row { from, to, created, source });
                out.texts.push(source, r.opt_str()?);
                out.relationships.push(source, r.opt_str()?);
                out.weights.push(source, r.opt_f64()?);
            }
        }
        match plan {
            Plan::Split { .. } => {
                let parts = dones
                    .iter_mut()
                    .map(|d| match d.get_mut(f).map(std::mem::take).unwrap_or_default() {
                        Done::Range(part) => Ok(part),
                        _ => Err(Error::Cluster(format!("{}: a process did not read its range", path.display()))),
                    })
                    .collect::<Result<Vec<_>>>()?;
                ingest::split::finish(path, options, parts, &mut out)?;
            }
            Plan::Whole { reader } => {
                match dones.get_mut(*reader).and_then(|d| d.get_mut(f)).map(std::mem::take).unwrap_or_default() {
                    Done::Whole { stats, warnings, precision } => {
                        out.inputs.push(stats);
                        out.warnings.extend(warnings);
                        out.date_precision = out.date_precision.max(precision);
                    }
                    _ => return Err(Error::Cluster(format!("{}: process {reader} did not read it", path.display()))),
                }
            }
        }
    }
    if !inputs.exports.is_empty() {
        ingest::read_exports(&inputs.exports, options, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::share::Plan;

    /// What a hostile or broken peer sends is an error, never a panic or a reservation of
    /// the memory its counts claim.
    #[test]
    fn hostile_gathered_rows_are_errors() {
        let inputs = Inputs {
            edge_lists: vec!["a.csv".into()],
            plans: vec![Plan::Whole { reader: 3 }],
            exports: Vec::new(),
            warnings: Vec::new(),
        };
        let options = IngestOptions::default();
        // Four billion names announced in a few bytes.
        let mut w = Writer::default();
        w.json(&Vec::<Done>::new());
        w.u32(u32::MAX);
        assert!(assemble(&[w.bytes], &inputs, &options).is_err());
        // Well-formed names and no rows, but the plan names a reader that sent nothing.
        let mut w = Writer::default();
        w.json(&Vec::<Done>::new());
        w.u32(0);
        w.u64(0);
        let err = assemble(&[w.bytes], &inputs, &options).unwrap_err().to_string();
        assert!(err.contains("did not read it"), "{err}");
        // Random bytes of every length up to 64.
        for n in 0..64u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
            let _ = assemble(&[bytes], &inputs, &options);
        }
    }
}
