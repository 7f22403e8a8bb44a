//! Innsynslogg: the tenant's access log for those with the Innsynslogg right, filtered by user,
//! customer, action and period, newest first, with the same filter as a CSV download; and, for
//! administrators, how long the log is kept.

use super::consent::local_time;
use super::shell::UserRights;
use crate::api::{load_access_log, set_access_log_retention};
use crate::error::ApiError;
use crate::i18n::{access_action_label, api_error, field_error, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;

fn non_empty(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// The download link for `filter`, with the query names the server reads.
fn export_href(f: &AccessLogFilter) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            q.append_pair(k, &v);
        }
    };
    add("bruker", f.user.map(|u| u.to_string()));
    add("kunde", f.customer_number.clone());
    add("handling", f.action.clone());
    add("fra", f.from.clone());
    add("til", f.to.clone());
    format!("/eksport/innsynslogg.csv?{}", q.finish())
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    // What the form holds, and what the table shows: the table changes on "Filtrer" only.
    let draft = RwSignal::new(AccessLogFilter::default());
    let applied = RwSignal::new(AccessLogFilter::default());
    let rows = RwSignal::new(Vec::<AccessLogRow>::new());
    let has_more = RwSignal::new(false);
    let staff = RwSignal::new(Vec::<(StaffUserId, String)>::new());
    let retention = RwSignal::new(None::<Option<u32>>);
    let failure = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);

    let load = move |filter: AccessLogFilter, before: Option<i64>| {
        loading.set(true);
        leptos::task::spawn_local(async move {
            match load_access_log(filter.clone(), before).await {
                Ok(page) => {
                    failure.set(None);
                    applied.set(filter);
                    if before.is_none() {
                        rows.set(page.rows);
                    } else {
                        rows.update(|r| r.extend(page.rows));
                    }
                    has_more.set(page.has_more);
                    staff.set(page.staff);
                    retention.set(Some(page.retention_months));
                }
                Err(e) => failure.set(Some(e)),
            }
            loading.set(false);
        });
    };
    // The log is read from the browser once the page is up, like every list that grows.
    Effect::new(move |_| load(AccessLogFilter::default(), None));

    let error_for = move |field: &'static str| {
        move || failure.get().and_then(|e| e.field_errors().and_then(|f| f.get(field))).map(|e| field_error(i18n.locale(), e))
    };
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        load(draft.get_untracked(), None);
    };
    let i_am_admin = use_context::<UserRights>().is_some_and(|r| r.admin);
    let set = move |edit: fn(&mut AccessLogFilter, String)| move |ev| draft.update(|f| edit(f, event_target_value(&ev)));

    view! {
        <main class="page access-log-page">
            <h1>{move || i18n.t(Msg::AccessLog)}</h1>
            <p class="hint">{move || i18n.t(Msg::AccessLogLead)}</p>
            <form class="log-filter" on:submit=submit aria-label=move || i18n.t(Msg::Filter)>
                <div class="field">
                    <label for="log-user">{move || i18n.t(Msg::LogUser)}</label>
                    <select id="log-user" on:change=set(|f, v| f.user = v.parse().ok())>
                        <option value="">{move || i18n.t(Msg::AllUsers)}</option>
                        <For each=move || staff.get() key=|(id, _)| *id let:person>
                            <option value=person.0.to_string()>{person.1}</option>
                        </For>
                    </select>
                </div>
                <div class="field">
                    <label for="log-customer">{move || i18n.t(Msg::LogCustomer)}</label>
                    <input id="log-customer" inputmode="numeric" on:input=set(|f, v| f.customer_number = non_empty(v))/>
                </div>
                <div class="field">
                    <label for="log-action">{move || i18n.t(Msg::LogAction)}</label>
                    <select id="log-action" aria-describedby="log-action-error" on:change=set(|f, v| f.action = non_empty(v))>
                        <option value="">{move || i18n.t(Msg::AllActions)}</option>
                        {ACCESS_LOG_ACTIONS.into_iter().map(|code| view! {
                            <option value=code>{move || access_action_label(i18n.locale(), code)}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="log-action-error">{error_for("action")}</p>
                </div>
                <div class="field" class:invalid=move || error_for("from")().is_some()>
                    <label for="log-from">{move || i18n.t(Msg::FromDate)}</label>
                    <input id="log-from" type="date" aria-describedby="log-from-error" on:input=set(|f, v| f.from = non_empty(v))/>
                    <p class="field-error" id="log-from-error">{error_for("from")}</p>
                </div>
                <div class="field" class:invalid=move || error_for("to")().is_some()>
                    <label for="log-to">{move || i18n.t(Msg::ToDate)}</label>
                    <input id="log-to" type="date" aria-describedby="log-to-error" on:input=set(|f, v| f.to = non_empty(v))/>
                    <p class="field-error" id="log-to-error">{error_for("to")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="primary">{move || i18n.t(Msg::Filter)}</button>
                    <a class="button" href=move || export_href(&applied.get()) download>{move || i18n.t(Msg::ExportCsv)}</a>
                </div>
            </form>
            <p class="form-error" role="alert">{move || failure.get().filter(|e| e.field_errors().is_none()).map(|e| api_error(i18n.locale(), &e))}</p>
            <table class="access-log" aria-busy=move || loading.get().to_string()>
                <thead><tr>
                    <th>{move || i18n.t(Msg::LogWhen)}</th>
                    <th>{move || i18n.t(Msg::LogWho)}</th>
                    <th>{move || i18n.t(Msg::LogAction)}</th>
                    <th>{move || i18n.t(Msg::LogCustomer)}</th>
                    <th>{move || i18n.t(Msg::LogObject)}</th>
                    <th>{move || i18n.t(Msg::LogIp)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.seq let:row>
                        <tr data-action=row.action.clone()>
                            <td>{move || local_time(row.at_ms, i18n.locale())}</td>
                            <td>{row.who.clone()}{row.by_customer.then(|| view! { " " <span class="hint">{move || i18n.t(Msg::CustomerOnMinSide)}</span> })}</td>
                            <td>{let code = row.action.clone(); move || access_action_label(i18n.locale(), &code)}</td>
                            <td>{row.customer.clone().map(|c| view! { <a href=format!("/kunder/{}", row.customer_id.unwrap_or_default())>{c}</a> })}</td>
                            <td>{row.object.clone()}</td>
                            <td>{row.ip.clone()}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty) && failure.get().is_none()>
                <p class="empty">{move || i18n.t(Msg::NoLogEntries)}</p>
            </Show>
            <Show when=move || has_more.get()>
                <button type="button" on:click=move |_| {
                    let last = rows.with_untracked(|r| r.last().map(|r| r.seq));
                    load(applied.get_untracked(), last);
                }>{move || i18n.t(Msg::ShowMore)}</button>
            </Show>
            <Show when=move || i_am_admin && retention.get().is_some()>
                <RetentionForm months=retention.get_untracked().flatten()/>
            </Show>
        </main>
    }
}

#[component]
fn RetentionForm(months: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let value = RwSignal::new(months.map(|m| m.to_string()).unwrap_or_default());
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let text = value.get_untracked();
        let months = match text.trim() {
            "" => None,
            t => match t.parse::<u32>() {
                Ok(m) => Some(m),
                Err(_) => {
                    let (min, max) = (*crate::api::RETENTION_MONTHS.start(), *crate::api::RETENTION_MONTHS.end());
                    failure.set(Some(ApiError::invalid("retention", crate::domain::FieldError::OutOfRange { min, max })));
                    return;
                }
            },
        };
        leptos::task::spawn_local(async move {
            match set_access_log_retention(months).await {
                Ok(()) => {
                    failure.set(None);
                    saved.set(true);
                }
                Err(e) => {
                    saved.set(false);
                    failure.set(Some(e));
                }
            }
        });
    };
    let field = move || failure.get().and_then(|e| e.field_errors().and_then(|f| f.get("retention"))).map(|e| field_error(i18n.locale(), e));
    view! {
        <section class="retention" aria-labelledby="retention-heading">
            <h2 id="retention-heading">{move || i18n.t(Msg::Retention)}</h2>
            <form on:submit=submit>
                <div class="field" class:invalid=move || field().is_some()>
                    <label for="log-retention">{move || i18n.t(Msg::Retention)}</label>
                    <input id="log-retention" inputmode="numeric" aria-describedby="log-retention-error log-retention-help"
                        aria-invalid=move || field().is_some().to_string()
                        prop:value=move || value.get() on:input=move |ev| { saved.set(false); value.set(event_target_value(&ev)) }/>
                    <p class="field-error" id="log-retention-error">{field}</p>
                    <p class="hint" id="log-retention-help">{move || i18n.t(Msg::RetentionHelp)}</p>
                </div>
                <button type="submit">{move || i18n.t(Msg::SaveRetention)}</button>
                <span role="status">{move || saved.get().then(|| i18n.t(Msg::Saved))}</span>
                <p class="form-error" role="alert">{move || failure.get().filter(|e| e.field_errors().is_none()).map(|e| api_error(i18n.locale(), &e))}</p>
            </form>
        </section>
    }
}
