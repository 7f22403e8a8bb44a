//! Consent on the customer card: the "Samtykke kommunikasjon" columns, the consent window
//! opened from the card's hamburger menu, and a contact person's consent history.

use super::dialog::Modal;
use super::fields::on_save_shortcut;
use crate::api::{consent_history, load_consents, save_consents};
use crate::domain::consent::{grid_changes, ticked_cells, Cell};
use crate::error::ApiError;
use crate::i18n::{api_error, mark_msg, source_msg, unsaved_changes, use_i18n, Locale, Msg};
use crate::model::*;
use leptos::prelude::*;
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;

fn focus_by_id(id: &str) {
    if let Some(el) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// A time in the browser's time zone and the page's language. Only called in the browser:
/// history is loaded after the page is hydrated, so server and browser never disagree.
pub fn local_time(ms: i64, locale: Locale) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        let tag = if locale == Locale::Nb { "nb-NO" } else { "en-GB" };
        String::from(date.to_locale_string(tag, &wasm_bindgen::JsValue::UNDEFINED))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = locale;
        format!("{ms}")
    }
}

/// The text and symbol for a mark, so the state never depends on colour alone.
#[component]
pub fn ConsentMarkLabel(mark: ConsentMark) -> impl IntoView {
    let i18n = use_i18n();
    let (symbol, class) = match mark {
        ConsentMark::Given => ("✓", "mark given"),
        ConsentMark::Withdrawn => ("✗", "mark withdrawn"),
        ConsentMark::NeverAsked => ("–", "mark never-asked"),
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{symbol}" "</span>
            {move || i18n.t(mark_msg(mark))}
        </span>
    }
}

#[derive(Clone, PartialEq)]
enum GridStatus {
    Loading,
    Ready,
    Saving,
    Saved,
    Conflict,
    Failed(ApiError),
}

