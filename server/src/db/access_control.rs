//! Tilgangsstyring persistence, written once for both backends like `settings.rs`.

use super::*;
use app::domain::access::{Permission, Rights};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) version: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    mfa: i64,
}

pub(crate) const GROUP_RIGHTS: &str = "SELECT r.permission FROM access_group_rights r \
     JOIN access_group_members m ON m.group_id = r.group_id JOIN access_groups g ON g.id = r.group_id \
     WHERE g.tenant_id = $1 AND m.user_id = $2";
pub(crate) const GROUPS: &str = "SELECT id, name, version FROM access_groups WHERE tenant_id = $1 ORDER BY name_key, id";
pub(crate) const GROUP: &str = "SELECT id, name, version FROM access_groups WHERE tenant_id = $1 AND id = $2";
pub(crate) const RIGHTS: &str = "SELECT r.group_id, r.permission FROM access_group_rights r \
     JOIN access_groups g ON g.id = r.group_id WHERE g.tenant_id = $1";
pub(crate) const MEMBERS: &str = "SELECT m.group_id, m.user_id FROM access_group_members m \
     JOIN access_groups g ON g.id = m.group_id WHERE g.tenant_id = $1 ORDER BY m.user_id";
pub(crate) const STAFF: &str = "SELECT u.id, u.name, u.email, m.role, \
     (SELECT COUNT(*) FROM staff_totp t WHERE t.user_id = u.id AND t.confirmed_ms IS NOT NULL) AS mfa FROM memberships m \
     JOIN staff_users u ON u.id = m.user_id WHERE m.tenant_id = $1 ORDER BY u.name, u.id";
pub(crate) const CREATE: &str =
    "INSERT INTO access_groups (tenant_id, name, name_key, version) VALUES ($1, $2, $3, 1) RETURNING id";
pub(crate) const RENAME: &str = "UPDATE access_groups SET name = $3, name_key = $4, version = version + 1 \
     WHERE tenant_id = $1 AND id = $2 AND version = $5 RETURNING version";
/// Takes the group's row lock (PostgreSQL) before its rights and members go.
pub(crate) const LOCK_GROUP: &str =
    "UPDATE access_groups SET version = version WHERE tenant_id = $1 AND id = $2 RETURNING version";
/// Takes the tenant's row lock, so two changes of the administrator mark queue up.
pub(crate) const LOCK_TENANT: &str = "UPDATE tenants SET name = name WHERE id = $1";

pub(crate) fn parse_rights(codes: impl IntoIterator<Item = String>) -> Vec<Permission> {
    // A code this build does not know (written by a newer one) gives no right rather than failing.
    codes.into_iter().filter_map(|c| Permission::parse(&c)).collect()
}

pub(crate) fn access_control_from(
    groups: Vec<GroupRow>,
    rights: Vec<(i64, String)>,
    members: Vec<(i64, i64)>,
    staff: Vec<StaffRow>,
    require_mfa: bool,
) -> AccessControl {
    let mut rights_of: HashMap<i64, Rights> = HashMap::new();
    for (group, code) in rights {
        if let Some(p) = Permission::parse(&code) {
            rights_of.entry(group).or_default().insert(p);
        }
    }
    let mut members_of: HashMap<i64, Vec<StaffUserId>> = HashMap::new();
    for (group, user) in members {
        members_of.entry(group).or_default().push(user);
    }
    AccessControl {
        groups: groups
            .into_iter()
            .map(|g| AccessGroup {
                id: g.id,
                name: g.name,
                rights: rights_of.remove(&g.id).unwrap_or_default(),
                members: members_of.remove(&g.id).unwrap_or_default(),
                version: g.version,
            })
            .collect(),
        staff: staff
            .into_iter()
            .map(|s| TenantStaff { user_id: s.id, name: s.name, email: s.email, admin: s.role == Role::Admin.as_str(), mfa_enrolled: s.mfa > 0 })
            .collect(),
        require_mfa,
    }
}

/// Unique violations here can only be the group name.
pub(crate) fn name_taken(e: sqlx::Error) -> RepoError {
    match other(e) {
        RepoError::Duplicate(_) => RepoError::Duplicate("name"),
        e => e,
    }
}

