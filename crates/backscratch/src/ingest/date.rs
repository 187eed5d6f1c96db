//! Dates of recommendations: parsing the forms real exports use, and printing them back.
//!
//! All dates become whole Unix seconds (UTC). Accepted forms:
//! - Unix seconds, integer or fractional (`1289241911.72836`; the fraction is dropped);
//! - ISO 8601 / RFC 3339: `2022-12-09`, `2022-12`, `2022`, `2022-12-09T19:18:00Z`,
//!   `2022-12-09 19:18:00`, `2022-12-09T19:18:00.5+02:00` (no offset means UTC);
//! - LinkedIn exports: `12/09/22, 07:18 PM`, `2024/12/07 14:51:07 UTC`, `16 Dec 2024`,
//!   `18-Jun-24`, `May 2025`.
//!
//! A four-digit integer is read as a year (ISO 8601 reduced precision), never as a time in
//! the first hours of 1970.

use jiff::civil::{Date, DateTime};
use jiff::{tz::TimeZone, Timestamp};

/// How finely a date cell pins down its moment. Ordered from fine to coarse, so that the
/// coarsest of many is their maximum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum DatePrecision {
    /// A day or finer (a date, a time, Unix seconds).
    #[default]
    Day,
    /// A month only (`2022-12`, `May 2025`).
    Month,
    /// A year only (`2013`).
    Year,
}

impl DatePrecision {
    /// `days`, `months`, `years`: what the dates are, in a sentence.
    pub fn plural(self) -> &'static str {
        match self {
            DatePrecision::Day => "days",
            DatePrecision::Month => "months",
            DatePrecision::Year => "years",
        }
    }
}

/// Parse one date cell. `None` when the text is not a date in any accepted form.
pub fn parse_date(text: &str) -> Option<i64> {
    parse_date_with(text, None).map(|(secs, _)| secs)
}

/// Parse one date cell, with its precision; with `format` (a `strftime` pattern such as
/// `%d.%m.%Y`, `--date-format`) only that form is accepted.
pub fn parse_date_with(text: &str, format: Option<&str>) -> Option<(i64, DatePrecision)> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(f) = format {
        return parse_with_format(f, s);
    }
    let day = |secs: Option<i64>| secs.map(|t| (t, DatePrecision::Day));
    if let Some(parsed) = parse_unix(s) {
        return Some(parsed);
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return day(Some(ts.as_second()));
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return day(civil_to_seconds(dt));
    }
    if let Ok(d) = s.parse::<Date>() {
        return day(civil_to_seconds(d.to_datetime(jiff::civil::Time::midnight())));
    }
    if let Some(secs) = parse_year_month(s) {
        return Some((secs, DatePrecision::Month));
    }
    parse_export_forms(s)
}

/// A date in the user's own `strftime` form: a date and time, or a date alone.
fn parse_with_format(format: &str, s: &str) -> Option<(i64, DatePrecision)> {
    if let Ok(dt) = DateTime::strptime(format, s) {
        return civil_to_seconds(dt).map(|t| (t, DatePrecision::Day));
    }
    let d = Date::strptime(format, s).ok()?;
    civil_to_seconds(d.to_datetime(jiff::civil::Time::midnight())).map(|t| (t, DatePrecision::Day))
}

/// Whether `format` is a usable `--date-format`: it must name a year, a month and a day
/// (`%Y`/`%y`, `%m`/`%b`/`%B`, `%d`/`%e`), or be a full form such as `%F` or `%s`.
pub fn check_format(format: &str) -> Result<(), String> {
    let has = |codes: &[&str]| codes.iter().any(|c| format.contains(c));
    if has(&["%F", "%s", "%D", "%c"]) || (has(&["%Y", "%y"]) && has(&["%m", "%b", "%B", "%h"]) && has(&["%d", "%e"])) {
        Ok(())
    } else {
        Err(format!("--date-format '{format}' must name a year, a month and a day (for example %d.%m.%Y)"))
    }
}

/// Unix seconds: an optional sign, digits, and an optional fraction. Four digits alone are
/// a year.
fn parse_unix(s: &str) -> Option<(i64, DatePrecision)> {
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = int_part.strip_prefix('-').unwrap_or(int_part);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    } else if digits.len() == 4 && !int_part.starts_with('-') {
        let year: i16 = digits.parse().ok()?;
        let secs = civil_to_seconds(Date::new(year, 1, 1).ok()?.to_datetime(jiff::civil::Time::midnight()))?;
        return Some((secs, DatePrecision::Year));
    }
    let secs: i64 = int_part.parse().ok()?;
    // Keep within the range jiff can print (years -9999..=9999).
    Timestamp::from_second(secs).ok().map(|t| (t.as_second(), DatePrecision::Day))
}

/// `YYYY-MM` (ISO 8601 reduced precision): the first of the month.
fn parse_year_month(s: &str) -> Option<i64> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let date = Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
    civil_to_seconds(date.to_datetime(jiff::civil::Time::midnight()))
}

