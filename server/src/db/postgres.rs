//! The PostgreSQL repository, for several app servers on one database.
//!
//! Kundesøk uses a tsvector of the app's own tokens, each prefixed with its tenant
//! (`t7_nordmann`), under a GIN index: a prefix query then only touches the tenant's own
//! entries, so its cost follows the tenant's size, not the whole database's, whatever the
//! planner estimates (it misjudges prefix matches badly, see docs/BENCHMARKS.md).

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
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool, Postgres, QueryBuilder};
use std::str::FromStr;

#[derive(Clone)]
pub struct PgRepository {
    pub pool: PgPool,
}

impl PgRepository {
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        use sqlx::migrate::MigrateDatabase;
        if !Postgres::database_exists(url).await? {
            Postgres::create_database(url).await?;
        }
        let options = PgConnectOptions::from_str(url)?.log_statements(tracing::log::LevelFilter::Trace);
        let pool = PgPoolOptions::new().max_connections(16).connect_with(options).await?;
        sqlx::migrate!("../migrations/postgres").run(&pool).await?;
        // The sessions' table too, here rather than at serve time: anonymisation deletes from it.
        tower_sessions_sqlx_store::PostgresStore::new(pool.clone()).migrate().await?;
        Ok(PgRepository { pool })
    }

    /// Where `tower_sessions_sqlx_store::PostgresStore` keeps sessions.
    const SESSION_TABLE: &'static str = "\"tower_sessions\".\"session\"";

    /// An anonymised customer leaves Kundesøk: an empty tsvector matches no query.
    async fn unindex_customer(conn: &mut sqlx::PgConnection, id: CustomerId) -> RepoResult<()> {
        sqlx::query("UPDATE customers SET search_vector = ''::tsvector WHERE id = $1").bind(id).execute(conn).await.map_err(other)?;
        Ok(())
    }

    /// The tsvector lives in the customer's row and went with it: nothing to compact.
    fn after_unindex(&self) {}

    async fn index_settled(&self) {}

    /// Writers are serialised by the rows they update (`UPDATE … WHERE version = $n`), so the
    /// default READ COMMITTED isolation is enough.
    async fn write(&self) -> RepoResult<sqlx::Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(other)
    }
}

/// A tsquery of every term as a prefix of the tenant's own lexemes, all required.
fn ts_query(tenant: TenantId, terms: &[String]) -> String {
    // Terms are letters and digits only (app::domain::search_terms), so quoting is safe.
    terms.iter().map(|t| format!("'t{tenant}_{t}':*")).collect::<Vec<_>>().join(" & ")
}

/// The lexemes stored for a customer: every search token, prefixed with the tenant.
fn tenant_lexemes(tenant: TenantId, document: &str) -> String {
    document.split_whitespace().map(|t| format!("t{tenant}_{t}")).collect::<Vec<_>>().join(" ")
}

consent_store!(PgRepository, Postgres);
settings_store!(PgRepository, Postgres);
min_side_store!(PgRepository, Postgres);
access_log_store!(PgRepository, Postgres);
access_control_store!(PgRepository, Postgres);
secret_store!(PgRepository, Postgres);
login_throttle_store!(PgRepository);
mfa_store!(PgRepository);
sales_store!(PgRepository, Postgres);
anonymise_store!(PgRepository, Postgres);

