//! Validated value types shared by the server and the browser.
//!
//! Every type here can only be obtained through `parse`, so code that holds
//! one never has to re-check it. The same rules run in the browser (instant
//! feedback) and on the server (the only check that counts).

use serde::{Deserialize, Serialize};

/// Plumbing shared by the string newtypes. `TryFrom<String>` is what
/// `#[serde(try_from = "String")]` calls, so deserialised values go through
/// `parse` too and a crafted request cannot smuggle in an unchecked value.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = super::FieldError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
    };
}

pub mod access;
pub mod anonymise;
pub mod consent;
pub mod mfa;
pub mod min_side;
pub mod secrets;
mod customer_number;
mod date;
pub mod settings;
mod email;
mod org_no;
mod phone;
mod postal_code;
mod search;
mod text;

pub use customer_number::CustomerNumber;
pub use date::{parse_date, period_ms, utc_date, utc_day};
pub use email::Email;
pub use org_no::OrgNo;
pub use phone::Phone;
pub use postal_code::PostalCode;
pub use search::{search_document, search_terms};
pub use text::{OptionalText, RequiredText};

/// Why a single field was rejected. The messages are for logs only; the UI
/// matches on the variant so it can show Norwegian or English text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FieldError {
    #[error("value is required")]
    Required,
    #[error("value is longer than {max} characters")]
    TooLong { max: usize },
    #[error("invalid email address")]
    InvalidEmail,
    #[error("invalid phone number")]
    InvalidPhone,
    #[error("invalid organisation number")]
    InvalidOrgNo,
    #[error("invalid customer number")]
    InvalidCustomerNumber,
    #[error("invalid postal code")]
    InvalidPostalCode,
    /// Unique within the tenant and already used by another record.
    #[error("value is already taken")]
    Taken,
    #[error("more than {max} values")]
    TooMany { max: usize },
    /// A code of lower-case letters, digits, `_` and `-`.
    #[error("invalid code")]
    InvalidCode,
    /// A date not written as YYYY-MM-DD.
    #[error("invalid date")]
    InvalidDate,
    /// Not an http or https address.
    #[error("invalid URL")]
    InvalidUrl,
    #[error("shorter than {min} characters")]
    TooShort { min: usize },
    /// A password on (or too close to) a list of common passwords.
    #[error("common password")]
    CommonPassword,
    /// A confirmation that does not repeat what it confirms (the customer number).
    #[error("does not match")]
    Mismatch,
    /// A number outside the range the field allows.
    #[error("not between {min} and {max}")]
    OutOfRange { min: u32, max: u32 },
}

/// Turns "left blank" into `None` for optional fields while still rejecting
/// values that are present but malformed, e.g. `optional(PostalCode::parse(s))`.
pub fn optional<T>(parsed: Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    match parsed {
        Ok(value) => Ok(Some(value)),
        Err(FieldError::Required) => Ok(None),
        Err(e) => Err(e),
    }
}

/// All field errors of one form submission, keyed by form field name, so the
/// user sees every problem at once instead of fixing them one round-trip at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<(String, FieldError)>);

impl FieldErrors {
    /// The first error recorded for `field`.
    pub fn get(&self, field: &str) -> Option<FieldError> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, e)| *e)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, field: impl Into<String>, error: FieldError) {
        self.0.push((field.into(), error));
    }

    /// Records a failed parse under `field` and keeps going, so a form
    /// handler can parse every field before deciding whether to reject.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, FieldError>) -> Option<T> {
        parsed.map_err(|e| self.push(field, e)).ok()
    }
}

/// Deserialises through serde's in-memory deserializer, so the
/// `try_from = "String"` wiring is tested without a format crate.
#[cfg(test)]
fn de<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, serde::de::value::Error> {
    use serde::de::IntoDeserializer;
    T::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_maps_only_required_to_none() {
        assert_eq!(optional(PostalCode::parse("  ")), Ok(None));
        assert_eq!(
            optional(PostalCode::parse("0150"))
                .unwrap()
                .unwrap()
                .as_str(),
            "0150"
        );
        assert_eq!(
            optional(PostalCode::parse("15")),
            Err(FieldError::InvalidPostalCode)
        );
    }

    #[test]
    fn field_errors_collects_and_finds_first_error_per_field() {
        let mut errors = FieldErrors::default();
        assert!(errors.is_empty());

        assert_eq!(
            errors
                .check("email", Email::parse("Ola@Example.no"))
                .unwrap()
                .as_str(),
            "ola@example.no"
        );
        assert!(errors.is_empty());

        assert_eq!(errors.check("phone", Phone::parse("123")), None);
        errors.push("phone", FieldError::Required);
        errors.push(String::from("org_no"), FieldError::InvalidOrgNo);

        assert!(!errors.is_empty());
        assert_eq!(errors.get("phone"), Some(FieldError::InvalidPhone));
        assert_eq!(errors.get("org_no"), Some(FieldError::InvalidOrgNo));
        assert_eq!(errors.get("email"), None);
    }

    #[test]
    fn field_error_messages_are_readable() {
        assert_eq!(FieldError::Required.to_string(), "value is required");
        assert_eq!(
            FieldError::TooLong { max: 20 }.to_string(),
            "value is longer than 20 characters"
        );
        assert_eq!(
            FieldError::InvalidOrgNo.to_string(),
            "invalid organisation number"
        );
    }

    #[test]
    fn deserialize_error_carries_field_error_message() {
        let err = de::<Email>("not an email").unwrap_err();
        assert_eq!(err.to_string(), "invalid email address");
    }
}
