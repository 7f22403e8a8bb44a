//! Min Side's server functions: the customer's own consents and data, and the staff action that
//! invites a contact person.
//!
//! Customer functions live under `/api/min-side/`, which the server routes through the customer
//! session (its own cookie); each starts with [`crate::session::logged_in_customer`], which
//! re-reads the account, and takes the tenant, customer and contact person from it, never from
//! the request. So there is nothing in a request that could point at another customer's data.

#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;

/// Staff: sends the contact person a single-use link to Min Side. Answers the address it went to.
#[server(prefix = "/api", endpoint = "invite_to_min_side")]
pub async fn invite_to_min_side(contact_person_id: ContactPersonId) -> Result<String, ApiError> {
    use crate::domain::min_side::TokenKind;
    use crate::ports::NewToken;
    let ctx = crate::session::staff_allowed(Permission::CustomerWrite).await?;
    let email = ctx
        .state
        .repo
        .contact_email(ctx.tenant.id, contact_person_id)
        .await?
        .ok_or_else(|| ApiError::invalid("email", crate::domain::FieldError::Required))?
        .to_lowercase();
    let (token, hash) = ctx.state.customer_auth.new_token();
    let links = crate::mail::Links::new(&ctx.state.public_url, ctx.tenant.id, &token);
    let mail = crate::mail::invitation(&ctx.tenant.name, &email, &links);
    let token = NewToken { kind: TokenKind::Invitation, hash, expires_ms: now_ms() + TokenKind::Invitation.lifetime_ms() };
    ctx.state.repo.issue_invitation(ctx.tenant.id, contact_person_id, &email, &token, &mail).await?;
    ctx.log(crate::ports::AccessAction::MinSideInvitation, None, Some(format!("contact_person:{contact_person_id}"))).await?;
    Ok(email)
}

/// Works before the WebAssembly has loaded: the form posts here and the answer is a redirect.
#[server(prefix = "/api/min-side", endpoint = "login")]
pub async fn customer_login(tenant: TenantId, email: String, password: String) -> Result<(), ApiError> {
    use crate::session::*;
    let state = app_state()?;
    let ip = client_ip().await;
    let account = state.customer_auth.login(tenant, &email, &password, ip.clone()).await?;
    start_customer_session(&state, &session().await?, &account).await?;
    log_customer(&state, &account, crate::ports::AccessAction::MinSideLogin, None, ip).await?;
    leptos_axum::redirect(MIN_SIDE_HOME);
    Ok(())
}

#[server(prefix = "/api/min-side", endpoint = "logout")]
pub async fn customer_logout() -> Result<(), ApiError> {
    use crate::session::*;
    let session = session().await?;
    let tenant: Option<TenantId> = session.get(CUSTOMER_TENANT_KEY).await.map_err(|_| ApiError::Internal)?;
    session.delete().await.map_err(|_| ApiError::Internal)?;
    leptos_axum::redirect(&tenant.map_or_else(|| MIN_SIDE_HOME.to_string(), crate::domain::min_side::login_path));
    Ok(())
}

/// Sets the password from an invitation or reset link and logs the customer in.
#[server(prefix = "/api/min-side", endpoint = "set_password")]
pub async fn set_customer_password(token: String, password: String) -> Result<(), ApiError> {
    use crate::session::*;
    let state = app_state()?;
    let ip = client_ip().await;
    let account = state.customer_auth.set_password(&token, &password, ip.clone()).await?;
    start_customer_session(&state, &session().await?, &account).await?;
    log_customer(&state, &account, crate::ports::AccessAction::MinSidePasswordSet, None, ip).await?;
    leptos_axum::redirect(MIN_SIDE_HOME);
    Ok(())
}

/// Always answers Ok, whether or not the address has an account, so the form cannot be used to
/// find out who is a customer.
#[server(prefix = "/api/min-side", endpoint = "request_password_reset")]
pub async fn request_customer_password_reset(tenant: TenantId, email: String) -> Result<(), ApiError> {
    use crate::domain::min_side::TokenKind;
    use crate::ports::NewToken;
    let state = crate::session::app_state()?;
    let email = crate::domain::Email::parse(&email).map_err(|e| ApiError::invalid("email", e))?.as_str().to_lowercase();
    let (token, hash) = state.customer_auth.new_token();
    let links = crate::mail::Links::new(&state.public_url, tenant, &token);
    let mail = crate::mail::password_reset(&email, &links);
    let token = NewToken { kind: TokenKind::PasswordReset, hash, expires_ms: now_ms() + TokenKind::PasswordReset.lifetime_ms() };
    state.repo.issue_password_reset(tenant, &email, &token, &mail).await?;
    Ok(())
}

