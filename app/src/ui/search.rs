use crate::api::search_customers;
use crate::i18n::{api_error, use_i18n, Msg};
use crate::model::SearchPage;
use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use std::time::Duration;

const DEBOUNCE: Duration = Duration::from_millis(200);

/// Kundesøk: one field, results while typing, arrows and Enter to open a customer.
#[component]
pub fn CustomerSearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let typed = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    let active = RwSignal::new(None::<usize>);
    let pending_timer = StoredValue::new(None::<TimeoutHandle>);

    // Searched from the browser only, by an action an effect dispatches (effects never run on
    // the server). No resource is read while the server renders, so neither the deadlock of a
    // shared resource nor a `LocalResource` read under the shell's `Suspense` (which made that
    // Suspense give up on the server, now and then, and the page come out blank) can happen;
    // see docs/DECISIONS.md, "Kundesøk searches from the browser". The action keeps only the
    // answer to the latest search, so a slow earlier answer never replaces a later one.
    let search = Action::new(|(query, page): &(String, u32)| search_customers(query.clone(), *page));
    Effect::new(move |_| {
        search.dispatch((query.get(), page.get()));
    });
    let results = search.value();
    let hits = move || results.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).map(|p: &SearchPage| p.hits.clone())).unwrap_or_default();

    let on_input = move |ev: ev::Event| {
        typed.set(event_target_value(&ev));
        if let Some(h) = pending_timer.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                query.set(typed.get_untracked());
                page.set(0);
                active.set(None);
            },
            DEBOUNCE,
        )
        .ok();
        pending_timer.set_value(handle);
    };
    let open = {
        let navigate = navigate.clone();
        move |id: i64| navigate(&format!("/kunder/{id}"), Default::default())
    };
    let on_key = {
        let open = open.clone();
        move |ev: ev::KeyboardEvent| {
            let list = hits();
            match ev.key().as_str() {
                "ArrowDown" if !list.is_empty() => {
                    ev.prevent_default();
                    active.update(|a| *a = Some(a.map_or(0, |i| (i + 1).min(list.len() - 1))));
                }
                "ArrowUp" if !list.is_empty() => {
                    ev.prevent_default();
                    active.update(|a| *a = Some(a.map_or(0, |i| i.saturating_sub(1))));
                }
                "Enter" => {
                    ev.prevent_default();
                    let chosen = active.get_untracked().or((list.len() == 1).then_some(0));
                    if let Some(hit) = chosen.and_then(|i| list.get(i)) {
                        open(hit.id);
                    }
                }
                "Escape" => active.set(None),
                _ => {}
            }
        }
    };

    view! {
        <main class="page search-page">
            <h1>{move || i18n.t(Msg::CustomerSearch)}</h1>
            <label for="kundesok" class="search-label">{move || i18n.t(Msg::SearchLabel)}</label>
            <input
                id="kundesok"
                type="search"
                autocomplete="off"
                role="combobox"
                aria-autocomplete="list"
                aria-controls="kundesok-treff"
                aria-expanded=move || (!hits().is_empty()).to_string()
                aria-activedescendant=move || active.get().and_then(|i| hits().get(i).map(|h| format!("treff-{}", h.id)))
                aria-describedby="kundesok-hint"
                placeholder=move || i18n.t(Msg::SearchHint)
                prop:value=move || typed.get()
                on:input=on_input
                on:keydown=on_key
                autofocus
            />
            <p id="kundesok-hint" class="hint">{move || i18n.t(Msg::SearchHint)}</p>
            <div class="search-results" aria-busy=move || search.pending().get().to_string()>
                {move || match results.get() {
                    None => view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                    Some(result) => match result {
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                        Ok(p) if p.hits.is_empty() => view! { <p class="no-hits" role="status">{move || i18n.t(Msg::NoHits)}</p> }.into_any(),
                        Ok(p) => {
                            let open = open.clone();
                            view! {
                                <ul id="kundesok-treff" role="listbox" class="hits" aria-label=move || i18n.t(Msg::CustomerSearch)>
                                    {p.hits.into_iter().enumerate().map(|(i, hit)| {
                                        let open = open.clone();
                                        let id = hit.id;
                                        view! {
                                            <li
                                                id=format!("treff-{id}")
                                                role="option"
                                                class="hit"
                                                aria-selected=move || (active.get() == Some(i)).to_string()
                                                on:click=move |_| open(id)
                                            >
                                                <span class="hit-number">{hit.customer_number}</span>
                                                <span class="hit-name">{hit.display_name}</span>
                                                <span class="hit-detail">{hit.org_no}</span>
                                                <span class="hit-detail">{hit.email}</span>
                                                <span class="hit-detail">{hit.phone}</span>
                                                <span class="hit-detail">{hit.city}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <nav class="pager" aria-label=move || i18n.t(Msg::PageN)>
                                    <button disabled=p.page == 0 on:click=move |_| { page.update(|n| *n = n.saturating_sub(1)); active.set(None); }>
                                        {move || i18n.t(Msg::PreviousPage)}
                                    </button>
                                    <span>{move || i18n.t(Msg::PageN)}" "{p.page + 1}</span>
                                    <button disabled=!p.has_more on:click=move |_| { page.update(|n| *n += 1); active.set(None); }>
                                        {move || i18n.t(Msg::NextPage)}
                                    </button>
                                </nav>
                            }.into_any()
                        }
                    }
                }}
            </div>
        </main>
    }
}
