//! Innsynslogg: the tenant's access log, filtered, for those with the Innsynslogg right; its
//! retention period, for administrators. The CSV download (`server::export`) uses the same filter.

#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;
use server_fn::codec::Json;

/// The shortest and longest retention a tenant may choose, in months.
pub const RETENTION_MONTHS: std::ops::RangeInclusive<u32> = 6..=120;

/// The filter as the repository takes it; the errors name the field.
#[cfg(feature = "ssr")]
pub fn access_log_query(filter: &AccessLogFilter) -> Result<crate::ports::AccessLogQuery, ApiError> {
    use crate::domain::FieldError;
    let text = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let action = text(&filter.action);
    if action.as_deref().is_some_and(|a| !ACCESS_LOG_ACTIONS.contains(&a)) {
        return Err(ApiError::invalid("action", FieldError::InvalidCode));
    }
    let (from_ms, to_ms) = crate::domain::period_ms(filter.from.as_deref().unwrap_or(""), filter.to.as_deref().unwrap_or(""))
        .map_err(|(field, e)| ApiError::invalid(field, e))?;
    Ok(crate::ports::AccessLogQuery { user: filter.user, customer_number: text(&filter.customer_number), action, from_ms, to_ms })
}

/// A page of entries, newest first; `before` is the last `seq` of the page before.
#[server(prefix = "/api", endpoint = "load_access_log", input = Json)]
pub async fn load_access_log(filter: AccessLogFilter, before: Option<i64>) -> Result<AccessLogPage, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessLog).await?;
    let query = access_log_query(&filter)?;
    let repo = &ctx.state.repo;
    let mut rows = repo.access_log_rows(ctx.tenant.id, &query, before, ACCESS_LOG_PAGE_SIZE + 1).await?;
    let has_more = rows.len() > ACCESS_LOG_PAGE_SIZE as usize;
    rows.truncate(ACCESS_LOG_PAGE_SIZE as usize);
    let staff = repo.access_control(ctx.tenant.id).await?.staff.into_iter().map(|s| (s.user_id, s.name)).collect();
    let retention_months = repo.access_log_retention(ctx.tenant.id).await?;
    Ok(AccessLogPage { rows, has_more, staff, retention_months })
}

/// How long the tenant keeps its access log (None: for good). `server purge-access-log` removes
/// what is older. Administrators with the Innsynslogg right only: it decides what evidence exists.
#[server(prefix = "/api", endpoint = "set_access_log_retention")]
pub async fn set_access_log_retention(months: Option<u32>) -> Result<(), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::AccessLog).await?;
    if ctx.tenant.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    if let Some(m) = months {
        if !RETENTION_MONTHS.contains(&m) {
            return Err(ApiError::invalid("retention", crate::domain::FieldError::OutOfRange { min: *RETENTION_MONTHS.start(), max: *RETENTION_MONTHS.end() }));
        }
    }
    ctx.state.repo.set_access_log_retention(ctx.tenant.id, months).await?;
    let object = months.map_or("forever".to_string(), |m| format!("months:{m}"));
    ctx.log(crate::ports::AccessAction::AccessLogRetentionChanged, None, Some(object)).await?;
    Ok(())
}
