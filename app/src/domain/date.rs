//! Dates as people type them in forms and queries: ISO 8601, YYYY-MM-DD.

use super::FieldError;
use time::macros::format_description;
use time::Date;

/// A calendar date, or None for an empty field.
pub fn parse_date(s: &str) -> Result<Option<Date>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    Date::parse(s, format_description!("[year]-[month]-[day]")).map(Some).map_err(|_| FieldError::InvalidDate)
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A period of whole days, both included (UTC), as [from, to) in Unix milliseconds. The error
/// names the field that is not a date: "from" or "to".
pub fn period_ms(from: &str, to: &str) -> Result<(Option<i64>, Option<i64>), (&'static str, FieldError)> {
    let ms = |d: Date| d.midnight().assume_utc().unix_timestamp() * 1000;
    let from = parse_date(from).map_err(|e| ("from", e))?.map(ms);
    let to = parse_date(to).map_err(|e| ("to", e))?.map(|d| ms(d) + DAY_MS);
    Ok((from, to))
}

/// The UTC day of a time in Unix milliseconds; None outside the calendar `time` knows.
pub fn utc_day(ms: i64) -> Option<Date> {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok().map(|t| t.date())
}

/// [`utc_day`] as YYYY-MM-DD, the same on server and browser.
pub fn utc_date(ms: i64) -> String {
    utc_day(ms).map(|d| d.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_shown_as_its_utc_day() {
        assert_eq!(utc_date(1_796_083_200_000), "2026-12-01");
        assert_eq!(utc_date(1_796_083_200_000 + DAY_MS - 1), "2026-12-01");
        assert_eq!(utc_date(-1), "1969-12-31");
    }

    #[test]
    fn a_period_includes_both_days() {
        assert_eq!(period_ms("2026-12-01", "2026-12-01"), Ok((Some(1_796_083_200_000), Some(1_796_083_200_000 + DAY_MS))));
        assert_eq!(period_ms("", ""), Ok((None, None)));
        assert_eq!(period_ms("2026-12-01", "1. desember"), Err(("to", FieldError::InvalidDate)));
    }

    #[test]
    fn dates_are_real_calendar_days_written_in_full() {
        assert_eq!(parse_date(" 2024-02-29 ").unwrap().map(|d| d.to_string()), Some("2024-02-29".into()));
        assert_eq!(parse_date(""), Ok(None));
        for bad in ["2023-02-29", "2026-13-01", "2026-1-01", "01.02.2026", "2026-04-31", "i går"] {
            assert_eq!(parse_date(bad), Err(FieldError::InvalidDate), "{bad}");
        }
    }
}
