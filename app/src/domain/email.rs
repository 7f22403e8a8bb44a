use serde::{Deserialize, Serialize};

use super::{FieldError, RequiredText};

/// RFC 5321 limits for a whole address and for the part before '@'.
const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

/// An email address, lowercased so the same person is never stored twice
/// because they typed "Ola@" once and "ola@" the next time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Email(String);

string_newtype!(Email);

impl Email {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        // Lowercase first: a few characters grow when lowercased, and the
        // limit must hold for what is stored.
        let email = RequiredText::parse(&s.to_lowercase(), MAX_LEN)?;
        let (local, domain) = email.split_once('@').ok_or(FieldError::InvalidEmail)?;
        // A second '@' lands in `domain`, whose charset rejects it.
        if valid_local(local) && valid_domain(domain) {
            Ok(Self(email))
        } else {
            Err(FieldError::InvalidEmail)
        }
    }
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.chars().count() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Unicode letters are allowed because Norwegian IDN domains like "øl.no"
/// exist; requiring a dot rules out intranet names nobody can mail from outside.
fn valid_domain(domain: &str) -> bool {
    domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::super::de;
    use super::*;

    fn ok(s: &str) -> String {
        Email::parse(s).unwrap().to_string()
    }

    fn invalid(s: &str) {
        assert_eq!(Email::parse(s), Err(FieldError::InvalidEmail), "{s:?}");
    }

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(ok("ola.nordmann@example.no"), "ola.nordmann@example.no");
        assert_eq!(ok("  Ola.Nordmann@Example.NO "), "ola.nordmann@example.no");
        assert_eq!(
            ok("post+samtykke@sub.firma-as.no"),
            "post+samtykke@sub.firma-as.no"
        );
        assert_eq!(Email::parse("a@b.no").unwrap().as_str(), "a@b.no");
    }

    #[test]
    fn accepts_unicode() {
        assert_eq!(ok("Pål@Øl.no"), "pål@øl.no");
        assert_eq!(ok("kari@blåbær-ås.no"), "kari@blåbær-ås.no");
    }

    #[test]
    fn rejects_blank() {
        assert_eq!(Email::parse(""), Err(FieldError::Required));
        assert_eq!(Email::parse("   "), Err(FieldError::Required));
    }

    #[test]
    fn rejects_oversized() {
        let at_limit = format!("{}@{}.no", "a".repeat(64), "b".repeat(254 - 64 - 4));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());

        let over = format!("{}@{}.no", "a".repeat(64), "b".repeat(254 - 64 - 3));
        assert_eq!(Email::parse(&over), Err(FieldError::TooLong { max: 254 }));

        invalid(&format!("{}@example.no", "a".repeat(65)));
    }

    #[test]
    fn rejects_wrong_number_of_ats() {
        invalid("ola.example.no");
        invalid("ola@@example.no");
        invalid("ola@nordmann@example.no");
    }

    #[test]
    fn rejects_missing_parts() {
        invalid("@example.no");
        invalid("ola@");
        invalid("ola@localhost");
    }

    #[test]
    fn rejects_bad_domain_labels() {
        invalid("ola@.example.no");
        invalid("ola@example.no.");
        invalid("ola@example..no");
        invalid("ola@-example.no");
        invalid("ola@example-.no");
        invalid("ola@exa_mple.no");
    }

    #[test]
    fn rejects_bad_local_part() {
        invalid(".ola@example.no");
        invalid("ola.@example.no");
        invalid("ola..nordmann@example.no");
        invalid("ola nordmann@example.no");
        invalid("ola\u{0}@example.no");
    }

    #[test]
    fn rejects_spaces_anywhere() {
        invalid("ola@exam ple.no");
        invalid("ola @example.no");
    }

    #[test]
    fn deserialize_runs_parse() {
        assert_eq!(
            de::<Email>(" Ola@Example.no ").unwrap().as_str(),
            "ola@example.no"
        );
        assert!(de::<Email>("ola@").is_err());
    }
}
