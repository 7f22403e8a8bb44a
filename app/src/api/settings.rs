#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::domain::settings::ConsentSettingsInput;
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;
use server_fn::codec::Json;

/// The "Samtykke" tab of Klientinnstillinger. Every staff member may read it: it fills the
/// consent form they print.
#[server(prefix = "/api", endpoint = "load_consent_settings")]
pub async fn load_consent_settings() -> Result<ConsentSettings, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerRead).await?;
    Ok(ctx.state.repo.consent_settings(ctx.tenant.id).await?)
}

/// Saves the tab against the version it loaded; a changed policy link or recipient list
/// publishes a new version.
#[server(prefix = "/api", endpoint = "save_consent_settings", input = Json)]
pub async fn save_consent_settings(version: i64, input: ConsentSettingsInput) -> Result<SavedSettings, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::ClientSettings).await?;
    let valid = crate::domain::settings::ValidConsentSettings::parse(&input).map_err(ApiError::Invalid)?;
    let saved = ctx.state.repo.save_consent_settings(ctx.tenant.id, ctx.user_id, version, &valid).await?;
    ctx.log(crate::ports::AccessAction::ClientSettingsChanged, None, saved.policy_version.map(|v| format!("policy_version:{v}"))).await?;
    Ok(saved)
}

/// The consent form, blank or (with a customer) pre-filled. Any staff member may print it.
#[server(prefix = "/api", endpoint = "load_consent_form")]
pub async fn load_consent_form(customer_id: Option<CustomerId>) -> Result<ConsentFormData, ApiError> {
    let mut ctx = crate::session::staff_allowed(Permission::CustomerRead).await?;
    if customer_id.is_some() {
        ctx = ctx.require(Permission::ConsentRead)?;
    }
    let data = consent_form_data(ctx.state.repo.as_ref(), ctx.tenant.id, customer_id).await?;
    ctx.log(crate::ports::AccessAction::ConsentFormPrinted, customer_id, Some("preview".into())).await?;
    Ok(data)
}

/// What the consent form shows; shared by the preview and the PDF download.
#[cfg(feature = "ssr")]
pub async fn consent_form_data(
    repo: &dyn crate::ports::Repository,
    tenant: TenantId,
    customer_id: Option<CustomerId>,
) -> Result<ConsentFormData, ApiError> {
    let settings = repo.consent_settings(tenant).await?;
    let customer = match customer_id {
        Some(id) => {
            let card = repo.customer_card(tenant, id).await?;
            let consents = repo.customer_consents(tenant, id).await?;
            let title = format!("{} {}", card.customer.input.customer_number, card.customer.display_name());
            Some(ConsentFormCustomer { title, consents })
        }
        None => None,
    };
    let purposes = match &customer {
        Some(c) => c.consents.purposes.clone(),
        None => repo.consent_purposes(tenant).await?.into_iter().filter(|p| p.input.active).collect(),
    };
    Ok(ConsentFormData { settings, purposes, customer })
}
