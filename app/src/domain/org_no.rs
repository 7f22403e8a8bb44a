use serde::{Deserialize, Serialize};

use super::{text::required, FieldError};

const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];

/// A Norwegian organisasjonsnummer, checked against Brønnøysundregistrene's
/// mod-11 rule so typos are caught before a consent is tied to the wrong company.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct OrgNo(String);

string_newtype!(OrgNo);

impl OrgNo {
    /// Spaces are accepted because the register itself prints "923 609 016".
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let compact: String = required(s)?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let digits: Vec<u32> = compact
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(FieldError::InvalidOrgNo)?;
        if digits.len() != 9 || !matches!(digits[0], 8 | 9) {
            return Err(FieldError::InvalidOrgNo);
        }
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        let check = match sum % 11 {
            0 => 0,
            // Would need check digit 10; such numbers are never issued.
            1 => return Err(FieldError::InvalidOrgNo),
            r => 11 - r,
        };
        if check == digits[8] {
            Ok(Self(compact))
        } else {
            Err(FieldError::InvalidOrgNo)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::de;
    use super::*;

    fn invalid(s: &str) {
        assert_eq!(OrgNo::parse(s), Err(FieldError::InvalidOrgNo), "{s:?}");
    }

    #[test]
    fn accepts_real_numbers() {
        for s in ["923609016", "974760673", "984851006"] {
            assert_eq!(OrgNo::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn strips_spaces() {
        assert_eq!(
            OrgNo::parse(" 923 609 016 ").unwrap().to_string(),
            "923609016"
        );
        assert_eq!(
            OrgNo::parse("974\u{a0}760\u{a0}673").unwrap().as_str(),
            "974760673"
        );
    }

    #[test]
    fn remainder_zero_means_check_digit_zero() {
        // 9·3 + 3·2 = 33 ≡ 0 (mod 11)
        assert!(OrgNo::parse("930000000").is_ok());
    }

    #[test]
    fn remainder_one_is_never_valid() {
        // 9·3 + 9·2 = 45 ≡ 1 (mod 11)
        for check in 0..=9 {
            invalid(&format!("99000000{check}"));
        }
    }

    #[test]
    fn rejects_wrong_check_digit() {
        invalid("923609017");
        invalid("974760670");
    }

    #[test]
    fn rejects_wrong_first_digit() {
        // 1·3 + 2·2 = 7 → check digit 4: checksum passes, first digit does not.
        invalid("120000004");
        invalid("030000005"); // 3·2 = 6 → check digit 5
    }

    #[test]
    fn rejects_wrong_length_and_junk() {
        invalid("92360901");
        invalid("9236090160");
        invalid("923-609-016");
        invalid("92360901a");
        invalid("NO923609016MVA");
        invalid("٩٢٣٦٠٩٠١٦");
        invalid("ørretfisk");
    }

    #[test]
    fn rejects_blank() {
        assert_eq!(OrgNo::parse(""), Err(FieldError::Required));
        assert_eq!(OrgNo::parse("   "), Err(FieldError::Required));
    }

    #[test]
    fn deserialize_runs_parse() {
        assert_eq!(de::<OrgNo>("923 609 016").unwrap().as_str(), "923609016");
        assert!(de::<OrgNo>("923609017").is_err());
    }
}
