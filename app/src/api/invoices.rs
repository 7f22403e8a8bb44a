//! The customer's invoices on the card, and an invoice copy to print. A copy shows the buyer as
//! the customer is now: "Anonym" in every field once the customer is anonymised.

#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "load_customer_invoices")]
pub async fn load_customer_invoices(customer_id: CustomerId) -> Result<Vec<InvoiceSummary>, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerRead).await?;
    // The customer first, so another tenant's id is NotFound rather than an empty list.
    ctx.state.repo.anonymised_at(ctx.tenant.id, customer_id).await?;
    Ok(ctx.state.repo.customer_invoices(ctx.tenant.id, customer_id).await?)
}

/// An invoice copy; opening one is logged, like printing the consent form.
#[server(prefix = "/api", endpoint = "load_invoice_copy")]
pub async fn load_invoice_copy(invoice_id: InvoiceId) -> Result<InvoiceCopy, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerRead).await?;
    let (customer, copy) = ctx.state.repo.invoice_copy(ctx.tenant.id, invoice_id).await?;
    ctx.log(crate::ports::AccessAction::InvoiceCopyPrinted, Some(customer), Some(format!("invoice:{invoice_id}"))).await?;
    Ok(copy)
}

/// Fakturaarkiv: the invoices as issued to customers since anonymised; the Regnskap right only.
#[server(prefix = "/api", endpoint = "load_invoice_archive")]
pub async fn load_invoice_archive() -> Result<Vec<ArchivedInvoice>, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::Bookkeeping).await?;
    Ok(ctx.state.repo.invoice_archive(ctx.tenant.id).await?)
}

/// An archived invoice as issued, with the buyer's name and address: opening one is logged.
#[server(prefix = "/api", endpoint = "load_archived_invoice")]
pub async fn load_archived_invoice(invoice_id: InvoiceId) -> Result<InvoiceCopy, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::Bookkeeping).await?;
    let (customer, copy) = ctx.state.repo.archived_invoice_copy(ctx.tenant.id, invoice_id).await?;
    ctx.log(crate::ports::AccessAction::InvoiceArchiveRead, Some(customer), Some(format!("invoice:{invoice_id}"))).await?;
    Ok(copy)
}
