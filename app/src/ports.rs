//! What the server functions need from the server crate, as traits (server-side only).
//!
//! The `server` crate implements [`Repository`] once for SQLite and once for PostgreSQL, and
//! [`StaffAuth`] with argon2; it hands both to the server functions in an [`AppState`] context.
//! Every repository method that touches tenant data takes the [`TenantId`] and puts it in the
//! query itself, so a missing filter is a compile error at the call site, not a data leak.

use crate::domain::consent::ValidPurpose;
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
pub trait Repository:
    ConsentRepository + SettingsRepository + MinSideRepository + MailOutbox + AccessLog + LoginThrottle + AccessControlRepository + SecretRepository + MfaRepository + SalesRepository + AnonymisationRepository + Send + Sync + 'static
{
    async fn staff_by_email(&self, email: &str) -> RepoResult<Option<StaffAccount>>;
    async fn staff_by_id(&self, id: StaffUserId) -> RepoResult<Option<StaffAccount>>;
    async fn tenants_of(&self, user: StaffUserId) -> RepoResult<Vec<TenantRef>>;
    /// The user's membership in one tenant, read by its primary key: every request pays for it.
    async fn membership(&self, user: StaffUserId, tenant: TenantId) -> RepoResult<Option<TenantRef>>;
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

/// Consent purposes, the consent grid and its evidence; part of every [`Repository`].
#[async_trait]
pub trait ConsentRepository: Send + Sync {
    /// Every purpose of the tenant, active or not, in display order.
    async fn consent_purposes(&self, tenant: TenantId) -> RepoResult<Vec<ConsentPurpose>>;
    /// Creates (`id` None) or updates a purpose; a changed wording publishes a new version.
    /// Answers the id and the new edit version.
    async fn save_consent_purpose(
        &self,
        tenant: TenantId,
        by: StaffUserId,
        id: Option<PurposeId>,
        expected_version: i64,
        p: &ValidPurpose,
    ) -> RepoResult<(PurposeId, i64)>;
    async fn customer_consents(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<CustomerConsents>;
    /// Appends one event per real change and updates the current state, in one transaction,
    /// if the customer's consents are still at `expected_version`. Answers the new version.
    async fn save_consents(
        &self,
        tenant: TenantId,
        customer: CustomerId,
        expected_version: i64,
        changes: &[ConsentChange],
        by: &ConsentContext,
    ) -> RepoResult<i64>;
    /// Consent events in the order they were appended.
    async fn consent_events(&self, tenant: TenantId, filter: &ConsentEventFilter) -> RepoResult<Vec<ConsentEventView>>;
}

/// Klientinnstillinger, tab "Samtykke"; part of every [`Repository`].
#[async_trait]
pub trait SettingsRepository: Send + Sync {
    /// Empty settings (version 0) until the first save.
    async fn consent_settings(&self, tenant: TenantId) -> RepoResult<ConsentSettings>;
    /// Saves against `expected_version` (0 for the first save); publishes a new privacy-policy
    /// version if the link or the recipients changed.
    async fn save_consent_settings(
        &self,
        tenant: TenantId,
        by: StaffUserId,
        expected_version: i64,
        settings: &crate::domain::settings::ValidConsentSettings,
    ) -> RepoResult<SavedSettings>;
}

/// Who changed consent and from where: written on every consent event.
#[derive(Debug, Clone)]
pub struct ConsentContext {
    pub actor: ConsentActor,
    pub staff_user: Option<StaffUserId>,
    pub source: ConsentSource,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ConsentEventFilter {
    pub contact_person: Option<ContactPersonId>,
    pub purpose: Option<PurposeId>,
    /// Inclusive.
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
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
/// The same for a Min Side customer: long enough for any visit, short on a shared device.
pub const CUSTOMER_SESSION_ABSOLUTE_SECONDS: i64 = 4 * 60 * 60;

#[derive(Clone)]
pub struct AppState {
    pub repo: Arc<dyn Repository>,
    pub auth: Arc<dyn StaffAuth>,
    pub customer_auth: Arc<dyn CustomerAuth>,
    /// Where customers reach the app, for links in mail; never taken from a request.
    pub public_url: String,
    /// Seals and opens Hemmeligheter.
    pub secrets: Arc<dyn SecretCipher>,
    /// Staff MFA: enrolment and codes.
    pub mfa: Arc<dyn StaffMfa>,
}

/// A Min Side account with what a customer session needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAccountRef {
    pub id: CustomerAccountId,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub customer_id: CustomerId,
    pub contact_person_id: ContactPersonId,
    pub contact_name: String,
    pub email: String,
}

/// A single-use link as it is stored: the hash only.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub kind: crate::domain::min_side::TokenKind,
    pub hash: String,
    pub expires_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub tenant_id: TenantId,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_ms: i64,
    pub sent_ms: Option<i64>,
}

/// One row of the append-only customer login log.
#[derive(Debug, Clone)]
pub struct CustomerLoginEvent {
    pub tenant_id: TenantId,
    pub email: String,
    pub account_id: Option<CustomerAccountId>,
    /// `succeeded`, `wrong_password`, `unknown_email`, `locked` or `password_set`.
    pub outcome: &'static str,
    pub at_unix_ms: i64,
    pub ip: Option<String>,
}

/// Min Side accounts, their links and login log; part of every [`Repository`].
#[async_trait]
pub trait MinSideRepository: Send + Sync {
    /// The contact person's e-mail, if the contact person is the tenant's.
    async fn contact_email(&self, tenant: TenantId, contact: ContactPersonId) -> RepoResult<Option<String>>;
    /// In one transaction: creates the contact person's account (or moves it to `email`), stores
    /// the link's hash and queues the mail. `Duplicate("email")` if another contact person of
    /// the tenant already logs in with that address.
    async fn issue_invitation(&self, tenant: TenantId, contact: ContactPersonId, email: &str, token: &NewToken, mail: &NewMail) -> RepoResult<()>;
    /// The same for a password reset of an account that has a password; false (and nothing
    /// written) when there is none, which the caller must not reveal.
    async fn issue_password_reset(&self, tenant: TenantId, email: &str, token: &NewToken, mail: &NewMail) -> RepoResult<bool>;
    /// Uses a link: if its hash is known, unused and unexpired at `now_ms`, sets the password,
    /// marks every open link of the account used and answers the account. None otherwise.
    async fn use_token(&self, token_hash: &str, password_hash: &str, now_ms: i64) -> RepoResult<Option<CustomerAccountRef>>;
    async fn customer_account(&self, id: CustomerAccountId) -> RepoResult<Option<CustomerAccountRef>>;
    /// Notes which session a customer logged in on, so anonymisation can end it with the
    /// account; forgets the account's sessions that have ended since.
    async fn record_customer_session(&self, account: CustomerAccountId, session_id: &str, now_ms: i64) -> RepoResult<()>;
    /// The account and its password hash (None before the invitation is used).
    async fn customer_account_by_email(&self, tenant: TenantId, email: &str) -> RepoResult<Option<(CustomerAccountRef, Option<String>)>>;
    async fn append_customer_login_event(&self, event: &CustomerLoginEvent) -> RepoResult<()>;
    /// Failed logins for the address since `since_unix_ms` and after its last success, oldest first.
    async fn customer_failures_since(&self, tenant: TenantId, email: &str, since_unix_ms: i64) -> RepoResult<Vec<i64>>;
    /// The account's login log, oldest first.
    async fn customer_logins(&self, account: CustomerAccountId) -> RepoResult<Vec<MyLogin>>;
}

/// Mail waiting to be sent; part of every [`Repository`].
#[async_trait]
pub trait MailOutbox: Send + Sync {
    /// Mail to `to` (every address if None), newest first; unsent only unless `include_sent`.
    async fn outbox(&self, to: Option<&str>, include_sent: bool, limit: u32) -> RepoResult<Vec<OutboxMail>>;
    /// Claims up to `limit` unsent mails no other sender claimed in the last `stale_after_ms`.
    async fn claim_unsent_mail(&self, now_ms: i64, stale_after_ms: i64, limit: u32) -> RepoResult<Vec<OutboxMail>>;
    async fn mark_mail_sent(&self, id: i64, now_ms: i64) -> RepoResult<()>;
}

/// Customer passwords for Min Side, behind a trait like [`StaffAuth`].
#[async_trait]
pub trait CustomerAuth: Send + Sync + 'static {
    /// Checks the password, applies the lockout rule and logs the attempt.
    async fn login(&self, tenant: TenantId, email: &str, password: &str, ip: Option<String>) -> Result<CustomerAccountRef, crate::error::ApiError>;
    /// Checks the password rules (`Invalid` on the field `password`), then uses the link
    /// (`LinkInvalid`), then logs `password_set`.
    async fn set_password(&self, token: &str, password: &str, ip: Option<String>) -> Result<CustomerAccountRef, crate::error::ApiError>;
    /// A fresh random link token and the hash to store for it.
    fn new_token(&self) -> (String, String);
}

/// What an access-log entry records. The names are stored, so they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessAction {
    StaffLogin,
    CustomerCardViewed,
    CustomerSaved,
    ContactPersonSaved,
    ConsentChanged,
    ConsentEventsExported,
    ConsentFormPrinted,
    ClientSettingsChanged,
    ConsentPurposeChanged,
    MinSideInvitation,
    MinSideLogin,
    MinSidePasswordSet,
    MyDataExported,
    AccessGroupCreated,
    AccessGroupSaved,
    AccessGroupDeleted,
    AdministratorMarked,
    AdministratorUnmarked,
    SecretRevealed,
    SecretSaved,
    SecretDeleted,
    StaffLoginFailed,
    MfaEnrolled,
    MfaFailed,
    MfaRecoveryCodeUsed,
    MfaReset,
    MfaRequirementChanged,
    AccessLogExported,
    AccessLogRetentionChanged,
    CustomerAnonymised,
    InvoiceCopyPrinted,
    InvoiceArchiveRead,
}