#[server(prefix = "/api/min-side", endpoint = "my_page")]
pub async fn load_my_page() -> Result<MyPage, ApiError> {
    let me = crate::session::logged_in_customer().await?;
    my_page_of(me.state.repo.as_ref(), &me.account).await
}

/// One switch: gives or withdraws one purpose for the logged-in contact person, as one consent
/// event with source Min Side. Answers the page as it now stands.
#[server(prefix = "/api/min-side", endpoint = "set_my_consent")]
pub async fn set_my_consent(purpose_id: PurposeId, given: bool, consent_version: i64) -> Result<MyPage, ApiError> {
    let me = crate::session::logged_in_customer().await?;
    let change = ConsentChange { contact_person_id: me.account.contact_person_id, purpose_id, given };
    let by = crate::ports::ConsentContext {
        actor: ConsentActor::Customer,
        staff_user: None,
        source: crate::domain::min_side::MIN_SIDE_SOURCE,
        ip: crate::session::client_ip().await,
        user_agent: crate::session::user_agent().await,
    };
    let ip = by.ip.clone();
    let repo = me.state.repo.as_ref();
    repo.save_consents(me.account.tenant_id, me.account.customer_id, consent_version, &[change], &by).await?;
    me.log(crate::ports::AccessAction::ConsentChanged, Some(format!("purpose:{purpose_id}")), ip).await?;
    my_page_of(repo, &me.account).await
}

/// "Mine data" as a page; the same as `GET /min-side/mine-data.json`.
#[server(prefix = "/api/min-side", endpoint = "my_data")]
pub async fn load_my_data() -> Result<MyData, ApiError> {
    let me = crate::session::logged_in_customer().await?;
    let data = my_data_of(me.state.repo.as_ref(), &me.account).await?;
    me.log(crate::ports::AccessAction::MyDataExported, Some("page".into()), crate::session::client_ip().await).await?;
    Ok(data)
}

pub const MIN_SIDE_HOME: &str = "/min-side";

#[cfg(feature = "ssr")]
use crate::session::now_ms;

#[cfg(feature = "ssr")]
async fn my_company(repo: &dyn crate::ports::Repository, account: &crate::ports::CustomerAccountRef) -> Result<MyCompany, ApiError> {
    let settings = repo.consent_settings(account.tenant_id).await?.input;
    let non_empty = |s: String| (!s.trim().is_empty()).then_some(s);
    Ok(MyCompany {
        tenant_id: account.tenant_id,
        name: non_empty(settings.controller_name).unwrap_or_else(|| account.tenant_name.clone()),
        policy_url: non_empty(settings.policy_url),
        privacy_email: non_empty(settings.privacy_email),
        recipients: settings.recipients,
    })
}

#[cfg(feature = "ssr")]
async fn own_consents(
    repo: &dyn crate::ports::Repository,
    account: &crate::ports::CustomerAccountRef,
) -> Result<(i64, Vec<MyConsent>, Vec<ConsentEventView>), ApiError> {
    let consents = repo.customer_consents(account.tenant_id, account.customer_id).await?;
    let filter = crate::ports::ConsentEventFilter { contact_person: Some(account.contact_person_id), ..Default::default() };
    let events = repo.consent_events(account.tenant_id, &filter).await?;
    let mine = crate::domain::min_side::my_consents(&consents, account.contact_person_id, &events);
    Ok((consents.consent_version, mine, events))
}

#[cfg(feature = "ssr")]
pub async fn my_page_of(repo: &dyn crate::ports::Repository, account: &crate::ports::CustomerAccountRef) -> Result<MyPage, ApiError> {
    let (consent_version, consents, _) = own_consents(repo, account).await?;
    Ok(MyPage {
        company: my_company(repo, account).await?,
        contact_name: account.contact_name.clone(),
        email: account.email.clone(),
        consent_version,
        consents,
    })
}

#[cfg(feature = "ssr")]
pub async fn my_data_of(repo: &dyn crate::ports::Repository, account: &crate::ports::CustomerAccountRef) -> Result<MyData, ApiError> {
    let card = repo.customer_card(account.tenant_id, account.customer_id).await?;
    let contact = card
        .contact_persons
        .into_iter()
        .find(|c| c.id == account.contact_person_id)
        .ok_or(ApiError::NotFound)?;
    let (_, consents, events) = own_consents(repo, account).await?;
    Ok(MyData {
        generated_ms: now_ms(),
        company: my_company(repo, account).await?,
        customer: card.customer.input,
        contact_person: contact.input,
        consents,
        consent_events: events.iter().map(crate::domain::min_side::my_consent_event).collect(),
        min_side_logins: repo.customer_logins(account.id).await?,
        access_log: repo
            .access_entries_about(account.tenant_id, account.customer_id)
            .await?
            .iter()
            .map(crate::domain::min_side::my_access_entry)
            .collect(),
    })
}
