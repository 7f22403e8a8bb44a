//! The SQLite repository: the embedded default.
//!
//! WAL with `synchronous=FULL`, because consent records are legal evidence and a committed
//! transaction must survive a power cut. Writes that read first start with `BEGIN IMMEDIATE`,
//! so a second writer waits (busy_timeout) instead of failing halfway with SQLITE_BUSY.

use super::*;
use super::access_control::{self, access_control_store};
use super::secrets::{self, secret_store};
use super::mfa::{self, mfa_store};
use super::sales::{self, sales_store};
use super::anonymise::{self, anonymise_store};
use super::access_log::{self, access_log_store, login_throttle_store};
use super::consent::{self, consent_store};
use super::min_side::{self, min_side_store};
use super::settings::{self, settings_store};
use app::ports::{LoginEvent, RepoResult};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub struct SqliteRepository {
    pub pool: SqlitePool,
    compaction: std::sync::Arc<SearchCompaction>,
}

/// Kundesøk's FTS5 table (contentless_delete) only marks a deleted row; its words stay in the
/// index's segments until they are merged, and FTS5's secure-delete option does not reach such
/// tables. Compacting (`optimize`) rewrites the whole index, about 1.8 ms per 1,000 customers,
/// so an anonymisation asks for it after its commit rather than paying inside: requests that
/// come while one is pending share it, and every start compacts once, for a process that
/// stopped in between. Until it has run, the words are in the file but in no search result.
#[derive(Default)]
struct SearchCompaction {
    pending: std::sync::atomic::AtomicBool,
    running: tokio::sync::Mutex<()>,
}

impl SearchCompaction {
    fn request(self: &std::sync::Arc<Self>, pool: SqlitePool) {
        use std::sync::atomic::Ordering;
        if self.pending.swap(true, Ordering::SeqCst) {
            return;
        }
        let this = std::sync::Arc::clone(self);
        tokio::spawn(async move {
            let _running = this.running.lock().await;
            this.pending.store(false, Ordering::SeqCst);
            if let Err(e) = compact_search_index(&pool).await {
                tracing::error!(error = %e, "compacting the search index");
            }
        });
    }

    /// Returns once no compaction is pending or running.
    async fn settled(&self) {
        loop {
            let running = self.running.lock().await;
            if !self.pending.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            drop(running);
            tokio::task::yield_now().await;
        }
    }
}

/// Merges the search index into one segment, dropping the words of deleted rows.
pub(crate) async fn compact_search_index(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("INSERT INTO customer_search (customer_search) VALUES ('optimize')").execute(&mut *tx).await?;
    tx.commit().await
}

impl SqliteRepository {
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let options = with_storage_key(SqliteConnectOptions::from_str(url)?)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Deleted and overwritten content is zeroed in the file, not left in free space:
            // an anonymised customer's old fields must not survive on disk (issue 7).
            .pragma("secure_delete", "on")
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
        // The sessions' table too, here rather than at serve time: anonymisation deletes from it.
        tower_sessions_sqlx_store::SqliteStore::new(pool.clone()).migrate().await?;
        compact_search_index(&pool).await?;
        Ok(SqliteRepository { pool, compaction: Default::default() })
    }

    /// Where `tower_sessions_sqlx_store::SqliteStore` keeps sessions.
    const SESSION_TABLE: &'static str = "tower_sessions";

    /// An anonymised customer leaves Kundesøk; its words leave the file with the next
    /// compaction ([`SearchCompaction`]), which [`Self::after_unindex`] asks for.
    async fn unindex_customer(conn: &mut sqlx::SqliteConnection, id: CustomerId) -> RepoResult<()> {
        sqlx::query("DELETE FROM customer_search WHERE rowid = ?").bind(id).execute(&mut *conn).await.map_err(other)?;
        Ok(())
    }

    /// After customers left the index and their transactions committed.
    fn after_unindex(&self) {
        self.compaction.request(self.pool.clone());
    }

    async fn index_settled(&self) {
        self.compaction.settled().await
    }

    async fn write(&self) -> RepoResult<sqlx::Transaction<'static, Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(other)
    }
}

