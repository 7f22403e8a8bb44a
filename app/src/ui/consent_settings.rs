//! Klientinnstillinger, tab "Samtykke": the privacy-policy link, the controller's identity and
//! the recipient register, edited the way the seed describes (Enter adds, the cross removes,
//! Ctrl+S saves), with a question before unsaved changes are left behind.

use super::fields::{on_save_shortcut, Field, SaveStatus, SaveStatusLine};
use crate::api::{load_consent_settings, save_consent_settings};
use crate::domain::settings::{check_new_recipient, ConsentSettingsInput, RecipientInput, RecipientRole, ValidConsentSettings};
use crate::domain::{FieldError, FieldErrors};
use crate::error::ApiError;
use crate::i18n::{field_error, policy_version_line, use_i18n, Msg};
use crate::model::*;
use leptos::ev;
use leptos::prelude::*;

fn role_msg(role: Option<RecipientRole>) -> Msg {
    match role {
        None => Msg::RoleNotSet,
        Some(RecipientRole::Processor) => Msg::RoleProcessor,
        Some(RecipientRole::SubProcessor) => Msg::RoleSubProcessor,
        Some(RecipientRole::IndependentController) => Msg::RoleIndependentController,
    }
}

/// Asks before a reload, a closed tab or a link in the app leaves `dirty` changes behind.
fn guard_unsaved(dirty: Signal<bool>) {
    let i18n = use_i18n();
    let unload = window_event_listener(ev::beforeunload, move |e| {
        if dirty.get_untracked() {
            e.prevent_default();
            e.set_return_value(i18n.t(Msg::LeaveUnsaved));
        }
    });
    on_cleanup(move || unload.remove());
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::prelude::*;
        use wasm_bindgen::JsCast;
        // In the capture phase, before the router turns the click into a navigation.
        let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
            let link = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|el| el.closest("a[href]").ok().flatten());
            if link.is_some() && dirty.get_untracked() && !window().confirm_with_message(i18n.t(Msg::LeaveUnsaved)).unwrap_or(false) {
                e.prevent_default();
                e.stop_propagation();
            }
        });
        let _ = document().add_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true);
        let on_click = send_wrapper::SendWrapper::new(on_click);
        on_cleanup(move || {
            let _ = document().remove_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true);
        });
    }
}

