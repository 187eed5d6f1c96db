//! The words people type: severities (`--fail-on`), durations (`--time-budget`, `--window`),
//! header modes and report formats (by name or by a file's extension). One parser each, used
//! by the command line and by the Python binding alike, so the two can never read `30m` or
//! `x.gv` differently.

use std::path::Path;
use std::time::Duration;

use crate::ingest::columns::HeaderMode;
use crate::report::Format;
use crate::score::Severity;

/// `--fail-on`'s value: a severity, or `never` (`None`).
pub fn parse_fail_on(s: &str) -> Result<Option<Severity>, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "info" => Ok(Some(Severity::Info)),
        "low" => Ok(Some(Severity::Low)),
        "medium" => Ok(Some(Severity::Medium)),
        "high" => Ok(Some(Severity::High)),
        "never" => Ok(None),
        _ => Err(format!("unknown severity '{s}' (info, low, medium, high or never)")),
    }
}

/// `--header`'s value: `auto`, `yes` or `no`.
pub fn parse_header(s: &str) -> Result<HeaderMode, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "auto" => Ok(HeaderMode::Auto),
        "yes" => Ok(HeaderMode::Yes),
        "no" => Ok(HeaderMode::No),
        _ => Err(format!("header must be 'auto', 'yes' or 'no', not '{s}'")),
    }
}

/// A report format by name (`table`, `json`, `jsonl`, `csv`, `markdown`, `html`, `junit`,
/// `dot`, and the aliases `md`, `htm`, `xml`, `gv`, `txt`).
pub fn parse_format(s: &str) -> Result<Format, String> {
    let name = s.trim().to_ascii_lowercase();
    match name.as_str() {
        "txt" => Ok(Format::Table),
        _ => Format::from_name(&name).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format '{s}' (one of {})", names.join(", "))
        }),
    }
}

/// The format a file's extension names (`r.md` is Markdown, `r.gv` Graphviz), if any; the
/// caller decides the default (the command line: table; Python's `write`: JSON).
pub fn format_for_path(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?;
    parse_format(ext).ok()
}

/// Seconds in each unit a duration may be given in.
const UNITS: [(&str, f64); 6] =
    [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0), ("d", 86_400.0), ("w", 604_800.0)];

/// A number followed by a unit (`1500ms`, `30s`, `5m`, `1h`, `30d`, `2w`), in seconds; a bare
/// number is in `bare_unit`. Never negative or beyond what a clock holds.
fn seconds(s: &str, bare_unit: &str, example: &str) -> Result<f64, String> {
    let text = s.trim().to_ascii_lowercase();
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|_| format!("'{s}' is not a duration such as {example}"))?;
    let unit = if unit.is_empty() { bare_unit } else { unit.trim() };
    let Some((_, scale)) = UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(format!("unknown unit '{unit}' in '{s}' (use ms, s, m, h, d or w)"));
    };
    let seconds = value * scale;
    Duration::try_from_secs_f64(seconds).map(|_| seconds).map_err(|_| format!("'{s}' is longer than a clock holds"))
}

/// A time budget or timeout (`1500ms`, `30s`, `5m`, `1h`; a bare number is seconds); zero
/// is a budget that stops at once.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    seconds(s, "s", "30s, 5m or 1500ms").map(Duration::from_secs_f64)
}

/// A window in days (`30d`, `2w`, `36h`, `90m`; a bare number is days), longer than zero.
pub fn parse_days(s: &str) -> Result<f64, String> {
    let days = seconds(s, "d", "30d, 2w or 36h")? / 86_400.0;
    if days > 0.0 {
        Ok(days)
    } else {
        Err(format!("the window must be longer than zero, not '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_one_way_whatever_the_bare_unit() {
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration(" 1H "), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_days("30"), Ok(30.0));
        assert_eq!(parse_days("2w"), Ok(14.0));
        assert_eq!(parse_days("36h"), Ok(1.5));
        // `m` is minutes in both, as in Python's binding.
        assert_eq!(parse_days("30m"), Ok(30.0 / 1440.0));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("0ms"), Ok(Duration::ZERO));
        assert!(parse_days("0d").unwrap_err().contains("longer than zero"));
        for bad in ["", "-1s", "abc", "3x", "99999999999999999999999w", "1.2.3s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
            assert!(parse_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_by_name_and_by_extension_agree() {
        assert_eq!(format_for_path(Path::new("r.gv")), Some(Format::Dot));
        assert_eq!(format_for_path(Path::new("r.MD")), Some(Format::Markdown));
        assert_eq!(format_for_path(Path::new("r.txt")), Some(Format::Table));
        assert_eq!(format_for_path(Path::new("r.xml")), Some(Format::Junit));
        assert_eq!(format_for_path(Path::new("r.unknown")), None);
        assert_eq!(format_for_path(Path::new("r")), None);
        for f in Format::ALL {
            assert_eq!(parse_format(f.name()), Ok(f));
        }
        assert!(parse_format("pdf").unwrap_err().contains("one of table"));
    }

    #[test]
    fn severities_and_headers() {
        assert_eq!(parse_fail_on("never"), Ok(None));
        assert_eq!(parse_fail_on("Medium"), Ok(Some(Severity::Medium)));
        assert!(parse_fail_on("critical").is_err());
        assert_eq!(parse_header("no"), Ok(HeaderMode::No));
        assert!(parse_header("maybe").is_err());
    }
}
