//! The access log's storage, written once for both backends like `consent.rs`.

use app::ports::{AccessActor, AccessEntry, StoredAccessEntry};

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    tenant_id: i64,
    seq: i64,
    at_ms: i64,
    actor: String,
    staff_user_id: Option<i64>,
    customer_account_id: Option<i64>,
    action: String,
    customer_id: Option<i64>,
    object: Option<String>,
    ip: Option<String>,
    prev_hash: String,
    hash: String,
}

impl From<EntryRow> for StoredAccessEntry {
    fn from(r: EntryRow) -> Self {
        StoredAccessEntry {
            tenant_id: r.tenant_id,
            seq: r.seq,
            at_ms: r.at_ms,
            actor: r.actor,
            staff_user_id: r.staff_user_id,
            customer_account_id: r.customer_account_id,
            action: r.action,
            customer_id: r.customer_id,
            object: r.object,
            ip: r.ip,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

pub(crate) const ENTRY_COLUMNS: &str = "tenant_id, seq, at_ms, actor, staff_user_id, customer_account_id, action, \
     customer_id, object, ip, prev_hash, hash";

/// The next link: numbered and hashed after `head` (None for the tenant's first entry).
pub(crate) fn next_entry(e: &AccessEntry, head: Option<(i64, String)>, at_ms: i64) -> StoredAccessEntry {
    let (seq, prev_hash) = head.unwrap_or((0, crate::access_log::GENESIS.to_string()));
    let (actor, staff_user_id, customer_account_id) = match e.actor {
        AccessActor::Staff(id) => ("staff", Some(id), None),
        AccessActor::Customer(id) => ("customer", None, Some(id)),
    };
    let mut next = StoredAccessEntry {
        tenant_id: e.tenant_id,
        seq: seq + 1,
        at_ms,
        actor: actor.into(),
        staff_user_id,
        customer_account_id,
        action: e.action.as_str().into(),
        customer_id: e.customer_id,
        object: e.object.clone(),
        ip: e.ip.clone(),
        prev_hash,
        hash: String::new(),
    };
    next.hash = crate::access_log::entry_hash(&next);
    next
}

#[derive(sqlx::FromRow)]
pub(crate) struct ViewRow {
    seq: i64,
    at_ms: i64,
    actor: String,
    staff_name: Option<String>,
    account_name: Option<String>,
    action: String,
    customer_id: Option<i64>,
    customer_number: Option<String>,
    kind: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    object: Option<String>,
    ip: Option<String>,
}

impl From<ViewRow> for app::model::AccessLogRow {
    fn from(r: ViewRow) -> Self {
        let customer = r.customer_number.map(|number| {
            let name = super::customer_name(r.kind.as_deref().unwrap_or_default(), r.first_name, r.last_name, r.company_name);
            format!("{number} {name}")
        });
        app::model::AccessLogRow {
            seq: r.seq,
            at_ms: r.at_ms,
            by_customer: r.actor == "customer",
            who: r.staff_name.or(r.account_name).unwrap_or_default(),
            action: r.action,
            customer_id: r.customer_id,
            customer,
            object: r.object,
            ip: r.ip,
        }
    }
}

/// Every filter is optional: a NULL parameter matches every row.
pub(crate) const VIEW: &str = "SELECT l.seq, l.at_ms, l.actor, u.name AS staff_name, cp.name AS account_name, l.action, \
     l.customer_id, c.customer_number, c.kind, c.first_name, c.last_name, c.company_name, l.object, l.ip \
     FROM access_log l \
     LEFT JOIN staff_users u ON u.id = l.staff_user_id \
     LEFT JOIN customer_accounts a ON a.id = l.customer_account_id \
     LEFT JOIN contact_persons cp ON cp.id = a.contact_person_id \
     LEFT JOIN customers c ON c.id = l.customer_id \
     WHERE l.tenant_id = $1 \
       AND ($2 IS NULL OR l.staff_user_id = $2) \
       AND ($3 IS NULL OR c.customer_number = $3) \
       AND ($4 IS NULL OR l.action = $4) \
       AND ($5 IS NULL OR l.at_ms >= $5) \
       AND ($6 IS NULL OR l.at_ms < $6) \
       AND ($7 IS NULL OR l.seq < $7) \
     ORDER BY l.seq DESC LIMIT $8";

/// Implements [`app::ports::AccessLog`] on a repository whose `write()` opens a write transaction.
macro_rules! access_log_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl app::ports::AccessLog for $repo {
            async fn append_access(&self, e: &app::ports::AccessEntry) -> RepoResult<()> {
                let mut tx = self.write().await?;
                // Creating the head row first and then updating it takes the row lock on
                // PostgreSQL, so two app servers appending for one tenant queue up here.
                sqlx::query("INSERT INTO access_log_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING")
                    .bind(e.tenant_id)
                    .bind(crate::access_log::GENESIS)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                let (seq, hash): (i64, String) =
                    sqlx::query_as("UPDATE access_log_heads SET seq = seq WHERE tenant_id = $1 RETURNING seq, hash")
                        .bind(e.tenant_id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(other)?;
                let head = (seq > 0).then_some((seq, hash));
                let next = access_log::next_entry(e, head, now_ms());
                sqlx::query(&format!(
                    "INSERT INTO access_log ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    access_log::ENTRY_COLUMNS
                ))
                .bind(next.tenant_id)
                .bind(next.seq)
                .bind(next.at_ms)
                .bind(&next.actor)
                .bind(next.staff_user_id)
                .bind(next.customer_account_id)
                .bind(&next.action)
                .bind(next.customer_id)
                .bind(&next.object)
                .bind(&next.ip)
                .bind(&next.prev_hash)
                .bind(&next.hash)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
                sqlx::query("UPDATE access_log_heads SET seq = $2, hash = $3 WHERE tenant_id = $1")
                    .bind(next.tenant_id)
                    .bind(next.seq)
                    .bind(&next.hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn access_entries(&self, tenant: TenantId) -> RepoResult<Vec<app::ports::StoredAccessEntry>> {
                let rows: Vec<access_log::EntryRow> =
                    sqlx::query_as(&format!("SELECT {} FROM access_log WHERE tenant_id = $1 ORDER BY seq", access_log::ENTRY_COLUMNS))
                        .bind(tenant)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn access_entries_about(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<app::ports::StoredAccessEntry>> {
                let rows: Vec<access_log::EntryRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM access_log WHERE tenant_id = $1 AND customer_id = $2 ORDER BY seq",
                    access_log::ENTRY_COLUMNS
                ))
                .bind(tenant)
                .bind(customer)
                .fetch_all(&self.pool)
                .await
                .map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn access_log_head(&self, tenant: TenantId) -> RepoResult<Option<(i64, String)>> {
                let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM access_log_heads WHERE tenant_id = $1")
                    .bind(tenant)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(head.filter(|(seq, _)| *seq > 0))
            }

            async fn access_log_tenants(&self) -> RepoResult<Vec<TenantId>> {
                sqlx::query_scalar("SELECT tenant_id FROM access_log_heads ORDER BY tenant_id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)
            }

            async fn access_log_rows(
                &self,
                tenant: TenantId,
                q: &app::ports::AccessLogQuery,
                before_seq: Option<i64>,
                limit: u32,
            ) -> RepoResult<Vec<app::model::AccessLogRow>> {
                let rows: Vec<access_log::ViewRow> = sqlx::query_as(access_log::VIEW)
                    .bind(tenant)
                    .bind(q.user)
                    .bind(q.customer_number.as_deref())
                    .bind(q.action.as_deref())
                    .bind(q.from_ms)
                    .bind(q.to_ms)
                    .bind(before_seq)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn access_log_retention(&self, tenant: TenantId) -> RepoResult<Option<u32>> {
                let months: Option<i32> = sqlx::query_scalar("SELECT access_log_retention_months FROM tenants WHERE id = $1")
                    .bind(tenant)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(months.map(|m| m.max(0) as u32))
            }

            async fn set_access_log_retention(&self, tenant: TenantId, months: Option<u32>) -> RepoResult<()> {
                sqlx::query("UPDATE tenants SET access_log_retention_months = $2 WHERE id = $1")
                    .bind(tenant)
                    .bind(months.map(|m| m as i32))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }

            async fn purge_access_log(&self, tenant: TenantId, before_ms: i64, now_ms: i64) -> RepoResult<usize> {
                let mut tx = self.write().await?;
                // Appends lock the head row first; so does a purge, so none slips in between.
                sqlx::query("UPDATE access_log_heads SET seq = seq WHERE tenant_id = $1").bind(tenant).execute(&mut *tx).await.map_err(other)?;
                // Whole entries from the start of the chain up to the last one older than the
                // cut; the newest entry always stays, so the head keeps a row to match.
                let last: Option<(i64, String)> = sqlx::query_as(
                    "SELECT seq, hash FROM access_log WHERE tenant_id = $1 AND at_ms < $2 \
                     AND seq < (SELECT MAX(seq) FROM access_log WHERE tenant_id = $1) ORDER BY seq DESC LIMIT 1",
                )
                .bind(tenant)
                .bind(before_ms)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
                let Some((upto_seq, upto_hash)) = last else {
                    return Ok(0);
                };
                let first: i64 = sqlx::query_scalar("SELECT MIN(seq) FROM access_log WHERE tenant_id = $1")
                    .bind(tenant)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(other)?;
                let removed = upto_seq - first + 1;
                sqlx::query("INSERT INTO access_log_purges (tenant_id, upto_seq, upto_hash, removed, purged_ms) VALUES ($1, $2, $3, $4, $5)")
                    .bind(tenant)
                    .bind(upto_seq)
                    .bind(&upto_hash)
                    .bind(removed)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                let done = sqlx::query("DELETE FROM access_log WHERE tenant_id = $1 AND seq <= $2")
                    .bind(tenant)
                    .bind(upto_seq)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(done.rows_affected() as usize)
            }

            async fn access_log_anchor(&self, tenant: TenantId) -> RepoResult<Option<(i64, String)>> {
                sqlx::query_as("SELECT upto_seq, upto_hash FROM access_log_purges WHERE tenant_id = $1 ORDER BY upto_seq DESC LIMIT 1")
                    .bind(tenant)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)
            }
        }
    };
}

pub(crate) use access_log_store;

/// Implements [`app::ports::LoginThrottle`]; the SQL is the same on both backends.
macro_rules! login_throttle_store {
    ($repo:ty) => {
        #[async_trait::async_trait]
        impl app::ports::LoginThrottle for $repo {
            async fn failures_from_ip_since(&self, ip: &str, since: i64) -> RepoResult<i64> {
                sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM staff_login_events WHERE ip = $1 AND at_ms >= $2 \
                               AND outcome IN ('wrong_password', 'unknown_email')) \
                          + (SELECT COUNT(*) FROM customer_login_events WHERE ip = $1 AND at_ms >= $2 \
                               AND outcome IN ('wrong_password', 'unknown_email'))",
                )
                .bind(ip)
                .bind(since)
                .fetch_one(&self.pool)
                .await
                .map_err(other)
            }
        }
    };
}

pub(crate) use login_throttle_store;