/// Implements [`app::ports::AccessControlRepository`] on a repository whose `write()` opens a
/// write transaction.
macro_rules! access_control_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            async fn replace_rights_and_members(
                conn: &mut <$db as sqlx::Database>::Connection,
                tenant: TenantId,
                group: AccessGroupId,
                rights: app::domain::access::Rights,
                members: &[StaffUserId],
            ) -> RepoResult<()> {
                let in_tenant: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM memberships WHERE tenant_id = $1")
                    .bind(tenant)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(other)?;
                if members.iter().any(|m| !in_tenant.contains(m)) {
                    return Err(RepoError::NotFound);
                }
                sqlx::query("DELETE FROM access_group_rights WHERE group_id = $1").bind(group).execute(&mut *conn).await.map_err(other)?;
                for p in rights.iter() {
                    sqlx::query("INSERT INTO access_group_rights (group_id, permission) VALUES ($1, $2)")
                        .bind(group)
                        .bind(p.code())
                        .execute(&mut *conn)
                        .await
                        .map_err(other)?;
                }
                sqlx::query("DELETE FROM access_group_members WHERE group_id = $1").bind(group).execute(&mut *conn).await.map_err(other)?;
                let mut seen = Vec::new();
                for m in members {
                    if seen.contains(m) {
                        continue;
                    }
                    seen.push(*m);
                    sqlx::query("INSERT INTO access_group_members (group_id, user_id) VALUES ($1, $2)")
                        .bind(group)
                        .bind(m)
                        .execute(&mut *conn)
                        .await
                        .map_err(other)?;
                }
                Ok(())
            }

            async fn access_group_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                tenant: TenantId,
                group: AccessGroupId,
            ) -> RepoResult<AccessGroup> {
                let all = Self::access_control_in(conn, tenant).await?;
                all.groups.into_iter().find(|g| g.id == group).ok_or(RepoError::NotFound)
            }

            async fn access_control_in(conn: &mut <$db as sqlx::Database>::Connection, tenant: TenantId) -> RepoResult<AccessControl> {
                let groups: Vec<access_control::GroupRow> =
                    sqlx::query_as(access_control::GROUPS).bind(tenant).fetch_all(&mut *conn).await.map_err(other)?;
                let rights: Vec<(i64, String)> =
                    sqlx::query_as(access_control::RIGHTS).bind(tenant).fetch_all(&mut *conn).await.map_err(other)?;
                let members: Vec<(i64, i64)> =
                    sqlx::query_as(access_control::MEMBERS).bind(tenant).fetch_all(&mut *conn).await.map_err(other)?;
                let staff: Vec<access_control::StaffRow> =
                    sqlx::query_as(access_control::STAFF).bind(tenant).fetch_all(&mut *conn).await.map_err(other)?;
                let require_mfa: bool =
                    sqlx::query_scalar("SELECT require_mfa FROM tenants WHERE id = $1").bind(tenant).fetch_one(&mut *conn).await.map_err(other)?;
                Ok(access_control::access_control_from(groups, rights, members, staff, require_mfa))
            }
        }

        #[async_trait::async_trait]
        impl app::ports::AccessControlRepository for $repo {
            async fn group_rights(&self, tenant: TenantId, user: StaffUserId) -> RepoResult<Vec<app::domain::access::Permission>> {
                let codes: Vec<String> = sqlx::query_scalar(access_control::GROUP_RIGHTS)
                    .bind(tenant)
                    .bind(user)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(access_control::parse_rights(codes))
            }

            async fn access_control(&self, tenant: TenantId) -> RepoResult<AccessControl> {
                let mut conn = self.pool.acquire().await.map_err(other)?;
                Self::access_control_in(&mut conn, tenant).await
            }

            async fn create_access_group(&self, tenant: TenantId, name: &app::domain::access::AccessGroupName) -> RepoResult<AccessGroup> {
                let id: i64 = sqlx::query_scalar(access_control::CREATE)
                    .bind(tenant)
                    .bind(name.as_str())
                    .bind(name.key())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(access_control::name_taken)?;
                Ok(AccessGroup { id, name: name.to_string(), rights: Default::default(), members: Vec::new(), version: 1 })
            }

            async fn save_access_group(
                &self,
                tenant: TenantId,
                group: AccessGroupId,
                expected_version: i64,
                name: &app::domain::access::AccessGroupName,
                rights: app::domain::access::Rights,
                members: &[StaffUserId],
            ) -> RepoResult<AccessGroup> {
                let mut tx = self.write().await?;
                let saved: Option<i64> = sqlx::query_scalar(access_control::RENAME)
                    .bind(tenant)
                    .bind(group)
                    .bind(name.as_str())
                    .bind(name.key())
                    .bind(expected_version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(access_control::name_taken)?;
                if saved.is_none() {
                    let exists: Option<access_control::GroupRow> =
                        sqlx::query_as(access_control::GROUP).bind(tenant).bind(group).fetch_optional(&mut *tx).await.map_err(other)?;
                    return Err(if exists.is_some() { RepoError::Stale } else { RepoError::NotFound });
                }
                Self::replace_rights_and_members(&mut *tx, tenant, group, rights, members).await?;
                let out = Self::access_group_in(&mut *tx, tenant, group).await?;
                tx.commit().await.map_err(other)?;
                Ok(out)
            }

            async fn delete_access_group(&self, tenant: TenantId, group: AccessGroupId, expected_version: i64) -> RepoResult<()> {
                let mut tx = self.write().await?;
                let version: Option<i64> = sqlx::query_scalar(access_control::LOCK_GROUP)
                    .bind(tenant)
                    .bind(group)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                match version {
                    None => return Err(RepoError::NotFound),
                    Some(v) if v != expected_version => return Err(RepoError::Stale),
                    Some(_) => {}
                }
                for sql in [
                    "DELETE FROM access_group_rights WHERE group_id = $1",
                    "DELETE FROM access_group_members WHERE group_id = $1",
                    "DELETE FROM access_groups WHERE id = $1",
                ] {
                    sqlx::query(sql).bind(group).execute(&mut *tx).await.map_err(other)?;
                }
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn set_tenant_admin(
                &self,
                tenant: TenantId,
                user: StaffUserId,
                admin: bool,
            ) -> RepoResult<Result<(), app::domain::access::AdminChangeRefused>> {
                let mut tx = self.write().await?;
                sqlx::query(access_control::LOCK_TENANT).bind(tenant).execute(&mut *tx).await.map_err(other)?;
                let member: Option<String> = sqlx::query_scalar("SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant)
                    .bind(user)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                if member.is_none() {
                    return Err(RepoError::NotFound);
                }
                let admins: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = 'admin' ORDER BY user_id")
                    .bind(tenant)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(other)?;
                if let Err(refused) = app::domain::access::may_set_admin(&admins, user, admin) {
                    return Ok(Err(refused));
                }
                let role = if admin { Role::Admin } else { Role::Staff };
                sqlx::query("UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant)
                    .bind(user)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(Ok(()))
            }
        }
    };
}

pub(crate) use access_control_store;
