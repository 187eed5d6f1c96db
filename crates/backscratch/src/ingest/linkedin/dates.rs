//! Dates in LinkedIn exports. Every form they use (`12/09/22, 07:18 PM`, `2024/12/07
//! 14:51:07 UTC`, `16 Dec 2024`, Excel's `18-Jun-24`, `May 2025`) is parsed by the common
//! [`parse_date`](crate::ingest::date::parse_date); a position's end needs one more thing: the end of the period it names.

use jiff::{tz::TimeZone, Span, Timestamp};

pub(crate) use crate::ingest::date::parse_date as parse;

/// The last second of the period a position's end names: `May 2025` → 31 May 23:59:59,
/// `2019` → 31 December, a full date → that day.
pub(crate) fn end_of_period(s: &str) -> Option<i64> {
    let start = parse(s)?;
    let date = Timestamp::from_second(start).ok()?.to_zoned(TimeZone::UTC).date();
    let s = s.trim();
    let span = if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        Span::new().years(1)
    } else if s.split_whitespace().count() == 2 && !s.contains(',') {
        Span::new().months(1)
    } else {
        Span::new().days(1)
    };
    let next = date.checked_add(span).ok()?;
    Some(next.to_zoned(TimeZone::UTC).ok()?.timestamp().as_second() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(secs: i64) -> String {
        crate::ingest::date::format_timestamp(secs)
    }

    #[test]
    fn periods_end_at_their_last_second() {
        assert_eq!(iso(end_of_period("Feb 2024").unwrap()), "2024-02-29T23:59:59Z");
        assert_eq!(iso(end_of_period("2019").unwrap()), "2019-12-31T23:59:59Z");
        assert_eq!(iso(end_of_period("16 Dec 2024").unwrap()), "2024-12-16T23:59:59Z");
        assert_eq!(end_of_period("soon"), None);
    }
}
