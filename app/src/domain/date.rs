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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_calendar_days_written_in_full() {
        assert_eq!(parse_date(" 2024-02-29 ").unwrap().map(|d| d.to_string()), Some("2024-02-29".into()));
        assert_eq!(parse_date(""), Ok(None));
        for bad in ["2023-02-29", "2026-13-01", "2026-1-01", "01.02.2026", "2026-04-31", "i går"] {
            assert_eq!(parse_date(bad), Err(FieldError::InvalidDate), "{bad}");
        }
    }
}