impl AccessAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessAction::StaffLogin => "staff_login",
            AccessAction::CustomerCardViewed => "customer_card_viewed",
            AccessAction::CustomerSaved => "customer_saved",
            AccessAction::ContactPersonSaved => "contact_person_saved",
            AccessAction::ConsentChanged => "consent_changed",
            AccessAction::ConsentEventsExported => "consent_events_exported",
            AccessAction::ConsentFormPrinted => "consent_form_printed",
            AccessAction::ClientSettingsChanged => "client_settings_changed",
            AccessAction::ConsentPurposeChanged => "consent_purpose_changed",
            AccessAction::MinSideInvitation => "min_side_invitation",
            AccessAction::MinSideLogin => "min_side_login",
            AccessAction::MinSidePasswordSet => "min_side_password_set",
            AccessAction::MyDataExported => "my_data_exported",
            AccessAction::AccessGroupCreated => "access_group_created",
            AccessAction::AccessGroupSaved => "access_group_saved",
            AccessAction::AccessGroupDeleted => "access_group_deleted",
            AccessAction::AdministratorMarked => "administrator_marked",
            AccessAction::AdministratorUnmarked => "administrator_unmarked",
            AccessAction::SecretRevealed => "secret_revealed",
            AccessAction::SecretSaved => "secret_saved",
            AccessAction::SecretDeleted => "secret_deleted",
            AccessAction::StaffLoginFailed => "staff_login_failed",
            AccessAction::MfaEnrolled => "mfa_enrolled",
            AccessAction::MfaFailed => "mfa_failed",
            AccessAction::MfaRecoveryCodeUsed => "mfa_recovery_code_used",
            AccessAction::MfaReset => "mfa_reset",
            AccessAction::MfaRequirementChanged => "mfa_requirement_changed",
            AccessAction::AccessLogExported => "access_log_exported",
            AccessAction::AccessLogRetentionChanged => "access_log_retention_changed",
            AccessAction::CustomerAnonymised => "customer_anonymised",
            AccessAction::InvoiceCopyPrinted => "invoice_copy_printed",
            AccessAction::InvoiceArchiveRead => "invoice_archive_read",
        }
    }
}

