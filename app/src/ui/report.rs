//! Kunde > Rapporter > Samtykkeskjema: the consent form, previewed on screen and printed on A4
//! (the print stylesheet leaves out the app around it). From a customer card it is pre-filled
//! with that customer's contact persons and their current consents.

use crate::api::load_consent_form;
use crate::i18n::{api_error, use_i18n, Locale, Msg};
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ConsentFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let customer = move || params.with(|p| p.get("id").and_then(|s| s.parse::<CustomerId>().ok()));
    let form = Resource::new(customer, load_consent_form);
    let pdf_href = move || match customer() {
        Some(id) => format!("/eksport/samtykkeskjema.pdf?kunde={id}"),
        None => "/eksport/samtykkeskjema.pdf".to_string(),
    };
    view! {
        <main class="page report-page">
            <div class="report-actions no-print">
                <p class="report-name">{move || i18n.t(Msg::ConsentFormReport)}</p>
                <button type="button" class="primary" on:click=move |_| { let _ = window().print(); }>
                    {move || i18n.t(Msg::Print)}
                </button>
                <a class="button" href=pdf_href download="">{move || i18n.t(Msg::DownloadPdf)}</a>
            </div>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match form.await {
                        Ok(data) => view! { <ConsentFormSheet data/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

fn role_text(locale: Locale, role: Option<crate::domain::settings::RecipientRole>) -> Option<&'static str> {
    use crate::domain::settings::RecipientRole::*;
    let msg = match role? {
        Processor => Msg::RoleProcessor,
        SubProcessor => Msg::RoleSubProcessor,
        IndependentController => Msg::RoleIndependentController,
    };
    Some(msg.text(locale))
}

#[component]
fn ConsentFormSheet(data: ConsentFormData) -> impl IntoView {
    let i18n = use_i18n();
    let s = data.settings.input.clone();
    let controller: Vec<String> = [
        s.controller_name.clone(),
        if s.controller_org_no.is_empty() { String::new() } else { format!("Org.nr. {}", s.controller_org_no) },
        s.controller_address.clone(),
        s.privacy_email.clone(),
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect();
    let policy_url = s.policy_url.clone();
    let recipients = s.recipients.clone();
    let purposes = data.purposes.clone();
    let customer = data.customer.clone();
    view! {
        <article class="consent-form" aria-labelledby="skjema-tittel">
            <h1 id="skjema-tittel">{move || i18n.t(Msg::ConsentDeclaration)}</h1>
            {customer.as_ref().map(|c| view! { <p class="form-customer" data-testid="form-customer">{c.title.clone()}</p> })}
            <section aria-labelledby="skjema-ansvarlig">
                <h2 id="skjema-ansvarlig">{move || i18n.t(Msg::Controller)}</h2>
                <p class="controller" data-testid="form-controller">
                    {controller.into_iter().map(|line| view! { <span>{line}</span><br/> }).collect_view()}
                </p>
            </section>
            <section aria-labelledby="skjema-erklaering">
                <h2 id="skjema-erklaering">{move || i18n.t(Msg::PrivacyPolicy)}</h2>
                {if policy_url.is_empty() {
                    view! { <p>"–"</p> }.into_any()
                } else {
                    let href = policy_url.clone();
                    view! { <p>{move || i18n.t(Msg::PolicyLinkLead)}" "<a href=href.clone() data-testid="form-policy-link">{policy_url.clone()}</a></p> }.into_any()
                }}
            </section>
            <section aria-labelledby="skjema-mottakere">
                <h2 id="skjema-mottakere">{move || i18n.t(Msg::Recipients)}</h2>
                {if recipients.is_empty() {
                    view! { <p>{move || i18n.t(Msg::NoRecipients)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="form-recipients" data-testid="form-recipients">
                            {recipients.into_iter().map(|r| {
                                let details = move || {
                                    [role_text(i18n.locale(), r.role).map(str::to_string), Some(r.purpose.clone()), Some(r.country.clone())]
                                        .into_iter()
                                        .flatten()
                                        .filter(|t| !t.is_empty())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                };
                                view! { <li><strong>{r.name.clone()}</strong>{move || { let d = details(); if d.is_empty() { d } else { format!(" – {d}") } }}</li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section aria-labelledby="skjema-samtykke">
                <h2 id="skjema-samtykke">{move || i18n.t(Msg::Consent)}</h2>
                <p>{move || i18n.t(Msg::ConsentFormLead)}</p>
                {match customer {
                    None => view! { <BlankConsents purposes/> }.into_any(),
                    Some(c) => view! { <FilledConsents purposes consents=c.consents/> }.into_any(),
                }}
            </section>
            <section class="signature" aria-labelledby="skjema-signatur">
                <h2 id="skjema-signatur" class="visually-hidden">{move || i18n.t(Msg::Signature)}</h2>
                <p><span class="line-label">{move || i18n.t(Msg::Name)}</span><span class="line"></span></p>
                <p><span class="line-label">{move || i18n.t(Msg::Place)}</span><span class="line"></span></p>
                <p><span class="line-label">{move || i18n.t(Msg::Signature)}</span><span class="line"></span></p>
            </section>
        </article>
    }
}

/// One box per purpose, to tick on paper.
#[component]
fn BlankConsents(purposes: Vec<ConsentPurpose>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="form-purposes">
            {purposes.into_iter().map(|p| {
                let label = p.clone();
                view! {
                    <li>
                        <span class="box" aria-hidden="true">"☐"</span>
                        <strong>{move || label.label(i18n.locale()).to_string()}</strong>
                        <p class="wording">{p.input.wording.clone()}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Each contact person with the consents they have given now.
#[component]
fn FilledConsents(purposes: Vec<ConsentPurpose>, consents: CustomerConsents) -> impl IntoView {
    let i18n = use_i18n();
    let head = purposes.clone();
    view! {
        <ul class="form-purposes">
            {purposes.iter().cloned().map(|p| {
                let label = p.clone();
                view! { <li><strong>{move || label.label(i18n.locale()).to_string()}</strong><p class="wording">{p.input.wording.clone()}</p></li> }
            }).collect_view()}
        </ul>
        <table class="form-grid">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(Msg::ContactPersons)}</th>
                    {head.into_iter().map(|p| view! { <th scope="col">{move || p.label(i18n.locale()).to_string()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {consents.contact_persons.iter().cloned().map(|(cp, name)| view! {
                    <tr>
                        <th scope="row">{name}</th>
                        {purposes.iter().map(|p| {
                            let mark = consents.mark(cp, p.id);
                            let given = mark == ConsentMark::Given;
                            view! {
                                <td>
                                    <span class="box" aria-hidden="true">{if given { "☒" } else { "☐" }}</span>
                                    " "{move || i18n.t(crate::i18n::mark_msg(mark))}
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
