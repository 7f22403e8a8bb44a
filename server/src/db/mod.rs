//! Persistence: one [`Repository`] implementation per database, chosen by `DATABASE_URL`.
//!
//! Both implementations run the same queries where SQL allows and keep their own migrations
//! (`migrations/sqlite`, `migrations/postgres`). Rows are mapped through the shared structs in
//! this module so the two cannot drift in what they return.

pub(crate) mod access_control;
pub(crate) mod access_log;
pub(crate) mod anonymise;
pub(crate) mod consent;
pub(crate) mod mfa;
pub(crate) mod min_side;
pub(crate) mod sales;
pub(crate) mod secrets;
pub(crate) mod settings;
pub mod postgres;
pub mod sqlite;

use app::forms::{CustomerName, ValidContactPerson, ValidCustomer};
use app::model::*;
use app::ports::{LoginOutcome, RepoError, Repository, StaffAccount};
use std::sync::Arc;

pub use postgres::PgRepository;
pub use sqlite::SqliteRepository;

/// Which kind of database a `DATABASE_URL` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(sqlx::Error::Configuration("DATABASE_URL must start with sqlite: or postgres://".into()))
        }
    }
}

/// An open database of either kind, with what else the server needs from it.
#[derive(Clone)]
pub enum Database {
    Sqlite(SqliteRepository),
    Postgres(PgRepository),
}

impl Database {
    /// Opens (creating it if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        Ok(match Backend::of_url(url)? {
            Backend::Postgres => Database::Postgres(PgRepository::open(url).await?),
            Backend::Sqlite => Database::Sqlite(SqliteRepository::open(url).await?),
        })
    }

    /// One round trip to the database: what `/ready` asks before a load balancer sends traffic.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Database::Sqlite(r) => sqlx::query("SELECT 1").execute(&r.pool).await.map(drop),
            Database::Postgres(r) => sqlx::query("SELECT 1").execute(&r.pool).await.map(drop),
        }
    }

    /// Waits for the connections to finish and closes them (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        match self {
            Database::Sqlite(r) => r.pool.close().await,
            Database::Postgres(r) => r.pool.close().await,
        }
    }

    pub fn repository(&self) -> Arc<dyn Repository> {
        match self {
            Database::Sqlite(r) => Arc::new(r.clone()),
            Database::Postgres(r) => Arc::new(r.clone()),
        }
    }

    pub fn seeder(&self) -> &dyn Seeder {
        match self {
            Database::Sqlite(r) => r,
            Database::Postgres(r) => r,
        }
    }
}

/// Writes that only the `seed` command makes: tenants, staff and customers in bulk. A seeder
/// is a repository too, so the demo data can be written through the ordinary rules.
#[async_trait::async_trait]
pub trait Seeder: Repository + Send + Sync {
    async fn tenant_named(&self, name: &str) -> Result<Option<TenantId>, RepoError>;
    async fn create_tenant(&self, name: &str) -> Result<TenantId, RepoError>;
    /// Creates the user, or returns the existing one with that e-mail.
    async fn ensure_staff(&self, email: &str, name: &str, password_hash: &str) -> Result<StaffUserId, RepoError>;
    async fn add_membership(&self, user: StaffUserId, tenant: TenantId, role: Role) -> Result<(), RepoError>;
    /// Inserts customers with their contact persons in one transaction.
    async fn insert_customers(&self, tenant: TenantId, batch: &[(ValidCustomer, Vec<ValidContactPerson>)]) -> Result<(), RepoError>;
    async fn customer_count(&self, tenant: TenantId) -> Result<i64, RepoError>;
    /// Dates the customer (None: every customer of the tenant) and its contact persons as
    /// created and last changed at `at_ms`: demo and benchmark customers quiet for years.
    async fn backdate_customers(&self, tenant: TenantId, customer: Option<CustomerId>, at_ms: i64) -> Result<(), RepoError>;
}

pub(crate) const BACKDATE: [&str; 2] = [
    "UPDATE customers SET created_ms = $3, updated_ms = $3 WHERE tenant_id = $1 AND id = COALESCE($2, id)",
    "UPDATE contact_persons SET created_ms = $3, updated_ms = $3 WHERE tenant_id = $1 AND customer_id = COALESCE($2, customer_id)",
];


pub(crate) fn other(e: sqlx::Error) -> RepoError {
    match &e {
        sqlx::Error::RowNotFound => RepoError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => RepoError::Duplicate("customer_number"),
        _ => RepoError::Other(Box::new(e)),
    }
}

pub(crate) fn now_ms() -> i64 {
    crate::auth::now_ms()
}

pub(crate) fn outcome_str(o: LoginOutcome) -> &'static str {
    match o {
        LoginOutcome::Succeeded => "succeeded",
        LoginOutcome::WrongPassword => "wrong_password",
        LoginOutcome::UnknownEmail => "unknown_email",
        LoginOutcome::Locked => "locked",
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: i64,
    email: String,
    name: String,
    password_hash: String,
}