/// Who acted: a staff user, or a customer on Min Side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessActor {
    Staff(StaffUserId),
    Customer(CustomerAccountId),
}

/// One entry to append to a tenant's access log (Innsynslogg).
#[derive(Debug, Clone)]
pub struct AccessEntry {
    pub tenant_id: TenantId,
    pub actor: AccessActor,
    pub action: AccessAction,
    /// The customer the action concerned, if any.
    pub customer_id: Option<CustomerId>,
    /// What else identifies the object (a contact person, a purpose, an export's period).
    pub object: Option<String>,
    pub ip: Option<String>,
}

/// An entry as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccessEntry {
    pub tenant_id: TenantId,
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub staff_user_id: Option<StaffUserId>,
    pub customer_account_id: Option<CustomerAccountId>,
    pub action: String,
    pub customer_id: Option<CustomerId>,
    pub object: Option<String>,
    pub ip: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The access log; part of every [`Repository`].
#[async_trait]
pub trait AccessLog: Send + Sync {
    /// Appends the entry at the end of its tenant's chain, in one transaction with the chain's head.
    async fn append_access(&self, entry: &AccessEntry) -> RepoResult<()>;
    /// The tenant's entries in chain order (by `seq`).
    async fn access_entries(&self, tenant: TenantId) -> RepoResult<Vec<StoredAccessEntry>>;
    /// The tenant's entries about one customer, in chain order: the customer's own "who looked".
    async fn access_entries_about(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<StoredAccessEntry>>;
    /// The chain's last (seq, hash) as the head table records it.
    async fn access_log_head(&self, tenant: TenantId) -> RepoResult<Option<(i64, String)>>;
    /// Every tenant that has a log.
    async fn access_log_tenants(&self) -> RepoResult<Vec<TenantId>>;
    /// The Innsynslogg: entries matching `query`, newest first, older than `before_seq` if given.
    async fn access_log_rows(&self, tenant: TenantId, query: &AccessLogQuery, before_seq: Option<i64>, limit: u32) -> RepoResult<Vec<AccessLogRow>>;
    /// How many months the tenant keeps its log; None keeps it for good.
    async fn access_log_retention(&self, tenant: TenantId) -> RepoResult<Option<u32>>;
    async fn set_access_log_retention(&self, tenant: TenantId, months: Option<u32>) -> RepoResult<()>;
    /// Removes the tenant's entries older than `before_ms`, recording the last removed entry's
    /// seq and hash as the chain's new start, in one transaction. Answers how many went.
    async fn purge_access_log(&self, tenant: TenantId, before_ms: i64, now_ms: i64) -> RepoResult<usize>;
    /// Where the tenant's chain starts after purges: the last removed entry's (seq, hash).
    async fn access_log_anchor(&self, tenant: TenantId) -> RepoResult<Option<(i64, String)>>;
}

/// The Innsynslogg filter with its days turned into instants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessLogQuery {
    pub user: Option<StaffUserId>,
    pub customer_number: Option<String>,
    pub action: Option<String>,
    /// Inclusive.
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
}

