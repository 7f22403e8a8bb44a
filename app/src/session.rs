//! The staff session as server functions see it (server-side only).
//!
//! Every server function starts with [`staff_allowed`] (or [`logged_in_staff`] for the few
//! that need no tenant; plain axum downloads use [`staff_allowed_of`]): it reads the session,
//! enforces the absolute timeout, re-reads the user's membership of the chosen tenant from the
//! database on every request and checks the right, so a removed membership takes effect at once
//! and nothing about rights lives only in one app server's memory.

use crate::domain::access::{effective_rights, Permission, Rights};
use crate::error::ApiError;
use crate::model::{StaffUserId, TenantRef};
use crate::ports::{AccessAction, AccessActor, AccessEntry, AppState, SESSION_ABSOLUTE_SECONDS};
use leptos::prelude::*;
use tower_sessions::Session;

pub const USER_KEY: &str = "staff_user_id";
pub const TENANT_KEY: &str = "tenant_id";
pub const LOGIN_AT_KEY: &str = "login_at";
pub const SEEN_AT_KEY: &str = "seen_at";
/// A user whose password was right and who still owes an MFA code (or an enrolment). The session
/// holds no [`USER_KEY`] until then, so nothing but the MFA calls accepts it.
pub const PENDING_USER_KEY: &str = "mfa_pending_user";
pub const PENDING_AT_KEY: &str = "mfa_pending_at";
/// How long the code may take after the password.
pub const PENDING_SECONDS: i64 = 10 * 60;

/// How often a request moves the idle deadline forward. tower-sessions writes a session back
/// only when it changed, so without this an active user would be logged out 30 minutes after
/// logging in; touching it once a minute keeps that to one write per minute per session.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

pub fn needs_touch(seen_at: Option<i64>, now: i64) -> bool {
    seen_at.is_none_or(|seen| now - seen >= TOUCH_EVERY_SECONDS)
}

pub struct Staff {
    pub state: AppState,
    pub session: Session,
    pub user_id: StaffUserId,
}

pub struct StaffInTenant {
    pub state: AppState,
    pub user_id: StaffUserId,
    pub tenant: TenantRef,
    /// Read with the membership on this request; never cached in the session.
    pub rights: Rights,
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Now, in Unix milliseconds: what the repositories store times as.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
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
    staff_of(app_state()?, session().await?).await
}

/// The same check for plain axum handlers (downloads), which hold the state and session
/// themselves instead of a server-function context.
pub async fn staff_of(state: AppState, session: Session) -> Result<Staff, ApiError> {
    let user_id: Option<StaffUserId> = session.get(USER_KEY).await.map_err(internal)?;
    let login_at: Option<i64> = session.get(LOGIN_AT_KEY).await.map_err(internal)?;
    let (Some(user_id), Some(login_at)) = (user_id, login_at) else {
        return Err(ApiError::NotLoggedIn);
    };
    keep_alive(&session, login_at, SESSION_ABSOLUTE_SECONDS).await?;
    Ok(Staff { state, session, user_id })
}

/// Ends a session older than `absolute_seconds`; otherwise moves its idle deadline (at most
/// once a minute).
async fn keep_alive(session: &Session, login_at: i64, absolute_seconds: i64) -> Result<(), ApiError> {
    let now = now_unix();
    if now - login_at > absolute_seconds {
        session.delete().await.map_err(internal)?;
        return Err(ApiError::NotLoggedIn);
    }
    let seen_at: Option<i64> = session.get(SEEN_AT_KEY).await.map_err(internal)?;
    if needs_touch(seen_at, now) {
        session.insert(SEEN_AT_KEY, now).await.map_err(internal)?;
    }
    Ok(())
}

pub async fn staff_in_tenant_of(staff: Staff) -> Result<StaffInTenant, ApiError> {
    let Staff { state, session, user_id } = staff;
    let tenant_id: Option<i64> = session.get(TENANT_KEY).await.map_err(internal)?;
    let tenant_id = tenant_id.ok_or(ApiError::NoTenantChosen)?;
    let tenant = state.repo.membership(user_id, tenant_id).await?.ok_or(ApiError::Forbidden)?;
    let rights = rights_in(&state, user_id, &tenant).await?;
    Ok(StaffInTenant { state, user_id, tenant, rights })
}

