//! One CSV file of an export as a table: lines before the header are skipped (the `Notes:`
//! preamble of Connections.csv, `Notes:,,` after Excel), columns are found by name, quoted
//! fields may hold commas, quotes and line breaks, CRLF or LF.

use crate::error::Error;
use std::path::Path;

use crate::ingest::records::{next_side_record, Delimiter, RecordReader};

/// A parsed table: data rows with their 1-based start line.
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    /// Header cells, trimmed.
    pub header: Vec<String>,
    /// Data rows: line and cells.
    pub rows: Vec<(u64, Vec<String>)>,
    /// Data rows past the row limit: counted, not kept.
    pub over_limit: u64,
}

impl Table {
    /// Parse `text`, taking the first record that contains every name in `required` as the
    /// header. `path` names the file in errors.
    pub(super) fn parse(path: &str, text: &str, required: &[&str]) -> Result<Table, Error> {
        Table::parse_limited(path, text, required, usize::MAX)
    }

    /// [`Table::parse`] keeping at most `max_rows` data rows; the rest are only counted
    /// ([`Table::over_limit`]), so that a file of millions of rows costs no memory per row.
    pub(super) fn parse_limited(path: &str, text: &str, required: &[&str], max_rows: usize) -> Result<Table, Error> {
        let mut records = RecordReader::new(text.as_bytes(), Delimiter::Byte(b','));
        let mut table = Table::default();
        // Errors name the export file and line, as for any side file.
        while let Some(rec) = next_side_record(&mut records, Path::new(path))? {
            let cells: Vec<String> =
                (0..rec.len()).map(|i| String::from_utf8_lossy(rec.get(i).unwrap_or(b"")).trim().to_string()).collect();
            if table.header.is_empty() {
                let has = |name: &str| cells.iter().any(|c| c.eq_ignore_ascii_case(name));
                if required.iter().all(|r| has(r)) {
                    table.header = cells;
                }
                continue;
            }
            if cells.iter().all(String::is_empty) {
                continue;
            }
            if table.rows.len() >= max_rows {
                table.over_limit += 1;
                continue;
            }
            table.rows.push((rec.line, cells));
        }
        if table.header.is_empty() {
            return Err(Error::Format {
                path: path.into(),
                message: format!("no header line with the columns {}", required.join(", ")),
            });
        }
        Ok(table)
    }

    /// The index of a column, by name (case-insensitive).
    pub(super) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.eq_ignore_ascii_case(name))
    }

    /// A cell of `row` by column name; empty when the column or the cell is missing.
    pub(super) fn cell<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.column(name).and_then(|i| row.get(i)).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_the_preamble_and_finds_columns_by_name() {
        let text = "Notes:,,\r\n\"When exporting, you may notice...\",,\r\n,,\r\nFirst Name,Last Name,Company,Connected On\r\n\
                    Ann,Lee,\"Acme, Inc.\",16 Dec 2024\r\n\"Bo\",\"Ray \"\"B\"\"\",,18-Jun-24\r\n";
        let t = Table::parse("Connections.csv", text, &["First Name", "Last Name"]).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.cell(&t.rows[0].1, "company"), "Acme, Inc.");
        assert_eq!(t.cell(&t.rows[1].1, "Last Name"), "Ray \"B\"");
        assert_eq!(t.cell(&t.rows[1].1, "URL"), "");
        assert_eq!(t.rows[0].0, 5);
    }

    #[test]
    fn an_unclosed_quote_names_the_file_and_line() {
        let e = Table::parse("a.zip!Connections.csv", "First Name,Last Name\nAnn,\"Lee\nBo,Ray\n", &["First Name"]);
        assert_eq!(
            e.unwrap_err().to_string(),
            "a.zip!Connections.csv:2: a quoted field starts here and is never closed"
        );
    }

    #[test]
    fn a_file_without_the_header_is_an_error() {
        let e = Table::parse("x/Profile.csv", "a,b\n1,2\n", &["First Name"]).unwrap_err();
        assert!(e.to_string().contains("x/Profile.csv") && e.to_string().contains("First Name"));
    }
}