/// Failed logins per address, across staff and Min Side; part of every [`Repository`].
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Failed staff and customer logins from `ip` since `since_unix_ms`.
    async fn failures_from_ip_since(&self, ip: &str, since_unix_ms: i64) -> RepoResult<i64>;
}

/// Access groups and the administrator mark (Tilgangsstyring); part of every [`Repository`].
#[async_trait]
pub trait AccessControlRepository: Send + Sync {
    /// The rights of every group `user` belongs to in `tenant`, with repeats.
    async fn group_rights(&self, tenant: TenantId, user: StaffUserId) -> RepoResult<Vec<crate::domain::access::Permission>>;
    /// The tenant's groups (by name) and members (by name).
    async fn access_control(&self, tenant: TenantId) -> RepoResult<crate::model::AccessControl>;
    /// A new group with no rights and no members. `Duplicate("name")` if the name is taken.
    async fn create_access_group(&self, tenant: TenantId, name: &crate::domain::access::AccessGroupName) -> RepoResult<crate::model::AccessGroup>;
    /// Replaces the group's name, rights and members if it is still at `expected_version`
    /// (`Stale` otherwise; `NotFound` for a group or member outside the tenant).
    async fn save_access_group(
        &self,
        tenant: TenantId,
        group: crate::model::AccessGroupId,
        expected_version: i64,
        name: &crate::domain::access::AccessGroupName,
        rights: crate::domain::access::Rights,
        members: &[StaffUserId],
    ) -> RepoResult<crate::model::AccessGroup>;
    async fn delete_access_group(&self, tenant: TenantId, group: crate::model::AccessGroupId, expected_version: i64) -> RepoResult<()>;
    /// Marks or unmarks `user` as an administrator of `tenant`, under a lock on the tenant so
    /// two administrators cannot unmark each other at once.
    async fn set_tenant_admin(
        &self,
        tenant: TenantId,
        user: StaffUserId,
        admin: bool,
    ) -> RepoResult<Result<(), crate::domain::access::AdminChangeRefused>>;
}

