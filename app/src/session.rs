//! The staff session as server functions see it (server-side only).
//!
//! Every server function starts with [`staff_in_tenant`] (or [`logged_in_staff`] for the few
//! that need no tenant): it reads the session, enforces the absolute timeout, and re-reads the
//! user's memberships from the database on every request, so a removed membership takes effect
//! at once and nothing about rights lives only in one app server's memory.

use crate::error::ApiError;
use crate::model::{StaffUserId, TenantRef};
use crate::ports::{AppState, SESSION_ABSOLUTE_SECONDS};
use leptos::prelude::*;
use tower_sessions::Session;

pub const USER_KEY: &str = "staff_user_id";
pub const TENANT_KEY: &str = "tenant_id";
pub const LOGIN_AT_KEY: &str = "login_at";

pub struct Staff {
    pub state: AppState,
    pub session: Session,
    pub user_id: StaffUserId,
}

pub struct StaffInTenant {
    pub state: AppState,
    pub user_id: StaffUserId,
    pub tenant: TenantRef,
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn app_state() -> Result<AppState, ApiError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        ApiError::Internal
    })
}

pub async fn session() -> Result<Session, ApiError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        ApiError::Internal
    })
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "session store");
    ApiError::Internal
}

pub async fn logged_in_staff() -> Result<Staff, ApiError> {
    let state = app_state()?;
    let session = session().await?;
    let user_id: Option<StaffUserId> = session.get(USER_KEY).await.map_err(internal)?;
    let login_at: Option<i64> = session.get(LOGIN_AT_KEY).await.map_err(internal)?;
    let (Some(user_id), Some(login_at)) = (user_id, login_at) else {
        return Err(ApiError::NotLoggedIn);
    };
    if now_unix() - login_at > SESSION_ABSOLUTE_SECONDS {
        session.delete().await.map_err(internal)?;
        return Err(ApiError::NotLoggedIn);
    }
    Ok(Staff { state, session, user_id })
}

pub async fn staff_in_tenant() -> Result<StaffInTenant, ApiError> {
    let Staff { state, session, user_id } = logged_in_staff().await?;
    let tenant_id: Option<i64> = session.get(TENANT_KEY).await.map_err(internal)?;
    let tenant_id = tenant_id.ok_or(ApiError::NoTenantChosen)?;
    let tenant = state
        .repo
        .tenants_of(user_id)
        .await?
        .into_iter()
        .find(|t| t.id == tenant_id)
        .ok_or(ApiError::Forbidden)?;
    Ok(StaffInTenant { state, user_id, tenant })
}

/// The client's address, for the login log.
pub async fn client_ip() -> Option<String> {
    use axum::extract::ConnectInfo;
    leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}
