//! Warnings about what an input's rows really held: a large share skipped, dates that could
//! not be read, dates too coarse for the time signals, and dates no recommendation can have
//! (before 1990, after today), which usually mean the wrong column was taken for dates.

use std::path::Path;

use super::date::{format_timestamp, DatePrecision};
use super::rows::DateStats;
use super::InputStats;
use crate::warning::{Warning, WarningCode};

/// A skipped share above this is worth a warning.
pub(crate) const SKIPPED_SHARE_WARNING: f64 = 0.05;

/// Whether most dates read are ones no recommendation can have (before 1990, after today):
/// the column is no date column (a rating, a count), and its values must not be evidence.
pub(crate) fn dates_implausible(dates: &DateStats) -> bool {
    dates.dated > 0 && 2 * (dates.too_early + dates.in_future) > dates.dated
}

/// The warnings one edge-list input deserves. `column` names its date column.
pub(crate) fn input_warnings(path: &Path, stats: &InputStats, dates: &DateStats, column: Option<&str>) -> Vec<Warning> {
    let p = path.display();
    let column = column.unwrap_or("the date column");
    let mut out = Vec::new();
    // Rows the weight floor skipped were skipped as asked: they are no sign of wrong flags.
    let floored: u64 =
        stats.skipped_reasons.iter().filter(|(k, _)| super::SkipReason::is_weight_floor(k)).map(|(_, n)| n).sum();
    let problems = stats.skipped - floored.min(stats.skipped);
    if stats.rows > 0 && problems as f64 > SKIPPED_SHARE_WARNING * stats.rows as f64 {
        let reasons: Vec<String> = stats
            .skipped_reasons
            .iter()
            .filter(|(k, _)| !super::SkipReason::is_weight_floor(k))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        out.push(Warning::new(
            WarningCode::SkippedRows,
            format!(
                "{p}: {} of {} rows skipped ({:.0}%; {}); check the column flags and the file",
                problems,
                stats.rows,
                100.0 * problems as f64 / stats.rows as f64,
                reasons.join(", ")
            ),
        ));
    }
    if let Some(n) = stats.skipped_reasons.get(super::SkipReason::NotPositive.as_str()) {
        out.push(Warning::new(
            WarningCode::NotPositiveSkipped,
            format!(
            "{p}: {n} of {} rows weigh 0 or below (negative ratings, oppose or neutral votes) and are skipped: they \
             are not praise (--keep-negative keeps them, --min-weight X sets another floor)",
            stats.rows
        ),
        ));
    }
    if let Some((line, text)) = &dates.first_unreadable {
        out.push(Warning::new(
            WarningCode::UnreadableDates,
            format!(
            "{p}: {column}: {} date(s) could not be read (first on line {line}: '{text}'); those recommendations are \
             kept undated; give --date-format (for example %d.%m.%Y) to read them",
            dates.unreadable
        ),
        ));
    }
    if dates.dated > 0 && dates.coarsest > DatePrecision::Day {
        out.push(Warning::new(
            WarningCode::CoarseDates,
            format!(
                "{p}: {column}: some dates give {} only, so no lag or span shorter than that is checked (the time \
             signals say 'not checked')",
                dates.coarsest.plural()
            ),
        ));
    }
    if let Some((line, text)) = &dates.first_implausible {
        let read = super::date::parse_date(text).map(format_timestamp).unwrap_or_default();
        let consequence = if dates_implausible(dates) {
            "; as most of its dates are, its dates are not used, and the time signals say 'not checked'"
        } else {
            ""
        };
        out.push(Warning::new(
            WarningCode::ImplausibleDates,
            format!(
                "{p}: {column}: {} date(s) before 1990 and {} in the future (first on line {line}: '{text}', read as \
             {read}); is this really a date column? (--time-col){consequence}",
                dates.too_early, dates.in_future
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_on_clean_input_and_specific_on_bad() {
        let clean = InputStats { rows: 100, skipped: 2, ..Default::default() };
        let good_dates = DateStats { dated: 98, ..Default::default() };
        assert!(input_warnings(Path::new("a.csv"), &clean, &good_dates, None).is_empty());

        let mut bad = InputStats { rows: 10, skipped: 4, ..Default::default() };
        bad.skipped_reasons.insert("empty name".into(), 4);
        let dates = DateStats {
            dated: 6,
            coarsest: DatePrecision::Year,
            unreadable: 1,
            first_unreadable: Some((3, "04.09.2023".into())),
            too_early: 2,
            in_future: 0,
            first_implausible: Some((5, "7".into())),
        };
        let w = input_warnings(Path::new("a.csv"), &bad, &dates, Some("column 3 ('rating')"));
        assert_eq!(w.len(), 4, "{w:?}");
        let codes: Vec<WarningCode> = w.iter().map(|w| w.code).collect();
        assert_eq!(
            codes,
            [
                WarningCode::SkippedRows,
                WarningCode::UnreadableDates,
                WarningCode::CoarseDates,
                WarningCode::ImplausibleDates
            ]
        );
        let w: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert!(w[0].contains("4 of 10 rows skipped (40%; empty name: 4)"));
        assert!(w[1].contains("line 3: '04.09.2023'") && w[1].contains("--date-format"));
        assert!(w[2].contains("years only"));
        assert!(w[3].contains("column 3 ('rating')") && w[3].contains("1970-01-01T00:00:07Z"));
    }
}