/// Where a secret value belongs; bound into its encryption as associated data, so a value moved
/// to another secret, customer or tenant does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretAd {
    pub tenant: TenantId,
    pub customer: CustomerId,
    pub secret: crate::model::SecretId,
}

/// What a sealed value is bound to: the AEAD's associated data.
pub trait AssociatedData: Send + Sync {
    fn bytes(&self) -> Vec<u8>;
}

impl AssociatedData for SecretAd {
    fn bytes(&self) -> Vec<u8> {
        format!("samtykke/secret/v1/{}/{}/{}", self.tenant, self.customer, self.secret).into_bytes()
    }
}

/// A staff user's TOTP seed is sealed for that user: copied to another user's row, it does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpAd {
    pub user: StaffUserId,
}

impl AssociatedData for TotpAd {
    fn bytes(&self) -> Vec<u8> {
        format!("samtykke/totp/v1/{}", self.user).into_bytes()
    }
}

/// A secret value as stored: which key sealed it, its nonce, and the ciphertext with its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretOpenError {
    /// Sealed under another key than the one this server holds (a rotation under way).
    OtherKey,
    /// Altered, or moved from where it was sealed.
    Tampered,
}

/// Sealing and opening secret values; the server implements it with an AEAD and a key that
/// is never in the database.
pub trait SecretCipher: Send + Sync + 'static {
    fn seal(&self, ad: &dyn AssociatedData, plaintext: &str) -> Sealed;
    fn open(&self, ad: &dyn AssociatedData, sealed: &Sealed) -> Result<String, SecretOpenError>;
}

/// A secret as stored, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub id: crate::model::SecretId,
    pub customer_id: CustomerId,
    pub label: String,
    pub groups: Vec<crate::model::AccessGroupId>,
    pub version: i64,
}

