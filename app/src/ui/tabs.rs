//! A tab of a WAI-ARIA tab list: the selected tab is the one in the Tab order, arrows move
//! between tabs, and each tab controls the panel `panel-<key>`.

use crate::i18n::{use_i18n, Msg};
use leptos::ev;
use leptos::prelude::*;

#[component]
pub fn TabButton<T>(
    tab: RwSignal<T>,
    value: T,
    label: Msg,
    /// Every tab of the list in order, with its key (ids `tab-<key>`, `panel-<key>`).
    all: &'static [(T, &'static str)],
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let key = all.iter().find(|(v, _)| *v == value).map_or("", |(_, k)| *k);
    view! {
        <button
            role="tab"
            id=format!("tab-{key}")
            aria-controls=format!("panel-{key}")
            aria-selected=move || (tab.get() == value).to_string()
            tabindex=move || if tab.get() == value { "0" } else { "-1" }
            on:click=move |_| tab.set(value)
            on:keydown=move |e: ev::KeyboardEvent| {
                let step: isize = match e.key().as_str() {
                    "ArrowRight" => 1,
                    "ArrowLeft" => -1,
                    _ => return,
                };
                let here = all.iter().position(|(v, _)| *v == tab.get_untracked()).unwrap_or(0) as isize;
                let (next, next_key) = all[(here + step).rem_euclid(all.len() as isize) as usize];
                tab.set(next);
                if let Some(el) = document().get_element_by_id(&format!("tab-{next_key}")) {
                    use wasm_bindgen::JsCast;
                    let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            }
        >
            {move || i18n.t(label)}
        </button>
    }
}
