use crate::api::Login;
use crate::i18n::{api_error, use_i18n, Msg};
use leptos::prelude::*;

/// Works before the WebAssembly has loaded too: the form posts to the server function and the
/// server answers with a redirect.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    let error = move || {
        login
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| api_error(i18n.locale(), &e))
    };
    view! {
        <main class="login-page">
            <h1>{move || i18n.t(Msg::AppName)}</h1>
            <ActionForm action=login attr:class="login-form" attr:aria-labelledby="login-title">
                <h2 id="login-title">{move || i18n.t(Msg::LogIn)}</h2>
                <label for="login-email">{move || i18n.t(Msg::Email)}</label>
                <input id="login-email" type="email" name="email" autocomplete="username" required/>
                <label for="login-password">{move || i18n.t(Msg::Password)}</label>
                <input id="login-password" type="password" name="password" autocomplete="current-password" required/>
                <p class="form-error" role="alert" id="login-error">{error}</p>
                <button type="submit" class="primary" disabled=move || login.pending().get()>
                    {move || i18n.t(Msg::LogIn)}
                </button>
            </ActionForm>
            <super::shell::LanguageSwitch/>
        </main>
    }
}