/// Hemmeligheter on the customer card; part of every [`Repository`].
#[async_trait]
pub trait SecretRepository: Send + Sync {
    /// The customer's secrets, by label; `NotFound` for a customer outside the tenant.
    async fn secrets_of(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<StoredSecret>>;
    /// One secret with its sealed value; `NotFound` outside the tenant.
    async fn sealed_secret(&self, tenant: TenantId, secret: crate::model::SecretId) -> RepoResult<(StoredSecret, Sealed)>;
    /// Stores a new secret; `seal` is called with its id once the row exists, in one transaction.
    async fn create_secret(
        &self,
        tenant: TenantId,
        customer: CustomerId,
        label: &str,
        groups: &[crate::model::AccessGroupId],
        by: StaffUserId,
        seal: &(dyn Fn(crate::model::SecretId) -> Sealed + Send + Sync),
    ) -> RepoResult<StoredSecret>;
    /// Changes label and groups, and the value when `sealed` is given, if still at `expected_version`.
    async fn update_secret(
        &self,
        tenant: TenantId,
        secret: crate::model::SecretId,
        expected_version: i64,
        label: &str,
        groups: &[crate::model::AccessGroupId],
        sealed: Option<&Sealed>,
    ) -> RepoResult<StoredSecret>;
    async fn delete_secret(&self, tenant: TenantId, secret: crate::model::SecretId, expected_version: i64) -> RepoResult<()>;
    /// The groups `user` belongs to in `tenant`.
    async fn member_groups(&self, tenant: TenantId, user: StaffUserId) -> RepoResult<Vec<crate::model::AccessGroupId>>;
    /// Re-seals every stored value (secrets and TOTP seeds) in one transaction (key rotation);
    /// answers how many.
    async fn reseal_all(&self, reseal: &(dyn for<'a> Fn(&'a dyn AssociatedData, Sealed) -> Result<Sealed, SecretOpenError> + Send + Sync)) -> RepoResult<usize>;
}

/// A staff user's TOTP seed as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTotp {
    pub sealed: Sealed,
    pub confirmed: bool,
    pub last_step: i64,
}

/// Staff MFA: seeds, recovery codes, the attempt log and the tenants' requirement; part of every
/// [`Repository`].
#[async_trait]
pub trait MfaRepository: Send + Sync {
    async fn totp_of(&self, user: StaffUserId) -> RepoResult<Option<StoredTotp>>;
    /// Stores a seed waiting for its first code, replacing an earlier unconfirmed one; false (and
    /// nothing written) if the user already has a confirmed one.
    async fn set_pending_totp(&self, user: StaffUserId, sealed: &Sealed) -> RepoResult<bool>;
    /// Confirms the pending seed at `step` and replaces the recovery codes, in one transaction;
    /// false if there is no pending seed.
    async fn confirm_totp(&self, user: StaffUserId, step: i64, recovery_hashes: &[String], now_ms: i64) -> RepoResult<bool>;
    /// Records `step` as used if it is newer than the last one; false if it is not (a replay),
    /// decided by the database row so two servers cannot both accept one code.
    async fn use_totp_step(&self, user: StaffUserId, step: i64) -> RepoResult<bool>;
    /// The unused recovery codes: (id, argon2 hash).
    async fn unused_recovery_codes(&self, user: StaffUserId) -> RepoResult<Vec<(i64, String)>>;
    /// Marks a recovery code used; false if it already was (by a concurrent request).
    async fn use_recovery_code(&self, id: i64, now_ms: i64) -> RepoResult<bool>;
    /// Removes the user's seed and recovery codes (an administrator's reset).
    async fn remove_mfa(&self, user: StaffUserId) -> RepoResult<()>;
    async fn append_mfa_event(&self, user: StaffUserId, outcome: &'static str, at_ms: i64, ip: Option<&str>) -> RepoResult<()>;
    async fn mfa_failures_since(&self, user: StaffUserId, since_ms: i64) -> RepoResult<i64>;
    /// Whether any tenant the user belongs to requires MFA.
    async fn mfa_required_for(&self, user: StaffUserId) -> RepoResult<bool>;
    async fn set_mfa_required(&self, tenant: TenantId, required: bool) -> RepoResult<()>;
    /// The members of `tenant` who have a confirmed seed.
    async fn mfa_enrolled_in(&self, tenant: TenantId) -> RepoResult<Vec<StaffUserId>>;
}

/// Staff MFA as the server functions use it; the server implements it with `totp-rs`, argon2
/// and the [`SecretCipher`].
#[async_trait]
pub trait StaffMfa: Send + Sync + 'static {
    async fn status(&self, user: StaffUserId) -> Result<crate::domain::mfa::MfaStatus, crate::error::ApiError>;
    /// A fresh seed waiting for its first code. `Conflict` if the user already has MFA.
    async fn begin_enrolment(&self, user: StaffUserId, account_name: &str) -> Result<crate::domain::mfa::MfaEnrolment, crate::error::ApiError>;
    /// Confirms the pending seed with a code from the app; answers the recovery codes, shown once.
    async fn confirm_enrolment(&self, user: StaffUserId, code: &str, ip: Option<String>) -> Result<Vec<String>, crate::error::ApiError>;
    /// Checks a code or a recovery code at login: throttled, logged, each accepted once.
    async fn verify(&self, user: StaffUserId, code: &str, ip: Option<String>) -> Result<crate::domain::mfa::MfaAccepted, crate::error::ApiError>;
    async fn reset(&self, user: StaffUserId, ip: Option<String>) -> Result<(), crate::error::ApiError>;
}

