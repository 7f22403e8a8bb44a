//! Hemmeligheter on the customer card. Anyone who may see the card sees which secrets there
//! are (their labels and groups), never a value: a value leaves the server only from
//! `reveal_secret`, to a user with the Hemmeligheter right in one of the secret's groups (or an
//! administrator), and every reveal is in the access log before the value is sent.

#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;
use server_fn::codec::Json;

/// A secret names at most this many groups.
pub const MAX_SECRET_GROUPS: usize = 100;

#[cfg(feature = "ssr")]
async fn group_names(ctx: &crate::session::StaffInTenant) -> Result<Vec<(AccessGroupId, String)>, ApiError> {
    let control = ctx.state.repo.access_control(ctx.tenant.id).await?;
    Ok(control.groups.into_iter().map(|g| (g.id, g.name)).collect())
}

#[cfg(feature = "ssr")]
fn summary(
    s: crate::ports::StoredSecret,
    names: &[(AccessGroupId, String)],
    may_reveal: bool,
) -> SecretSummary {
    SecretSummary {
        id: s.id,
        label: s.label,
        groups: names.iter().filter(|(id, _)| s.groups.contains(id)).cloned().collect(),
        may_reveal,
        version: s.version,
    }
}

#[cfg(feature = "ssr")]
async fn my_groups(ctx: &crate::session::StaffInTenant) -> Result<Vec<AccessGroupId>, ApiError> {
    Ok(ctx.state.repo.member_groups(ctx.tenant.id, ctx.user_id).await?)
}

#[cfg(feature = "ssr")]
fn may_reveal_with(ctx: &crate::session::StaffInTenant, mine: &[AccessGroupId], secret_groups: &[AccessGroupId]) -> bool {
    crate::domain::secrets::may_reveal(ctx.rights, ctx.tenant.role == Role::Admin, mine, secret_groups)
}

#[cfg(feature = "ssr")]
async fn may_reveal(ctx: &crate::session::StaffInTenant, secret_groups: &[AccessGroupId]) -> Result<bool, ApiError> {
    Ok(may_reveal_with(ctx, &my_groups(ctx).await?, secret_groups))
}

#[server(prefix = "/api", endpoint = "load_secrets")]
pub async fn load_secrets(customer_id: CustomerId) -> Result<CustomerSecrets, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerRead).await?;
    let stored = ctx.state.repo.secrets_of(ctx.tenant.id, customer_id).await?;
    let names = group_names(&ctx).await?;
    let mine = my_groups(&ctx).await?;
    let secrets = stored
        .into_iter()
        .map(|s| {
            let may = may_reveal_with(&ctx, &mine, &s.groups);
            summary(s, &names, may)
        })
        .collect();
    Ok(CustomerSecrets { secrets, groups: names })
}

/// The value, after the reveal is logged.
#[server(prefix = "/api", endpoint = "reveal_secret")]
pub async fn reveal_secret(secret_id: SecretId) -> Result<String, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::Secrets).await?;
    let (stored, sealed) = ctx.state.repo.sealed_secret(ctx.tenant.id, secret_id).await?;
    if !may_reveal(&ctx, &stored.groups).await? {
        return Err(ApiError::Forbidden);
    }
    let ad = crate::ports::SecretAd { tenant: ctx.tenant.id, customer: stored.customer_id, secret: stored.id };
    let value = ctx.state.secrets.open(&ad, &sealed).map_err(|e| {
        tracing::error!(secret = stored.id, problem = ?e, "a stored secret does not open");
        ApiError::Internal
    })?;
    ctx.log(crate::ports::AccessAction::SecretRevealed, Some(stored.customer_id), Some(format!("secret:{}", stored.id))).await?;
    Ok(value)
}

/// Creates (`id` None) or changes a secret. A new secret needs a value; a change with an empty
/// value keeps the old one. Changing a secret needs the right to see it.
#[server(prefix = "/api", endpoint = "save_secret", input = Json)]
pub async fn save_secret(
    customer_id: CustomerId,
    id: Option<SecretId>,
    version: i64,
    label: String,
    value: String,
    groups: Vec<AccessGroupId>,
) -> Result<SecretSummary, ApiError> {
    use crate::domain::secrets::{parse_label, parse_value};
    let ctx = crate::session::staff_allowed(Permission::Secrets).await?;
    let mut errors = crate::domain::FieldErrors::default();
    let label = errors.check("label", parse_label(&label));
    let value = match (id, value.trim().is_empty()) {
        (Some(_), true) => None,
        _ => errors.check("value", parse_value(&value)),
    };
    if groups.len() > MAX_SECRET_GROUPS {
        errors.push("groups", crate::domain::FieldError::TooMany { max: MAX_SECRET_GROUPS });
    }
    let Some(label) = label.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let tenant = ctx.tenant.id;
    let cipher = ctx.state.secrets.clone();
    let saved = match id {
        None => {
            let value = value.ok_or(ApiError::Internal)?;
            let seal = move |secret: SecretId| cipher.seal(&crate::ports::SecretAd { tenant, customer: customer_id, secret }, &value);
            ctx.state.repo.create_secret(tenant, customer_id, &label, &groups, ctx.user_id, &seal).await?
        }
        Some(id) => {
            let (stored, _) = ctx.state.repo.sealed_secret(tenant, id).await?;
            if stored.customer_id != customer_id {
                return Err(ApiError::NotFound);
            }
            if !may_reveal(&ctx, &stored.groups).await? {
                return Err(ApiError::Forbidden);
            }
            let sealed = value.map(|v| cipher.seal(&crate::ports::SecretAd { tenant, customer: customer_id, secret: id }, &v));
            ctx.state.repo.update_secret(tenant, id, version, &label, &groups, sealed.as_ref()).await?
        }
    };
    let object = format!(
        "secret:{} groups:{}",
        saved.id,
        saved.groups.iter().map(|g| g.to_string()).collect::<Vec<_>>().join(",")
    );
    ctx.log(crate::ports::AccessAction::SecretSaved, Some(customer_id), Some(object)).await?;
    let names = group_names(&ctx).await?;
    let may = may_reveal(&ctx, &saved.groups).await?;
    Ok(summary(saved, &names, may))
}

#[server(prefix = "/api", endpoint = "delete_secret")]
pub async fn delete_secret(secret_id: SecretId, version: i64) -> Result<(), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::Secrets).await?;
    let (stored, _) = ctx.state.repo.sealed_secret(ctx.tenant.id, secret_id).await?;
    if !may_reveal(&ctx, &stored.groups).await? {
        return Err(ApiError::Forbidden);
    }
    ctx.state.repo.delete_secret(ctx.tenant.id, secret_id, version).await?;
    ctx.log(crate::ports::AccessAction::SecretDeleted, Some(stored.customer_id), Some(format!("secret:{secret_id}"))).await?;
    Ok(())
}
