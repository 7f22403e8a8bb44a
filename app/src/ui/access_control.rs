//! Tilgangsstyring: the tenant's access groups (name, rights per module, members) and its
//! administrators. One group is edited at a time and saved with Ctrl+S against the version it
//! was loaded at, so two administrators never overwrite each other's change unseen.

use super::fields::{on_save_shortcut, Field, SaveStatus, SaveStatusLine};
use super::shell::UserRights;
use crate::api::{create_access_group, delete_access_group, load_access_control, reset_mfa, save_access_group, set_administrator, set_mfa_required};
use crate::domain::access::{AccessGroupName, Permission, Rights};
use crate::domain::{FieldError, FieldErrors};
use crate::error::ApiError;
use crate::i18n::{api_error, field_error, right_msg, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn AccessControlPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = Resource::new(|| (), |_| load_access_control());
    view! {
        <main class="page access-page">
            <h1>{move || i18n.t(Msg::AccessControl)}</h1>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(data) => view! { <AccessControlView data/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn AccessControlView(data: AccessControl) -> impl IntoView {
    let i18n = use_i18n();
    let groups = RwSignal::new(data.groups);
    let staff = StoredValue::new(data.staff.clone());
    let selected = RwSignal::new(groups.with_untracked(|g| g.first().map(|g| g.id)));
    let status = RwSignal::new(SaveStatus::Idle);
    let new_name = RwSignal::new(String::new());
    let new_error = RwSignal::new(None::<FieldError>);

    let create = move || {
        let name = new_name.get_untracked();
        if let Err(e) = AccessGroupName::parse(&name) {
            new_error.set(Some(e));
            return;
        }
        leptos::task::spawn_local(async move {
            match create_access_group(name).await {
                Ok(group) => {
                    let id = group.id;
                    groups.update(|g| g.push(group));
                    new_name.set(String::new());
                    new_error.set(None);
                    status.set(SaveStatus::Idle);
                    selected.set(Some(id));
                }
                Err(e) => match e.field_errors().and_then(|f| f.get("name")) {
                    Some(fe) => new_error.set(Some(fe)),
                    None => status.set(SaveStatus::Failed(e)),
                },
            }
        });
    };

    view! {
        <p class="lead">{move || i18n.t(Msg::AccessGroupsLead)}</p>
        <div class="access-layout">
            <section class="group-list" aria-labelledby="groups-heading">
                <h2 id="groups-heading">{move || i18n.t(Msg::AccessGroups)}</h2>
                <Show when=move || groups.with(|g| g.is_empty())>
                    <p class="empty">{move || i18n.t(Msg::NoGroups)}</p>
                </Show>
                <ul>
                    <For each=move || groups.get() key=|g| (g.id, g.name.clone()) let:group>
                        {
                            let id = group.id;
                            view! {
                                <li>
                                    <button type="button" class="group-choice"
                                        aria-pressed=move || (selected.get() == Some(id)).to_string()
                                        on:click=move |_| { status.set(SaveStatus::Idle); selected.set(Some(id)); }>
                                        {group.name.clone()}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
                <form class="new-group" novalidate on:submit=move |e| { e.prevent_default(); create(); }>
                    <div class="field" class:invalid=move || new_error.get().is_some()>
                        <label for="group-new">{move || i18n.t(Msg::NewGroupName)}</label>
                        <input id="group-new" type="text" autocomplete="off" maxlength=AccessGroupName::MAX.to_string()
                            aria-describedby="group-new-error"
                            aria-invalid=move || new_error.get().is_some().to_string()
                            prop:value=move || new_name.get()
                            on:input=move |ev| { new_name.set(event_target_value(&ev)); new_error.set(None); }/>
                        <p class="field-error" id="group-new-error" role="alert">
                            {move || new_error.get().map(|e| field_error(i18n.locale(), e))}
                        </p>
                    </div>
                    <button type="submit">{move || i18n.t(Msg::Create)}</button>
                </form>
            </section>
            {move || {
                // Only a new selection builds a new editor; a save updates the list in place.
                let group = selected.get().and_then(|id| groups.with_untracked(|g| g.iter().find(|g| g.id == id).cloned()));
                group.map(|group| view! { <GroupEditor group staff=staff.get_value() groups selected status/> })
            }}
        </div>
        <Administrators staff=data.staff require_mfa=data.require_mfa/>
    }
}

#[component]
fn GroupEditor(
    group: AccessGroup,
    staff: Vec<TenantStaff>,
    groups: RwSignal<Vec<AccessGroup>>,
    selected: RwSignal<Option<AccessGroupId>>,
    status: RwSignal<SaveStatus>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = group.id;
    let version = RwSignal::new(group.version);
    let name = RwSignal::new(group.name.clone());
    let rights = RwSignal::new(group.rights);
    let members = RwSignal::new(group.members.clone());
    let errors = RwSignal::new(FieldErrors::default());
    let confirm_delete = RwSignal::new(false);

    let save = move || {
        if status.get_untracked() == SaveStatus::Saving {
            return;
        }
        if let Err(e) = AccessGroupName::parse(&name.get_untracked()) {
            let mut fe = FieldErrors::default();
            fe.push("name", e);
            errors.set(fe);
            status.set(SaveStatus::Failed(ApiError::Invalid(FieldErrors::default())));
            return;
        }
        errors.set(FieldErrors::default());
        status.set(SaveStatus::Saving);
        let chosen: Vec<Permission> = rights.get_untracked().iter().collect();
        leptos::task::spawn_local(async move {
            match save_access_group(id, version.get_untracked(), name.get_untracked(), chosen, members.get_untracked()).await {
                Ok(saved) => {
                    version.set(saved.version);
                    rights.set(saved.rights);
                    members.set(saved.members.clone());
                    groups.update(|g| {
                        if let Some(slot) = g.iter_mut().find(|g| g.id == id) {
                            *slot = saved;
                        }
                    });
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
    let delete = move || {
        leptos::task::spawn_local(async move {
            match delete_access_group(id, version.get_untracked()).await {
                Ok(()) => {
                    groups.update(|g| g.retain(|g| g.id != id));
                    status.set(SaveStatus::Idle);
                    selected.set(groups.with_untracked(|g| g.first().map(|g| g.id)));
                }
                Err(e) => {
                    confirm_delete.set(false);
                    status.set(SaveStatus::Failed(e));
                }
            }
        });
    };
    let toggle_right = move |p: Permission, on: bool| {
        rights.update(|r| {
            *r = if on {
                let mut with: Rights = *r;
                with.insert(p);
                with.with_needed()
            } else {
                r.without(p)
            }
        });
    };

    view! {
        <form class="group-editor" novalidate aria-labelledby="group-editor-heading"
            on:submit=move |e| { e.prevent_default(); save(); }
            on:keydown=on_save_shortcut(save)>
            <h2 id="group-editor-heading">{move || name.get()}</h2>
            <Field id="group-name".into() field="name" label=Msg::GroupName value=Signal::from(name)
                on_input=Callback::new(move |v| name.set(v)) errors=Signal::from(errors) autocomplete="off" required=true/>
            <fieldset class="rights">
                <legend>{move || i18n.t(Msg::RightsLabel)}</legend>
                {Permission::ALL.into_iter().map(|p| {
                    let input_id = format!("right-{}", p.code());
                    view! {
                        <div class="check">
                            <input type="checkbox" id=input_id.clone()
                                prop:checked=move || rights.get().contains(p)
                                on:change=move |ev| toggle_right(p, event_target_checked(&ev))/>
                            <label for=input_id>{move || i18n.t(right_msg(p))}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="members">
                <legend>{move || i18n.t(Msg::Members)}</legend>
                {staff.into_iter().map(|s| {
                    let user = s.user_id;
                    let input_id = format!("member-{user}");
                    view! {
                        <div class="check">
                            <input type="checkbox" id=input_id.clone()
                                prop:checked=move || members.with(|m| m.contains(&user))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    members.update(|m| if on { if !m.contains(&user) { m.push(user) } } else { m.retain(|u| *u != user) });
                                }/>
                            <label for=input_id>{s.name}" "<span class="hint">{s.email}</span></label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="primary" aria-keyshortcuts="Control+S" disabled=move || status.get() == SaveStatus::Saving>
                    {move || i18n.t(Msg::SaveShortcut)}
                </button>
                <Show when=move || !confirm_delete.get()
                    fallback=move || view! {
                        <span class="confirm">{move || i18n.t(Msg::ConfirmDeleteGroup)}</span>
                        <button type="button" class="danger" on:click=move |_| delete()>{move || i18n.t(Msg::Delete)}</button>
                        <button type="button" on:click=move |_| confirm_delete.set(false)>{move || i18n.t(Msg::Cancel)}</button>
                    }>
                    <button type="button" on:click=move |_| confirm_delete.set(true)>{move || i18n.t(Msg::DeleteGroup)}</button>
                </Show>
                <SaveStatusLine status id="group-save-status"/>
            </div>
        </form>
    }
}

/// The administrator mark per member. Only an administrator may change it; the last one keeps it.
#[component]
fn Administrators(staff: Vec<TenantStaff>, require_mfa: bool) -> impl IntoView {
    let i18n = use_i18n();
    let i_am_admin = use_context::<UserRights>().is_some_and(|r| r.admin);
    let failure = RwSignal::new(None::<ApiError>);
    let required = RwSignal::new(require_mfa);
    view! {
        <section class="administrators" aria-labelledby="admins-heading">
            <h2 id="admins-heading">{move || i18n.t(Msg::Administrators)}</h2>
            <p class="hint">{move || i18n.t(Msg::AdministratorsLead)}</p>
            <label class="check">
                <input type="checkbox" id="require-mfa" prop:checked=move || required.get() disabled=!i_am_admin
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        leptos::task::spawn_local(async move {
                            match set_mfa_required(on).await {
                                Ok(()) => { required.set(on); failure.set(None); }
                                Err(e) => { required.set(!on); failure.set(Some(e)); }
                            }
                        });
                    }/>
                {move || i18n.t(Msg::MfaRequire)}
            </label>
            <table>
                <thead><tr>
                    <th>{move || i18n.t(Msg::Name)}</th><th>{move || i18n.t(Msg::Email)}</th><th>{move || i18n.t(Msg::Administrator)}</th>
                    <th>{move || i18n.t(Msg::MfaColumn)}</th>
                </tr></thead>
                <tbody>
                    {staff.into_iter().map(|s| {
                        let user = s.user_id;
                        let checked = RwSignal::new(s.admin);
                        let enrolled = RwSignal::new(s.mfa_enrolled);
                        let name = s.name.clone();
                        let reset_label = format!("{} {}", i18n.t(Msg::MfaResetButton), s.name);
                        view! {
                            <tr>
                                <td>{s.name.clone()}</td>
                                <td>{s.email.clone()}</td>
                                <td>
                                    <input type="checkbox" aria-label=move || format!("{} {}", i18n.t(Msg::Administrator), name)
                                        prop:checked=move || checked.get() disabled=!i_am_admin
                                        on:change=move |ev| {
                                            let admin = event_target_checked(&ev);
                                            leptos::task::spawn_local(async move {
                                                match set_administrator(user, admin).await {
                                                    Ok(()) => { checked.set(admin); failure.set(None); }
                                                    // The box shows again what holds.
                                                    Err(e) => { checked.set(!admin); failure.set(Some(e)); }
                                                }
                                            });
                                        }/>
                                </td>
                                <td data-testid="mfa-cell">
                                    {move || i18n.t(if enrolled.get() { Msg::On } else { Msg::Off })}
                                    <Show when=move || enrolled.get() && i_am_admin>
                                        <button type="button" class="link" aria-label=reset_label.clone() on:click=move |_| {
                                            leptos::task::spawn_local(async move {
                                                match reset_mfa(user).await {
                                                    Ok(()) => { enrolled.set(false); failure.set(None); }
                                                    Err(e) => failure.set(Some(e)),
                                                }
                                            });
                                        }>{move || i18n.t(Msg::MfaResetButton)}</button>
                                    </Show>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="form-error" role="alert">{move || failure.get().map(|e| api_error(i18n.locale(), &e))}</p>
        </section>
    }
}