#[cfg(test)]
mod tests {
    use super::AccessAction::*;

    #[test]
    fn every_action_is_listed_for_the_innsynslogg_filter() {
        let all = [
            StaffLogin, CustomerCardViewed, CustomerSaved, ContactPersonSaved, ConsentChanged, ConsentEventsExported, ConsentFormPrinted,
            ClientSettingsChanged, ConsentPurposeChanged, MinSideInvitation, MinSideLogin, MinSidePasswordSet, MyDataExported,
            AccessGroupCreated, AccessGroupSaved, AccessGroupDeleted, AdministratorMarked, AdministratorUnmarked, SecretRevealed,
            SecretSaved, SecretDeleted, StaffLoginFailed, MfaEnrolled, MfaFailed, MfaRecoveryCodeUsed, MfaReset, MfaRequirementChanged,
            AccessLogExported, AccessLogRetentionChanged, CustomerAnonymised, InvoiceCopyPrinted, InvoiceArchiveRead,
        ];
        assert_eq!(all.len(), crate::model::ACCESS_LOG_ACTIONS.len());
        for a in all {
            assert!(crate::model::ACCESS_LOG_ACTIONS.contains(&a.as_str()), "{} is not listed", a.as_str());
        }
    }
}

/// Orders, invoices, the ledger (reskontro), notes and tasks: the sales data anonymisation
/// weighs; part of every [`Repository`].
#[async_trait]
pub trait SalesRepository: Send + Sync {
    /// Records an order and its invoice (the buyer as the customer is now, due in 14 days) with
    /// the invoice's ledger entry, in one transaction. `NotFound` outside the tenant.
    async fn record_sale(&self, tenant: TenantId, customer: CustomerId, sale: &NewSale) -> RepoResult<InvoiceId>;
    /// A payment against an invoice: a ledger entry, and that much less open on the invoice.
    async fn record_payment(&self, tenant: TenantId, invoice: InvoiceId, amount_ore: i64, date: &str) -> RepoResult<()>;
    /// A credit note for the whole invoice: its own invoice row and a negative ledger entry,
    /// open until set against the invoice (so the balance is zero either way).
    async fn record_credit_note(&self, tenant: TenantId, invoice: InvoiceId, number: &str, date: &str) -> RepoResult<InvoiceId>;
    /// What is open of each of the customer's ledger entries.
    async fn ledger_open_amounts(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<i64>>;
    async fn customer_invoices(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<InvoiceSummary>>;
    /// The invoice as a copy prints it now; `NotFound` outside the tenant.
    async fn invoice_copy(&self, tenant: TenantId, invoice: InvoiceId) -> RepoResult<(CustomerId, InvoiceCopy)>;
    async fn add_customer_note(&self, tenant: TenantId, customer: CustomerId, text: &str, by: Option<StaffUserId>) -> RepoResult<i64>;
    async fn add_customer_task(&self, tenant: TenantId, customer: CustomerId, text: &str, due_date: Option<&str>) -> RepoResult<i64>;
}

/// Anonymisering; part of every [`Repository`].
#[async_trait]
pub trait AnonymisationRepository: Send + Sync {
    /// When the customer was anonymised, if it was; `NotFound` outside the tenant.
    async fn anonymised_at(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Option<i64>>;
    /// The tenant's free text (notes, tasks, order notes and lines), where a customer may be named.
    async fn tenant_free_texts(&self, tenant: TenantId) -> RepoResult<Vec<crate::domain::anonymise::FreeText>>;
    /// In one transaction, with the balance checked again inside it: every personal field of the
    /// customer and its contact persons becomes "Anonym" or empty; Min Side accounts, their links
    /// and mail go; secrets go; the customer leaves the search index; consent events and Min Side
    /// login events keep their dates and counts but lose addresses and browsers; invoices print
    /// "Anonym" and their as-issued buyer moves to the archive; the chosen mentions are redacted;
    /// a record (counts only) is written. `Err(refusal)` changes nothing.
    async fn anonymise_customer(
        &self,
        tenant: TenantId,
        customer: CustomerId,
        by: Option<StaffUserId>,
        redactions: &[crate::domain::anonymise::Redaction],
        now_ms: i64,
    ) -> RepoResult<Result<crate::domain::anonymise::AnonymisationRecord, crate::domain::anonymise::Refusal>>;
    /// [`Self::anonymise_customer`] for each customer in turn (each in its own transaction,
    /// nothing redacted), by the retention rule; `by` is None when the command runs it.
    async fn anonymise_customers(
        &self,
        tenant: TenantId,
        customers: &[CustomerId],
        by: Option<StaffUserId>,
        now_ms: i64,
    ) -> RepoResult<Vec<Result<crate::domain::anonymise::AnonymisationRecord, crate::domain::anonymise::Refusal>>>;
    /// Returns once the words of customers anonymised so far have left the search index's
    /// storage too: SQLite compacts its index after the anonymisation commits (at once on
    /// PostgreSQL, whose index entry is in the customer's row).
    async fn search_index_settled(&self) -> RepoResult<()>;
    /// The tenant's retention rule: anonymise customers inactive this many years (None: no rule).
    async fn inactivity_years(&self, tenant: TenantId) -> RepoResult<Option<u32>>;
    async fn set_inactivity_years(&self, tenant: TenantId, years: Option<u32>) -> RepoResult<()>;
    async fn tenants_with_inactivity_rule(&self) -> RepoResult<Vec<(TenantId, u32)>>;
    /// Customers the rule reaches at `cutoff`: not anonymised, a zero balance, and no activity
    /// since (card or contact edits, orders, invoices, payments, consent changes, notes).
    async fn inactive_customers(&self, tenant: TenantId, cutoff: &crate::domain::anonymise::Cutoff, limit: u32) -> RepoResult<Vec<InactiveCustomer>>;
    async fn count_inactive_customers(&self, tenant: TenantId, cutoff: &crate::domain::anonymise::Cutoff) -> RepoResult<i64>;
    /// The tenant's invoice archive, newest invoice first.
    async fn invoice_archive(&self, tenant: TenantId) -> RepoResult<Vec<ArchivedInvoice>>;
    /// An archived invoice as issued (buyer and lines); `NotFound` outside the tenant's archive.
    async fn archived_invoice_copy(&self, tenant: TenantId, invoice: InvoiceId) -> RepoResult<(CustomerId, InvoiceCopy)>;
    /// Removes every archived invoice whose retention ended before `today` (YYYY-MM-DD), in
    /// every tenant, and records each tenant's purge; answers (tenant, invoices removed).
    async fn purge_invoice_archive(&self, today: &str, now_ms: i64) -> RepoResult<Vec<(TenantId, u64)>>;
}