/// The consent window: contact persons by purposes, saved against the version it loaded.
#[component]
pub fn ConsentDialog(
    customer_id: CustomerId,
    open: RwSignal<bool>,
    title: Signal<String>,
    /// Where focus goes when the window closes.
    return_focus_to: &'static str,
    on_saved: Callback<CustomerConsents>,
) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = RwSignal::new(None::<CustomerConsents>);
    let ticked = RwSignal::new(BTreeSet::<Cell>::new());
    let status = RwSignal::new(GridStatus::Loading);
    let confirm_discard = RwSignal::new(false);
    let changes = Memo::new(move |_| {
        loaded.with(|l| l.as_ref().map(|l| ticked.with(|t| grid_changes(&l.marks(), t))).unwrap_or_default())
    });

    let show = move |c: CustomerConsents, then: GridStatus| {
        ticked.set(ticked_cells(&c.marks()));
        loaded.set(Some(c));
        status.set(then);
    };
    let load = move |then: GridStatus| {
        status.set(GridStatus::Loading);
        leptos::task::spawn_local(async move {
            match load_consents(customer_id).await {
                Ok(c) => show(c, then),
                Err(e) => status.set(GridStatus::Failed(e)),
            }
        });
    };
    // Fresh from the server every time the window opens.
    Effect::new(move |_| {
        if open.get() {
            confirm_discard.set(false);
            load(GridStatus::Ready);
        }
    });

    let close = move || {
        open.set(false);
        confirm_discard.set(false);
        request_animation_frame(move || focus_by_id(return_focus_to));
    };
    let request_close = Callback::new(move |_| {
        if changes.with_untracked(|c| c.is_empty()) || status.get_untracked() == GridStatus::Saving {
            close();
        } else {
            confirm_discard.set(true);
            request_animation_frame(|| focus_by_id("samtykke-fortsett"));
        }
    });
    let save = move || {
        let pending = changes.get_untracked();
        let Some(version) = loaded.with_untracked(|l| l.as_ref().map(|l| l.consent_version)) else { return };
        if pending.is_empty() || status.get_untracked() == GridStatus::Saving {
            return;
        }
        status.set(GridStatus::Saving);
        leptos::task::spawn_local(async move {
            match save_consents(customer_id, version, pending).await {
                Ok(_) => match load_consents(customer_id).await {
                    Ok(c) => {
                        on_saved.run(c.clone());
                        show(c, GridStatus::Saved);
                    }
                    Err(e) => status.set(GridStatus::Failed(e)),
                },
                Err(ApiError::Conflict) => status.set(GridStatus::Conflict),
                Err(e) => status.set(GridStatus::Failed(e)),
            }
        });
    };

    let grid = move || {
        loaded.get().map(|c| {
            if c.purposes.is_empty() {
                return view! { <p class="empty">{move || i18n.t(Msg::NoPurposes)}</p> }.into_any();
            }
            if c.contact_persons.is_empty() {
                return view! { <p class="empty">{move || i18n.t(Msg::NoContactPersons)}</p> }.into_any();
            }
            let purposes = c.purposes.clone();
            let head = purposes.clone();
            view! {
                <table class="consent-grid">
                    <caption>{move || i18n.t(Msg::ConsentGridCaption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(Msg::Name)}</th>
                            {head.into_iter().map(|p| view! {
                                <th scope="col">{move || p.label(i18n.locale()).to_string()}</th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {c.contact_persons.iter().cloned().map(|(cp, name)| {
                            let row_name = name.clone();
                            view! {
                                <tr>
                                    <th scope="row">{row_name}</th>
                                    {purposes.iter().cloned().map(|p| {
                                        let cell = (cp, p.id);
                                        let was = c.mark(cp, p.id);
                                        let name = name.clone();
                                        let label = move || format!("{} – {}", p.label(i18n.locale()), name);
                                        let changed = move || changes.with(|ch| ch.iter().any(|x| (x.contact_person_id, x.purpose_id) == cell));
                                        view! {
                                            <td class:changed=changed>
                                                <label class="consent-cell">
                                                    <input type="checkbox"
                                                        aria-label=label
                                                        prop:checked=move || ticked.with(|t| t.contains(&cell))
                                                        disabled=move || status.get() == GridStatus::Saving
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            ticked.update(|t| { if on { t.insert(cell); } else { t.remove(&cell); } });
                                                            if status.get_untracked() == GridStatus::Saved { status.set(GridStatus::Ready) }
                                                        }/>
                                                    <ConsentMarkLabel mark=was/>
                                                </label>
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })
    };

    view! {
        <Modal id="samtykke" open=Signal::from(open) title on_close_request=request_close>
            <div class="modal-body" on:keydown=on_save_shortcut(save)>
                {grid}
                <p class="save-status" id="samtykke-status" role="status" aria-live="polite">
                    {move || match status.get() {
                        GridStatus::Loading => i18n.t(Msg::Loading).to_string(),
                        GridStatus::Saving => i18n.t(Msg::Saving).to_string(),
                        GridStatus::Saved => i18n.t(Msg::ConsentSaved).to_string(),
                        GridStatus::Ready => unsaved_changes(i18n.locale(), changes.with(|c| c.len())),
                        GridStatus::Conflict | GridStatus::Failed(_) => String::new(),
                    }}
                </p>
                <Show when=move || status.get() == GridStatus::Conflict>
                    <div class="form-error" role="alert">
                        <p>{move || i18n.t(Msg::ConsentConflict)}</p>
                        <button type="button" on:click=move |_| load(GridStatus::Ready)>{move || i18n.t(Msg::Reload)}</button>
                    </div>
                </Show>
                {move || match status.get() {
                    GridStatus::Failed(e) => Some(view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }),
                    _ => None,
                }}
                <Show when=move || confirm_discard.get()>
                    <div class="confirm" role="alertdialog" aria-labelledby="samtykke-forkast-sporsmal">
                        <p id="samtykke-forkast-sporsmal">{move || i18n.t(Msg::DiscardQuestion)}</p>
                        <button type="button" class="danger" on:click=move |_| close()>{move || i18n.t(Msg::Discard)}</button>
                        <button type="button" id="samtykke-fortsett" on:click=move |_| confirm_discard.set(false)>{move || i18n.t(Msg::KeepEditing)}</button>
                    </div>
                </Show>
                <div class="form-actions">
                    <button type="button" class="primary" aria-keyshortcuts="Control+S"
                        disabled=move || changes.with(|c| c.is_empty()) || status.get() == GridStatus::Saving
                        on:click=move |_| save()>
                        {move || i18n.t(Msg::SaveShortcut)}
                    </button>
                    <button type="button" on:click=move |_| request_close.run(())>{move || i18n.t(Msg::Close)}</button>
                </div>
            </div>
        </Modal>
    }
}

/// A contact person's consent events, newest first.
#[component]
pub fn ConsentHistoryDialog(contact: RwSignal<Option<(ContactPersonId, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    let events = Resource::new(
        move || contact.get().map(|(id, _)| id),
        |id| async move {
            match id {
                Some(id) => consent_history(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let open = Signal::derive(move || contact.get().is_some());
    let title = Signal::derive(move || {
        let name = contact.get().map(|(_, n)| n).unwrap_or_default();
        format!("{}: {}", i18n.t(Msg::ConsentHistory), name)
    });
    let close = Callback::new(move |_| contact.set(None));
    view! {
        <Modal id="samtykkehistorikk" open title on_close_request=close>
            <div class="modal-body">
                <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        match events.await {
                            Ok(Some(list)) if list.is_empty() => view! { <p class="empty">{move || i18n.t(Msg::NoConsentEvents)}</p> }.into_any(),
                            Ok(Some(list)) => view! { <HistoryTable events=list/> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <div class="form-actions">
                    <button type="button" on:click=move |_| close.run(())>{move || i18n.t(Msg::Close)}</button>
                </div>
            </div>
        </Modal>
    }
}

#[component]
fn HistoryTable(events: Vec<ConsentEventView>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="consent-history">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(Msg::When)}</th>
                    <th scope="col">{move || i18n.t(Msg::Purpose)}</th>
                    <th scope="col">{move || i18n.t(Msg::Change)}</th>
                    <th scope="col">{move || i18n.t(Msg::ChangedBy)}</th>
                    <th scope="col">{move || i18n.t(Msg::Source)}</th>
                    <th scope="col">{move || i18n.t(Msg::IpAddress)}</th>
                </tr>
            </thead>
            <tbody>
                {events.into_iter().rev().map(|e| {
                    let at = e.at_ms;
                    let who = e.staff_name.clone();
                    let (label_nb, label_en, version) = (e.purpose_label_nb.clone(), e.purpose_label_en.clone(), e.purpose_version);
                    let purpose = move || {
                        let label = if i18n.locale() == Locale::Nb { &label_nb } else { &label_en };
                        format!("{label} (v{version})")
                    };
                    let source = e.source;
                    view! {
                        <tr>
                            <td>{move || local_time(at, i18n.locale())}</td>
                            <td>{purpose}</td>
                            <td><ConsentMarkLabel mark=ConsentMark::from_given(e.given)/></td>
                            <td>{move || who.clone().unwrap_or_else(|| i18n.t(Msg::TheCustomer).to_string())}</td>
                            <td>{move || i18n.t(source_msg(source))}</td>
                            <td>{e.ip.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