/// Names the key file of an encrypted SQLite database (built with the `sqlcipher` feature).
pub const STORAGE_KEY_ENV: &str = "SAMTYKKE_SQLITE_KEY_FILE";

/// The database file's key, where one is configured: 32 bytes in base64 in a file, as
/// `generate-secret-key` writes (a key of its own, not the one for Hemmeligheter). SQLCipher
/// gets it as a raw key, so no key derivation runs on each new connection.
pub fn storage_key() -> Result<Option<String>, sqlx::Error> {
    let Ok(path) = std::env::var(STORAGE_KEY_ENV) else { return Ok(None) };
    if !cfg!(feature = "sqlcipher") {
        return Err(sqlx::Error::Configuration(
            format!("{STORAGE_KEY_ENV} is set, but this server was built without SQLCipher (cargo build --features sqlcipher)").into(),
        ));
    }
    let key = crate::secrets::SecretKey::from_file(&path).map_err(|e| sqlx::Error::Configuration(format!("{STORAGE_KEY_ENV}: {e}").into()))?;
    Ok(Some(format!("\"x'{}'\"", key.to_hex())))
}

/// The options with the database key first, when one is configured (sqlx sends `key` before
/// any other pragma, as SQLCipher requires). sqlx logs the statements a connection starts with,
/// the key among them (at warn when connecting is slow, e.g. recovering a WAL): such a
/// connection logs no statements at all.
pub fn with_storage_key(options: SqliteConnectOptions) -> Result<SqliteConnectOptions, sqlx::Error> {
    use sqlx::ConnectOptions;
    use tracing::log::LevelFilter;
    Ok(match storage_key()? {
        Some(key) => options.pragma("key", key).log_statements(LevelFilter::Off).log_slow_statements(LevelFilter::Off, Duration::from_secs(1)),
        None => options,
    })
}

fn tenant_token(tenant: TenantId) -> String {
    format!("t{tenant}")
}

/// An FTS5 query: the tenant's token and every term as a prefix, all required.
fn fts_query(tenant: TenantId, terms: &[String]) -> String {
    // Terms are letters and digits only (app::domain::search_terms), so quoting is safe.
    let mut q = format!("tenant : {}", tenant_token(tenant));
    for t in terms {
        q.push_str(&format!(" AND document : \"{t}\" *"));
    }
    q
}

async fn index_customer(tx: &mut sqlx::SqliteConnection, tenant: TenantId, id: CustomerId, document: &str) -> RepoResult<()> {
    sqlx::query("INSERT OR REPLACE INTO customer_search (rowid, tenant, document) VALUES (?, ?, ?)")
        .bind(id)
        .bind(tenant_token(tenant))
        .bind(document)
        .execute(tx)
        .await
        .map_err(other)?;
    Ok(())
}

consent_store!(SqliteRepository, Sqlite);
settings_store!(SqliteRepository, Sqlite);
min_side_store!(SqliteRepository, Sqlite);
access_log_store!(SqliteRepository, Sqlite);
access_control_store!(SqliteRepository, Sqlite);
secret_store!(SqliteRepository, Sqlite);
login_throttle_store!(SqliteRepository);
mfa_store!(SqliteRepository);
sales_store!(SqliteRepository, Sqlite);
anonymise_store!(SqliteRepository, Sqlite);

