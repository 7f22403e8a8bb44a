//! Tilgangsstyring: access groups, their rights and members, and the administrator mark.
//!
//! Every call needs the Tilgangsstyring right. Marking or unmarking an administrator also needs
//! the caller to be an administrator: a member who manages groups could otherwise make
//! themselves one.

#[allow(unused_imports)]
use crate::domain::access::{AccessGroupName, Permission, Rights};
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;
use server_fn::codec::Json;

/// More members than a tenant has staff is a crafted request.
pub const MAX_GROUP_MEMBERS: usize = 1000;

#[server(prefix = "/api", endpoint = "load_access_control")]
pub async fn load_access_control() -> Result<AccessControl, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessControl).await?;
    Ok(ctx.state.repo.access_control(ctx.tenant.id).await?)
}

#[server(prefix = "/api", endpoint = "create_access_group")]
pub async fn create_access_group(name: String) -> Result<AccessGroup, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessControl).await?;
    let name = AccessGroupName::parse(&name).map_err(|e| ApiError::invalid("name", e))?;
    let group = ctx.state.repo.create_access_group(ctx.tenant.id, &name).await?;
    ctx.log(crate::ports::AccessAction::AccessGroupCreated, None, Some(format!("group:{}", group.id))).await?;
    Ok(group)
}

/// Replaces the group's name, rights and members, if nobody saved it since `version`. A right
/// brings the rights it needs ("Kunde – endre" brings "Kunde – se").
#[server(prefix = "/api", endpoint = "save_access_group", input = Json)]
pub async fn save_access_group(
    id: AccessGroupId,
    version: i64,
    name: String,
    rights: Vec<Permission>,
    members: Vec<StaffUserId>,
) -> Result<AccessGroup, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessControl).await?;
    let name = AccessGroupName::parse(&name).map_err(|e| ApiError::invalid("name", e))?;
    if members.len() > MAX_GROUP_MEMBERS {
        return Err(ApiError::invalid("members", crate::domain::FieldError::TooMany { max: MAX_GROUP_MEMBERS }));
    }
    let rights = rights.into_iter().collect::<Rights>().with_needed();
    let saved = ctx.state.repo.save_access_group(ctx.tenant.id, id, version, &name, rights, &members).await?;
    // The log keeps what the group grants and to whom, as codes and user ids: evidence of who
    // could see what, when.
    let codes: Vec<&str> = saved.rights.iter().map(Permission::code).collect();
    let who: Vec<String> = saved.members.iter().map(|m| m.to_string()).collect();
    let object = format!("group:{} rights:{} members:{}", saved.id, codes.join(","), who.join(","));
    ctx.log(crate::ports::AccessAction::AccessGroupSaved, None, Some(object)).await?;
    Ok(saved)
}

#[server(prefix = "/api", endpoint = "delete_access_group")]
pub async fn delete_access_group(id: AccessGroupId, version: i64) -> Result<(), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessControl).await?;
    ctx.state.repo.delete_access_group(ctx.tenant.id, id, version).await?;
    ctx.log(crate::ports::AccessAction::AccessGroupDeleted, None, Some(format!("group:{id}"))).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "set_administrator")]
pub async fn set_administrator(user_id: StaffUserId, admin: bool) -> Result<(), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessControl).await?;
    if ctx.tenant.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    if let Err(crate::domain::access::AdminChangeRefused::LastAdministrator) =
        ctx.state.repo.set_tenant_admin(ctx.tenant.id, user_id, admin).await?
    {
        return Err(ApiError::LastAdministrator);
    }
    let action = if admin { crate::ports::AccessAction::AdministratorMarked } else { crate::ports::AccessAction::AdministratorUnmarked };
    ctx.log(action, None, Some(format!("user:{user_id}"))).await?;
    Ok(())
}

/// Removes a member's MFA, for one who lost their phone and their recovery codes; they enrol
/// again at their next login if a client requires it. Administrators only, like the mark.
#[server(prefix = "/api", endpoint = "reset_mfa")]
pub async fn reset_mfa(user_id: StaffUserId) -> Result<(), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessControl).await?;
    if ctx.tenant.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    ctx.state.repo.membership(user_id, ctx.tenant.id).await?.ok_or(ApiError::NotFound)?;
    let ip = crate::session::client_ip().await;
    ctx.state.mfa.reset(user_id, ip).await?;
    ctx.log(crate::ports::AccessAction::MfaReset, None, Some(format!("user:{user_id}"))).await?;
    Ok(())
}

/// "Krev tofaktor for alle ansatte": members without MFA enrol at their next login.
#[server(prefix = "/api", endpoint = "set_mfa_required")]
pub async fn set_mfa_required(required: bool) -> Result<(), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessControl).await?;
    if ctx.tenant.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    ctx.state.repo.set_mfa_required(ctx.tenant.id, required).await?;
    ctx.log(crate::ports::AccessAction::MfaRequirementChanged, None, Some(if required { "on" } else { "off" }.into())).await?;
    Ok(())
}