#[async_trait]
impl Repository for PgRepository {
    async fn staff_by_email(&self, email: &str) -> RepoResult<Option<StaffAccount>> {
        let row: Option<StaffRow> = sqlx::query_as("SELECT id, email, name, password_hash FROM staff_users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(other)?;
        Ok(row.map(Into::into))
    }

    async fn staff_by_id(&self, id: StaffUserId) -> RepoResult<Option<StaffAccount>> {
        let row: Option<StaffRow> = sqlx::query_as("SELECT id, email, name, password_hash FROM staff_users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(other)?;
        Ok(row.map(Into::into))
    }

    async fn tenants_of(&self, user: StaffUserId) -> RepoResult<Vec<TenantRef>> {
        let rows: Vec<TenantRow> = sqlx::query_as(
            "SELECT t.id, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
             WHERE m.user_id = $1 ORDER BY t.name, t.id",
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
             WHERE m.user_id = $1 AND m.tenant_id = $2",
        )
        .bind(user)
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await
        .map_err(other)?;
        Ok(row.map(Into::into))
    }

    async fn append_login_event(&self, e: &LoginEvent) -> RepoResult<()> {
        sqlx::query("INSERT INTO staff_login_events (email, user_id, outcome, at_ms, ip) VALUES ($1, $2, $3, $4, $5)")
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
            "SELECT at_ms FROM staff_login_events WHERE email = $1 AND at_ms >= $2 \
               AND outcome IN ('wrong_password', 'unknown_email') \
               AND at_ms > COALESCE((SELECT MAX(at_ms) FROM staff_login_events \
                                     WHERE email = $1 AND outcome = 'succeeded'), -1) \
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
                "SELECT {HIT_COLUMNS} FROM customers c WHERE c.tenant_id = $1 ORDER BY c.sort_name, c.id LIMIT $2 OFFSET $3"
            ))
            .bind(tenant)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.pool)
            .await
        } else {
            sqlx::query_as(&format!(
                "SELECT {HIT_COLUMNS} FROM customers c WHERE c.tenant_id = $1 AND c.search_vector @@ $2::tsquery \
                 ORDER BY c.sort_name, c.id LIMIT $3 OFFSET $4"
            ))
            .bind(tenant)
            .bind(ts_query(tenant, terms))
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.pool)
            .await
        }
        .map_err(other)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn customer_card(&self, tenant: TenantId, id: CustomerId) -> RepoResult<CustomerCard> {
        let customer: CustomerRow = sqlx::query_as(&format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id = $2"))
            .bind(tenant)
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(other)?;
        let contacts: Vec<ContactRow> = sqlx::query_as(
            "SELECT id, version, name, position, email, phone FROM contact_persons \
             WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id",
        )
        .bind(tenant)
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(other)?;
        Ok(CustomerCard { customer: customer.into(), contact_persons: contacts.into_iter().map(Into::into).collect() })
    }

    async fn create_customer(&self, tenant: TenantId, c: &ValidCustomer) -> RepoResult<CustomerId> {
        let mut q = insert_customers_query(tenant, std::iter::once(CustomerColumns::from(c)));
        q.push(" RETURNING id");
        q.build_query_scalar().fetch_one(&self.pool).await.map_err(other)
    }

    async fn update_customer(&self, tenant: TenantId, id: CustomerId, expected_version: i64, c: &ValidCustomer) -> RepoResult<i64> {
        let col = CustomerColumns::from(c);
        let new_version: Option<i64> = sqlx::query_scalar(
            "UPDATE customers SET kind = $1, customer_number = $2, first_name = $3, last_name = $4, company_name = $5, \
               org_no = $6, address_line = $7, postal_code = $8, city = $9, email = $10, phone = $11, tags = $12, \
               sort_name = $13, search_vector = array_to_tsvector(string_to_array($14, ' ')), \
               version = version + 1, updated_ms = $15 \
             WHERE tenant_id = $16 AND id = $17 AND version = $18 RETURNING version",
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
        .bind(tenant_lexemes(tenant, &col.search_document))
        .bind(now_ms())
        .bind(tenant)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&self.pool)
        .await
        .map_err(other)?;
        match new_version {
            Some(v) => Ok(v),
            None => Err(self.missing_or_stale("customers", tenant, id).await),
        }
    }

    async fn create_contact_person(&self, tenant: TenantId, customer: CustomerId, p: &ValidContactPerson) -> RepoResult<ContactPersonId> {
        let col = ContactColumns::from(p);
        let now = now_ms();
        // The INSERT … SELECT finds no customer row of another tenant, so nothing is written.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO contact_persons (tenant_id, customer_id, name, position, email, phone, created_ms, updated_ms) \
             SELECT tenant_id, id, $1, $2, $3, $4, $5, $5 FROM customers WHERE tenant_id = $6 AND id = $7 RETURNING id",
        )
        .bind(&col.name)
        .bind(&col.position)
        .bind(&col.email)
        .bind(&col.phone)
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
        let new_version: Option<i64> = sqlx::query_scalar(
            "UPDATE contact_persons SET name = $1, position = $2, email = $3, phone = $4, version = version + 1, updated_ms = $5 \
             WHERE tenant_id = $6 AND id = $7 AND version = $8 RETURNING version",
        )
        .bind(&col.name)
        .bind(&col.position)
        .bind(&col.email)
        .bind(&col.phone)
        .bind(now_ms())
        .bind(tenant)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&self.pool)
        .await
        .map_err(other)?;
        match new_version {
            Some(v) => Ok(v),
            None => Err(self.missing_or_stale("contact_persons", tenant, id).await),
        }
    }
}

