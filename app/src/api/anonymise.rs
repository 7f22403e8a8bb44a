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
    let now = crate::session::now_ms();
    match ctx.state.repo.anonymise_customer(ctx.tenant.id, customer_id, Some(ctx.user_id), &redactions, now).await? {
        Ok(record) => {
            ctx.log(crate::ports::AccessAction::CustomerAnonymised, Some(customer_id), Some(format!("record:{}", record.id))).await?;
            Ok(record)
        }
        Err(Refusal::OpenBalance { ore }) => Err(ApiError::OpenBalance { ore }),
        Err(Refusal::AlreadyAnonymised) => Err(ApiError::Conflict),
    }
}

/// Customers one call of [`run_retention_batch`] anonymises: small enough to answer within a
/// second, so the progress bar moves.
pub const RETENTION_BATCH: u32 = 25;

/// The tenant's retention rule (Automatisk anonymisering): years of inactivity, None for none.
#[server(prefix = "/api", endpoint = "load_retention_rule")]
pub async fn load_retention_rule() -> Result<Option<u32>, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::Anonymise).await?;
    Ok(ctx.state.repo.inactivity_years(ctx.tenant.id).await?)
}

/// The rule as typed, its error beside the field `years`; empty is no rule.
#[cfg(feature = "ssr")]
fn parse_rule(years: &str) -> Result<Option<crate::domain::anonymise::InactivityYears>, ApiError> {
    crate::domain::anonymise::InactivityYears::parse(years).map_err(|e| ApiError::invalid("years", e))
}

/// A rule that must be there, to preview or run.
#[cfg(feature = "ssr")]
fn required_rule(years: Option<crate::domain::anonymise::InactivityYears>) -> Result<crate::domain::anonymise::InactivityYears, ApiError> {
    years.ok_or_else(|| ApiError::invalid("years", crate::domain::FieldError::Required))
}

#[cfg(feature = "ssr")]
async fn preview_for(ctx: &crate::session::StaffInTenant, years: crate::domain::anonymise::InactivityYears) -> Result<RetentionPreview, ApiError> {
    let cutoff = years.cutoff_at(crate::session::now_ms());
    let count = ctx.state.repo.count_inactive_customers(ctx.tenant.id, &cutoff).await?;
    let first = ctx.state.repo.inactive_customers(ctx.tenant.id, &cutoff, 20).await?;
    Ok(RetentionPreview { years: years.get(), cutoff: cutoff.date, count, first })
}

/// What a rule of `years` would reach today: the count and the first twenty customers.
#[server(prefix = "/api", endpoint = "preview_retention_rule")]
pub async fn preview_retention_rule(years: String) -> Result<RetentionPreview, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::Anonymise).await?;
    preview_for(&ctx, required_rule(parse_rule(&years)?)?).await
}

/// Sets the rule (empty: no rule). It anonymises in bulk, so it takes both Anonymisere and
/// Klientinnstillinger; every change is logged.
#[server(prefix = "/api", endpoint = "save_retention_rule")]
pub async fn save_retention_rule(years: String) -> Result<Option<u32>, ApiError> {
    use crate::domain::anonymise::InactivityYears;
    let ctx = crate::session::staff_allowed(Permission::Anonymise).await?.require(Permission::ClientSettings)?;
    let years = parse_rule(&years)?.map(InactivityYears::get);
    ctx.state.repo.set_inactivity_years(ctx.tenant.id, years).await?;
    let object = years.map_or("anonymise_after_years:none".to_string(), |y| format!("anonymise_after_years:{y}"));
    ctx.log(crate::ports::AccessAction::ClientSettingsChanged, None, Some(object)).await?;
    Ok(years)
}

/// One step of the retention rule, the page's and the command's (`server::retention`): the
/// next `size` customers it reaches at `cutoff`, each anonymised in its own transaction, with
/// each one's outcome (a refusal: a sale or payment came in after it was picked).
#[cfg(feature = "ssr")]
pub async fn anonymise_next_inactive(
    repo: &dyn crate::ports::Repository,
    tenant: TenantId,
    cutoff: &crate::domain::anonymise::Cutoff,
    size: u32,
    by: Option<StaffUserId>,
    now_ms: i64,
) -> crate::ports::RepoResult<Vec<(CustomerId, Result<AnonymisationRecord, crate::domain::anonymise::Refusal>)>> {
    let batch: Vec<CustomerId> = repo.inactive_customers(tenant, cutoff, size).await?.into_iter().map(|c| c.id).collect();
    let outcomes = repo.anonymise_customers(tenant, &batch, by, now_ms).await?;
    Ok(batch.into_iter().zip(outcomes).collect())
}

/// Runs the saved rule on the next [`RETENTION_BATCH`] customers it reaches; the page calls it
/// until nothing remains. Each anonymisation is logged like one from the card.
#[server(prefix = "/api", endpoint = "run_retention_batch")]
pub async fn run_retention_batch() -> Result<RetentionBatch, ApiError> {
    use crate::domain::anonymise::InactivityYears;
    let ctx = crate::session::staff_allowed(Permission::Anonymise).await?;
    let saved = ctx.state.repo.inactivity_years(ctx.tenant.id).await?;
    let years = required_rule(saved.and_then(InactivityYears::new))?;
    let now = crate::session::now_ms();
    let cutoff = years.cutoff_at(now);
    let outcomes = anonymise_next_inactive(ctx.state.repo.as_ref(), ctx.tenant.id, &cutoff, RETENTION_BATCH, Some(ctx.user_id), now).await?;
    let mut done = RetentionBatch { anonymised: 0, skipped: 0, remaining: 0 };
    for (customer, outcome) in outcomes {
        match outcome {
            Ok(record) => {
                done.anonymised += 1;
                let object = format!("record:{} rule:{}y", record.id, years.get());
                ctx.log(crate::ports::AccessAction::CustomerAnonymised, Some(customer), Some(object)).await?;
            }
            Err(_) => done.skipped += 1,
        }
    }
    done.remaining = ctx.state.repo.count_inactive_customers(ctx.tenant.id, &cutoff).await?;
    Ok(done)
}
