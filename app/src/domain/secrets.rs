//! Hemmeligheter: what a secret's label and value may be, and who may see the value.

use super::access::{Permission, Rights};
use super::FieldError;
use crate::model::AccessGroupId;

pub const LABEL_MAX: usize = 80;
pub const VALUE_MAX: usize = 2000;

/// "Portkode", "Personnummer", "Notat": required, at most 80 characters.
pub fn parse_label(s: &str) -> Result<String, FieldError> {
    super::RequiredText::parse(s, LABEL_MAX)
}

/// The value as typed, without surrounding blanks; required, at most 2000 characters.
pub fn parse_value(s: &str) -> Result<String, FieldError> {
    super::RequiredText::parse(s, VALUE_MAX)
}

/// A value is shown to those with the Hemmeligheter right who are administrators or members of
/// one of the groups the secret names. A secret that names no group is for administrators.
pub fn may_reveal(rights: Rights, admin: bool, my_groups: &[AccessGroupId], secret_groups: &[AccessGroupId]) -> bool {
    rights.contains(Permission::Secrets) && (admin || secret_groups.iter().any(|g| my_groups.contains(g)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(perms: &[Permission]) -> Rights {
        perms.iter().copied().collect()
    }

    #[test]
    fn the_right_and_a_shared_group_are_both_needed() {
        let secrets = with(&[Permission::CustomerRead, Permission::Secrets]);
        assert!(may_reveal(secrets, false, &[1, 2], &[2, 5]));
        assert!(!may_reveal(secrets, false, &[1], &[2, 5]));
        assert!(!may_reveal(with(&[Permission::CustomerRead]), false, &[2], &[2]));
        assert!(!may_reveal(secrets, false, &[1], &[]));
    }

    #[test]
    fn administrators_see_every_secret_of_the_tenant() {
        assert!(may_reveal(Rights::all(), true, &[], &[]));
        assert!(may_reveal(Rights::all(), true, &[], &[7]));
    }

    #[test]
    fn labels_and_values_are_required_and_bounded() {
        assert_eq!(parse_label("  Portkode "), Ok("Portkode".to_string()));
        assert_eq!(parse_label(""), Err(FieldError::Required));
        assert_eq!(parse_value(&"x".repeat(VALUE_MAX + 1)), Err(FieldError::TooLong { max: VALUE_MAX }));
        assert_eq!(parse_value(" 4711 # "), Ok("4711 #".to_string()));
    }
}