pub async fn rights_in(state: &AppState, user_id: StaffUserId, tenant: &TenantRef) -> Result<Rights, ApiError> {
    let groups = match tenant.role {
        crate::model::Role::Admin => Vec::new(),
        crate::model::Role::Staff => state.repo.group_rights(tenant.id, user_id).await?,
    };
    Ok(effective_rights(tenant.role, groups))
}

/// A staff member of the current tenant who holds `permission`: how every server function
/// that reads or changes tenant data starts.
pub async fn staff_allowed(permission: Permission) -> Result<StaffInTenant, ApiError> {
    staff_allowed_of(app_state()?, session().await?, permission).await
}

/// The same check for plain axum handlers (downloads), which hold the state and session.
pub async fn staff_allowed_of(state: AppState, session: Session, permission: Permission) -> Result<StaffInTenant, ApiError> {
    staff_in_tenant_of(staff_of(state, session).await?).await?.require(permission)
}

impl StaffInTenant {
    pub fn require(self, permission: Permission) -> Result<Self, ApiError> {
        if self.rights.contains(permission) {
            Ok(self)
        } else {
            Err(ApiError::MissingRight(permission))
        }
    }
}

/// The browser's User-Agent header, recorded with consent changes as evidence.
pub async fn user_agent() -> Option<String> {
    let headers = leptos_axum::extract::<http::HeaderMap>().await.ok()?;
    let ua = headers.get(http::header::USER_AGENT)?.to_str().ok()?;
    Some(ua.chars().take(500).collect())
}

/// The client's address, for the login log.
pub async fn client_ip() -> Option<String> {
    use axum::extract::ConnectInfo;
    leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idle_deadline_moves_at_most_once_a_minute() {
        assert!(needs_touch(None, 1_000));
        assert!(!needs_touch(Some(1_000), 1_000 + TOUCH_EVERY_SECONDS - 1));
        assert!(needs_touch(Some(1_000), 1_000 + TOUCH_EVERY_SECONDS));
    }
}

/// Min Side's session keys. The customer session lives under its own cookie (`server::web`
/// routes `/min-side` and `/api/min-side` through it), and uses keys a staff session never has,
/// so neither kind of session can stand in for the other.
pub const CUSTOMER_KEY: &str = "customer_account_id";
pub const CUSTOMER_TENANT_KEY: &str = "customer_tenant_id";
pub const CUSTOMER_LOGIN_AT_KEY: &str = "customer_login_at";

pub struct CustomerSession {
    pub state: AppState,
    pub session: Session,
    pub account: crate::ports::CustomerAccountRef,
}

pub async fn logged_in_customer() -> Result<CustomerSession, ApiError> {
    customer_of(app_state()?, session().await?).await
}

/// The logged-in customer, for server functions and the data download alike. The account is
/// re-read on every request, so an account that is removed is logged out at once.
pub async fn customer_of(state: AppState, session: Session) -> Result<CustomerSession, ApiError> {
    use crate::ports::CUSTOMER_SESSION_ABSOLUTE_SECONDS;
    let id: Option<crate::model::CustomerAccountId> = session.get(CUSTOMER_KEY).await.map_err(internal)?;
    let login_at: Option<i64> = session.get(CUSTOMER_LOGIN_AT_KEY).await.map_err(internal)?;
    let (Some(id), Some(login_at)) = (id, login_at) else {
        return Err(ApiError::NotLoggedIn);
    };
    keep_alive(&session, login_at, CUSTOMER_SESSION_ABSOLUTE_SECONDS).await?;
    let account = state.repo.customer_account(id).await?.ok_or(ApiError::NotLoggedIn)?;
    Ok(CustomerSession { state, session, account })
}

/// Logs a customer in on this session, under a fresh id so one planted before is worthless.
/// The session is saved at once, under its new id, and the id noted with the account, so that
/// anonymising the customer ends the session too.
pub async fn start_customer_session(state: &AppState, session: &Session, account: &crate::ports::CustomerAccountRef) -> Result<(), ApiError> {
    session.cycle_id().await.map_err(internal)?;
    session.insert(CUSTOMER_KEY, account.id).await.map_err(internal)?;
    session.insert(CUSTOMER_TENANT_KEY, account.tenant_id).await.map_err(internal)?;
    session.insert(CUSTOMER_LOGIN_AT_KEY, now_unix()).await.map_err(internal)?;
    session.save().await.map_err(internal)?;
    let id = session.id().ok_or(ApiError::Internal)?;
    state.repo.record_customer_session(account.id, &id.to_string(), now_ms()).await?;
    Ok(())
}

