//! Fakturaarkiv: the invoices as issued to customers since anonymised, for the bookkeeping
//! (the Regnskap right), each with the day its retention ends.

use super::invoices::InvoicePrintPage;
use crate::api::{load_archived_invoice, load_invoice_archive};
use crate::domain::utc_date;
use crate::i18n::{api_error, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvoiceArchivePage() -> impl IntoView {
    let i18n = use_i18n();
    let archive = Resource::new(|| (), |_| load_invoice_archive());
    view! {
        <main class="page">
            <h1>{move || i18n.t(Msg::InvoiceArchive)}</h1>
            <p class="hint">{move || i18n.t(Msg::InvoiceArchiveLead)}</p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match archive.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{move || i18n.t(Msg::NoArchivedInvoices)}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="invoices" data-testid="invoice-archive">
                                <thead><tr>
                                    <th>{move || i18n.t(Msg::InvoiceNumber)}</th>
                                    <th>{move || i18n.t(Msg::InvoiceDate)}</th>
                                    <th>{move || i18n.t(Msg::CustomerNumber)}</th>
                                    <th>{move || i18n.t(Msg::Buyer)}</th>
                                    <th>{move || i18n.t(Msg::ArchivedOn)}</th>
                                    <th>{move || i18n.t(Msg::RetainUntil)}</th>
                                    <th></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|inv| {
                                        let kind = if inv.credit_note { Msg::CreditNote } else { Msg::Invoice };
                                        let number = inv.invoice_number.clone();
                                        view! {
                                            <tr>
                                                <td>{move || i18n.t(kind)}" "{inv.invoice_number.clone()}</td>
                                                <td>{inv.invoice_date}</td>
                                                <td>{inv.customer_number}</td>
                                                <td>{inv.buyer_name}</td>
                                                <td>{utc_date(inv.archived_ms)}</td>
                                                <td>{inv.retain_until}</td>
                                                <td><a href=format!("/fakturaarkiv/{}", inv.id)
                                                    aria-label=move || format!("{} {number}", i18n.t(Msg::AsIssued))>{move || i18n.t(Msg::AsIssued)}</a></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// One archived invoice as issued, to read or print.
#[component]
pub fn ArchivedInvoicePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<InvoiceId>().ok())).unwrap_or_default();
    let copy = Resource::new(id, load_archived_invoice);
    view! { <InvoicePrintPage copy name=Msg::InvoiceArchive pdf=None as_issued=true/> }
}
