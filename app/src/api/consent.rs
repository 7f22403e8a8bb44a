#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::domain::consent::PurposeInput;
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;
use server_fn::codec::Json;

/// The active purposes, the customer's contact persons and where each consent stands.
#[server(prefix = "/api", endpoint = "load_consents")]
pub async fn load_consents(customer_id: CustomerId) -> Result<CustomerConsents, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::ConsentRead).await?;
    Ok(ctx.state.repo.customer_consents(ctx.tenant.id, customer_id).await?)
}

/// Stores the changes made in the consent window against the version it loaded; answers the
/// new version, or `Conflict` if someone saved in between.
#[server(prefix = "/api", endpoint = "save_consents", input = Json)]
pub async fn save_consents(
    customer_id: CustomerId,
    consent_version: i64,
    changes: Vec<ConsentChange>,
) -> Result<i64, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::ConsentWrite).await?;
    if changes.len() > MAX_CONSENT_CHANGES {
        return Err(ApiError::invalid("changes", crate::domain::FieldError::TooMany { max: MAX_CONSENT_CHANGES }));
    }
    let by = crate::ports::ConsentContext {
        actor: ConsentActor::Staff,
        staff_user: Some(ctx.user_id),
        source: ConsentSource::StaffCard,
        ip: crate::session::client_ip().await,
        user_agent: crate::session::user_agent().await,
    };
    let version = ctx.state.repo.save_consents(ctx.tenant.id, customer_id, consent_version, &changes, &by).await?;
    ctx.log(crate::ports::AccessAction::ConsentChanged, Some(customer_id), None).await?;
    Ok(version)
}

/// A contact person's consent events, oldest first.
#[server(prefix = "/api", endpoint = "consent_history")]
pub async fn consent_history(contact_person_id: ContactPersonId) -> Result<Vec<ConsentEventView>, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::ConsentRead).await?;
    // Another tenant's contact person is not found, as for every call that names an object,
    // rather than an empty history.
    ctx.state.repo.contact_email(ctx.tenant.id, contact_person_id).await?;
    let filter = crate::ports::ConsentEventFilter { contact_person: Some(contact_person_id), ..Default::default() };
    Ok(ctx.state.repo.consent_events(ctx.tenant.id, &filter).await?)
}

#[server(prefix = "/api", endpoint = "list_consent_purposes")]
pub async fn list_consent_purposes() -> Result<Vec<ConsentPurpose>, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::ConsentRead).await?;
    Ok(ctx.state.repo.consent_purposes(ctx.tenant.id).await?)
}

/// Creates (`id` None) or edits a purpose; a new wording publishes a new version.
#[server(prefix = "/api", endpoint = "save_consent_purpose", input = Json)]
pub async fn save_consent_purpose(
    id: Option<PurposeId>,
    version: i64,
    input: PurposeInput,
) -> Result<(PurposeId, i64), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::ClientSettings).await?;
    let valid = crate::domain::consent::ValidPurpose::parse(&input).map_err(ApiError::Invalid)?;
    let saved = ctx.state.repo.save_consent_purpose(ctx.tenant.id, ctx.user_id, id, version, &valid).await?;
    ctx.log(crate::ports::AccessAction::ConsentPurposeChanged, None, Some(format!("purpose:{}", saved.0))).await?;
    Ok(saved)
}
