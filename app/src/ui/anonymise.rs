//! "Anonymiser" from the card's ☰ menu: what will go, whether it may (the balance), the free
//! text that may name the customer (staff tick what to redact), and the customer number typed
//! to confirm. Nothing is removed before the last button.

use crate::api::{anonymise_customer, load_anonymisation_preview};
use crate::domain::anonymise::{format_nok, AnonymisationPreview, Redaction, Refusal};
use crate::error::ApiError;
use crate::i18n::{api_error, field_error, open_balance, text_source_msg, use_i18n, Msg};
use crate::model::CustomerId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn field_msg(field: &str) -> Msg {
    match field {
        "first_name" => Msg::FirstName,
        "last_name" => Msg::LastName,
        "company_name" => Msg::CompanyName,
        "org_no" => Msg::OrgNo,
        "address_line" => Msg::AddressLine,
        "postal_code" => Msg::PostalCode,
        "city" => Msg::City,
        "phone" => Msg::Phone,
        "tags" => Msg::Tags,
        _ => Msg::Email,
    }
}

#[component]
pub fn AnonymisePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let customer = move || params.with(|p| p.get("id").and_then(|s| s.parse::<CustomerId>().ok()));
    let preview = Resource::new(customer, |id| async move {
        match id {
            Some(id) => load_anonymisation_preview(id).await,
            None => Err(ApiError::NotFound),
        }
    });
    view! {
        <main class="page anonymise-page">
            <h1>{move || i18n.t(Msg::AnonymiseTitle)}</h1>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match (preview.await, customer()) {
                        (Ok(p), Some(id)) => view! { <AnonymiseForm id preview=p/> }.into_any(),
                        (Err(e), _) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                        (_, None) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &ApiError::NotFound)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn AnonymiseForm(id: CustomerId, preview: AnonymisationPreview) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = RwSignal::new(Vec::<Redaction>::new());
    let confirm = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let card = format!("/kunder/{id}");
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        leptos::task::spawn_local(async move {
            match anonymise_customer(id, confirm.get_untracked(), chosen.get_untracked()).await {
                Ok(_) => {
                    failure.set(None);
                    done.set(true);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let title = format!("{} {}", preview.customer_number, preview.display_name);
    let stored = StoredValue::new(preview);
    view! {
        <p class="anonymise-subject" data-testid="anonymise-subject">{title}</p>
        <Show when=move || !done.get() fallback={
            let card = card.clone();
            move || view! {
                <p role="status" class="form-ok" data-testid="anonymised">{move || i18n.t(Msg::AnonymisedDone)}</p>
                <a class="button" href=card.clone() rel="external">{move || i18n.t(Msg::CustomerCard)}</a>
            }
        }>
            {move || view! { <AnonymiseDetails id preview=stored.get_value() chosen confirm failure submit/> }}
        </Show>
    }
}

#[component]
fn AnonymiseDetails(
    id: CustomerId,
    preview: AnonymisationPreview,
    chosen: RwSignal<Vec<Redaction>>,
    confirm: RwSignal<String>,
    failure: RwSignal<Option<ApiError>>,
    submit: impl Fn(leptos::ev::SubmitEvent) + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let refusal = preview.refusal;
    let card = format!("/kunder/{id}");
    let confirm_error = move || failure.get().and_then(|e| e.field_errors().and_then(|f| f.get("confirm"))).map(|e| field_error(i18n.locale(), e));
    let other_error = move || failure.get().filter(|e| e.field_errors().and_then(|f| f.get("confirm")).is_none()).map(|e| api_error(i18n.locale(), &e));
    view! {
            <p>{move || i18n.t(Msg::AnonymiseLead)}</p>
            {match refusal {
                Some(Refusal::OpenBalance { ore }) => Some(view! {
                    <p class="blocked" role="alert" data-testid="anonymise-refused">{move || open_balance(i18n.locale(), ore)}" "
                        <a href=format!("{card}?fane=invoices")>{move || i18n.t(Msg::SeeLedger)}</a>
                    </p>
                }.into_any()),
                Some(Refusal::AlreadyAnonymised) => Some(view! {
                    <p class="blocked" role="alert" data-testid="anonymise-refused">{move || i18n.t(Msg::AlreadyAnonymised)}</p>
                }.into_any()),
                None => None,
            }}
            <section aria-labelledby="anon-fields">
                <h2 id="anon-fields">{move || i18n.t(Msg::AnonymiseFields)}</h2>
                <ul class="anonymise-fields">
                    {preview.fields.iter().map(|f| { let m = field_msg(f); view! { <li>{move || i18n.t(m)}</li> } }).collect_view()}
                </ul>
                <h2>{move || i18n.t(Msg::AnonymiseContacts)}</h2>
                <ul>{preview.contact_persons.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
                <p>{move || i18n.t(Msg::AnonymiseBalance)}": " <strong data-testid="anonymise-balance">{format!("{} kr", format_nok(preview.open_balance_ore))}</strong></p>
                <p>{move || i18n.t(Msg::AnonymiseInvoices)}": " {preview.invoices}</p>
            </section>
            <form class="anonymise-form" on:submit=submit>
                <fieldset class="mentions">
                    <legend>{move || i18n.t(Msg::AnonymiseMentions)}</legend>
                    <p class="hint">{move || i18n.t(Msg::AnonymiseMentionsHelp)}</p>
                    {preview.mentions.is_empty().then(|| view! { <p class="empty">{move || i18n.t(Msg::NoMentions)}</p> })}
                    {preview.mentions.into_iter().enumerate().map(|(i, m)| {
                        let input_id = format!("mention-{i}");
                        let redaction = Redaction { source: m.mention.source, id: m.mention.id, needle: m.mention.needle.clone() };
                        let source = text_source_msg(m.mention.source);
                        let link = format!("/kunder/{}", m.mention.customer_id);
                        view! {
                            <div class="check mention">
                                <input type="checkbox" id=input_id.clone() disabled=refusal.is_some()
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let r = redaction.clone();
                                        chosen.update(|c| if on { c.push(r) } else { c.retain(|x| *x != r) });
                                    }/>
                                <label for=input_id>
                                    <span class="mention-source">{move || i18n.t(source)}": "</span>
                                    <q>{m.excerpt}</q>
                                </label>
                                " "<a href=link>{move || i18n.t(Msg::CustomerCard)}</a>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field" class:invalid=move || confirm_error().is_some()>
                    <label for="anonymise-confirm">{move || i18n.t(Msg::AnonymiseConfirm)}" ("{preview.customer_number.clone()}")"</label>
                    <input id="anonymise-confirm" autocomplete="off" disabled=refusal.is_some() aria-describedby="anonymise-confirm-error"
                        aria-invalid=move || confirm_error().is_some().to_string()
                        prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
                    <p class="field-error" id="anonymise-confirm-error">{confirm_error}</p>
                </div>
                <p class="form-error" role="alert">{other_error}</p>
                <button type="submit" class="danger" disabled=refusal.is_some()>{move || i18n.t(Msg::AnonymiseButton)}</button>
            </form>
    }
}
