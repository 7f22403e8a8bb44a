//! Hemmeligheter persistence, written once for both backends like `settings.rs`. Only sealed
//! values reach this module; it never sees a secret in clear.

use super::*;
use app::ports::{Sealed, StoredSecret};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
pub(crate) struct SecretRow {
    pub(crate) id: i64,
    pub(crate) customer_id: i64,
    pub(crate) label: String,
    pub(crate) version: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SealedRow {
    pub(crate) id: i64,
    pub(crate) tenant_id: i64,
    pub(crate) customer_id: i64,
    pub(crate) key_id: String,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

impl SealedRow {
    pub(crate) fn sealed(&self) -> Sealed {
        Sealed { key_id: self.key_id.clone(), nonce: self.nonce.clone(), ciphertext: self.ciphertext.clone() }
    }
}

pub(crate) const SECRETS_OF: &str =
    "SELECT id, customer_id, label, version FROM customer_secrets WHERE tenant_id = $1 AND customer_id = $2 ORDER BY label, id";
pub(crate) const SECRET: &str = "SELECT id, customer_id, label, version FROM customer_secrets WHERE tenant_id = $1 AND id = $2";
pub(crate) const SEALED: &str =
    "SELECT id, tenant_id, customer_id, key_id, nonce, ciphertext FROM customer_secrets WHERE tenant_id = $1 AND id = $2";
pub(crate) const ALL_SEALED: &str = "SELECT id, tenant_id, customer_id, key_id, nonce, ciphertext FROM customer_secrets ORDER BY id";
pub(crate) const GROUPS_OF_CUSTOMER: &str = "SELECT sg.secret_id, sg.group_id FROM customer_secret_groups sg \
     JOIN customer_secrets s ON s.id = sg.secret_id WHERE s.tenant_id = $1 AND s.customer_id = $2 ORDER BY sg.group_id";
pub(crate) const GROUPS_OF_SECRET: &str = "SELECT group_id FROM customer_secret_groups WHERE secret_id = $1 ORDER BY group_id";
pub(crate) const CUSTOMER_IN_TENANT: &str = "SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2";
pub(crate) const INSERT: &str = "INSERT INTO customer_secrets \
     (tenant_id, customer_id, label, key_id, nonce, ciphertext, version, created_ms, created_by) \
     VALUES ($1, $2, $3, '', $4, $4, 1, $5, $6) RETURNING id";
pub(crate) const SET_SEALED: &str = "UPDATE customer_secrets SET key_id = $2, nonce = $3, ciphertext = $4 WHERE id = $1";
pub(crate) const UPDATE: &str =
    "UPDATE customer_secrets SET label = $3, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $4 RETURNING version";
pub(crate) const LOCK: &str = "UPDATE customer_secrets SET version = version WHERE tenant_id = $1 AND id = $2 RETURNING version";
pub(crate) const MEMBER_GROUPS: &str = "SELECT m.group_id FROM access_group_members m JOIN access_groups g ON g.id = m.group_id \
     WHERE g.tenant_id = $1 AND m.user_id = $2 ORDER BY m.group_id";

pub(crate) fn stored(rows: Vec<SecretRow>, groups: Vec<(i64, i64)>) -> Vec<StoredSecret> {
    let mut of: HashMap<i64, Vec<AccessGroupId>> = HashMap::new();
    for (secret, group) in groups {
        of.entry(secret).or_default().push(group);
    }
    rows.into_iter()
        .map(|r| StoredSecret {
            groups: of.remove(&r.id).unwrap_or_default(),
            id: r.id,
            customer_id: r.customer_id,
            label: r.label,
            version: r.version,
        })
        .collect()
}

/// Implements [`app::ports::SecretRepository`] on a repository whose `write()` opens a write
/// transaction.
macro_rules! secret_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            async fn store_sealed(conn: &mut <$db as sqlx::Database>::Connection, secret: SecretId, sealed: &app::ports::Sealed) -> RepoResult<()> {
                sqlx::query(secrets::SET_SEALED)
                    .bind(secret)
                    .bind(&sealed.key_id)
                    .bind(&sealed.nonce)
                    .bind(&sealed.ciphertext)
                    .execute(&mut *conn)
                    .await
                    .map_err(other)?;
                Ok(())
            }

            /// Replaces the secret's groups; `NotFound` if one is not a group of the tenant.
            async fn set_secret_groups(
                conn: &mut <$db as sqlx::Database>::Connection,
                tenant: TenantId,
                secret: SecretId,
                groups: &[AccessGroupId],
            ) -> RepoResult<()> {
                let known: Vec<i64> = sqlx::query_scalar("SELECT id FROM access_groups WHERE tenant_id = $1")
                    .bind(tenant)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(other)?;
                if groups.iter().any(|g| !known.contains(g)) {
                    return Err(RepoError::NotFound);
                }
                sqlx::query("DELETE FROM customer_secret_groups WHERE secret_id = $1").bind(secret).execute(&mut *conn).await.map_err(other)?;
                let mut seen = Vec::new();
                for g in groups {
                    if seen.contains(g) {
                        continue;
                    }
                    seen.push(*g);
                    sqlx::query("INSERT INTO customer_secret_groups (secret_id, group_id) VALUES ($1, $2)")
                        .bind(secret)
                        .bind(g)
                        .execute(&mut *conn)
                        .await
                        .map_err(other)?;
                }
                Ok(())
            }

            async fn secret_in(conn: &mut <$db as sqlx::Database>::Connection, tenant: TenantId, secret: SecretId) -> RepoResult<app::ports::StoredSecret> {
                let row: Option<secrets::SecretRow> =
                    sqlx::query_as(secrets::SECRET).bind(tenant).bind(secret).fetch_optional(&mut *conn).await.map_err(other)?;
                let row = row.ok_or(RepoError::NotFound)?;
                let groups: Vec<i64> = sqlx::query_scalar(secrets::GROUPS_OF_SECRET).bind(secret).fetch_all(&mut *conn).await.map_err(other)?;
                let groups = groups.into_iter().map(|g| (secret, g)).collect();
                Ok(secrets::stored(vec![row], groups).remove(0))
            }
        }