#[async_trait]
impl Repository for SqliteRepository {
    async fn staff_by_email(&self, email: &str) -> RepoResult<Option<StaffAccount>> {
        let row: Option<StaffRow> = sqlx::query_as("SELECT id, email, name, password_hash FROM staff_users WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(other)?;
        Ok(row.map(Into::into))
    }

    async fn staff_by_id(&self, id: StaffUserId) -> RepoResult<Option<StaffAccount>> {
        let row: Option<StaffRow> = sqlx::query_as("SELECT id, email, name, password_hash FROM staff_users WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(other)?;
        Ok(row.map(Into::into))
    }

    async fn tenants_of(&self, user: StaffUserId) -> RepoResult<Vec<TenantRef>> {
        let rows: Vec<TenantRow> = sqlx::query_as(
            "SELECT t.id, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
             WHERE m.user_id = ? ORDER BY t.name, t.id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await
        .map_err(other)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn membership(&self, user: StaffUserId, tenant: TenantId) -> RepoResult<Option<TenantRef>> {
        let row: Option<TenantRow> = sqlx::query_as(
            "SELECT t.id, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
             WHERE m.user_id = ? AND m.tenant_id = ?",
        )
        .bind(user)
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await
        .map_err(other)?;
        Ok(row.map(Into::into))
    }

    async fn append_login_event(&self, e: &LoginEvent) -> RepoResult<()> {
        sqlx::query("INSERT INTO staff_login_events (email, user_id, outcome, at_ms, ip) VALUES (?, ?, ?, ?, ?)")
            .bind(&e.email)
            .bind(e.user_id)
            .bind(outcome_str(e.outcome))
            .bind(e.at_unix_ms)
            .bind(&e.ip)
            .execute(&self.pool)
            .await
            .map_err(other)?;
        Ok(())
    }

    async fn failures_since(&self, email: &str, since_unix_ms: i64) -> RepoResult<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT at_ms FROM staff_login_events WHERE email = ?1 AND at_ms >= ?2 \
               AND outcome IN ('wrong_password', 'unknown_email') \
               AND at_ms > COALESCE((SELECT MAX(at_ms) FROM staff_login_events \
                                     WHERE email = ?1 AND outcome = 'succeeded'), -1) \
             ORDER BY at_ms",
        )
        .bind(email)
        .bind(since_unix_ms)
        .fetch_all(&self.pool)
        .await
        .map_err(other)
    }

    async fn search_customers(&self, tenant: TenantId, terms: &[String], limit: u32, offset: u32) -> RepoResult<Vec<CustomerHit>> {
        let rows: Vec<HitRow> = if terms.is_empty() {
            sqlx::query_as(&format!(
                "SELECT {HIT_COLUMNS} FROM customers c WHERE c.tenant_id = ? ORDER BY c.sort_name, c.id LIMIT ? OFFSET ?"
            ))
            .bind(tenant)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
        } else {
            sqlx::query_as(&format!(
                // The IN subquery makes FTS5 produce its matches once; as a join, SQLite may walk
                // the tenant's customers and run the MATCH again for every row.
                "SELECT {HIT_COLUMNS} FROM customers c \
                 WHERE c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?) \
                   AND c.tenant_id = ? ORDER BY c.sort_name, c.id LIMIT ? OFFSET ?"
            ))
            .bind(fts_query(tenant, terms))
            .bind(tenant)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
        }
        .map_err(other)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn customer_card(&self, tenant: TenantId, id: CustomerId) -> RepoResult<CustomerCard> {
        let customer: CustomerRow = sqlx::query_as(&format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ? AND id = ?"))
            .bind(tenant)
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(other)?;
        let contacts: Vec<ContactRow> = sqlx::query_as(
            "SELECT id, version, name, position, email, phone FROM contact_persons \
             WHERE tenant_id = ? AND customer_id = ? ORDER BY id",
        )
        .bind(tenant)
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(other)?;
        Ok(CustomerCard { customer: customer.into(), contact_persons: contacts.into_iter().map(Into::into).collect() })
    }

    async fn create_customer(&self, tenant: TenantId, c: &ValidCustomer) -> RepoResult<CustomerId> {
        let mut tx = self.write().await?;
        let id = insert_customer(&mut tx, tenant, &c.into()).await?;
        tx.commit().await.map_err(other)?;
        Ok(id)
    }

    async fn update_customer(&self, tenant: TenantId, id: CustomerId, expected_version: i64, c: &ValidCustomer) -> RepoResult<i64> {
        let col = CustomerColumns::from(c);
        let mut tx = self.write().await?;
        let new_version: Option<i64> = sqlx::query_scalar(
            "UPDATE customers SET kind = ?, customer_number = ?, first_name = ?, last_name = ?, company_name = ?, \
               org_no = ?, address_line = ?, postal_code = ?, city = ?, email = ?, phone = ?, tags = ?, sort_name = ?, \
               version = version + 1, updated_ms = ? \
             WHERE tenant_id = ? AND id = ? AND version = ? RETURNING version",
        )
        .bind(col.kind)
        .bind(&col.customer_number)
        .bind(&col.first_name)
        .bind(&col.last_name)
        .bind(&col.company_name)
        .bind(&col.org_no)
        .bind(&col.address_line)
        .bind(&col.postal_code)
        .bind(&col.city)
        .bind(&col.email)
        .bind(&col.phone)
        .bind(&col.tags)
        .bind(&col.sort_name)
        .bind(now_ms())
        .bind(tenant)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        let Some(version) = new_version else {
            return Err(missing_or_stale(&mut tx, "customers", tenant, id).await);
        };
        index_customer(&mut tx, tenant, id, &col.search_document).await?;
        tx.commit().await.map_err(other)?;
        Ok(version)
    }

    async fn create_contact_person(&self, tenant: TenantId, customer: CustomerId, p: &ValidContactPerson) -> RepoResult<ContactPersonId> {
        let col = ContactColumns::from(p);
        let now = now_ms();
        // The INSERT … SELECT finds no customer row of another tenant, so nothing is written.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO contact_persons (tenant_id, customer_id, name, position, email, phone, created_ms, updated_ms) \
             SELECT tenant_id, id, ?, ?, ?, ?, ?, ? FROM customers WHERE tenant_id = ? AND id = ? RETURNING id",
        )
        .bind(&col.name)
        .bind(&col.position)
        .bind(&col.email)
        .bind(&col.phone)
        .bind(now)
        .bind(now)
        .bind(tenant)
        .bind(customer)
        .fetch_optional(&self.pool)
        .await
        .map_err(other)?;
        id.ok_or(RepoError::NotFound)
    }

    async fn update_contact_person(&self, tenant: TenantId, id: ContactPersonId, expected_version: i64, p: &ValidContactPerson) -> RepoResult<i64> {
        let col = ContactColumns::from(p);
        let mut tx = self.write().await?;
        let new_version: Option<i64> = sqlx::query_scalar(
            "UPDATE contact_persons SET name = ?, position = ?, email = ?, phone = ?, version = version + 1, updated_ms = ? \
             WHERE tenant_id = ? AND id = ? AND version = ? RETURNING version",
        )
        .bind(&col.name)
        .bind(&col.position)
        .bind(&col.email)
        .bind(&col.phone)
        .bind(now_ms())
        .bind(tenant)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        let Some(version) = new_version else {
            return Err(missing_or_stale(&mut tx, "contact_persons", tenant, id).await);
        };
        tx.commit().await.map_err(other)?;
        Ok(version)
    }
}

/// After an update matched no row: was it never there (for this tenant), or changed meanwhile?
async fn missing_or_stale(tx: &mut sqlx::SqliteConnection, table: &'static str, tenant: TenantId, id: i64) -> RepoError {
    let exists: Result<Option<i64>, _> = sqlx::query_scalar(&format!("SELECT 1 FROM {table} WHERE tenant_id = ? AND id = ?"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(tx)
        .await;
    match exists {
        Ok(Some(_)) => RepoError::Stale,
        Ok(None) => RepoError::NotFound,
        Err(e) => other(e),
    }
}

async fn insert_customer(tx: &mut sqlx::SqliteConnection, tenant: TenantId, col: &CustomerColumns) -> RepoResult<CustomerId> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (tenant_id, customer_number, kind, first_name, last_name, company_name, org_no, \
           address_line, postal_code, city, email, phone, tags, sort_name, created_ms, updated_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(tenant)
    .bind(&col.customer_number)
    .bind(col.kind)
    .bind(&col.first_name)
    .bind(&col.last_name)
    .bind(&col.company_name)
    .bind(&col.org_no)
    .bind(&col.address_line)
    .bind(&col.postal_code)
    .bind(&col.city)
    .bind(&col.email)
    .bind(&col.phone)
    .bind(&col.tags)
    .bind(&col.sort_name)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(other)?;
    index_customer(tx, tenant, id, &col.search_document).await?;
    Ok(id)
}

#[async_trait]
impl Seeder for SqliteRepository {
    async fn tenant_named(&self, name: &str) -> RepoResult<Option<TenantId>> {
        sqlx::query_scalar("SELECT id FROM tenants WHERE name = ? ORDER BY id LIMIT 1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(other)
    }

    async fn create_tenant(&self, name: &str) -> RepoResult<TenantId> {
        let mut tx = self.write().await?;
        let id = sqlx::query_scalar("INSERT INTO tenants (name, created_ms) VALUES (?, ?) RETURNING id")
            .bind(name)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await
            .map_err(other)?;
        Self::insert_default_purposes(&mut tx, id).await?;
        tx.commit().await.map_err(other)?;
        Ok(id)
    }

    async fn ensure_staff(&self, email: &str, name: &str, password_hash: &str) -> RepoResult<StaffUserId> {
        sqlx::query_scalar(
            "INSERT INTO staff_users (email, name, password_hash, created_ms) VALUES (?, ?, ?, ?) \
             ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(other)
    }

    async fn add_membership(&self, user: StaffUserId, tenant: TenantId, role: Role) -> RepoResult<()> {
        sqlx::query("INSERT INTO memberships (user_id, tenant_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(user)
            .bind(tenant)
            .bind(role.as_str())
            .execute(&self.pool)
            .await
            .map_err(other)?;
        Ok(())
    }

    async fn insert_customers(&self, tenant: TenantId, batch: &[(ValidCustomer, Vec<ValidContactPerson>)]) -> RepoResult<()> {
        let mut tx = self.write().await?;
        for (customer, contacts) in batch {
            let id = insert_customer(&mut tx, tenant, &customer.into()).await?;
            if contacts.is_empty() {
                continue;
            }
            let now = now_ms();
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO contact_persons (tenant_id, customer_id, name, position, email, phone, created_ms, updated_ms) ",
            );
            q.push_values(contacts.iter().map(ContactColumns::from), |mut b, p| {
                b.push_bind(tenant).push_bind(id).push_bind(p.name).push_bind(p.position).push_bind(p.email).push_bind(p.phone).push_bind(now).push_bind(now);
            });
            q.build().execute(&mut *tx).await.map_err(other)?;
        }
        tx.commit().await.map_err(other)
    }

    async fn backdate_customers(&self, tenant: TenantId, customer: Option<CustomerId>, at_ms: i64) -> RepoResult<()> {
        let mut tx = self.write().await?;
        for sql in BACKDATE {
            sqlx::query(sql).bind(tenant).bind(customer).bind(at_ms).execute(&mut *tx).await.map_err(other)?;
        }
        tx.commit().await.map_err(other)
    }

    async fn customer_count(&self, tenant: TenantId) -> RepoResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE tenant_id = ?")
            .bind(tenant)
            .fetch_one(&self.pool)
            .await
            .map_err(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fts_query_always_carries_the_tenant() {
        assert_eq!(fts_query(7, &[]), "tenant : t7");
        assert_eq!(
            fts_query(7, &["ola".into(), "91234".into()]),
            "tenant : t7 AND document : \"ola\" * AND document : \"91234\" *"
        );
    }
}