impl PgRepository {
    /// After an update matched no row: was it never there (for this tenant), or changed meanwhile?
    async fn missing_or_stale(&self, table: &'static str, tenant: TenantId, id: i64) -> RepoError {
        let exists: Result<Option<i32>, _> = sqlx::query_scalar(&format!("SELECT 1 FROM {table} WHERE tenant_id = $1 AND id = $2"))
            .bind(tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await;
        match exists {
            Ok(Some(_)) => RepoError::Stale,
            Ok(None) => RepoError::NotFound,
            Err(e) => other(e),
        }
    }
}

fn insert_customers_query(tenant: TenantId, rows: impl Iterator<Item = CustomerColumns>) -> QueryBuilder<'static, Postgres> {
    let now = now_ms();
    let mut q = QueryBuilder::new(
        "INSERT INTO customers (tenant_id, customer_number, kind, first_name, last_name, company_name, org_no, \
           address_line, postal_code, city, email, phone, tags, sort_name, search_vector, created_ms, updated_ms) ",
    );
    q.push_values(rows, |mut b, c| {
        b.push_bind(tenant)
            .push_bind(c.customer_number)
            .push_bind(c.kind)
            .push_bind(c.first_name)
            .push_bind(c.last_name)
            .push_bind(c.company_name)
            .push_bind(c.org_no)
            .push_bind(c.address_line)
            .push_bind(c.postal_code)
            .push_bind(c.city)
            .push_bind(c.email)
            .push_bind(c.phone)
            .push_bind(c.tags)
            .push_bind(c.sort_name)
            .push("array_to_tsvector(string_to_array(")
            .push_bind_unseparated(tenant_lexemes(tenant, &c.search_document))
            .push_unseparated(", ' '))")
            .push_bind(now)
            .push_bind(now);
    });
    q
}

#[async_trait]
impl Seeder for PgRepository {
    async fn tenant_named(&self, name: &str) -> RepoResult<Option<TenantId>> {
        sqlx::query_scalar("SELECT id FROM tenants WHERE name = $1 ORDER BY id LIMIT 1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(other)
    }

    async fn create_tenant(&self, name: &str) -> RepoResult<TenantId> {
        let mut tx = self.write().await?;
        let id = sqlx::query_scalar("INSERT INTO tenants (name, created_ms) VALUES ($1, $2) RETURNING id")
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
            "INSERT INTO staff_users (email, name, password_hash, created_ms) VALUES ($1, $2, $3, $4) \
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
        sqlx::query("INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(user)
            .bind(tenant)
            .bind(role.as_str())
            .execute(&self.pool)
            .await
            .map_err(other)?;
        Ok(())
    }

    async fn insert_customers(&self, tenant: TenantId, batch: &[(ValidCustomer, Vec<ValidContactPerson>)]) -> RepoResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(other)?;
        let mut q = insert_customers_query(tenant, batch.iter().map(|(c, _)| CustomerColumns::from(c)));
        q.push(" RETURNING customer_number, id");
        // Matched by customer number, which is unique in the tenant: RETURNING has no promised order.
        let ids: std::collections::HashMap<String, i64> = q.build_query_as().fetch_all(&mut *tx).await.map_err(other)?.into_iter().collect();
        let contacts: Vec<(i64, ContactColumns)> = batch
            .iter()
            .filter_map(|(c, people)| ids.get(c.customer_number.as_str()).map(|id| (*id, people)))
            .flat_map(|(id, people)| people.iter().map(move |p| (id, ContactColumns::from(p))))
            .collect();
        if !contacts.is_empty() {
            let now = now_ms();
            let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO contact_persons (tenant_id, customer_id, name, position, email, phone, created_ms, updated_ms) ",
            );
            q.push_values(contacts, |mut b, (id, p)| {
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
        sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&self.pool)
            .await
            .map_err(other)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tsquery_requires_every_term_as_a_prefix() {
        assert_eq!(super::ts_query(7, &["ola".into(), "9123".into()]), "'t7_ola':* & 't7_9123':*");
    }

    #[test]
    fn every_stored_lexeme_carries_the_tenant() {
        assert_eq!(super::tenant_lexemes(7, "ola nordmann 4791234567"), "t7_ola t7_nordmann t7_4791234567");
    }
}