        #[async_trait::async_trait]
        impl app::ports::SecretRepository for $repo {
            async fn secrets_of(&self, tenant: TenantId, customer: CustomerId) -> RepoResult<Vec<app::ports::StoredSecret>> {
                let mut conn = self.pool.acquire().await.map_err(other)?;
                let exists: Option<i32> =
                    sqlx::query_scalar(secrets::CUSTOMER_IN_TENANT).bind(tenant).bind(customer).fetch_optional(&mut *conn).await.map_err(other)?;
                exists.ok_or(RepoError::NotFound)?;
                let rows: Vec<secrets::SecretRow> =
                    sqlx::query_as(secrets::SECRETS_OF).bind(tenant).bind(customer).fetch_all(&mut *conn).await.map_err(other)?;
                let groups: Vec<(i64, i64)> =
                    sqlx::query_as(secrets::GROUPS_OF_CUSTOMER).bind(tenant).bind(customer).fetch_all(&mut *conn).await.map_err(other)?;
                Ok(secrets::stored(rows, groups))
            }

            async fn sealed_secret(&self, tenant: TenantId, secret: SecretId) -> RepoResult<(app::ports::StoredSecret, app::ports::Sealed)> {
                let mut conn = self.pool.acquire().await.map_err(other)?;
                let stored = Self::secret_in(&mut conn, tenant, secret).await?;
                let row: secrets::SealedRow = sqlx::query_as(secrets::SEALED).bind(tenant).bind(secret).fetch_one(&mut *conn).await.map_err(other)?;
                Ok((stored, row.sealed()))
            }

            async fn create_secret(
                &self,
                tenant: TenantId,
                customer: CustomerId,
                label: &str,
                groups: &[AccessGroupId],
                by: StaffUserId,
                seal: &(dyn Fn(SecretId) -> app::ports::Sealed + Send + Sync),
            ) -> RepoResult<app::ports::StoredSecret> {
                let mut tx = self.write().await?;
                let exists: Option<i32> =
                    sqlx::query_scalar(secrets::CUSTOMER_IN_TENANT).bind(tenant).bind(customer).fetch_optional(&mut *tx).await.map_err(other)?;
                exists.ok_or(RepoError::NotFound)?;
                // The id is part of the associated data, so the row comes first and the value
                // is sealed for it, in the same transaction.
                let id: i64 = sqlx::query_scalar(secrets::INSERT)
                    .bind(tenant)
                    .bind(customer)
                    .bind(label)
                    .bind(Vec::<u8>::new())
                    .bind(now_ms())
                    .bind(by)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(other)?;
                Self::store_sealed(&mut *tx, id, &seal(id)).await?;
                Self::set_secret_groups(&mut *tx, tenant, id, groups).await?;
                let out = Self::secret_in(&mut *tx, tenant, id).await?;
                tx.commit().await.map_err(other)?;
                Ok(out)
            }

