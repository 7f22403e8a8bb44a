//! A menu button with its popup menu, shared by Hovedmeny and the customer card's hamburger.
//!
//! Keyboard behaviour follows the WAI-ARIA menu button pattern: opening moves focus to the
//! first item, arrows move between items, Home/End jump, Esc closes and returns focus to the
//! button, Tab closes. Elements are found by id, so the same code works on server-rendered
//! markup that was hydrated and on markup created in the browser.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

fn items(menu_id: &str) -> Vec<web_sys::HtmlElement> {
    document()
        .get_element_by_id(menu_id)
        .and_then(|m| m.query_selector_all("[role=menuitem]").ok())
        .map(|list| (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect())
        .unwrap_or_default()
}

fn focus_by_id(id: &str) {
    if let Some(el) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// Opens the menu and, once it is shown, focuses its first item.
pub fn open_menu(open: RwSignal<bool>, menu_id: &'static str) {
    open.set(true);
    request_animation_frame(move || {
        if let Some(first) = items(menu_id).first() {
            let _ = first.focus();
        }
    });
}

pub fn close_menu(open: RwSignal<bool>, menu_id: &'static str) {
    open.set(false);
    focus_by_id(&format!("{menu_id}-knapp"));
}

#[component]
pub fn MenuButton(
    /// The menu's element id; the button gets `<id>-knapp`.
    menu_id: &'static str,
    open: RwSignal<bool>,
    label: Signal<String>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] shortcut: Option<&'static str>,
    /// An icon shown instead of the label; the label then names the button for screen readers.
    #[prop(optional, into)]
    icon: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    let on_key = move |e: ev::KeyboardEvent| {
        if !open.get_untracked() {
            return;
        }
        let all = items(menu_id);
        let active = document().active_element();
        let current = all.iter().position(|i| Some(i.unchecked_ref::<web_sys::Element>()) == active.as_ref());
        let focus = |i: usize| {
            if let Some(item) = all.get(i) {
                let _ = item.focus();
            }
        };
        let n = all.len().max(1) as isize;
        let step = |d: isize| focus((current.map_or(-1, |c| c as isize) + d).rem_euclid(n) as usize);
        match e.key().as_str() {
            "ArrowDown" => { e.prevent_default(); step(1) }
            "ArrowUp" => { e.prevent_default(); step(-1) }
            "Home" => { e.prevent_default(); focus(0) }
            "End" => { e.prevent_default(); focus(all.len().saturating_sub(1)) }
            "Escape" => { e.prevent_default(); close_menu(open, menu_id) }
            "Tab" => open.set(false),
            _ => {}
        }
    };
    let icon_only = icon.is_some();
    view! {
        <div class=format!("menu {class}") on:keydown=on_key>
            <button
                id=format!("{menu_id}-knapp")
                class="menu-button"
                aria-haspopup="menu"
                aria-controls=menu_id
                aria-expanded=move || open.get().to_string()
                aria-keyshortcuts=shortcut
                aria-label=move || icon_only.then(|| label.get())
                on:click=move |_| if open.get_untracked() { close_menu(open, menu_id) } else { open_menu(open, menu_id) }
            >
                {match icon {
                    Some(icon) => icon.run(),
                    None => (move || label.get()).into_any(),
                }}
            </button>
            <ul id=menu_id role="menu" aria-labelledby=format!("{menu_id}-knapp") hidden=move || !open.get()>
                {children()}
            </ul>
        </div>
    }
}
