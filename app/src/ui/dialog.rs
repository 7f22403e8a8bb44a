//! A modal dialog on the native `<dialog>` element.
//!
//! `showModal()` makes the rest of the page inert and gives the dialog the right role; on top
//! of that, Tab and Shift+Tab wrap around inside the dialog, and Esc does not close it by
//! itself but asks the owner (`on_close_request`), which may first ask about unsaved changes.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

fn focusables(dialog: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    dialog
        .query_selector_all(FOCUSABLE)
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
                .filter(|e| e.offset_parent().is_some())
                .collect()
        })
        .unwrap_or_default()
}

#[component]
pub fn Modal(
    /// The dialog's element id; its heading gets `<id>-tittel`.
    id: &'static str,
    open: Signal<bool>,
    title: Signal<String>,
    on_close_request: Callback<()>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let Some(dialog) = node.get() else { return };
        if open.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        } else if dialog.open() {
            dialog.close();
        }
    });
    let on_key = move |e: ev::KeyboardEvent| {
        let Some(dialog) = node.get_untracked() else { return };
        match e.key().as_str() {
            "Escape" => {
                // Keeps the browser from closing the dialog behind the owner's back.
                e.prevent_default();
                on_close_request.run(());
            }
            "Tab" => {
                let all = focusables(dialog.unchecked_ref());
                let (Some(first), Some(last)) = (all.first(), all.last()) else { return };
                let active = document().active_element();
                let is = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.unchecked_ref::<web_sys::Element>());
                if e.shift_key() && is(first) {
                    e.prevent_default();
                    let _ = last.focus();
                } else if !e.shift_key() && is(last) {
                    e.prevent_default();
                    let _ = first.focus();
                }
            }
            _ => {}
        }
    };
    view! {
        <dialog
            node_ref=node
            id=id
            class="modal"
            aria-labelledby=format!("{id}-tittel")
            on:keydown=on_key
            // Other close requests (a back gesture) close the element itself: open it again and
            // let the owner decide, as for Esc.
            on:close=move |_| {
                if open.get_untracked() {
                    if let Some(dialog) = node.get_untracked() { let _ = dialog.show_modal(); }
                    on_close_request.run(());
                }
            }
        >
            <h2 id=format!("{id}-tittel")>{move || title.get()}</h2>
            {children()}
        </dialog>
    }
}