impl StaffInTenant {
    /// Appends to the tenant's access log (Innsynslogg). Fails the request if the entry cannot be
    /// written: an action that leaves no trace must not happen.
    pub async fn log(&self, action: AccessAction, customer: Option<crate::model::CustomerId>, object: Option<String>) -> Result<(), ApiError> {
        self.log_from(action, customer, object, client_ip().await).await
    }

    /// [`Self::log`] for plain axum handlers, which know the address themselves.
    pub async fn log_from(
        &self,
        action: AccessAction,
        customer: Option<crate::model::CustomerId>,
        object: Option<String>,
        ip: Option<String>,
    ) -> Result<(), ApiError> {
        let entry = AccessEntry { tenant_id: self.tenant.id, actor: AccessActor::Staff(self.user_id), action, customer_id: customer, object, ip };
        Ok(self.state.repo.append_access(&entry).await?)
    }
}

impl CustomerSession {
    /// Appends to the access log of the customer's tenant, about the customer.
    pub async fn log(&self, action: AccessAction, object: Option<String>, ip: Option<String>) -> Result<(), ApiError> {
        log_customer(&self.state, &self.account, action, object, ip).await
    }
}

pub async fn log_customer(
    state: &AppState,
    account: &crate::ports::CustomerAccountRef,
    action: AccessAction,
    object: Option<String>,
    ip: Option<String>,
) -> Result<(), ApiError> {
    let entry = AccessEntry {
        tenant_id: account.tenant_id,
        actor: AccessActor::Customer(account.id),
        action,
        customer_id: Some(account.customer_id),
        object,
        ip,
    };
    Ok(state.repo.append_access(&entry).await?)
}

/// The user who passed the password and still owes MFA, if the session has one that is fresh.
pub async fn pending_mfa_user(session: &Session) -> Result<Option<StaffUserId>, ApiError> {
    let user: Option<StaffUserId> = session.get(PENDING_USER_KEY).await.map_err(internal)?;
    let at: Option<i64> = session.get(PENDING_AT_KEY).await.map_err(internal)?;
    Ok(match (user, at) {
        (Some(user), Some(at)) if now_unix() - at <= PENDING_SECONDS => Some(user),
        _ => None,
    })
}

pub async fn start_pending_mfa(session: &Session, user: StaffUserId) -> Result<(), ApiError> {
    session.insert(PENDING_USER_KEY, user).await.map_err(internal)?;
    session.insert(PENDING_AT_KEY, now_unix()).await.map_err(internal)?;
    Ok(())
}

/// Finishes a login: a fresh session id, the login in each client's access log, the user in the
/// session (and the client, when there is only one). Answers where to go next.
pub async fn complete_staff_login(state: &AppState, session: &Session, user_id: StaffUserId, ip: Option<String>) -> Result<&'static str, ApiError> {
    // A fresh id at login, so a session id planted before login is worthless afterwards.
    session.cycle_id().await.map_err(internal)?;
    session.remove::<StaffUserId>(PENDING_USER_KEY).await.map_err(internal)?;
    session.remove::<i64>(PENDING_AT_KEY).await.map_err(internal)?;
    let tenants = state.repo.tenants_of(user_id).await?;
    // Each client the user works for sees the login in its own log.
    for t in &tenants {
        let entry = AccessEntry { tenant_id: t.id, actor: AccessActor::Staff(user_id), action: AccessAction::StaffLogin, customer_id: None, object: None, ip: ip.clone() };
        state.repo.append_access(&entry).await?;
    }
    session.insert(USER_KEY, user_id).await.map_err(internal)?;
    session.insert(LOGIN_AT_KEY, now_unix()).await.map_err(internal)?;
    if let [only] = tenants.as_slice() {
        session.insert(TENANT_KEY, only.id).await.map_err(internal)?;
    }
    Ok(if tenants.len() == 1 { "/" } else { "/velg-klient" })
}

/// Appends an entry about `user` to the access log of every client the user works for: MFA
/// events belong to the person, not to one client.
pub async fn log_to_user_tenants(state: &AppState, user: StaffUserId, action: AccessAction, object: Option<String>, ip: Option<String>) -> Result<(), ApiError> {
    for t in state.repo.tenants_of(user).await? {
        let entry = AccessEntry { tenant_id: t.id, actor: AccessActor::Staff(user), action, customer_id: None, object: object.clone(), ip: ip.clone() };
        state.repo.append_access(&entry).await?;
    }
    Ok(())
}
