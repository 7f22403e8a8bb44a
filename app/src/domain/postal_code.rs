use serde::{Deserialize, Serialize};

use super::{text::required, FieldError};

/// A Norwegian postnummer. Kept as text because leading zeros matter
/// ("0150" is Oslo; 150 is nowhere).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct PostalCode(String);

string_newtype!(PostalCode);

impl PostalCode {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = required(s)?;
        // Byte checks are exact here: a non-ASCII char can't be an ASCII digit.
        if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::InvalidPostalCode)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::de;
    use super::*;

    fn invalid(s: &str) {
        assert_eq!(
            PostalCode::parse(s),
            Err(FieldError::InvalidPostalCode),
            "{s:?}"
        );
    }

    #[test]
    fn accepts_four_digits_keeping_leading_zero() {
        assert_eq!(PostalCode::parse("0150").unwrap().as_str(), "0150");
        assert_eq!(PostalCode::parse(" 9170 ").unwrap().to_string(), "9170");
    }

    #[test]
    fn rejects_blank() {
        assert_eq!(PostalCode::parse(""), Err(FieldError::Required));
        assert_eq!(PostalCode::parse("    "), Err(FieldError::Required));
    }

    #[test]
    fn rejects_wrong_length_and_junk() {
        invalid("150");
        invalid("01500");
        invalid("01 50");
        invalid("O150");
        invalid("NO-0150");
        invalid("٠١٥٠");
        invalid("øåæ1");
    }

    #[test]
    fn deserialize_runs_parse() {
        assert_eq!(de::<PostalCode>("0150").unwrap().as_str(), "0150");
        assert!(de::<PostalCode>("150").is_err());
    }
}
