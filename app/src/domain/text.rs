use super::{optional, FieldError};

/// Free text that must be present. The bound differs per field, so this only
/// names the rule and hands back the trimmed `String`.
pub enum RequiredText {}

impl RequiredText {
    /// `max` counts chars, not bytes, so "Ærlig" costs the user 5, not 6.
    pub fn parse(s: &str, max: usize) -> Result<String, FieldError> {
        let s = required(s)?;
        if s.chars().count() > max {
            return Err(FieldError::TooLong { max });
        }
        Ok(s.to_owned())
    }
}

/// Free text that may be left blank; blank becomes `None` rather than `""`
/// so the database never has to tell "empty" and "absent" apart.
pub enum OptionalText {}

impl OptionalText {
    pub fn parse(s: &str, max: usize) -> Result<Option<String>, FieldError> {
        optional(RequiredText::parse(s, max))
    }
}

/// Trims and rejects blank input; the common first step of every parser.
pub(super) fn required(s: &str) -> Result<&str, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        Err(FieldError::Required)
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims() {
        assert_eq!(
            RequiredText::parse("  Ola Nordmann \n", 50).unwrap(),
            "Ola Nordmann"
        );
    }

    #[test]
    fn required_text_rejects_blank() {
        assert_eq!(RequiredText::parse("", 10), Err(FieldError::Required));
        assert_eq!(RequiredText::parse(" \t\n ", 10), Err(FieldError::Required));
    }

    #[test]
    fn required_text_counts_chars_not_bytes() {
        // 5 chars but 8 bytes in UTF-8.
        assert_eq!(RequiredText::parse("ærøåÆ", 5).unwrap(), "ærøåÆ");
        assert_eq!(
            RequiredText::parse("ærøåÆø", 5),
            Err(FieldError::TooLong { max: 5 })
        );
    }

    #[test]
    fn required_text_bound_applies_after_trimming() {
        assert_eq!(RequiredText::parse("   abc   ", 3).unwrap(), "abc");
        assert_eq!(
            RequiredText::parse(&"x".repeat(201), 200),
            Err(FieldError::TooLong { max: 200 })
        );
    }

    #[test]
    fn optional_text_blank_is_none() {
        assert_eq!(OptionalText::parse("", 10), Ok(None));
        assert_eq!(OptionalText::parse("   ", 10), Ok(None));
    }

    #[test]
    fn optional_text_keeps_trimmed_value() {
        assert_eq!(
            OptionalText::parse(" Bodø ", 10),
            Ok(Some("Bodø".to_owned()))
        );
    }

    #[test]
    fn optional_text_still_bounded() {
        assert_eq!(
            OptionalText::parse("abcd", 3),
            Err(FieldError::TooLong { max: 3 })
        );
    }
}
