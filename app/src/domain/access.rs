//! Who may do what (Tilgangsstyring).
//!
//! A tenant's administrators hold every right. Other members hold the union of the rights of
//! the access groups they belong to; a member of no group holds none. Rights are read from the
//! database on every request, so a change applies from the user's next click.

use super::FieldError;
use crate::model::Role;
use serde::{Deserialize, Serialize};

/// One right on one module, as the Tilgangsstyring page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    CustomerRead,
    CustomerWrite,
    ConsentRead,
    ConsentWrite,
    Anonymise,
    Secrets,
    Reports,
    ClientSettings,
    AccessControl,
    AccessLog,
    /// Regnskap: the invoice archive, the invoices as issued to customers since anonymised.
    Bookkeeping,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::CustomerRead,
        Permission::CustomerWrite,
        Permission::ConsentRead,
        Permission::ConsentWrite,
        Permission::Anonymise,
        Permission::Secrets,
        Permission::Reports,
        Permission::ClientSettings,
        Permission::AccessControl,
        Permission::AccessLog,
        Permission::Bookkeeping,
    ];

    /// The name stored in `access_group_rights`; never changes.
    pub fn code(self) -> &'static str {
        match self {
            Permission::CustomerRead => "customer_read",
            Permission::CustomerWrite => "customer_write",
            Permission::ConsentRead => "consent_read",
            Permission::ConsentWrite => "consent_write",
            Permission::Anonymise => "anonymise",
            Permission::Secrets => "secrets",
            Permission::Reports => "reports",
            Permission::ClientSettings => "client_settings",
            Permission::AccessControl => "access_control",
            Permission::AccessLog => "access_log",
            Permission::Bookkeeping => "bookkeeping",
        }
    }

    pub fn parse(code: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The rights this one is useless without: changing a customer means seeing it first, and
    /// a consent is shown on the customer card.
    pub fn needs(self) -> &'static [Permission] {
        match self {
            Permission::CustomerWrite | Permission::ConsentRead | Permission::Secrets | Permission::Anonymise => {
                &[Permission::CustomerRead]
            }
            Permission::ConsentWrite => &[Permission::ConsentRead, Permission::CustomerRead],
            _ => &[],
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of rights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rights(u16);

impl Rights {
    pub fn all() -> Self {
        Permission::ALL.into_iter().collect()
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    pub fn insert(&mut self, p: Permission) {
        self.0 |= p.bit();
    }

    pub fn remove(&mut self, p: Permission) {
        self.0 &= !p.bit();
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The same set with every right that a chosen one needs, so a group never holds "Kunde
    /// skriv" without "Kunde les".
    pub fn with_needed(self) -> Self {
        let mut out = self;
        for p in self.iter() {
            for n in p.needs() {
                out.insert(*n);
            }
        }
        out
    }

    /// The set without `p` and without every right that needs it: unticking "Kunde les"
    /// unticks "Kunde skriv" too.
    pub fn without(self, p: Permission) -> Self {
        let mut out = self;
        out.remove(p);
        for q in self.iter() {
            if q.needs().contains(&p) {
                out.remove(q);
            }
        }
        out
    }
}

impl FromIterator<Permission> for Rights {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut r = Rights::default();
        for p in iter {
            r.insert(p);
        }
        r
    }
}

/// What a member may do in a tenant: everything as an administrator, otherwise what their groups
/// give them together.
pub fn effective_rights(role: Role, group_rights: impl IntoIterator<Item = Permission>) -> Rights {
    match role {
        Role::Admin => Rights::all(),
        Role::Staff => group_rights.into_iter().collect(),
    }
}

/// An access group's name: required, at most 60 characters, unique within the tenant regardless
/// of case (the database holds [`AccessGroupName::key`] under a unique index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccessGroupName(String);

impl AccessGroupName {
    pub const MAX: usize = 60;

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        super::RequiredText::parse(s, Self::MAX).map(AccessGroupName)
    }

    /// What uniqueness is checked on: "Regnskap" and "regnskap" are one name.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

string_newtype!(AccessGroupName);

impl From<AccessGroupName> for String {
    fn from(n: AccessGroupName) -> String {
        n.0
    }
}

/// Why a change of the administrator mark is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminChangeRefused {
    /// The tenant would be left without anyone who can give rights.
    LastAdministrator,
}

/// May `target` lose (or gain) the administrator mark, given the tenant's administrators now?
pub fn may_set_admin(admins: &[crate::model::StaffUserId], target: crate::model::StaffUserId, admin: bool) -> Result<(), AdminChangeRefused> {
    if !admin && admins == [target] {
        return Err(AdminChangeRefused::LastAdministrator);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_hold_every_right_whatever_their_groups() {
        let r = effective_rights(Role::Admin, []);
        assert!(Permission::ALL.iter().all(|p| r.contains(*p)));
    }

    #[test]
    fn a_member_holds_the_union_of_their_groups_and_nothing_else() {
        let r = effective_rights(Role::Staff, [Permission::CustomerRead, Permission::ConsentRead, Permission::CustomerRead]);
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![Permission::CustomerRead, Permission::ConsentRead]);
        assert!(!r.contains(Permission::Secrets));
        assert!(effective_rights(Role::Staff, []).is_empty());
    }

    #[test]
    fn every_code_parses_back_to_its_right_and_codes_are_distinct() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.code()), Some(p));
        }
        let codes: std::collections::BTreeSet<_> = Permission::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), Permission::ALL.len());
        assert_eq!(Permission::parse("root"), None);
    }

    #[test]
    fn a_write_right_brings_its_read_right_and_losing_the_read_right_loses_the_write_right() {
        let r: Rights = [Permission::ConsentWrite].into_iter().collect();
        let with = r.with_needed();
        assert!(with.contains(Permission::ConsentRead) && with.contains(Permission::CustomerRead));
        let without = with.without(Permission::CustomerRead);
        assert!(!without.contains(Permission::ConsentWrite));
        assert!(!without.contains(Permission::ConsentRead));
        assert!(without.is_empty());
    }

    #[test]
    fn group_names_are_trimmed_bounded_and_compared_without_case() {
        assert_eq!(AccessGroupName::parse("  Regnskap ").unwrap().as_str(), "Regnskap");
        assert_eq!(AccessGroupName::parse(" "), Err(FieldError::Required));
        assert_eq!(AccessGroupName::parse(&"x".repeat(61)), Err(FieldError::TooLong { max: 60 }));
        assert_eq!(AccessGroupName::parse("Økonomi").unwrap().key(), AccessGroupName::parse("ØKONOMI").unwrap().key());
    }

    #[test]
    fn the_last_administrator_keeps_the_mark() {
        let (a, b) = (1, 2);
        assert_eq!(may_set_admin(&[a], a, false), Err(AdminChangeRefused::LastAdministrator));
        assert_eq!(may_set_admin(&[a, b], a, false), Ok(()));
        assert_eq!(may_set_admin(&[a], b, true), Ok(()));
        assert_eq!(may_set_admin(&[a], b, false), Ok(()));
    }
}
