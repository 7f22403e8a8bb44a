//! Min Side persistence and the mail outbox, written once for both backends like `consent.rs`.

use super::*;
use app::domain::min_side::TokenKind;
use app::ports::{CustomerAccountRef, OutboxMail};

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    tenant_id: i64,
    tenant_name: String,
    customer_id: i64,
    contact_person_id: i64,
    contact_name: String,
    email: String,
    /// Selected only for login (`customer_account_by_email`); every other request leaves it out.
    #[sqlx(default)]
    pub(crate) password_hash: Option<String>,
}

impl From<AccountRow> for CustomerAccountRef {
    fn from(r: AccountRow) -> Self {
        CustomerAccountRef {
            id: r.id,
            tenant_id: r.tenant_id,
            tenant_name: r.tenant_name,
            customer_id: r.customer_id,
            contact_person_id: r.contact_person_id,
            contact_name: r.contact_name,
            email: r.email,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MailRow {
    id: i64,
    tenant_id: i64,
    to_address: String,
    subject: String,
    body: String,
    created_ms: i64,
    sent_ms: Option<i64>,
}

impl From<MailRow> for OutboxMail {
    fn from(r: MailRow) -> Self {
        OutboxMail { id: r.id, tenant_id: r.tenant_id, to: r.to_address, subject: r.subject, body: r.body, created_ms: r.created_ms, sent_ms: r.sent_ms }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LoginRow {
    at_ms: i64,
    outcome: String,
    ip: Option<String>,
}

impl From<LoginRow> for MyLogin {
    fn from(r: LoginRow) -> Self {
        MyLogin { at_ms: r.at_ms, outcome: r.outcome, ip: r.ip }
    }
}

pub(crate) const ACCOUNT_COLUMNS: &str = "a.id, a.tenant_id, t.name AS tenant_name, cp.customer_id, a.contact_person_id, \
     cp.name AS contact_name, a.email";

/// The contact person must still be the tenant's: an account is only as good as its contact.
/// A closed account (its customer anonymised) is no account at all.
pub(crate) const ACCOUNT_FROM: &str = "FROM customer_accounts a \
     JOIN contact_persons cp ON cp.id = a.contact_person_id AND cp.tenant_id = a.tenant_id AND a.closed_ms IS NULL \
     JOIN tenants t ON t.id = a.tenant_id";

pub(crate) const UPSERT_ACCOUNT: &str = "INSERT INTO customer_accounts (tenant_id, contact_person_id, email, created_ms) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (contact_person_id) DO UPDATE SET email = excluded.email RETURNING id";

pub(crate) const INSERT_TOKEN: &str =
    "INSERT INTO customer_tokens (account_id, kind, token_hash, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)";

pub(crate) const INSERT_MAIL: &str =
    "INSERT INTO mail_outbox (tenant_id, to_address, subject, body, created_ms) VALUES ($1, $2, $3, $4, $5)";

pub(crate) const MAIL_COLUMNS: &str = "id, tenant_id, to_address, subject, body, created_ms, sent_ms";

/// The outer conditions repeat the inner ones: on PostgreSQL a second sender that waited on the
/// row lock re-checks them against the claimed row and skips it.
pub(crate) const CLAIM_MAIL: &str = "UPDATE mail_outbox SET claimed_ms = $1, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM mail_outbox WHERE sent_ms IS NULL AND attempts < $4 \
                    AND (claimed_ms IS NULL OR claimed_ms < $2) ORDER BY id LIMIT $3) \
       AND sent_ms IS NULL AND (claimed_ms IS NULL OR claimed_ms < $2) \
     RETURNING id, tenant_id, to_address, subject, body, created_ms, sent_ms";

/// A mail that failed this many times stays in the outbox for an operator to look at.
pub(crate) const MAX_MAIL_ATTEMPTS: i64 = 10;

/// At most this many reset mails per account and hour: the form must not be a way to flood
/// someone's inbox.
pub(crate) const MAX_RESETS_PER_HOUR: i64 = 3;

pub(crate) fn email_taken(e: sqlx::Error) -> RepoError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => RepoError::Duplicate("email"),
        _ => other(e),
    }
}

pub(crate) const RESET: &str = TokenKind::PasswordReset.as_str();

/// Implements [`app::ports::MinSideRepository`] and [`app::ports::MailOutbox`] on a repository
/// whose `write()` opens a write transaction.
macro_rules! min_side_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            async fn store_token_and_mail(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: TenantId,
                account: i64,
                token: &app::ports::NewToken,
                mail: &app::ports::NewMail,
            ) -> RepoResult<()> {
                let now = now_ms();
                sqlx::query(min_side::INSERT_TOKEN)
                    .bind(account)
                    .bind(token.kind.as_str())
                    .bind(&token.hash)
                    .bind(now)
                    .bind(token.expires_ms)
                    .execute(&mut **tx)
                    .await
                    .map_err(other)?;
                sqlx::query(min_side::INSERT_MAIL)
                    .bind(tenant)
                    .bind(&mail.to)
                    .bind(&mail.subject)
                    .bind(&mail.body)
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .map_err(other)?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl app::ports::MinSideRepository for $repo {
            async fn contact_email(&self, tenant: TenantId, contact: ContactPersonId) -> RepoResult<Option<String>> {
                let row: Option<(Option<String>,)> =
                    sqlx::query_as("SELECT email FROM contact_persons WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant)
                        .bind(contact)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                let (email,) = row.ok_or(RepoError::NotFound)?;
                Ok(email.filter(|e| !e.trim().is_empty()))
            }

            async fn issue_invitation(
                &self,
                tenant: TenantId,
                contact: ContactPersonId,
                email: &str,
                token: &app::ports::NewToken,
                mail: &app::ports::NewMail,
            ) -> RepoResult<()> {
                let mut tx = self.write().await?;
                let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM contact_persons WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant)
                    .bind(contact)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                exists.ok_or(RepoError::NotFound)?;
                let account: i64 = sqlx::query_scalar(min_side::UPSERT_ACCOUNT)
                    .bind(tenant)
                    .bind(contact)
                    .bind(email)
                    .bind(now_ms())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(min_side::email_taken)?;
                Self::store_token_and_mail(&mut tx, tenant, account, token, mail).await?;
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn issue_password_reset(
                &self,
                tenant: TenantId,
                email: &str,
                token: &app::ports::NewToken,
                mail: &app::ports::NewMail,
            ) -> RepoResult<bool> {
                let mut tx = self.write().await?;
                let account: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM customer_accounts WHERE tenant_id = $1 AND email = $2 AND password_hash IS NOT NULL",
                )
                .bind(tenant)
                .bind(email)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
                let Some(account) = account else { return Ok(false) };
                let recent: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM customer_tokens WHERE account_id = $1 AND kind = $2 AND created_ms > $3",
                )
                .bind(account)
                .bind(min_side::RESET)
                .bind(now_ms() - 60 * 60 * 1000)
                .fetch_one(&mut *tx)
                .await
                .map_err(other)?;
                if recent >= min_side::MAX_RESETS_PER_HOUR {
                    return Ok(true);
                }
                Self::store_token_and_mail(&mut tx, tenant, account, token, mail).await?;
                tx.commit().await.map_err(other)?;
                Ok(true)
            }

            async fn use_token(&self, token_hash: &str, password_hash: &str, now: i64) -> RepoResult<Option<app::ports::CustomerAccountRef>> {
                let mut tx = self.write().await?;
                let token: Option<(i64, i64, i64, Option<i64>)> =
                    sqlx::query_as("SELECT id, account_id, expires_ms, used_ms FROM customer_tokens WHERE token_hash = $1")
                        .bind(token_hash)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(other)?;
                let Some((token_id, account, expires_ms, used_ms)) = token else { return Ok(None) };
                if app::domain::min_side::token_usable(expires_ms, used_ms, now).is_err() {
                    return Ok(None);
                }
                // Conditional, so of two requests racing with one link only one gets through.
                let claimed = sqlx::query("UPDATE customer_tokens SET used_ms = $2 WHERE id = $1 AND used_ms IS NULL")
                    .bind(token_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                if claimed.rows_affected() != 1 {
                    return Ok(None);
                }
                // Every other open link of the account dies with this one.
                sqlx::query("UPDATE customer_tokens SET used_ms = $2 WHERE account_id = $1 AND used_ms IS NULL")
                    .bind(account)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                sqlx::query("UPDATE customer_accounts SET password_hash = $2, password_set_ms = $3 WHERE id = $1")
                    .bind(account)
                    .bind(password_hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                let row: Option<min_side::AccountRow> = sqlx::query_as(&format!("SELECT {} {} WHERE a.id = $1", min_side::ACCOUNT_COLUMNS, min_side::ACCOUNT_FROM))
                    .bind(account)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(row.map(Into::into))
            }

            async fn customer_account(&self, id: i64) -> RepoResult<Option<app::ports::CustomerAccountRef>> {
                let row: Option<min_side::AccountRow> = sqlx::query_as(&format!("SELECT {} {} WHERE a.id = $1", min_side::ACCOUNT_COLUMNS, min_side::ACCOUNT_FROM))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(row.map(Into::into))
            }

            async fn record_customer_session(&self, account: i64, session_id: &str, now_ms: i64) -> RepoResult<()> {
                let mut tx = self.write().await?;
                sqlx::query(&format!(
                    "DELETE FROM customer_sessions WHERE account_id = $1 AND session_id NOT IN (SELECT id FROM {})",
                    Self::SESSION_TABLE
                ))
                .bind(account)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
                sqlx::query("INSERT INTO customer_sessions (session_id, account_id, created_ms) VALUES ($1, $2, $3) ON CONFLICT (session_id) DO NOTHING")
                    .bind(session_id)
                    .bind(account)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)
            }

            async fn customer_account_by_email(
                &self,
                tenant: TenantId,
                email: &str,
            ) -> RepoResult<Option<(app::ports::CustomerAccountRef, Option<String>)>> {
                let row: Option<min_side::AccountRow> =
                    sqlx::query_as(&format!(
                        "SELECT {}, a.password_hash {} WHERE a.tenant_id = $1 AND a.email = $2",
                        min_side::ACCOUNT_COLUMNS,
                        min_side::ACCOUNT_FROM
                    ))
                        .bind(tenant)
                        .bind(email)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                Ok(row.map(|mut row| {
                    let hash = row.password_hash.take();
                    (row.into(), hash)
                }))
            }

            async fn append_customer_login_event(&self, e: &app::ports::CustomerLoginEvent) -> RepoResult<()> {
                sqlx::query(
                    "INSERT INTO customer_login_events (tenant_id, email, account_id, outcome, at_ms, ip) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(e.tenant_id)
                .bind(&e.email)
                .bind(e.account_id)
                .bind(e.outcome)
                .bind(e.at_unix_ms)
                .bind(&e.ip)
                .execute(&self.pool)
                .await
                .map_err(other)?;
                Ok(())
            }

            async fn customer_failures_since(&self, tenant: TenantId, email: &str, since_unix_ms: i64) -> RepoResult<Vec<i64>> {
                sqlx::query_scalar(
                    "SELECT at_ms FROM customer_login_events WHERE tenant_id = $1 AND email = $2 AND at_ms >= $3 \
                       AND outcome IN ('wrong_password', 'unknown_email') \
                       AND at_ms > COALESCE((SELECT MAX(at_ms) FROM customer_login_events \
                                             WHERE tenant_id = $1 AND email = $2 AND outcome IN ('succeeded', 'password_set')), -1) \
                     ORDER BY at_ms",
                )
                .bind(tenant)
                .bind(email)
                .bind(since_unix_ms)
                .fetch_all(&self.pool)
                .await
                .map_err(other)
            }

            async fn customer_logins(&self, account: i64) -> RepoResult<Vec<MyLogin>> {
                let rows: Vec<min_side::LoginRow> =
                    sqlx::query_as("SELECT at_ms, outcome, ip FROM customer_login_events WHERE account_id = $1 ORDER BY id")
                        .bind(account)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }

        #[async_trait::async_trait]
        impl app::ports::MailOutbox for $repo {
            async fn outbox(&self, to: Option<&str>, include_sent: bool, limit: u32) -> RepoResult<Vec<app::ports::OutboxMail>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {} FROM mail_outbox WHERE 1 = 1", min_side::MAIL_COLUMNS));
                if let Some(to) = to {
                    q.push(" AND to_address = ").push_bind(to.to_lowercase());
                }
                if !include_sent {
                    q.push(" AND sent_ms IS NULL");
                }
                q.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(limit));
                let rows: Vec<min_side::MailRow> = q.build_query_as().fetch_all(&self.pool).await.map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn claim_unsent_mail(&self, now: i64, stale_after_ms: i64, limit: u32) -> RepoResult<Vec<app::ports::OutboxMail>> {
                let mut tx = self.write().await?;
                let rows: Vec<min_side::MailRow> = sqlx::query_as(min_side::CLAIM_MAIL)
                    .bind(now)
                    .bind(now - stale_after_ms)
                    .bind(i64::from(limit))
                    .bind(min_side::MAX_MAIL_ATTEMPTS)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn mark_mail_sent(&self, id: i64, now: i64) -> RepoResult<()> {
                sqlx::query("UPDATE mail_outbox SET sent_ms = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }
        }
    };
}

pub(crate) use min_side_store;

