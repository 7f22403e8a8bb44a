//! Who may do what. Until access groups exist (a later issue), the rights follow the tenant
//! role: every member reads and changes customers and consents; only tenant administrators
//! change the client settings (the consent purposes among them).

use crate::model::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    CustomerRead,
    CustomerWrite,
    ConsentRead,
    ConsentWrite,
    ClientSettings,
}

pub fn role_allows(role: Role, permission: Permission) -> bool {
    match permission {
        Permission::ClientSettings => role == Role::Admin,
        Permission::CustomerRead | Permission::CustomerWrite | Permission::ConsentRead | Permission::ConsentWrite => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_change_client_settings() {
        assert!(role_allows(Role::Admin, Permission::ClientSettings));
        assert!(!role_allows(Role::Staff, Permission::ClientSettings));
    }

    #[test]
    fn reading_and_changing_consent_are_separate_rights_that_staff_hold_for_now() {
        for p in [Permission::ConsentRead, Permission::ConsentWrite, Permission::CustomerRead, Permission::CustomerWrite] {
            assert!(role_allows(Role::Staff, p));
            assert!(role_allows(Role::Admin, p));
        }
        assert_ne!(Permission::ConsentRead, Permission::ConsentWrite);
    }
}
