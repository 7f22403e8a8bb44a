use serde::{Deserialize, Serialize};

use super::{FieldError, RequiredText};

const MAX_LEN: usize = 20;

/// The business's own customer reference. Uppercased because these come
/// from other systems where "ab-12" and "AB-12" are the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct CustomerNumber(String);

string_newtype!(CustomerNumber);

impl CustomerNumber {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = RequiredText::parse(s, MAX_LEN)?;
        if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Ok(Self(s.to_ascii_uppercase()))
        } else {
            Err(FieldError::InvalidCustomerNumber)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::de;
    use super::*;

    fn invalid(s: &str) {
        assert_eq!(
            CustomerNumber::parse(s),
            Err(FieldError::InvalidCustomerNumber),
            "{s:?}"
        );
    }

    #[test]
    fn accepts_trims_and_uppercases() {
        assert_eq!(
            CustomerNumber::parse(" ab-123 ").unwrap().as_str(),
            "AB-123"
        );
        assert_eq!(CustomerNumber::parse("7").unwrap().to_string(), "7");
        assert_eq!(CustomerNumber::parse("-").unwrap().as_str(), "-");
    }

    #[test]
    fn length_bound() {
        assert!(CustomerNumber::parse(&"a".repeat(20)).is_ok());
        assert_eq!(
            CustomerNumber::parse(&"a".repeat(21)),
            Err(FieldError::TooLong { max: 20 })
        );
    }

    #[test]
    fn rejects_blank() {
        assert_eq!(CustomerNumber::parse(""), Err(FieldError::Required));
        assert_eq!(CustomerNumber::parse(" \t "), Err(FieldError::Required));
    }

    #[test]
    fn rejects_other_characters() {
        invalid("AB 123");
        invalid("AB_123");
        invalid("AB/123");
        invalid("BLÅBÆR");
        invalid("kunde-ø");
    }

    #[test]
    fn deserialize_runs_parse() {
        assert_eq!(de::<CustomerNumber>("k-9").unwrap().as_str(), "K-9");
        assert!(de::<CustomerNumber>("k 9").is_err());
    }
}
