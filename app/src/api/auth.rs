use crate::error::ApiError;
use crate::model::{Me, TenantId};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), ApiError> {
    use crate::domain::mfa::{after_password, AfterPassword};
    use crate::session::*;
    let state = app_state()?;
    let ip = client_ip().await;
    let user_id = state.auth.login(&email, &password, ip.clone()).await?;
    let session = session().await?;
    let status = state.mfa.status(user_id).await?;
    match after_password(status.enrolled, status.required) {
        AfterPassword::Done => {
            let next = complete_staff_login(&state, &session, user_id, ip).await?;
            leptos_axum::redirect(next);
        }
        step => {
            session.cycle_id().await.map_err(|_| ApiError::Internal)?;
            start_pending_mfa(&session, user_id).await?;
            leptos_axum::redirect(if step == AfterPassword::Code { "/logg-inn/kode" } else { "/logg-inn/tofaktor" });
        }
    }
    Ok(())
}

/// The second step of a login: a code from the authenticator app or a recovery code.
#[server(prefix = "/api", endpoint = "verify_mfa")]
pub async fn verify_mfa(code: String) -> Result<(), ApiError> {
    use crate::domain::mfa::MfaAccepted;
    use crate::ports::AccessAction;
    use crate::session::*;
    let state = app_state()?;
    let session = session().await?;
    let user_id = pending_mfa_user(&session).await?.ok_or(ApiError::NotLoggedIn)?;
    let ip = client_ip().await;
    match state.mfa.verify(user_id, &code, ip.clone()).await {
        Ok(accepted) => {
            if let MfaAccepted::RecoveryCode { left } = accepted {
                log_to_user_tenants(&state, user_id, AccessAction::MfaRecoveryCodeUsed, Some(format!("left:{left}")), ip.clone()).await?;
            }
            let next = complete_staff_login(&state, &session, user_id, ip).await?;
            leptos_axum::redirect(next);
            Ok(())
        }
        Err(e) => {
            if matches!(e, ApiError::WrongCode | ApiError::Locked { .. }) {
                log_to_user_tenants(&state, user_id, AccessAction::MfaFailed, None, ip).await?;
            }
            Err(e)
        }
    }
}

/// The user setting up MFA: logged in, or half-way through a login their client requires it for.
#[cfg(feature = "ssr")]
async fn enrolling_user() -> Result<(crate::ports::AppState, tower_sessions::Session, crate::model::StaffUserId, bool), ApiError> {
    use crate::session::*;
    let state = app_state()?;
    let session = session().await?;
    if let Some(user) = pending_mfa_user(&session).await? {
        return Ok((state, session, user, true));
    }
    let Staff { state, session, user_id } = logged_in_staff().await?;
    Ok((state, session, user_id, false))
}

#[server(prefix = "/api", endpoint = "mfa_status")]
pub async fn mfa_status() -> Result<crate::domain::mfa::MfaStatus, ApiError> {
    let (state, _, user, _) = enrolling_user().await?;
    state.mfa.status(user).await
}

/// A fresh seed as a QR code; it takes effect when a code from it is confirmed.
#[server(prefix = "/api", endpoint = "start_mfa_enrolment")]
pub async fn start_mfa_enrolment() -> Result<crate::domain::mfa::MfaEnrolment, ApiError> {
    let (state, _, user, _) = enrolling_user().await?;
    let account = state.repo.staff_by_id(user).await?.ok_or(ApiError::NotLoggedIn)?;
    state.mfa.begin_enrolment(user, &account.email).await
}

/// Confirms the enrolment with a code from the app. Answers the recovery codes (shown once) and,
/// when the enrolment was part of a login, finishes that login.
#[server(prefix = "/api", endpoint = "confirm_mfa_enrolment")]
pub async fn confirm_mfa_enrolment(code: String) -> Result<crate::domain::mfa::MfaEnrolled, ApiError> {
    use crate::session::*;
    let (state, session, user, pending) = enrolling_user().await?;
    let ip = client_ip().await;
    let recovery_codes = state.mfa.confirm_enrolment(user, &code, ip.clone()).await?;
    log_to_user_tenants(&state, user, crate::ports::AccessAction::MfaEnrolled, None, ip.clone()).await?;
    let next = if pending { complete_staff_login(&state, &session, user, ip).await? } else { "/tofaktor" };
    Ok(crate::domain::mfa::MfaEnrolled { recovery_codes, next: next.to_string() })
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), ApiError> {
    let session = crate::session::session().await?;
    session.delete().await.map_err(|_| ApiError::Internal)?;
    leptos_axum::redirect("/logg-inn");
    Ok(())
}

#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Me, ApiError> {
    use crate::session::*;
    let Staff { state, session, user_id } = logged_in_staff().await?;
    let account = state.repo.staff_by_id(user_id).await?.ok_or(ApiError::NotLoggedIn)?;
    let tenants = state.repo.tenants_of(user_id).await?;
    let current: Option<TenantId> = session.get(TENANT_KEY).await.map_err(|_| ApiError::Internal)?;
    let tenant = tenants.iter().find(|t| Some(t.id) == current).cloned();
    let rights = match &tenant {
        Some(t) => rights_in(&state, user_id, t).await?,
        None => Default::default(),
    };
    Ok(Me { user_id, name: account.name, email: account.email, tenant, tenants, rights })
}

#[server(prefix = "/api", endpoint = "choose_tenant")]
pub async fn choose_tenant(tenant_id: TenantId) -> Result<(), ApiError> {
    use crate::session::*;
    let Staff { state, session, user_id } = logged_in_staff().await?;
    if !state.repo.tenants_of(user_id).await?.iter().any(|t| t.id == tenant_id) {
        return Err(ApiError::Forbidden);
    }
    session.insert(TENANT_KEY, tenant_id).await.map_err(|_| ApiError::Internal)?;
    Ok(())
}
