//! `--format parquet`: the report's tables (built as Arrow record batches by
//! [`super::arrow`]) as Parquet files a warehouse loads (pyarrow, Polars, DuckDB, Spark),
//! written with the `parquet` crate's `ArrowWriter`, zstd-compressed. The schema is documented
//! in `docs/report-format.md`.
//!
//! One report is five files: `x.parquet` (the listed findings) and, beside it,
//! `x.people.parquet`, `x.cases.parquet`, `x.inputs.parquet` and `x.subjects.parquet`
//! (`check`'s candidates; no rows from `scan`), always all five, so that a pipeline can
//! rely on the set.

use std::io;

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::arrow::{invalid, tables};
use super::model::Report;

/// One table as the bytes of a Parquet file (zstd level 3; the writer's version string is
/// the only thing it says about this run, so the bytes are deterministic).
pub fn encode(batch: &RecordBatch) -> io::Result<Vec<u8>> {
    let level = ZstdLevel::try_new(3).map_err(invalid)?;
    let props = WriterProperties::builder().set_compression(Compression::ZSTD(level)).build();
    let mut writer = ArrowWriter::try_new(Vec::new(), batch.schema(), Some(props)).map_err(invalid)?;
    writer.write(batch).map_err(invalid)?;
    writer.into_inner().map_err(invalid)
}

/// The report's five tables as the bytes of Parquet files, in the order of
/// [`super::arrow::TABLES`]: the findings, then the files that go beside them under the names
/// of [`crate::report::PARQUET_SIBLINGS`].
pub fn files(report: &Report) -> io::Result<Vec<Vec<u8>>> {
    tables(report)?.iter().map(encode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_back_as_it_was_written() {
        use super::super::arrow;
        use super::super::model::BackingCounts;
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let mut someone = arrow::placeholder();
        someone.name = "Ada Lovelace".into();
        someone.risk = 67;
        someone.received_by_backing = Some(BackingCounts { employment: 2, unknown: 1, ..Default::default() });
        someone.evidence.ring_role = Some("beneficiary".into());
        let batch = arrow::people_batch(&[someone, arrow::placeholder()]).unwrap();
        let bytes = encode(&batch).unwrap();
        assert_eq!(encode(&batch).unwrap(), bytes, "the same table encodes to the same bytes");
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap().build().unwrap();
        let back: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].schema(), batch.schema());
        assert_eq!(back[0], batch);
    }
}
