//! Anonymisering from the customer card: the preview, then the act. Both need the Anonymisere
//! right (which brings seeing and changing customers); the rules are `domain::anonymise`.

#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::domain::anonymise::{AnonymisationPreview, AnonymisationRecord, Redaction};
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;
use server_fn::codec::Json;

/// More redactions than mentions a preview can list is a crafted request.
pub const MAX_REDACTIONS: usize = 1000;

#[cfg(feature = "ssr")]
async fn preview_of(ctx: &crate::session::StaffInTenant, customer_id: CustomerId) -> Result<AnonymisationPreview, ApiError> {
    let repo = &ctx.state.repo;
    let card = repo.customer_card(ctx.tenant.id, customer_id).await?;
    let anonymised = repo.anonymised_at(ctx.tenant.id, customer_id).await?.is_some();
    let open = repo.ledger_open_amounts(ctx.tenant.id, customer_id).await?;
    let invoices = repo.customer_invoices(ctx.tenant.id, customer_id).await?.len();
    let texts = repo.tenant_free_texts(ctx.tenant.id).await?;
    let contacts: Vec<ContactPersonInput> = card.contact_persons.into_iter().map(|c| c.input).collect();
    Ok(crate::domain::anonymise::preview(&card.customer.input, &contacts, &open, anonymised, invoices, &texts))
}

/// What anonymising the customer would remove, whether it may be done now, and the free text
/// that may name the customer.
#[server(prefix = "/api", endpoint = "load_anonymisation_preview")]
pub async fn load_anonymisation_preview(customer_id: CustomerId) -> Result<AnonymisationPreview, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::Anonymise).await?;
    preview_of(&ctx, customer_id).await
}

/// Anonymises the customer for good. `confirm` must repeat the customer number; `redactions`
/// must be mentions the preview lists. The balance is checked again inside the transaction.
#[server(prefix = "/api", endpoint = "anonymise_customer", input = Json)]
pub async fn anonymise_customer(customer_id: CustomerId, confirm: String, redactions: Vec<Redaction>) -> Result<AnonymisationRecord, ApiError> {
    use crate::domain::anonymise::{redaction_allowed, Refusal};
    use crate::domain::FieldError;
    let ctx = crate::session::staff_allowed(Permission::Anonymise).await?;
    if redactions.len() > MAX_REDACTIONS {
        return Err(ApiError::invalid("redactions", FieldError::TooMany { max: MAX_REDACTIONS }));
    }
    let preview = preview_of(&ctx, customer_id).await?;
    if !confirm.trim().eq_ignore_ascii_case(&preview.customer_number) {
        return Err(ApiError::invalid("confirm", FieldError::Mismatch));
    }
    let mentions: Vec<_> = preview.mentions.into_iter().map(|m| m.mention).collect();
    if !redactions.iter().all(|r| redaction_allowed(r, &mentions)) {
        return Err(ApiError::invalid("redactions", FieldError::InvalidCode));
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000;
    match ctx.state.repo.anonymise_customer(ctx.tenant.id, customer_id, ctx.user_id, &redactions, now).await? {
        Ok(record) => {
            ctx.log(crate::ports::AccessAction::CustomerAnonymised, Some(customer_id), Some(format!("record:{}", record.id))).await?;
            Ok(record)
        }
        Err(Refusal::OpenBalance { ore }) => Err(ApiError::OpenBalance { ore }),
        Err(Refusal::AlreadyAnonymised) => Err(ApiError::Conflict),
    }
}