/// The forms seen in LinkedIn exports and spreadsheets re-saved by Excel.
fn parse_export_forms(s: &str) -> Option<(i64, DatePrecision)> {
    const DATETIME_FORMATS: &[&str] = &["%m/%d/%y, %I:%M %p", "%Y/%m/%d %H:%M:%S UTC", "%m/%d/%Y %H:%M"];
    const DATE_FORMATS: &[&str] = &["%d %b %Y", "%d-%b-%y", "%d-%b-%Y", "%m/%d/%Y", "%m/%d/%y"];
    for f in DATETIME_FORMATS {
        if let Ok(dt) = DateTime::strptime(f, s) {
            return civil_to_seconds(dt).map(|t| (t, DatePrecision::Day));
        }
    }
    for f in DATE_FORMATS {
        if let Ok(d) = Date::strptime(f, s) {
            return civil_to_seconds(d.to_datetime(jiff::civil::Time::midnight())).map(|t| (t, DatePrecision::Day));
        }
    }
    // "May 2025": month and year only.
    let (month, year) = s.split_once(' ')?;
    let short: String = month.chars().take(3).collect();
    let date = Date::strptime("%d %b %Y", format!("1 {short} {year}")).ok()?;
    civil_to_seconds(date.to_datetime(jiff::civil::Time::midnight())).map(|t| (t, DatePrecision::Month))
}

fn civil_to_seconds(dt: DateTime) -> Option<i64> {
    match dt.to_zoned(TimeZone::UTC) {
        Ok(z) => Some(z.timestamp().as_second()),
        // The last moments of 9999 are past the library's range; `9999-12-31` is the usual
        // "no end date" and must read, as the latest time there is.
        Err(_) if dt.year() == 9999 => Some(Timestamp::MAX.as_second()),
        Err(_) => None,
    }
}

/// Whether `secs` stands for "no end" (a date in the year 9999).
pub fn is_open_ended(secs: i64) -> bool {
    secs >= 253_370_764_800 // 9999-01-01T00:00:00Z
}

/// Print Unix seconds as an RFC 3339 UTC timestamp, e.g. `2022-12-09T19:18:00Z`.
pub fn format_timestamp(secs: i64) -> String {
    match Timestamp::from_second(secs) {
        Ok(ts) => ts.to_string(),
        Err(_) => secs.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        format_timestamp(parse_date(s).unwrap_or_else(|| panic!("{s} did not parse")))
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(iso("1289241911.72836"), "2010-11-08T18:45:11Z");
        assert_eq!(iso("1082040961"), "2004-04-15T14:56:01Z");
        assert_eq!(iso("0"), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn iso_forms() {
        assert_eq!(iso("2022-12-09"), "2022-12-09T00:00:00Z");
        assert_eq!(iso("2022-12-09T19:18:00Z"), "2022-12-09T19:18:00Z");
        assert_eq!(iso("2022-12-09 19:18:00"), "2022-12-09T19:18:00Z");
        assert_eq!(iso("2022-12-09T21:18:00+02:00"), "2022-12-09T19:18:00Z");
        assert_eq!(iso("2022-12"), "2022-12-01T00:00:00Z");
        assert_eq!(iso("2013"), "2013-01-01T00:00:00Z");
    }

    #[test]
    fn linkedin_forms() {
        assert_eq!(iso("12/09/22, 07:18 PM"), "2022-12-09T19:18:00Z");
        assert_eq!(iso("12/09/22, 12:05 AM"), "2022-12-09T00:05:00Z");
        assert_eq!(iso("2024/12/07 14:51:07 UTC"), "2024-12-07T14:51:07Z");
        assert_eq!(iso("16 Dec 2024"), "2024-12-16T00:00:00Z");
        assert_eq!(iso("18-Jun-24"), "2024-06-18T00:00:00Z");
        assert_eq!(iso("May 2025"), "2025-05-01T00:00:00Z");
    }

    #[test]
    fn precision_and_user_formats() {
        let p = |s: &str| parse_date_with(s, None).map(|(_, p)| p);
        assert_eq!(p("2013"), Some(DatePrecision::Year));
        assert_eq!(p("2022-12"), Some(DatePrecision::Month));
        assert_eq!(p("May 2025"), Some(DatePrecision::Month));
        assert_eq!(p("2022-12-09"), Some(DatePrecision::Day));
        assert_eq!(p("1289241911"), Some(DatePrecision::Day));
        assert_eq!(parse_date("04.09.2023"), None);
        let dotted = parse_date_with("04.09.2023", Some("%d.%m.%Y")).unwrap();
        assert_eq!(format_timestamp(dotted.0), "2023-09-04T00:00:00Z");
        assert_eq!(parse_date_with("2023-09-04", Some("%d.%m.%Y")), None);
        assert!(check_format("%d.%m.%Y").is_ok() && check_format("%F").is_ok());
        assert!(check_format("%Y").is_err() && check_format("nonsense").is_err());
    }

    #[test]
    fn the_last_day_of_9999_reads_as_open_ended() {
        let end = parse_date("9999-12-31").unwrap();
        assert!(is_open_ended(end));
        assert!(!is_open_ended(parse_date("2024-12-31").unwrap()));
    }

    #[test]
    fn rejects_non_dates() {
        for s in ["", "yesterday", "2022-13-01", "13/45/22, 07:18 PM", "1.2.3", "-", "12:00", "ääää 2025"] {
            assert_eq!(parse_date(s), None, "{s:?} should not parse");
        }
    }
}
