//! Warnings about the inputs and the run: a stable code for programs beside the sentence
//! for people. Made where each sentence is made, carried with it to the report
//! (`summary.warnings` and `summary.warning_codes`, in the same order).

use serde::{Deserialize, Serialize};

/// What a warning is about. The codes are stable: programs match on them, not on wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningCode {
    /// More than a set share of an input's rows were skipped for problems.
    SkippedRows,
    /// Rows weighing 0 or below (negative ratings, oppose votes) were skipped as not praise.
    NotPositiveSkipped,
    /// Some dates could not be read; those recommendations are kept undated.
    UnreadableDates,
    /// Some dates give a month or a year only, so shorter lags are not checked.
    CoarseDates,
    /// Dates before 1990 or in the future: perhaps not a date column.
    ImplausibleDates,
    /// A header row names no recommender or recommendee column; columns 1 and 2 are used.
    HeaderNamesNoColumns,
    /// A column of signed numbers was found and read as a rating.
    SignedColumnRead,
    /// A column looks like Unix times, but no flag reads it as dates.
    UnixTimesNotRead,
    /// A file or folder named as an input was not read (not an export, not an edge list,
    /// or the time budget ran out before it).
    FileNotRead,
    /// A file of a LinkedIn export was named, so its whole export is read.
    ExportFolderRead,
    /// An export file has more rows than any real one; only the first are read.
    RowLimit,
    /// A position in an export has no readable company or start date and is not used.
    PositionNotUsed,
    /// An export holds a file twice; only the first is read.
    DuplicateExportFile,
    /// Two exports are of the same person and are read as one.
    SamePersonMerged,
    /// Different people share a name and are kept apart.
    SameNameKeptApart,
    /// `--redact`: texts are shown with names replaced, other details kept.
    RedactedTexts,
}

impl WarningCode {
    /// The code as it appears in `summary.warning_codes`.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::SkippedRows => "skipped_rows",
            WarningCode::NotPositiveSkipped => "not_positive_skipped",
            WarningCode::UnreadableDates => "unreadable_dates",
            WarningCode::CoarseDates => "coarse_dates",
            WarningCode::ImplausibleDates => "implausible_dates",
            WarningCode::HeaderNamesNoColumns => "header_names_no_columns",
            WarningCode::SignedColumnRead => "signed_column_read",
            WarningCode::UnixTimesNotRead => "unix_times_not_read",
            WarningCode::FileNotRead => "file_not_read",
            WarningCode::ExportFolderRead => "export_folder_read",
            WarningCode::RowLimit => "row_limit",
            WarningCode::PositionNotUsed => "position_not_used",
            WarningCode::DuplicateExportFile => "duplicate_export_file",
            WarningCode::SamePersonMerged => "same_person_merged",
            WarningCode::SameNameKeptApart => "same_name_kept_apart",
            WarningCode::RedactedTexts => "redacted_texts",
        }
    }
}

/// One warning: its code and its sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// What it is about.
    pub code: WarningCode,
    /// What to tell a person, naming the file (and line) it concerns.
    pub text: String,
}

impl Warning {
    /// A warning with `code` and `text`.
    pub(crate) fn new(code: WarningCode, text: impl Into<String>) -> Warning {
        Warning { code, text: text.into() }
    }

    /// An input that was not read because the time budget ran out before it.
    pub(crate) fn not_read_in_time(path: &std::path::Path) -> Warning {
        Warning::new(
            WarningCode::FileNotRead,
            format!("{}: not read: the --time-budget ran out before it", path.display()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_is_the_reported_code() {
        for code in [WarningCode::SkippedRows, WarningCode::SameNameKeptApart, WarningCode::RedactedTexts] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::from(code.as_str()));
        }
    }
}