#[component]
pub fn ConsentSettingsForm(loaded: ConsentSettings, admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let form = RwSignal::new(loaded.input.clone());
    let saved = RwSignal::new(loaded.input.clone());
    let version = RwSignal::new(loaded.version);
    let published = RwSignal::new(loaded.published.clone());
    let errors = RwSignal::new(FieldErrors::default());
    let status = RwSignal::new(SaveStatus::Idle);
    let new_name = RwSignal::new(String::new());
    let new_error = RwSignal::new(None::<FieldError>);
    let dirty = Signal::derive(move || form.with(|f| saved.with(|s| f != s)));
    guard_unsaved(dirty);
    let errs = Signal::from(errors);

    let save = move || {
        if !admin || status.get_untracked() == SaveStatus::Saving {
            return;
        }
        let input = form.get_untracked();
        if let Err(e) = ValidConsentSettings::parse(&input) {
            errors.set(e);
            status.set(SaveStatus::Failed(ApiError::Invalid(FieldErrors::default())));
            return;
        }
        errors.set(FieldErrors::default());
        status.set(SaveStatus::Saving);
        leptos::task::spawn_local(async move {
            match save_consent_settings(version.get_untracked(), input.clone()).await {
                Ok(result) => {
                    version.set(result.version);
                    saved.set(input);
                    if let Ok(fresh) = load_consent_settings().await {
                        published.set(fresh.published);
                    }
                    status.set(SaveStatus::Saved);
                }
                Err(e) => {
                    if let Some(fe) = e.field_errors() {
                        errors.set(fe.clone());
                    }
                    status.set(SaveStatus::Failed(e));
                }
            }
        });
    };

    let add = move || {
        let name = new_name.get_untracked();
        match form.with_untracked(|f| check_new_recipient(&f.recipients, &name)) {
            Ok(name) => {
                form.update(|f| f.recipients.push(RecipientInput { name, ..Default::default() }));
                new_name.set(String::new());
                new_error.set(None);
            }
            Err(e) => new_error.set(Some(e)),
        }
    };

    macro_rules! text {
        ($field:ident) => {
            (
                Signal::derive(move || form.with(|f| f.$field.clone())),
                Callback::new(move |v: String| form.update(|f| f.$field = v)),
            )
        };
    }
    let (policy_url, set_policy_url) = text!(policy_url);
    let (controller_name, set_controller_name) = text!(controller_name);
    let (org_no, set_org_no) = text!(controller_org_no);
    let (address, set_address) = text!(controller_address);
    let (email, set_email) = text!(privacy_email);
    let names = move || form.with(|f| f.recipients.iter().map(|r| r.name.clone()).collect::<Vec<_>>());

    view! {
        <form class="consent-settings" novalidate
            on:submit=move |e| { e.prevent_default(); save(); }
            on:keydown=on_save_shortcut(save)>
            <fieldset disabled=!admin>
                <legend class="visually-hidden">{move || i18n.t(Msg::Consent)}</legend>
                <Field id="settings-policy-url".into() field="policy_url" label=Msg::PrivacyPolicyUrl value=policy_url on_input=set_policy_url errors=errs input_type="url" autocomplete="off"/>
                <p class="hint" data-testid="policy-version">
                    {move || match published.get() {
                        Some(p) => policy_version_line(i18n.locale(), p.version, p.published_by.as_deref()),
                        None => i18n.t(Msg::NotPublished).to_string(),
                    }}
                </p>
                <fieldset class="controller">
                    <legend>{move || i18n.t(Msg::Controller)}</legend>
                    <Field id="settings-controller-name".into() field="controller_name" label=Msg::CompanyName value=controller_name on_input=set_controller_name errors=errs autocomplete="off"/>
                    <Field id="settings-controller-org-no".into() field="controller_org_no" label=Msg::OrgNo value=org_no on_input=set_org_no errors=errs autocomplete="off"/>
                    <Field id="settings-controller-address".into() field="controller_address" label=Msg::AddressLine value=address on_input=set_address errors=errs autocomplete="off"/>
                    <Field id="settings-privacy-email".into() field="privacy_email" label=Msg::PrivacyEmail value=email on_input=set_email errors=errs input_type="email" autocomplete="off"/>
                </fieldset>
                <fieldset class="recipients">
                    <legend>{move || i18n.t(Msg::Recipients)}</legend>
                    <p class="hint" id="recipients-hint">{move || i18n.t(Msg::RecipientsHint)}</p>
                    <div class="field" class:invalid=move || new_error.get().is_some()>
                        <label for="recipient-new">{move || i18n.t(Msg::NewRecipient)}</label>
                        <input id="recipient-new" type="text" autocomplete="off"
                            aria-describedby="recipients-hint recipient-new-error"
                            aria-invalid=move || new_error.get().is_some().to_string()
                            prop:value=move || new_name.get()
                            on:input=move |ev| { new_name.set(event_target_value(&ev)); new_error.set(None); }
                            on:keydown=move |e: ev::KeyboardEvent| if e.key() == "Enter" { e.prevent_default(); add(); }/>
                        <p class="field-error" id="recipient-new-error" role="alert">
                            {move || new_error.get().map(|e| field_error(i18n.locale(), e))}
                        </p>
                    </div>
                    <Show when=move || form.with(|f| f.recipients.is_empty())>
                        <p class="empty">{move || i18n.t(Msg::NoRecipients)}</p>
                    </Show>
                    <ul class="recipient-list" aria-label=move || i18n.t(Msg::Recipients)>
                        <For each=names key=|n| n.clone() let:name>
                            <RecipientItem name form errors/>
                        </For>
                    </ul>
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="primary" aria-keyshortcuts="Control+S" disabled=move || status.get() == SaveStatus::Saving>
                        {move || i18n.t(Msg::SaveShortcut)}
                    </button>
                    <SaveStatusLine status id="settings-save-status"/>
                </div>
            </fieldset>
            {(!admin).then(|| view! { <p class="note">{move || i18n.t(Msg::AdminsOnly)}</p> })}
        </form>
    }
}

