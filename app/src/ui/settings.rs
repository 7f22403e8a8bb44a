//! Klientinnstillinger (tabs "Samtykke" and "Samtykkeformål") and the consent-event export.

use super::consent_settings::ConsentSettingsForm;
use super::fields::{on_save_shortcut, Field};
use super::tabs::TabButton;
use crate::api::{list_consent_purposes, load_consent_settings, save_consent_purpose};
use crate::domain::consent::{ValidPurpose, PURPOSE_WORDING_MAX};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::i18n::{api_error, basis_msg, channel_msg, field_error, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;


#[component]
pub fn ClientSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let purposes = Resource::new(|| (), |_| list_consent_purposes());
    let consent_settings = Resource::new(|| (), |_| load_consent_settings());
    let editing = RwSignal::new(None::<Option<ConsentPurpose>>);
    let tab = RwSignal::new(SettingsTab::Consent);
    view! {
        <main class="page settings-page">
            <h1>{move || i18n.t(Msg::ClientSettings)}</h1>
            <div role="tablist" class="tabs" aria-label=move || i18n.t(Msg::ClientSettings)>
                <TabButton tab value=SettingsTab::Consent label=Msg::Consent all=SETTINGS_TABS/>
                <TabButton tab value=SettingsTab::Purposes label=Msg::ConsentPurposes all=SETTINGS_TABS/>
            </div>
            <section role="tabpanel" id="panel-samtykke" aria-labelledby="tab-samtykke" hidden=move || tab.get() != SettingsTab::Consent>
                <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        let admin = super::shell::may(crate::domain::access::Permission::ClientSettings);
                        match consent_settings.await {
                            Ok(loaded) => view! { <ConsentSettingsForm loaded admin/> }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <section role="tabpanel" id="panel-formal" aria-labelledby="tab-formal" hidden=move || tab.get() != SettingsTab::Purposes>
                <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        let admin = super::shell::may(crate::domain::access::Permission::ClientSettings);
                        match purposes.await {
                            Ok(list) => view! {
                                {(!admin).then(|| view! { <p class="note">{move || i18n.t(Msg::AdminsOnly)}</p> })}
                                <PurposeTable list admin editing/>
                                {admin.then(|| view! {
                                    <button type="button" class="add-purpose" on:click=move |_| editing.set(Some(None))>
                                        {move || i18n.t(Msg::NewPurpose)}
                                    </button>
                                })}
                            }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
                {move || editing.get().map(|existing| view! {
                    <PurposeForm existing on_done=Callback::new(move |saved: bool| {
                        editing.set(None);
                        if saved { purposes.refetch() }
                    })/>
                })}
            </section>
        </main>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SettingsTab {
    Consent,
    Purposes,
}

const SETTINGS_TABS: &[(SettingsTab, &str)] = &[(SettingsTab::Consent, "samtykke"), (SettingsTab::Purposes, "formal")];

#[component]
fn PurposeTable(list: Vec<ConsentPurpose>, admin: bool, editing: RwSignal<Option<Option<ConsentPurpose>>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="purposes">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(Msg::Purpose)}</th>
                    <th scope="col">{move || i18n.t(Msg::PurposeCode)}</th>
                    <th scope="col">{move || i18n.t(Msg::ChannelLabel)}</th>
                    <th scope="col">{move || i18n.t(Msg::LegalBasisLabel)}</th>
                    <th scope="col">{move || i18n.t(Msg::WordingVersion)}</th>
                    <th scope="col">{move || i18n.t(Msg::Active)}</th>
                    {admin.then(|| view! { <th scope="col">{move || i18n.t(Msg::Actions)}</th> })}
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|p| {
                    let shown = p.clone();
                    let label = move || shown.label(i18n.locale()).to_string();
                    let aria = label.clone();
                    let channel = p.input.channel;
                    let basis = p.input.legal_basis;
                    let active = p.input.active;
                    let code = p.input.code.clone();
                    let wording_version = p.wording_version;
                    view! {
                        <tr>
                            <td>{label}</td>
                            <td><code>{code}</code></td>
                            <td>{move || i18n.t(channel_msg(channel))}</td>
                            <td>{move || i18n.t(basis_msg(basis))}</td>
                            <td>{wording_version}</td>
                            <td>{move || i18n.t(if active { Msg::Active } else { Msg::Inactive })}</td>
                            {admin.then(|| view! {
                                <td>
                                    <button type="button" class="link" aria-label=move || format!("{} {}", i18n.t(Msg::Edit), aria())
                                        on:click=move |_| editing.set(Some(Some(p.clone())))>
                                        {move || i18n.t(Msg::Edit)}
                                    </button>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn PurposeForm(existing: Option<ConsentPurpose>, on_done: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let id = existing.as_ref().map(|p| p.id);
    let version = existing.as_ref().map_or(0, |p| p.version);
    let heading = if existing.is_some() { Msg::Edit } else { Msg::NewPurpose };
    let form = RwSignal::new(existing.map(|p| p.input).unwrap_or(PurposeInput { active: true, ..Default::default() }));
    let errors = RwSignal::new(FieldErrors::default());
    let failure = RwSignal::new(None::<ApiError>);
    let errs = Signal::from(errors);
    let save = move || {
        let input = form.get_untracked();
        if let Err(e) = ValidPurpose::parse(&input) {
            errors.set(e);
            return;
        }
        errors.set(FieldErrors::default());
        leptos::task::spawn_local(async move {
            match save_consent_purpose(id, version, input).await {
                Ok(_) => on_done.run(true),
                Err(e) => {
                    if let Some(fe) = e.field_errors() {
                        errors.set(fe.clone());
                    }
                    failure.set(Some(e));
                }
            }
        });
    };
    macro_rules! text {
        ($field:ident) => {
            (
                Signal::derive(move || form.with(|f| f.$field.clone())),
                Callback::new(move |v: String| form.update(|f| f.$field = v)),
            )
        };
    }
    let (code, set_code) = text!(code);
    let (label_nb, set_label_nb) = text!(label_nb);
    let (label_en, set_label_en) = text!(label_en);
    let wording_error = move || errors.with(|e| e.get("wording")).map(|e| field_error(i18n.locale(), e));
    view! {
        <form class="purpose-form" novalidate aria-labelledby="formal-skjema-tittel"
            on:submit=move |e| { e.prevent_default(); save(); }
            on:keydown=on_save_shortcut(save)>
            <h3 id="formal-skjema-tittel">{move || i18n.t(heading)}</h3>
            <Field id="purpose-code".into() field="code" label=Msg::PurposeCode value=code on_input=set_code errors=errs required=true autocomplete="off"/>
            <Field id="purpose-label-nb".into() field="label_nb" label=Msg::LabelNb value=label_nb on_input=set_label_nb errors=errs required=true autocomplete="off"/>
            <Field id="purpose-label-en".into() field="label_en" label=Msg::LabelEn value=label_en on_input=set_label_en errors=errs required=true autocomplete="off"/>
            <div class="field" class:invalid=move || wording_error().is_some()>
                <label for="purpose-wording">{move || i18n.t(Msg::Wording)}" *"</label>
                <textarea id="purpose-wording" name="wording" rows="4" maxlength=PURPOSE_WORDING_MAX.to_string()
                    aria-required="true" aria-invalid=move || wording_error().is_some().to_string() aria-describedby="purpose-wording-error"
                    prop:value=move || form.with(|f| f.wording.clone())
                    on:input=move |ev| form.update(|f| f.wording = event_target_value(&ev))></textarea>
                <p class="field-error" id="purpose-wording-error">{wording_error}</p>
            </div>
            <ChoiceField id="purpose-channel" label=Msg::ChannelLabel options=Channel::ALL key=Channel::as_str text=channel_msg
                value=Signal::derive(move || form.with(|f| f.channel))
                on_change=Callback::new(move |c| form.update(|f| f.channel = c))/>
            <ChoiceField id="purpose-basis" label=Msg::LegalBasisLabel options=LegalBasis::ALL key=LegalBasis::as_str text=basis_msg
                value=Signal::derive(move || form.with(|f| f.legal_basis))
                on_change=Callback::new(move |b| form.update(|f| f.legal_basis = b))/>
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || form.with(|f| f.active)
                    on:change=move |ev| form.update(|f| f.active = event_target_checked(&ev))/>
                {move || i18n.t(Msg::Active)}
            </label>
            <div class="form-actions">
                <button type="submit" class="primary" aria-keyshortcuts="Control+S">{move || i18n.t(Msg::SaveShortcut)}</button>
                <button type="button" on:click=move |_| on_done.run(false)>{move || i18n.t(Msg::Cancel)}</button>
                <p class="save-status" role="status" aria-live="polite">
                    {move || failure.get().map(|e| api_error(i18n.locale(), &e))}
                </p>
            </div>
        </form>
    }
}

/// A labelled select over the variants of a domain enum.
#[component]
fn ChoiceField<T>(
    id: &'static str,
    label: Msg,
    options: &'static [T],
    key: fn(T) -> &'static str,
    text: fn(T) -> Msg,
    value: Signal<T>,
    on_change: Callback<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(label)}</label>
            <select id=id on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Some(v) = options.iter().find(|o| key(**o) == chosen) { on_change.run(*v) }
            }>
                {options.iter().map(|o| {
                    let o = *o;
                    view! { <option value=key(o) selected=move || value.get() == o>{move || i18n.t(text(o))}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A plain GET form: the browser downloads the CSV the server builds.
#[component]
pub fn ConsentEventsExportPage() -> impl IntoView {
    let i18n = use_i18n();
    let purposes = Resource::new(|| (), |_| list_consent_purposes());
    view! {
        <main class="page">
            <h1>{move || i18n.t(Msg::ConsentEventsExport)}</h1>
            <p>{move || i18n.t(Msg::ConsentEventsExportHint)}</p>
            <form class="export-form" method="get" action="/eksport/samtykkehendelser.csv">
                <div class="field">
                    <label for="export-from">{move || i18n.t(Msg::FromDate)}</label>
                    <input id="export-from" name="fra" type="date"/>
                </div>
                <div class="field">
                    <label for="export-to">{move || i18n.t(Msg::ToDate)}</label>
                    <input id="export-to" name="til" type="date"/>
                </div>
                <div class="field">
                    <label for="export-purpose">{move || i18n.t(Msg::Purpose)}</label>
                    <Transition fallback=|| view! { <select id="export-purpose" name="formal" disabled></select> }>
                        {move || Suspend::new(async move {
                            let list = purposes.await.unwrap_or_default();
                            view! {
                                <select id="export-purpose" name="formal">
                                    <option value="">{move || i18n.t(Msg::AllPurposes)}</option>
                                    {list.into_iter().map(|p| {
                                        let id = p.id.to_string();
                                        view! { <option value=id>{move || p.label(i18n.locale()).to_string()}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                </div>
                <div class="form-actions">
                    <button type="submit" class="primary">{move || i18n.t(Msg::DownloadCsv)}</button>
                </div>
            </form>
        </main>
    }
}
