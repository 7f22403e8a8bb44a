//! The errors every server function returns.
//!
//! Use [`ApiError`] as the error type of every `#[server]` function: the variants are what the
//! client must tell apart (log in again, ask an admin, reload, fix a field), and none carries a
//! database or internal message, so nothing about the storage layer leaks to the browser. The UI
//! turns a variant into text with [`crate::i18n::Msg`].

use crate::domain::FieldErrors;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("not logged in")]
    NotLoggedIn,
    #[error("no tenant chosen")]
    NoTenantChosen,
    #[error("forbidden")]
    Forbidden,
    /// The user lacks this right in the tenant; the UI names it, so they know whom to ask for what.
    #[error("missing right {0:?}")]
    MissingRight(crate::domain::access::Permission),
    #[error("not found")]
    NotFound,
    /// Unmarking the tenant's only administrator.
    #[error("last administrator")]
    LastAdministrator,
    /// Someone else saved the same record since it was loaded.
    #[error("conflict")]
    Conflict,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Unknown e-mail or wrong password: one variant, so the answer never tells which.
    #[error("wrong e-mail or password")]
    WrongCredentials,
    /// Locked after repeated failures; counted on the server so the browser's clock does not matter.
    #[error("account locked")]
    Locked { retry_after_minutes: i64 },
    /// The customer's ledger does not balance: it cannot be anonymised (øre; negative: owed to
    /// the customer).
    #[error("open balance")]
    OpenBalance { ore: i64 },
    /// An MFA code that is wrong, or was used before.
    #[error("wrong code")]
    WrongCode,
    /// A Min Side link that is unknown, used or expired: one variant, so a guess learns nothing.
    #[error("link invalid")]
    LinkInvalid,
    /// A state-changing request that came from another site.
    #[error("cross-origin request refused")]
    CrossOrigin,
    /// Anything the user cannot act on; the details are only in the server log.
    #[error("internal error")]
    Internal,
    /// The request never reached our code or its answer could not be read.
    #[error("transport error: {0}")]
    Transport(String),
}

impl ApiError {
    pub fn invalid(field: &str, error: crate::domain::FieldError) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, error);
        ApiError::Invalid(errors)
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            ApiError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport(value.to_string())
    }
}