            async fn update_secret(
                &self,
                tenant: TenantId,
                secret: SecretId,
                expected_version: i64,
                label: &str,
                groups: &[AccessGroupId],
                sealed: Option<&app::ports::Sealed>,
            ) -> RepoResult<app::ports::StoredSecret> {
                let mut tx = self.write().await?;
                let updated: Option<i64> = sqlx::query_scalar(secrets::UPDATE)
                    .bind(tenant)
                    .bind(secret)
                    .bind(label)
                    .bind(expected_version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                if updated.is_none() {
                    Self::secret_in(&mut *tx, tenant, secret).await?;
                    return Err(RepoError::Stale);
                }
                if let Some(sealed) = sealed {
                    Self::store_sealed(&mut *tx, secret, sealed).await?;
                }
                Self::set_secret_groups(&mut *tx, tenant, secret, groups).await?;
                let out = Self::secret_in(&mut *tx, tenant, secret).await?;
                tx.commit().await.map_err(other)?;
                Ok(out)
            }

            async fn delete_secret(&self, tenant: TenantId, secret: SecretId, expected_version: i64) -> RepoResult<()> {
                let mut tx = self.write().await?;
                let version: Option<i64> =
                    sqlx::query_scalar(secrets::LOCK).bind(tenant).bind(secret).fetch_optional(&mut *tx).await.map_err(other)?;
                match version {
                    None => return Err(RepoError::NotFound),
                    Some(v) if v != expected_version => return Err(RepoError::Stale),
                    Some(_) => {}
                }
                sqlx::query("DELETE FROM customer_secret_groups WHERE secret_id = $1").bind(secret).execute(&mut *tx).await.map_err(other)?;
                sqlx::query("DELETE FROM customer_secrets WHERE id = $1").bind(secret).execute(&mut *tx).await.map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn member_groups(&self, tenant: TenantId, user: StaffUserId) -> RepoResult<Vec<AccessGroupId>> {
                sqlx::query_scalar(secrets::MEMBER_GROUPS).bind(tenant).bind(user).fetch_all(&self.pool).await.map_err(other)
            }

            async fn reseal_all(
                &self,
                reseal: &(dyn for<'a> Fn(&'a dyn app::ports::AssociatedData, app::ports::Sealed) -> Result<app::ports::Sealed, app::ports::SecretOpenError> + Send + Sync),
            ) -> RepoResult<usize> {
                let mut tx = self.write().await?;
                let rows: Vec<secrets::SealedRow> = sqlx::query_as(secrets::ALL_SEALED).fetch_all(&mut *tx).await.map_err(other)?;
                for row in &rows {
                    let ad = app::ports::SecretAd { tenant: row.tenant_id, customer: row.customer_id, secret: row.id };
                    // One value that does not open stops the rotation before anything is changed.
                    let fresh = reseal(&ad, row.sealed()).map_err(|e| RepoError::Other(format!("secret {}: {e:?}", row.id).into()))?;
                    Self::store_sealed(&mut *tx, row.id, &fresh).await?;
                }
                // The staff's TOTP seeds are sealed under the same key, and rotate with the secrets.
                let seeds: Vec<(i64, String, Vec<u8>, Vec<u8>)> =
                    sqlx::query_as(super::mfa::ALL_SEALED_TOTP).fetch_all(&mut *tx).await.map_err(other)?;
                for (user, key_id, nonce, ciphertext) in &seeds {
                    let sealed = app::ports::Sealed { key_id: key_id.clone(), nonce: nonce.clone(), ciphertext: ciphertext.clone() };
                    let fresh = reseal(&app::ports::TotpAd { user: *user }, sealed)
                        .map_err(|e| RepoError::Other(format!("totp seed of user {user}: {e:?}").into()))?;
                    sqlx::query(super::mfa::SET_SEALED_TOTP)
                        .bind(user)
                        .bind(&fresh.key_id)
                        .bind(&fresh.nonce)
                        .bind(&fresh.ciphertext)
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                }
                tx.commit().await.map_err(other)?;
                Ok(rows.len() + seeds.len())
            }
        }
    };
}

pub(crate) use secret_store;
