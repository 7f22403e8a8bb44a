//! What the server functions need from the server crate, as traits (server-side only).
//!
//! The `server` crate implements [`Repository`] once for SQLite and once for PostgreSQL, and
//! [`StaffAuth`] with argon2; it hands both to the server functions in an [`AppState`] context.
//! Every repository method that touches tenant data takes the [`TenantId`] and puts it in the
//! query itself, so a missing filter is a compile error at the call site, not a data leak.

use crate::forms::{ValidContactPerson, ValidCustomer};
use crate::model::*;
use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    /// The row changed since the caller read `version`.
    #[error("stale version")]
    Stale,
    /// A unique key (customer number within the tenant) is taken.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl From<RepoError> for crate::error::ApiError {
    fn from(e: RepoError) -> Self {
        use crate::domain::FieldError;
        use crate::error::ApiError;
        match e {
            RepoError::NotFound => ApiError::NotFound,
            RepoError::Stale => ApiError::Conflict,
            RepoError::Duplicate(field) => ApiError::invalid(field, FieldError::Taken),
            RepoError::Other(err) => {
                // The only place a storage error is seen: the log, never the response.
                tracing::error!(error = %err, "repository error");
                ApiError::Internal
            }
        }
    }
}

pub type RepoResult<T> = Result<T, RepoError>;

#[derive(Debug, Clone)]
pub struct StaffAccount {
    pub id: StaffUserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Succeeded,
    WrongPassword,
    UnknownEmail,
    Locked,
}

/// One row of the append-only staff login log.
#[derive(Debug, Clone)]
pub struct LoginEvent {
    pub email: String,
    pub user_id: Option<StaffUserId>,
    pub outcome: LoginOutcome,
    pub at_unix_ms: i64,
    pub ip: Option<String>,
}

#[async_trait]
pub trait Repository: Send + Sync + 'static {
    async fn staff_by_email(&self, email: &str) -> RepoResult<Option<StaffAccount>>;
    async fn staff_by_id(&self, id: StaffUserId) -> RepoResult<Option<StaffAccount>>;
    async fn tenants_of(&self, user: StaffUserId) -> RepoResult<Vec<TenantRef>>;
    async fn append_login_event(&self, event: &LoginEvent) -> RepoResult<()>;
    /// Failed logins for `email` since `since_unix_ms` and after its last success, oldest first.
    async fn failures_since(&self, email: &str, since_unix_ms: i64) -> RepoResult<Vec<i64>>;

    async fn search_customers(
        &self,
        tenant: TenantId,
        terms: &[String],
        limit: u32,
        offset: u32,
    ) -> RepoResult<Vec<CustomerHit>>;
    async fn customer_card(&self, tenant: TenantId, id: CustomerId) -> RepoResult<CustomerCard>;
    async fn create_customer(&self, tenant: TenantId, c: &ValidCustomer) -> RepoResult<CustomerId>;
    async fn update_customer(
        &self,
        tenant: TenantId,
        id: CustomerId,
        expected_version: i64,
        c: &ValidCustomer,
    ) -> RepoResult<i64>;
    async fn create_contact_person(
        &self,
        tenant: TenantId,
        customer: CustomerId,
        p: &ValidContactPerson,
    ) -> RepoResult<ContactPersonId>;
    async fn update_contact_person(
        &self,
        tenant: TenantId,
        id: ContactPersonId,
        expected_version: i64,
        p: &ValidContactPerson,
    ) -> RepoResult<i64>;
}

/// Password checking, kept behind a trait so the server functions stay free of argon2.
#[async_trait]
pub trait StaffAuth: Send + Sync + 'static {
    /// Checks the password, applies the lockout rule and logs the attempt.
    async fn login(
        &self,
        email: &str,
        password: &str,
        ip: Option<String>,
    ) -> Result<StaffUserId, crate::error::ApiError>;
}

/// How long a staff session may live, whatever its activity.
pub const SESSION_ABSOLUTE_SECONDS: i64 = 12 * 60 * 60;

#[derive(Clone)]
pub struct AppState {
    pub repo: Arc<dyn Repository>,
    pub auth: Arc<dyn StaffAuth>,
}
