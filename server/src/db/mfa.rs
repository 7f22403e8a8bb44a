//! Staff MFA persistence, written once for both backends like `secrets.rs`. The TOTP seed
//! arrives sealed and the recovery codes as argon2 hashes; this module sees neither in clear.

#[derive(sqlx::FromRow)]
pub(crate) struct TotpRow {
    pub(crate) key_id: String,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) confirmed_ms: Option<i64>,
    pub(crate) last_step: i64,
}

impl TotpRow {
    pub(crate) fn stored(self) -> app::ports::StoredTotp {
        app::ports::StoredTotp {
            sealed: app::ports::Sealed { key_id: self.key_id, nonce: self.nonce, ciphertext: self.ciphertext },
            confirmed: self.confirmed_ms.is_some(),
            last_step: self.last_step,
        }
    }
}

pub(crate) const TOTP_OF: &str = "SELECT key_id, nonce, ciphertext, confirmed_ms, last_step FROM staff_totp WHERE user_id = $1";
/// A confirmed seed is never replaced here: only an administrator's reset removes it.
pub(crate) const SET_PENDING: &str = "INSERT INTO staff_totp (user_id, key_id, nonce, ciphertext) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (user_id) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext, last_step = 0 \
     WHERE staff_totp.confirmed_ms IS NULL";
pub(crate) const CONFIRM: &str = "UPDATE staff_totp SET confirmed_ms = $2, last_step = $3 WHERE user_id = $1 AND confirmed_ms IS NULL";
pub(crate) const USE_STEP: &str =
    "UPDATE staff_totp SET last_step = $2 WHERE user_id = $1 AND confirmed_ms IS NOT NULL AND last_step < $2";
pub(crate) const UNUSED_CODES: &str = "SELECT id, code_hash FROM staff_recovery_codes WHERE user_id = $1 AND used_ms IS NULL ORDER BY id";
pub(crate) const USE_CODE: &str = "UPDATE staff_recovery_codes SET used_ms = $2 WHERE id = $1 AND used_ms IS NULL";
pub(crate) const ALL_SEALED_TOTP: &str = "SELECT user_id, key_id, nonce, ciphertext FROM staff_totp ORDER BY user_id";
pub(crate) const SET_SEALED_TOTP: &str = "UPDATE staff_totp SET key_id = $2, nonce = $3, ciphertext = $4 WHERE user_id = $1";

/// Implements [`app::ports::MfaRepository`] on a repository whose `write()` opens a write
/// transaction.
macro_rules! mfa_store {
    ($repo:ty) => {
        #[async_trait::async_trait]
        impl app::ports::MfaRepository for $repo {
            async fn totp_of(&self, user: StaffUserId) -> RepoResult<Option<app::ports::StoredTotp>> {
                let row: Option<mfa::TotpRow> = sqlx::query_as(mfa::TOTP_OF).bind(user).fetch_optional(&self.pool).await.map_err(other)?;
                Ok(row.map(mfa::TotpRow::stored))
            }

            async fn set_pending_totp(&self, user: StaffUserId, sealed: &app::ports::Sealed) -> RepoResult<bool> {
                let done = sqlx::query(mfa::SET_PENDING)
                    .bind(user)
                    .bind(&sealed.key_id)
                    .bind(&sealed.nonce)
                    .bind(&sealed.ciphertext)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(done.rows_affected() == 1)
            }

            async fn confirm_totp(&self, user: StaffUserId, step: i64, recovery_hashes: &[String], now_ms: i64) -> RepoResult<bool> {
                let mut tx = self.write().await?;
                let done = sqlx::query(mfa::CONFIRM).bind(user).bind(now_ms).bind(step).execute(&mut *tx).await.map_err(other)?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM staff_recovery_codes WHERE user_id = $1").bind(user).execute(&mut *tx).await.map_err(other)?;
                for hash in recovery_hashes {
                    sqlx::query("INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                        .bind(user)
                        .bind(hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                }
                tx.commit().await.map_err(other)?;
                Ok(true)
            }

            async fn use_totp_step(&self, user: StaffUserId, step: i64) -> RepoResult<bool> {
                let done = sqlx::query(mfa::USE_STEP).bind(user).bind(step).execute(&self.pool).await.map_err(other)?;
                Ok(done.rows_affected() == 1)
            }

            async fn unused_recovery_codes(&self, user: StaffUserId) -> RepoResult<Vec<(i64, String)>> {
                sqlx::query_as(mfa::UNUSED_CODES).bind(user).fetch_all(&self.pool).await.map_err(other)
            }

            async fn use_recovery_code(&self, id: i64, now_ms: i64) -> RepoResult<bool> {
                let done = sqlx::query(mfa::USE_CODE).bind(id).bind(now_ms).execute(&self.pool).await.map_err(other)?;
                Ok(done.rows_affected() == 1)
            }

            async fn remove_mfa(&self, user: StaffUserId) -> RepoResult<()> {
                let mut tx = self.write().await?;
                sqlx::query("DELETE FROM staff_recovery_codes WHERE user_id = $1").bind(user).execute(&mut *tx).await.map_err(other)?;
                sqlx::query("DELETE FROM staff_totp WHERE user_id = $1").bind(user).execute(&mut *tx).await.map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn append_mfa_event(&self, user: StaffUserId, outcome: &'static str, at_ms: i64, ip: Option<&str>) -> RepoResult<()> {
                sqlx::query("INSERT INTO staff_mfa_events (user_id, outcome, at_ms, ip) VALUES ($1, $2, $3, $4)")
                    .bind(user)
                    .bind(outcome)
                    .bind(at_ms)
                    .bind(ip)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }

            async fn mfa_failures_since(&self, user: StaffUserId, since_ms: i64) -> RepoResult<i64> {
                sqlx::query_scalar("SELECT COUNT(*) FROM staff_mfa_events WHERE user_id = $1 AND outcome = 'failed' AND at_ms >= $2")
                    .bind(user)
                    .bind(since_ms)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)
            }

            async fn mfa_required_for(&self, user: StaffUserId) -> RepoResult<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = $1 AND t.require_mfa",
                )
                .bind(user)
                .fetch_one(&self.pool)
                .await
                .map_err(other)?;
                Ok(n > 0)
            }

            async fn set_mfa_required(&self, tenant: TenantId, required: bool) -> RepoResult<()> {
                sqlx::query("UPDATE tenants SET require_mfa = $2 WHERE id = $1").bind(tenant).bind(required).execute(&self.pool).await.map_err(other)?;
                Ok(())
            }

            async fn mfa_enrolled_in(&self, tenant: TenantId) -> RepoResult<Vec<StaffUserId>> {
                sqlx::query_scalar(
                    "SELECT t.user_id FROM staff_totp t JOIN memberships m ON m.user_id = t.user_id \
                     WHERE m.tenant_id = $1 AND t.confirmed_ms IS NOT NULL ORDER BY t.user_id",
                )
                .bind(tenant)
                .fetch_all(&self.pool)
                .await
                .map_err(other)
            }
        }
    };
}

pub(crate) use mfa_store;
