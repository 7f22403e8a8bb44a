use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::i18n::{api_error, field_error, use_i18n, Msg};
use leptos::ev;
use leptos::prelude::*;

/// A labelled input with its error right below it, tied together for screen readers.
#[component]
pub fn Field(
    /// Element id; also the form field name in error lists after the prefix.
    id: String,
    field: &'static str,
    label: Msg,
    value: Signal<String>,
    on_input: Callback<String>,
    errors: Signal<FieldErrors>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let error_id = format!("{id}-error");
    let error = move || errors.with(|e| e.get(field)).map(|e| field_error(i18n.locale(), e));
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{move || i18n.t(label)}{required.then_some(" *")}</label>
            <input
                id=id
                name=field
                type=input_type
                autocomplete=autocomplete
                aria-required=required.then_some("true")
                aria-invalid=move || error().is_some().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}

/// Ctrl+S (or Cmd+S) inside a form saves it instead of saving the web page.
pub fn on_save_shortcut(save: impl Fn() + 'static) -> impl Fn(ev::KeyboardEvent) + 'static {
    move |e| {
        if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("s") {
            e.prevent_default();
            save();
        }
    }
}

/// What the last save said, shown beside the Save button.
#[derive(Clone, PartialEq)]
pub enum SaveStatus {
    Idle,
    Saving,
    Saved,
    Failed(ApiError),
}

#[component]
pub fn SaveStatusLine(status: RwSignal<SaveStatus>, id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="save-status" id=id role="status" aria-live="polite">
            {move || match status.get() {
                SaveStatus::Idle => String::new(),
                SaveStatus::Saving => i18n.t(Msg::Saving).to_string(),
                SaveStatus::Saved => i18n.t(Msg::Saved).to_string(),
                SaveStatus::Failed(e) => api_error(i18n.locale(), &e),
            }}
        </p>
    }
}
