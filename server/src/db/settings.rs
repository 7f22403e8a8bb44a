//! Klientinnstillinger persistence (tab "Samtykke"), written once for both backends like
//! `consent.rs`: the controller's identity is edited in place under an edit version; the
//! policy link and recipients are published as append-only versions.

use super::*;
use app::domain::settings::{ConsentSettingsInput, RecipientInput, RecipientRole, ValidConsentSettings, ValidRecipient};

#[derive(sqlx::FromRow)]
pub(crate) struct IdentityRow {
    controller_name: Option<String>,
    controller_org_no: Option<String>,
    controller_address: Option<String>,
    privacy_email: Option<String>,
    version: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PolicyRow {
    pub(crate) version: i64,
    policy_url: Option<String>,
    published_ms: i64,
    published_by: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RecipientRow {
    name: String,
    role: Option<String>,
    purpose: Option<String>,
    country: Option<String>,
    dpa_date: Option<String>,
}

impl From<RecipientRow> for RecipientInput {
    fn from(r: RecipientRow) -> Self {
        RecipientInput {
            name: r.name,
            role: r.role.as_deref().and_then(RecipientRole::parse),
            purpose: r.purpose.unwrap_or_default(),
            country: r.country.unwrap_or_default(),
            dpa_date: r.dpa_date.unwrap_or_default(),
        }
    }
}

pub(crate) fn settings_from(identity: Option<IdentityRow>, policy: Option<PolicyRow>, recipients: Vec<RecipientRow>) -> ConsentSettings {
    let (version, name, org_no, address, email) = match identity {
        Some(i) => (i.version, i.controller_name, i.controller_org_no, i.controller_address, i.privacy_email),
        None => (0, None, None, None, None),
    };
    ConsentSettings {
        version,
        published: policy.as_ref().map(|p| PublishedPolicy {
            version: p.version,
            published_ms: p.published_ms,
            published_by: p.published_by.clone(),
        }),
        input: ConsentSettingsInput {
            policy_url: policy.and_then(|p| p.policy_url).unwrap_or_default(),
            controller_name: name.unwrap_or_default(),
            controller_org_no: org_no.unwrap_or_default(),
            controller_address: address.unwrap_or_default(),
            privacy_email: email.unwrap_or_default(),
            recipients: recipients.into_iter().map(Into::into).collect(),
        },
    }
}

/// The published part as it would parse now, to compare with a save.
pub(crate) fn published_as_valid(s: &ConsentSettings) -> Option<ValidConsentSettings> {
    s.published.as_ref()?;
    let published = ConsentSettingsInput { policy_url: s.input.policy_url.clone(), recipients: s.input.recipients.clone(), ..Default::default() };
    ValidConsentSettings::parse(&published).ok()
}

pub(crate) fn recipient_columns(r: &ValidRecipient) -> (Option<&'static str>, Option<String>) {
    (r.role.map(RecipientRole::as_str), r.dpa_date.map(|d| d.to_string()))
}

pub(crate) const IDENTITY: &str = "SELECT controller_name, controller_org_no, controller_address, privacy_email, version \
     FROM tenant_consent_settings WHERE tenant_id = $1";

pub(crate) const LATEST_POLICY: &str = "SELECT v.version, v.policy_url, v.published_ms, u.name AS published_by \
     FROM privacy_policy_versions v LEFT JOIN staff_users u ON u.id = v.published_by \
     WHERE v.tenant_id = $1 ORDER BY v.version DESC LIMIT 1";

pub(crate) const RECIPIENTS: &str = "SELECT name, role, purpose, country, dpa_date FROM privacy_policy_recipients \
     WHERE tenant_id = $1 AND version = $2 ORDER BY position";

/// Creates the row at version 1 when `$8` is 0, or moves it on from version `$8`; answers no
/// row when someone else saved in between.
pub(crate) const UPSERT_IDENTITY: &str = "INSERT INTO tenant_consent_settings \
       (tenant_id, controller_name, controller_org_no, controller_address, privacy_email, version, updated_ms, updated_by) \
     VALUES ($1, $2, $3, $4, $5, 1, $6, $7) \
     ON CONFLICT (tenant_id) DO UPDATE SET controller_name = excluded.controller_name, \
       controller_org_no = excluded.controller_org_no, controller_address = excluded.controller_address, \
       privacy_email = excluded.privacy_email, version = tenant_consent_settings.version + 1, \
       updated_ms = excluded.updated_ms, updated_by = excluded.updated_by \
     WHERE tenant_consent_settings.version = $8 \
     RETURNING version";

pub(crate) const INSERT_POLICY: &str =
    "INSERT INTO privacy_policy_versions (tenant_id, version, policy_url, published_ms, published_by) VALUES ($1, $2, $3, $4, $5)";

pub(crate) const INSERT_RECIPIENT: &str = "INSERT INTO privacy_policy_recipients \
       (tenant_id, version, position, name, role, purpose, country, dpa_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Implements [`app::ports::SettingsRepository`] on a repository whose `write()` opens a write
/// transaction.
macro_rules! settings_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            async fn consent_settings_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                tenant: TenantId,
            ) -> RepoResult<ConsentSettings> {
                let identity: Option<settings::IdentityRow> =
                    sqlx::query_as(settings::IDENTITY).bind(tenant).fetch_optional(&mut *conn).await.map_err(other)?;
                let policy: Option<settings::PolicyRow> =
                    sqlx::query_as(settings::LATEST_POLICY).bind(tenant).fetch_optional(&mut *conn).await.map_err(other)?;
                let recipients: Vec<settings::RecipientRow> = match &policy {
                    Some(p) => sqlx::query_as(settings::RECIPIENTS)
                        .bind(tenant)
                        .bind(p.version)
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(other)?,
                    None => Vec::new(),
                };
                Ok(settings::settings_from(identity, policy, recipients))
            }
        }

        #[async_trait::async_trait]
        impl app::ports::SettingsRepository for $repo {
            async fn consent_settings(&self, tenant: TenantId) -> RepoResult<ConsentSettings> {
                let mut conn = self.pool.acquire().await.map_err(other)?;
                Self::consent_settings_in(&mut conn, tenant).await
            }

            async fn save_consent_settings(
                &self,
                tenant: TenantId,
                by: StaffUserId,
                expected_version: i64,
                s: &app::domain::settings::ValidConsentSettings,
            ) -> RepoResult<SavedSettings> {
                let mut tx = self.write().await?;
                let now = now_ms();
                let version: Option<i64> = sqlx::query_scalar(settings::UPSERT_IDENTITY)
                    .bind(tenant)
                    .bind(&s.controller_name)
                    .bind(s.controller_org_no.as_ref().map(|o| o.to_string()))
                    .bind(&s.controller_address)
                    .bind(s.privacy_email.as_ref().map(|e| e.to_string()))
                    .bind(now)
                    .bind(by)
                    .bind(expected_version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                let version = version.ok_or(RepoError::Stale)?;
                let current = Self::consent_settings_in(&mut *tx, tenant).await?;
                let mut policy_version = current.published.as_ref().map(|p| p.version);
                if s.publishes_new_version(settings::published_as_valid(&current).as_ref()) {
                    let next = policy_version.unwrap_or(0) + 1;
                    sqlx::query(settings::INSERT_POLICY)
                        .bind(tenant)
                        .bind(next)
                        .bind(s.policy_url.as_ref().map(|u| u.to_string()))
                        .bind(now)
                        .bind(by)
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                    for (position, r) in s.recipients.iter().enumerate() {
                        let (role, dpa_date) = settings::recipient_columns(r);
                        sqlx::query(settings::INSERT_RECIPIENT)
                            .bind(tenant)
                            .bind(next)
                            .bind(position as i64)
                            .bind(&r.name)
                            .bind(role)
                            .bind(&r.purpose)
                            .bind(&r.country)
                            .bind(dpa_date)
                            .execute(&mut *tx)
                            .await
                            .map_err(other)?;
                    }
                    policy_version = Some(next);
                }
                tx.commit().await.map_err(other)?;
                Ok(SavedSettings { version, policy_version })
            }
        }
    };
}

pub(crate) use settings_store;