/// One company of the register: its name with the cross that removes it, and its details.
#[component]
fn RecipientItem(name: String, form: RwSignal<ConsentSettingsInput>, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let i18n = use_i18n();
    let index = {
        let name = name.clone();
        move || form.with(|f| f.recipients.iter().position(|r| r.name == name))
    };
    let get = {
        let index = index.clone();
        move |pick: fn(&RecipientInput) -> String| {
            let index = index.clone();
            Signal::derive(move || index().and_then(|i| form.with(|f| f.recipients.get(i).map(pick))).unwrap_or_default())
        }
    };
    let set = {
        let index = index.clone();
        move |put: fn(&mut RecipientInput, String)| {
            let index = index.clone();
            Callback::new(move |v: String| {
                if let Some(i) = index() {
                    form.update(|f| put(&mut f.recipients[i], v));
                }
            })
        }
    };
    let field_errors = {
        let index = index.clone();
        Signal::derive(move || {
            let prefix = index().map(|i| format!("recipients.{i}.")).unwrap_or_default();
            FieldErrors(errors.with(|e| {
                e.0.iter().filter_map(|(k, v)| k.strip_prefix(&prefix).map(|f| (f.to_string(), *v))).collect()
            }))
        })
    };
    let slug: String = name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let remove = {
        let name = name.clone();
        move |_| form.update(|f| f.recipients.retain(|r| r.name != name))
    };
    let role = Signal::derive({
        let index = index.clone();
        move || index().and_then(|i| form.with(|f| f.recipients.get(i).and_then(|r| r.role)))
    });
    let remove_label = {
        let name = name.clone();
        move || format!("{} {}", i18n.t(Msg::Remove), name)
    };
    view! {
        <li class="recipient">
            <span class="recipient-name">{name.clone()}</span>
            <button type="button" class="remove" aria-label=remove_label title=move || i18n.t(Msg::Remove) on:click=remove>
                <span aria-hidden="true">"×"</span>
            </button>
            <details>
                <summary>{move || i18n.t(Msg::Details)}<span class="visually-hidden">{format!(" {name}")}</span></summary>
                <div class="recipient-details">
                    <div class="field">
                        <label for=format!("recipient-{slug}-role")>{move || i18n.t(Msg::RecipientRoleLabel)}</label>
                        <select id=format!("recipient-{slug}-role") on:change=move |ev| {
                            let chosen = RecipientRole::parse(&event_target_value(&ev));
                            if let Some(i) = index() { form.update(|f| f.recipients[i].role = chosen) }
                        }>
                            <option value="" selected=move || role.get().is_none()>{move || i18n.t(role_msg(None))}</option>
                            {RecipientRole::ALL.iter().map(|r| {
                                let r = *r;
                                view! { <option value=r.as_str() selected=move || role.get() == Some(r)>{move || i18n.t(role_msg(Some(r)))}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <Field id=format!("recipient-{slug}-purpose") field="purpose" label=Msg::Purpose
                        value=get(|r| r.purpose.clone()) on_input=set(|r, v| r.purpose = v) errors=field_errors autocomplete="off"/>
                    <Field id=format!("recipient-{slug}-country") field="country" label=Msg::Country
                        value=get(|r| r.country.clone()) on_input=set(|r, v| r.country = v) errors=field_errors autocomplete="off"/>
                    <Field id=format!("recipient-{slug}-dpa") field="dpa_date" label=Msg::DpaDate input_type="date"
                        value=get(|r| r.dpa_date.clone()) on_input=set(|r, v| r.dpa_date = v) errors=field_errors/>
                </div>
            </details>
        </li>
    }
}
