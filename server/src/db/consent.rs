//! Consent persistence, written once for both backends.
//!
//! The SQL here is the same on SQLite and PostgreSQL (`$n` placeholders work on both with
//! sqlx), so [`consent_store!`] stamps the same method bodies onto each repository with its
//! own database type. Queries that differ between the backends stay in `sqlite.rs` and
//! `postgres.rs`.

use super::*;
use app::domain::consent::{is_change, ConsentMark, ValidPurpose};

#[derive(sqlx::FromRow)]
pub(crate) struct PurposeRow {
    id: i64,
    version: i64,
    wording_version: i64,
    code: String,
    label_nb: String,
    label_en: String,
    wording: String,
    channel: String,
    legal_basis: String,
    active: bool,
}

impl From<PurposeRow> for ConsentPurpose {
    fn from(r: PurposeRow) -> Self {
        ConsentPurpose {
            id: r.id,
            version: r.version,
            wording_version: r.wording_version,
            input: PurposeInput {
                code: r.code,
                label_nb: r.label_nb,
                label_en: r.label_en,
                wording: r.wording,
                channel: Channel::parse(&r.channel).unwrap_or(Channel::None),
                legal_basis: LegalBasis::parse(&r.legal_basis).unwrap_or_default(),
                active: r.active,
            },
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StandingRow {
    contact_person_id: i64,
    purpose_id: i64,
    given: bool,
    purpose_version: i64,
    changed_ms: i64,
}

impl From<StandingRow> for ConsentStanding {
    fn from(r: StandingRow) -> Self {
        ConsentStanding {
            contact_person_id: r.contact_person_id,
            purpose_id: r.purpose_id,
            given: r.given,
            purpose_version: r.purpose_version,
            changed_ms: r.changed_ms,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: i64,
    at_ms: i64,
    customer_number: String,
    contact_person_id: i64,
    contact_person_name: String,
    purpose_id: i64,
    purpose_code: String,
    purpose_label_nb: String,
    purpose_label_en: String,
    purpose_version: i64,
    given: bool,
    actor: String,
    staff_name: Option<String>,
    source: String,
    policy_version: Option<i64>,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl From<EventRow> for ConsentEventView {
    fn from(r: EventRow) -> Self {
        ConsentEventView {
            id: r.id,
            at_ms: r.at_ms,
            customer_number: r.customer_number,
            contact_person_id: r.contact_person_id,
            contact_person_name: r.contact_person_name,
            purpose_id: r.purpose_id,
            purpose_code: r.purpose_code,
            purpose_label_nb: r.purpose_label_nb,
            purpose_label_en: r.purpose_label_en,
            purpose_version: r.purpose_version,
            given: r.given,
            actor: ConsentActor::parse(&r.actor).unwrap_or(ConsentActor::Staff),
            staff_name: r.staff_name,
            source: ConsentSource::parse(&r.source).unwrap_or(ConsentSource::StaffCard),
            policy_version: r.policy_version,
            ip: r.ip,
            user_agent: r.user_agent,
        }
    }
}

pub(crate) const PURPOSES: &str = "SELECT p.id, p.version, p.wording_version, p.code, p.label_nb, p.label_en, v.wording, \
       p.channel, p.legal_basis, p.active \
     FROM consent_purposes p JOIN consent_purpose_versions v ON v.purpose_id = p.id AND v.version = p.wording_version \
     WHERE p.tenant_id = $1 ORDER BY p.sort_order, p.id";

pub(crate) const INSERT_PURPOSE: &str = "INSERT INTO consent_purposes \
       (tenant_id, code, label_nb, label_en, channel, legal_basis, active, sort_order) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM consent_purposes WHERE tenant_id = $1)) \
     RETURNING id";

pub(crate) const INSERT_WORDING: &str =
    "INSERT INTO consent_purpose_versions (purpose_id, version, wording, published_ms, published_by) VALUES ($1, $2, $3, $4, $5)";

pub(crate) const CURRENT_WORDING: &str = "SELECT p.version, p.wording_version, v.wording \
     FROM consent_purposes p JOIN consent_purpose_versions v ON v.purpose_id = p.id AND v.version = p.wording_version \
     WHERE p.tenant_id = $1 AND p.id = $2";

/// Placeholders $1–$7 as in [`INSERT_PURPOSE`], bound by [`bind_purpose!`].
pub(crate) const UPDATE_PURPOSE: &str = "UPDATE consent_purposes SET code = $2, label_nb = $3, label_en = $4, channel = $5, \
       legal_basis = $6, active = $7, wording_version = $8, version = version + 1 \
     WHERE tenant_id = $1 AND id = $9 AND version = $10 RETURNING version";

pub(crate) const BUMP_CONSENT_VERSION: &str = "UPDATE customers SET consent_version = consent_version + 1 \
     WHERE tenant_id = $1 AND id = $2 AND consent_version = $3 RETURNING consent_version";

/// The purpose's wording version and the cell's state, if the contact person belongs to the
/// customer and the purpose is an active one of the same tenant.
pub(crate) const CELL: &str = "SELECT p.wording_version, s.given FROM contact_persons cp \
     JOIN consent_purposes p ON p.tenant_id = cp.tenant_id AND p.id = $1 AND p.active \
     LEFT JOIN consent_state s ON s.contact_person_id = cp.id AND s.purpose_id = p.id \
     WHERE cp.tenant_id = $2 AND cp.customer_id = $3 AND cp.id = $4";

pub(crate) const INSERT_EVENT: &str = "INSERT INTO consent_events (tenant_id, customer_id, contact_person_id, purpose_id, \
       purpose_version, given, at_ms, actor, staff_user_id, source, policy_version, ip, user_agent) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
       (SELECT MAX(version) FROM privacy_policy_versions WHERE tenant_id = $1), $11, $12) RETURNING id";

pub(crate) const UPSERT_STATE: &str = "INSERT INTO consent_state \
       (contact_person_id, purpose_id, tenant_id, given, purpose_version, event_id, changed_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (contact_person_id, purpose_id) DO UPDATE SET given = excluded.given, \
       purpose_version = excluded.purpose_version, event_id = excluded.event_id, changed_ms = excluded.changed_ms";

pub(crate) const STANDINGS: &str = "SELECT s.contact_person_id, s.purpose_id, s.given, s.purpose_version, s.changed_ms \
     FROM consent_state s JOIN contact_persons cp ON cp.id = s.contact_person_id \
     WHERE s.tenant_id = $1 AND cp.customer_id = $2 ORDER BY s.contact_person_id, s.purpose_id";

pub(crate) const EVENTS: &str = "SELECT e.id, e.at_ms, c.customer_number, e.contact_person_id, cp.name AS contact_person_name, \
       e.purpose_id, p.code AS purpose_code, p.label_nb AS purpose_label_nb, p.label_en AS purpose_label_en, \
       e.purpose_version, e.given, e.actor, u.name AS staff_name, e.source, e.policy_version, e.ip, e.user_agent \
     FROM consent_events e \
     JOIN customers c ON c.id = e.customer_id \
     JOIN contact_persons cp ON cp.id = e.contact_person_id \
     JOIN consent_purposes p ON p.id = e.purpose_id \
     LEFT JOIN staff_users u ON u.id = e.staff_user_id \
     WHERE e.tenant_id = ";

/// A unique violation on a purpose is its code, whatever `other` would guess.
pub(crate) fn code_taken(e: sqlx::Error) -> RepoError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => RepoError::Duplicate("code"),
        _ => other(e),
    }
}

/// Whether the stored cell differs from `given`, from the `given` column of [`CELL`].
pub(crate) fn cell_changes(stored: Option<bool>, given: bool) -> bool {
    is_change(stored.map_or(ConsentMark::NeverAsked, ConsentMark::from_given), given)
}

pub(crate) fn wording_changed(current: &str, p: &ValidPurpose) -> bool {
    current != p.wording
}

/// Binds the tenant and a purpose's columns to `$1`–`$7` of [`INSERT_PURPOSE`] or [`UPDATE_PURPOSE`].
macro_rules! bind_purpose {
    ($query:expr, $tenant:expr, $p:expr) => {
        $query
            .bind($tenant)
            .bind(&$p.code)
            .bind(&$p.label_nb)
            .bind(&$p.label_en)
            .bind($p.channel.as_str())
            .bind($p.legal_basis.as_str())
            .bind($p.active)
    };
}

pub(crate) use bind_purpose;

/// Implements [`app::ports::ConsentRepository`] on a repository whose `write()` opens a write
/// transaction.
macro_rules! consent_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            pub(crate) async fn insert_default_purposes(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: TenantId,
            ) -> RepoResult<()> {
                for p in app::domain::consent::default_purposes() {
                    Self::insert_purpose(tx, tenant, None, &p).await?;
                }
                Ok(())
            }

            async fn insert_purpose(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: TenantId,
                by: Option<StaffUserId>,
                p: &app::domain::consent::ValidPurpose,
            ) -> RepoResult<PurposeId> {
                let id: i64 = consent::bind_purpose!(sqlx::query_scalar(consent::INSERT_PURPOSE), tenant, p)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(consent::code_taken)?;
                Self::publish_wording(tx, id, 1, &p.wording, by).await?;
                Ok(id)
            }

            async fn publish_wording(
                tx: &mut sqlx::Transaction<'static, $db>,
                purpose: PurposeId,
                version: i64,
                wording: &str,
                by: Option<StaffUserId>,
            ) -> RepoResult<()> {
                sqlx::query(consent::INSERT_WORDING)
                    .bind(purpose)
                    .bind(version)
                    .bind(wording)
                    .bind(now_ms())
                    .bind(by)
                    .execute(&mut **tx)
                    .await
                    .map_err(other)?;
                Ok(())
            }

        }

        #[async_trait::async_trait]
        impl app::ports::ConsentRepository for $repo {
            async fn consent_purposes(&self, tenant: TenantId) -> RepoResult<Vec<ConsentPurpose>> {
                let rows: Vec<consent::PurposeRow> =
                    sqlx::query_as(consent::PURPOSES).bind(tenant).fetch_all(&self.pool).await.map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn save_consent_purpose(
                &self,
                tenant: TenantId,
                by: StaffUserId,
                id: Option<PurposeId>,
                expected_version: i64,
                p: &app::domain::consent::ValidPurpose,
            ) -> RepoResult<(PurposeId, i64)> {
                let mut tx = self.write().await?;
                let Some(id) = id else {
                    let id = Self::insert_purpose(&mut tx, tenant, Some(by), p).await?;
                    tx.commit().await.map_err(other)?;
                    return Ok((id, 1));
                };
                let current: Option<(i64, i64, String)> = sqlx::query_as(consent::CURRENT_WORDING)
                    .bind(tenant)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                let (version, wording_version, wording) = current.ok_or(RepoError::NotFound)?;
                if version != expected_version {
                    return Err(RepoError::Stale);
                }
                let new_wording_version =
                    if consent::wording_changed(&wording, p) { wording_version + 1 } else { wording_version };
                let new_version: Option<i64> = consent::bind_purpose!(sqlx::query_scalar(consent::UPDATE_PURPOSE), tenant, p)
                    .bind(new_wording_version)
                    .bind(id)
                    .bind(expected_version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(consent::code_taken)?;
                let new_version = new_version.ok_or(RepoError::Stale)?;
                if new_wording_version != wording_version {
                    Self::publish_wording(&mut tx, id, new_wording_version, &p.wording, Some(by)).await?;
                }
                tx.commit().await.map_err(other)?;
                Ok((id, new_version))
            }

            async fn customer_consents(
                &self,
                tenant: TenantId,
                customer: CustomerId,
            ) -> RepoResult<CustomerConsents> {
                // The version is read before the state: a save in between makes this answer
                // stale (refused on save), never newer than the version it carries.
                let consent_version: Option<i64> =
                    sqlx::query_scalar("SELECT consent_version FROM customers WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant)
                        .bind(customer)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                let consent_version = consent_version.ok_or(RepoError::NotFound)?;
                let mut purposes = self.consent_purposes(tenant).await?;
                purposes.retain(|p| p.input.active);
                let contact_persons: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, name FROM contact_persons WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id",
                )
                .bind(tenant)
                .bind(customer)
                .fetch_all(&self.pool)
                .await
                .map_err(other)?;
                let standings: Vec<consent::StandingRow> = sqlx::query_as(consent::STANDINGS)
                    .bind(tenant)
                    .bind(customer)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(CustomerConsents {
                    customer_id: customer,
                    consent_version,
                    purposes,
                    contact_persons,
                    standings: standings.into_iter().map(Into::into).collect(),
                })
            }

            async fn save_consents(
                &self,
                tenant: TenantId,
                customer: CustomerId,
                expected_version: i64,
                changes: &[ConsentChange],
                by: &app::ports::ConsentContext,
            ) -> RepoResult<i64> {
                let mut tx = self.write().await?;
                let new_version: Option<i64> = sqlx::query_scalar(consent::BUMP_CONSENT_VERSION)
                    .bind(tenant)
                    .bind(customer)
                    .bind(expected_version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                let Some(new_version) = new_version else {
                    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant)
                        .bind(customer)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(other)?;
                    return Err(if exists.is_some() { RepoError::Stale } else { RepoError::NotFound });
                };
                let now = now_ms();
                for change in changes {
                    let cell: Option<(i64, Option<bool>)> = sqlx::query_as(consent::CELL)
                        .bind(change.purpose_id)
                        .bind(tenant)
                        .bind(customer)
                        .bind(change.contact_person_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(other)?;
                    let (purpose_version, stored) = cell.ok_or(RepoError::NotFound)?;
                    if !consent::cell_changes(stored, change.given) {
                        continue;
                    }
                    let event_id: i64 = sqlx::query_scalar(consent::INSERT_EVENT)
                        .bind(tenant)
                        .bind(customer)
                        .bind(change.contact_person_id)
                        .bind(change.purpose_id)
                        .bind(purpose_version)
                        .bind(change.given)
                        .bind(now)
                        .bind(by.actor.as_str())
                        .bind(by.staff_user)
                        .bind(by.source.as_str())
                        .bind(&by.ip)
                        .bind(&by.user_agent)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(other)?;
                    sqlx::query(consent::UPSERT_STATE)
                        .bind(change.contact_person_id)
                        .bind(change.purpose_id)
                        .bind(tenant)
                        .bind(change.given)
                        .bind(purpose_version)
                        .bind(event_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                }
                tx.commit().await.map_err(other)?;
                Ok(new_version)
            }

            async fn consent_events(
                &self,
                tenant: TenantId,
                filter: &app::ports::ConsentEventFilter,
            ) -> RepoResult<Vec<ConsentEventView>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(consent::EVENTS);
                q.push_bind(tenant);
                if let Some(contact) = filter.contact_person {
                    q.push(" AND e.contact_person_id = ").push_bind(contact);
                }
                if let Some(purpose) = filter.purpose {
                    q.push(" AND e.purpose_id = ").push_bind(purpose);
                }
                if let Some(from) = filter.from_ms {
                    q.push(" AND e.at_ms >= ").push_bind(from);
                }
                if let Some(to) = filter.to_ms {
                    q.push(" AND e.at_ms < ").push_bind(to);
                }
                q.push(" ORDER BY e.id");
                let rows: Vec<consent::EventRow> = q.build_query_as().fetch_all(&self.pool).await.map_err(other)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    };
}

pub(crate) use consent_store;