impl From<StaffRow> for StaffAccount {
    fn from(r: StaffRow) -> Self {
        StaffAccount { id: r.id, email: r.email, name: r.name, password_hash: r.password_hash }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: i64,
    name: String,
    role: String,
}

impl From<TenantRow> for TenantRef {
    fn from(r: TenantRow) -> Self {
        TenantRef { id: r.id, name: r.name, role: Role::parse(&r.role).unwrap_or(Role::Staff) }
    }
}

pub(crate) const CUSTOMER_COLUMNS: &str = "id, version, kind, customer_number, first_name, last_name, company_name, \
     org_no, address_line, postal_code, city, email, phone, tags";

#[derive(sqlx::FromRow)]
pub(crate) struct CustomerRow {
    id: i64,
    version: i64,
    kind: String,
    customer_number: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    org_no: Option<String>,
    address_line: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    tags: String,
}

impl From<CustomerRow> for Customer {
    fn from(r: CustomerRow) -> Self {
        Customer {
            id: r.id,
            version: r.version,
            input: CustomerInput {
                kind: CustomerKind::parse(&r.kind).unwrap_or_default(),
                customer_number: r.customer_number,
                first_name: r.first_name.unwrap_or_default(),
                last_name: r.last_name.unwrap_or_default(),
                company_name: r.company_name.unwrap_or_default(),
                org_no: r.org_no.unwrap_or_default(),
                address_line: r.address_line.unwrap_or_default(),
                postal_code: r.postal_code.unwrap_or_default(),
                city: r.city.unwrap_or_default(),
                email: r.email.unwrap_or_default(),
                phone: r.phone.unwrap_or_default(),
                tags: r.tags,
            },
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HitRow {
    id: i64,
    customer_number: String,
    kind: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    org_no: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    city: Option<String>,
}

pub(crate) const HIT_COLUMNS: &str =
    "c.id, c.customer_number, c.kind, c.first_name, c.last_name, c.company_name, c.org_no, c.email, c.phone, c.city";

/// A customer's name as every list shows it, from the stored name columns: the rule of
/// [`CustomerInput::display_name`], for rows that read only those columns.
pub(crate) fn customer_name(kind: &str, first_name: Option<String>, last_name: Option<String>, company_name: Option<String>) -> String {
    CustomerInput {
        kind: CustomerKind::parse(kind).unwrap_or_default(),
        first_name: first_name.unwrap_or_default(),
        last_name: last_name.unwrap_or_default(),
        company_name: company_name.unwrap_or_default(),
        ..Default::default()
    }
    .display_name()
}

impl From<HitRow> for CustomerHit {
    fn from(r: HitRow) -> Self {
        let display_name = customer_name(&r.kind, r.first_name, r.last_name, r.company_name);
        CustomerHit {
            id: r.id,
            customer_number: r.customer_number,
            display_name,
            org_no: r.org_no,
            email: r.email,
            phone: r.phone,
            city: r.city,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: i64,
    version: i64,
    name: String,
    position: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl From<ContactRow> for ContactPerson {
    fn from(r: ContactRow) -> Self {
        ContactPerson {
            id: r.id,
            version: r.version,
            input: ContactPersonInput {
                name: r.name,
                position: r.position.unwrap_or_default(),
                email: r.email.unwrap_or_default(),
                phone: r.phone.unwrap_or_default(),
            },
        }
    }
}

/// A customer's columns as the database stores them, in `CUSTOMER_WRITE_COLUMNS` order.
pub(crate) struct CustomerColumns {
    pub kind: &'static str,
    pub customer_number: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub org_no: Option<String>,
    pub address_line: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tags: String,
    pub sort_name: String,
    pub search_document: String,
}

impl From<&ValidCustomer> for CustomerColumns {
    fn from(c: &ValidCustomer) -> Self {
        let (kind, first_name, last_name, company_name, org_no) = match &c.name {
            CustomerName::Private { first_name, last_name } => {
                ("private", Some(first_name.clone()), Some(last_name.clone()), None, None)
            }
            CustomerName::Business { company_name, org_no } => {
                ("business", None, None, Some(company_name.clone()), Some(org_no.as_str().to_string()))
            }
        };
        CustomerColumns {
            kind,
            customer_number: c.customer_number.as_str().to_string(),
            first_name,
            last_name,
            company_name,
            org_no,
            address_line: c.address_line.clone(),
            postal_code: c.postal_code.as_ref().map(|p| p.as_str().to_string()),
            city: c.city.clone(),
            email: c.email.as_ref().map(|e| e.as_str().to_string()),
            phone: c.phone.as_ref().map(|p| p.as_str().to_string()),
            tags: c.tags.join(", "),
            sort_name: c.sort_name(),
            search_document: c.search_document(),
        }
    }
}

pub(crate) struct ContactColumns {
    pub name: String,
    pub position: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl From<&ValidContactPerson> for ContactColumns {
    fn from(p: &ValidContactPerson) -> Self {
        ContactColumns {
            name: p.name.clone(),
            position: p.position.clone(),
            email: p.email.as_ref().map(|e| e.as_str().to_string()),
            phone: p.phone.as_ref().map(|p| p.as_str().to_string()),
        }
    }
}
