use crate::error::ApiError;
use crate::model::{Me, TenantId};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), ApiError> {
    use crate::session::*;
    let state = app_state()?;
    let user_id = state.auth.login(&email, &password, client_ip().await).await?;
    let session = session().await?;
    // A fresh id at login, so a session id planted before login is worthless afterwards.
    session.cycle_id().await.map_err(|_| ApiError::Internal)?;
    let tenants = state.repo.tenants_of(user_id).await?;
    // Each client the user works for sees the login in its own log.
    let ip = client_ip().await;
    for t in &tenants {
        let entry = crate::ports::AccessEntry {
            tenant_id: t.id,
            actor: crate::ports::AccessActor::Staff(user_id),
            action: crate::ports::AccessAction::StaffLogin,
            customer_id: None,
            object: None,
            ip: ip.clone(),
        };
        state.repo.append_access(&entry).await?;
    }
    let store = async {
        session.insert(USER_KEY, user_id).await?;
        session.insert(LOGIN_AT_KEY, now_unix()).await?;
        if let [only] = tenants.as_slice() {
            session.insert(TENANT_KEY, only.id).await?;
        }
        Ok::<_, tower_sessions::session::Error>(())
    };
    store.await.map_err(|_| ApiError::Internal)?;
    leptos_axum::redirect(if tenants.len() == 1 { "/" } else { "/velg-klient" });
    Ok(())
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
