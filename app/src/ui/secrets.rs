//! The card's Hemmeligheter tab: which secrets the customer has, each value hidden until "Vis"
//! (which the server logs), and a form for a new one. The value is fetched only on "Vis".

use super::fields::{on_save_shortcut, Field};
use super::shell::may;
use crate::api::{delete_secret, load_secrets, reveal_secret, save_secret};
use crate::domain::access::Permission;
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::i18n::{api_error, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn SecretsSection(customer_id: CustomerId) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = Resource::new(move || customer_id, load_secrets);
    view! {
        <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(data) => view! { <SecretsView customer_id data reload=Callback::new(move |_| loaded.refetch())/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SecretsView(customer_id: CustomerId, data: CustomerSecrets, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let failure = RwSignal::new(None::<ApiError>);
    let groups = StoredValue::new(data.groups.clone());
    // The secret being changed in the form below the list; None: the form makes a new one.
    let editing = RwSignal::new(None::<SecretSummary>);
    view! {
        <Show when={let empty = data.secrets.is_empty(); move || empty}>
            <p class="empty">{move || i18n.t(Msg::NoSecrets)}</p>
        </Show>
        <ul class="secrets" aria-label=move || i18n.t(Msg::RightSecrets)>
            {data.secrets.into_iter().map(|s| view! { <SecretItem secret=s failure reload editing/> }).collect_view()}
        </ul>
        <p class="form-error" role="alert" id="secret-failure">{move || failure.get().map(|e| api_error(i18n.locale(), &e))}</p>
        {move || {
            let current = editing.get();
            may(Permission::Secrets).then(|| view! { <SecretForm customer_id groups=groups.get_value() editing=current cancel=editing reload/> })
        }}
    }
}

#[component]
fn SecretItem(secret: SecretSummary, failure: RwSignal<Option<ApiError>>, reload: Callback<()>, editing: RwSignal<Option<SecretSummary>>) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(None::<String>);
    let id = secret.id;
    let version = secret.version;
    let label = secret.label.clone();
    let label_for_button = label.clone();
    let audience = if secret.groups.is_empty() { None } else { Some(secret.groups.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>().join(", ")) };
    let toggle = move |_| {
        if shown.get_untracked().is_some() {
            shown.set(None);
            return;
        }
        leptos::task::spawn_local(async move {
            match reveal_secret(id).await {
                Ok(value) => {
                    failure.set(None);
                    shown.set(Some(value));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let remove = move |_| {
        leptos::task::spawn_local(async move {
            match delete_secret(id, version).await {
                Ok(()) => reload.run(()),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <li class="secret" data-secret=id.to_string()>
            <span class="secret-label">{label.clone()}</span>
            <span class="secret-value" data-testid=format!("secret-value-{id}")>
                {move || shown.get().unwrap_or_else(|| "••••••".to_string())}
            </span>
            <button type="button" class="link" disabled=!secret.may_reveal
                aria-label=move || format!("{} {}", i18n.t(if shown.get().is_some() { Msg::Hide } else { Msg::Reveal }), label_for_button)
                on:click=toggle>
                {move || i18n.t(if shown.get().is_some() { Msg::Hide } else { Msg::Reveal })}
            </button>
            {secret.may_reveal.then(|| {
                let to_edit = secret.clone();
                let label = label.clone();
                view! {
                    <button type="button" class="link" aria-label=move || format!("{} {}", i18n.t(Msg::Edit), label)
                        on:click=move |_| editing.set(Some(to_edit.clone()))>
                        {move || i18n.t(Msg::Edit)}
                    </button>
                }
            })}
            {secret.may_reveal.then(|| view! {
                <button type="button" class="link" aria-label=move || format!("{} {}", i18n.t(Msg::Delete), label) on:click=remove>
                    {move || i18n.t(Msg::Delete)}
                </button>
            })}
            <span class="hint">
                {move || match (&audience, secret.may_reveal) {
                    (_, false) => i18n.t(Msg::SecretNotForYou).to_string(),
                    (Some(groups), true) => format!("{} {groups}", i18n.t(Msg::VisibleTo)),
                    (None, true) => i18n.t(Msg::AdministratorsOnlySecret).to_string(),
                }}
            </span>
        </li>
    }
}

/// A new secret, or (with `editing`) a change of one: its label, groups and, if typed, a new
/// value; an empty value keeps the old one. Saved against the version the list showed.
#[component]
fn SecretForm(
    customer_id: CustomerId,
    groups: Vec<(AccessGroupId, String)>,
    editing: Option<SecretSummary>,
    cancel: RwSignal<Option<SecretSummary>>,
    reload: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = editing.as_ref().map(|e| e.id);
    let version = editing.as_ref().map_or(0, |e| e.version);
    let is_edit = id.is_some();
    let label = RwSignal::new(editing.as_ref().map(|e| e.label.clone()).unwrap_or_default());
    let value = RwSignal::new(String::new());
    let chosen = RwSignal::new(editing.as_ref().map(|e| e.groups.iter().map(|(g, _)| *g).collect()).unwrap_or_default());
    let errors = RwSignal::new(FieldErrors::default());
    let status = RwSignal::new(None::<Result<(), ApiError>>);
    let save = move || {
        let mut fe = FieldErrors::default();
        fe.check("label", crate::domain::secrets::parse_label(&label.get_untracked()));
        // A change may leave the value empty: the old one stays.
        if !(is_edit && value.get_untracked().is_empty()) {
            fe.check("value", crate::domain::secrets::parse_value(&value.get_untracked()));
        }
        if !fe.is_empty() {
            errors.set(fe);
            return;
        }
        errors.set(FieldErrors::default());
        leptos::task::spawn_local(async move {
            match save_secret(customer_id, id, version, label.get_untracked(), value.get_untracked(), chosen.get_untracked()).await {
                Ok(_) => {
                    status.set(Some(Ok(())));
                    reload.run(());
                }
                Err(e) => {
                    if let Some(fe) = e.field_errors() {
                        errors.set(fe.clone());
                    }
                    status.set(Some(Err(e)));
                }
            }
        });
    };
    view! {
        <form class="new-secret" novalidate aria-labelledby="new-secret-heading"
            on:submit=move |e| { e.prevent_default(); save(); }
            on:keydown=on_save_shortcut(save)>
            <h3 id="new-secret-heading">{move || i18n.t(if is_edit { Msg::EditSecret } else { Msg::NewSecret })}</h3>
            <Field id="secret-label".into() field="label" label=Msg::SecretLabel value=Signal::from(label)
                on_input=Callback::new(move |v| label.set(v)) errors=Signal::from(errors) autocomplete="off" required=true/>
            <Field id="secret-value".into() field="value" label=Msg::SecretValue value=Signal::from(value)
                on_input=Callback::new(move |v| value.set(v)) errors=Signal::from(errors) input_type="password" autocomplete="new-password" required=!is_edit/>
            {is_edit.then(|| view! { <p class="hint">{move || i18n.t(Msg::SecretKeepValue)}</p> })}
            <fieldset class="secret-groups">
                <legend>{move || i18n.t(Msg::VisibleTo)}</legend>
                <p class="hint">{move || i18n.t(Msg::SecretGroupsHint)}</p>
                {groups.into_iter().map(|(gid, name)| {
                    let input_id = format!("secret-group-{gid}");
                    view! {
                        <div class="check">
                            <input type="checkbox" id=input_id.clone()
                                prop:checked=move || chosen.with(|c| c.contains(&gid))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| if on { c.push(gid) } else { c.retain(|g| *g != gid) });
                                }/>
                            <label for=input_id>{name}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="primary" aria-keyshortcuts="Control+S">{move || i18n.t(Msg::SaveShortcut)}</button>
                {is_edit.then(|| view! { <button type="button" on:click=move |_| cancel.set(None)>{move || i18n.t(Msg::Cancel)}</button> })}
                <p class="save-status" id="secret-save-status" role="status" aria-live="polite">
                    {move || status.get().map(|r| match r {
                        Ok(()) => i18n.t(Msg::Saved).to_string(),
                        Err(e) => api_error(i18n.locale(), &e),
                    })}
                </p>
            </div>
        </form>
    }
}
