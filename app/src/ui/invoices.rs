//! The card's tab Fakturaer, and the invoice copy (Fakturakopi) to print.

use crate::api::{load_customer_invoices, load_invoice_copy};
use crate::domain::anonymise::format_nok;
use crate::error::ApiError;
use crate::i18n::{api_error, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn kroner(ore: i64) -> String {
    format!("{} kr", format_nok(ore))
}

#[component]
pub fn InvoicesSection(customer_id: CustomerId) -> impl IntoView {
    let i18n = use_i18n();
    let invoices = Resource::new(move || customer_id, load_customer_invoices);
    view! {
        <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match invoices.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{move || i18n.t(Msg::NoInvoices)}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="invoices">
                            <thead><tr>
                                <th>{move || i18n.t(Msg::InvoiceNumber)}</th>
                                <th>{move || i18n.t(Msg::InvoiceDate)}</th>
                                <th>{move || i18n.t(Msg::DueDate)}</th>
                                <th>{move || i18n.t(Msg::Buyer)}</th>
                                <th class="amount">{move || i18n.t(Msg::Amount)}</th>
                                <th class="amount">{move || i18n.t(Msg::OpenAmount)}</th>
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
                                            <td>{inv.due_date}</td>
                                            <td>{inv.buyer_name}</td>
                                            <td class="amount">{kroner(inv.total_ore)}</td>
                                            <td class="amount">{kroner(inv.open_ore)}</td>
                                            <td><a href=format!("/fakturaer/{}", inv.id)
                                                aria-label=move || format!("{} {number}", i18n.t(Msg::InvoiceCopy))>{move || i18n.t(Msg::InvoiceCopy)}</a></td>
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
    }
}

/// Fakturakopi: the invoice as it prints now, for the printer (A4, the app around it hidden).
#[component]
pub fn InvoiceCopyPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<InvoiceId>().ok())).unwrap_or_default();
    let copy = Resource::new(id, load_invoice_copy);
    let pdf = Signal::derive(move || format!("/eksport/fakturakopi.pdf?faktura={}", id()));
    view! { <InvoicePrintPage copy name=Msg::InvoiceCopy pdf=Some(pdf) as_issued=false/> }
}

/// A printable invoice page: its name, Skriv ut (and a PDF where there is one), the sheet.
#[component]
pub fn InvoicePrintPage(copy: Resource<Result<InvoiceCopy, ApiError>>, name: Msg, pdf: Option<Signal<String>>, as_issued: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="page report-page">
            <div class="report-actions no-print">
                <p class="report-name">{move || i18n.t(name)}</p>
                <button type="button" class="primary" on:click=move |_| { let _ = window().print(); }>{move || i18n.t(Msg::Print)}</button>
                {pdf.map(|href| view! { <a class="button" href=href download="">{move || i18n.t(Msg::DownloadPdf)}</a> })}
            </div>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match copy.await {
                        Ok(c) => view! { <InvoiceSheet copy=c as_issued/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// One invoice on paper; `as_issued` for the archive's copy, which shows the buyer as issued.
#[component]
pub fn InvoiceSheet(copy: InvoiceCopy, as_issued: bool) -> impl IntoView {
    let i18n = use_i18n();
    let kind = if copy.credit_note { Msg::CreditNote } else { Msg::Invoice };
    let postal = format!("{} {}", copy.buyer_postal_code, copy.buyer_city).trim().to_string();
    view! {
        <article class="invoice-sheet" aria-label=move || i18n.t(Msg::InvoiceCopy)>
            <header class="invoice-head">
                <div>
                    <p class="hint">{move || i18n.t(Msg::Seller)}</p>
                    <p data-testid="invoice-seller">{copy.seller}</p>
                </div>
                <div>
                    <h1>{move || i18n.t(kind)}" "{copy.invoice_number}</h1>
                    <p>{move || i18n.t(if as_issued { Msg::AsIssued } else { Msg::InvoiceCopy })}</p>
                    <p>{move || i18n.t(Msg::InvoiceDate)}": "{copy.invoice_date}</p>
                    <p>{move || i18n.t(Msg::DueDate)}": "{copy.due_date}</p>
                    <p>{move || i18n.t(Msg::CustomerNumber)}": "{copy.customer_number}</p>
                </div>
            </header>
            <section class="invoice-buyer" data-testid="invoice-buyer" aria-label=move || i18n.t(Msg::Buyer)>
                <p class="hint">{move || i18n.t(Msg::Buyer)}</p>
                <p data-testid="buyer-name">{copy.buyer_name}</p>
                <p data-testid="buyer-address">{copy.buyer_address}</p>
                <p data-testid="buyer-postal">{postal}</p>
                <p data-testid="buyer-org-no">{copy.buyer_org_no}</p>
                <p data-testid="buyer-email">{copy.buyer_email}</p>
            </section>
            <table class="invoice-lines">
                <thead><tr>
                    <th>{move || i18n.t(Msg::Description)}</th>
                    <th class="amount">{move || i18n.t(Msg::Quantity)}</th>
                    <th class="amount">{move || i18n.t(Msg::UnitPrice)}</th>
                    <th class="amount">{move || i18n.t(Msg::Vat)}</th>
                    <th class="amount">{move || i18n.t(Msg::Amount)}</th>
                </tr></thead>
                <tbody>
                    {copy.lines.into_iter().map(|l| view! {
                        <tr>
                            <td>{l.text}</td>
                            <td class="amount">{l.quantity}</td>
                            <td class="amount">{kroner(l.unit_price_ore)}</td>
                            <td class="amount">{format!("{} %", l.vat_percent)}</td>
                            <td class="amount">{kroner(l.quantity * l.unit_price_ore)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <dl class="invoice-totals">
                <dt>{move || i18n.t(Msg::Net)}</dt><dd>{kroner(copy.net_ore)}</dd>
                <dt>{move || i18n.t(Msg::Vat)}</dt><dd>{kroner(copy.vat_ore)}</dd>
                <dt>{move || i18n.t(Msg::Total)}</dt><dd data-testid="invoice-total">{kroner(copy.net_ore + copy.vat_ore)}</dd>
            </dl>
        </article>
    }
}
