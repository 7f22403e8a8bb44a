use serde::{Deserialize, Serialize};

use super::{text::required, FieldError};

const NORWAY: &str = "47";

/// A phone number in E.164 form ("+4791234567"), so one person typed
/// three different ways still matches one stored value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Phone(String);

string_newtype!(Phone);

impl Phone {
    /// Bare 8-digit numbers are Norwegian: the app's users are Norwegian
    /// businesses whose customers rarely type the country code.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let compact: String = required(s)?.chars().filter(|&c| !is_separator(c)).collect();
        let (international, digits) = match (compact.strip_prefix('+'), compact.strip_prefix("00"))
        {
            (Some(rest), _) | (None, Some(rest)) => (true, rest),
            (None, None) => (false, compact.as_str()),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::InvalidPhone);
        }
        let canonical = match (international, digits.strip_prefix(NORWAY)) {
            (false, _) if digits.len() == 8 => format!("+{NORWAY}{digits}"),
            (true, Some(national)) if national.len() == 8 => format!("+{digits}"),
            // Country codes never start with 0, and E.164 caps numbers at 15 digits.
            (true, None) if (7..=15).contains(&digits.len()) && !digits.starts_with('0') => {
                format!("+{digits}")
            }
            _ => return Err(FieldError::InvalidPhone),
        };
        Ok(Self(canonical))
    }

    /// Sound because `parse` routes every "+47" number through the 8-digit rule.
    pub fn is_norwegian(&self) -> bool {
        self.0[1..].starts_with(NORWAY)
    }

    /// The digits people actually dial: "91234567" for Norwegian numbers,
    /// country code included for the rest.
    pub fn digits(&self) -> &str {
        let skip = if self.is_norwegian() {
            1 + NORWAY.len()
        } else {
            1
        };
        &self.0[skip..]
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')')
}

#[cfg(test)]
mod tests {
    use super::super::de;
    use super::*;

    fn canonical(s: &str) -> String {
        Phone::parse(s).unwrap().to_string()
    }

    fn invalid(s: &str) {
        assert_eq!(Phone::parse(s), Err(FieldError::InvalidPhone), "{s:?}");
    }

    #[test]
    fn norwegian_formats_share_one_canonical_form() {
        for s in [
            "91234567",
            "912 34 567",
            " 91 23 45 67 ",
            "912-34-567",
            "912.34.567",
            "+4791234567",
            "+47 912 34 567",
            "(+47) 912 34 567",
            "0047 91234567",
            "0047-912-34-567",
        ] {
            assert_eq!(canonical(s), "+4791234567", "{s:?}");
        }
    }

    #[test]
    fn norwegian_digits_and_flag() {
        let phone = Phone::parse("+47 912 34 567").unwrap();
        assert!(phone.is_norwegian());
        assert_eq!(phone.digits(), "91234567");
        assert_eq!(phone.as_str(), "+4791234567");
    }

    #[test]
    fn international_numbers() {
        let se = Phone::parse("+46 70 123 45 67").unwrap();
        assert_eq!(se.as_str(), "+46701234567");
        assert!(!se.is_norwegian());
        assert_eq!(se.digits(), "46701234567");

        assert_eq!(canonical("0046 (70) 123-45-67"), "+46701234567");
        assert_eq!(canonical("+1234567"), "+1234567");
        assert_eq!(canonical("+123456789012345"), "+123456789012345");
    }

    #[test]
    fn rejects_blank() {
        assert_eq!(Phone::parse(""), Err(FieldError::Required));
        assert_eq!(Phone::parse("  "), Err(FieldError::Required));
    }

    #[test]
    fn rejects_wrong_lengths() {
        invalid("9123456");
        invalid("912345678");
        invalid("+47 9123456");
        invalid("+47 912345678");
        invalid("+123456");
        invalid("+1234567890123456");
        invalid("0047");
        invalid("+");
    }

    #[test]
    fn rejects_malformed() {
        invalid("912 34 56a");
        invalid("91+234567");
        invalid("++4791234567");
        invalid("+0123456789");
        invalid("000123456789");
        invalid("912/34/567");
        invalid("---");
        invalid("٩١٢٣٤٥٦٧"); // Arabic-Indic digits are numeric but not dialable.
        invalid("ølfabrikk");
    }

    #[test]
    fn deserialize_runs_parse() {
        assert_eq!(de::<Phone>("912 34 567").unwrap().as_str(), "+4791234567");
        assert!(de::<Phone>("12").is_err());
    }
}
