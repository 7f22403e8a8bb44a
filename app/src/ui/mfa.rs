//! Tofaktor (MFA): the code asked for after the password, the enrolment with its QR code, and
//! the user's own page (`/tofaktor`).

use crate::api::{confirm_mfa_enrolment, mfa_status, start_mfa_enrolment, VerifyMfa};
use crate::domain::mfa::MfaEnrolled;
use crate::error::ApiError;
use crate::i18n::{api_error, use_i18n, Msg};
use leptos::prelude::*;

/// After the password: a code from the app, or a recovery code. A plain form, so it works before
/// the WebAssembly has loaded.
#[component]
pub fn MfaCodePage() -> impl IntoView {
    let i18n = use_i18n();
    let verify = ServerAction::<VerifyMfa>::new();
    let error = move || verify.value().get().and_then(|r| r.err()).map(|e| api_error(i18n.locale(), &e));
    view! {
        <main class="login-page">
            <h1>{move || i18n.t(Msg::AppName)}</h1>
            <ActionForm action=verify attr:class="login-form" attr:aria-labelledby="mfa-title">
                <h2 id="mfa-title">{move || i18n.t(Msg::MfaTitle)}</h2>
                <p>{move || i18n.t(Msg::MfaCodeHelp)}</p>
                <label for="mfa-code">{move || i18n.t(Msg::MfaCode)}</label>
                <input id="mfa-code" name="code" autocomplete="one-time-code" required autofocus
                    aria-describedby="mfa-error" aria-invalid=move || error().is_some().to_string()/>
                <p class="field-error" role="alert" id="mfa-error">{error}</p>
                <button type="submit" class="primary" disabled=move || verify.pending().get()>
                    {move || i18n.t(Msg::LogIn)}
                </button>
                <a href="/logg-inn">{move || i18n.t(Msg::Cancel)}</a>
            </ActionForm>
        </main>
    }
}

/// Enrolment as part of a login, when a client requires MFA and the user has none yet.
#[component]
pub fn MfaEnrolLoginPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="login-page">
            <h1>{move || i18n.t(Msg::AppName)}</h1>
            <section class="login-form">
                <h2>{move || i18n.t(Msg::MfaSetUp)}</h2>
                <p>{move || i18n.t(Msg::MfaRequiredHelp)}</p>
                <MfaEnrolment/>
            </section>
        </main>
    }
}

/// Calls `load` once the page is running in the browser and keeps its answer: these answers
/// (a fresh seed above all) belong to the browser that shows them, not to a server render.
fn load_in_browser<T: Send + Sync + 'static, F: std::future::Future<Output = Result<T, ApiError>> + 'static>(
    load: impl Fn() -> F + 'static,
) -> RwSignal<Option<Result<T, ApiError>>> {
    let answer = RwSignal::new(None);
    Effect::new(move |_| {
        let pending = load();
        leptos::task::spawn_local(async move { answer.set(Some(pending.await)) });
    });
    answer
}

/// The user's own MFA, from the user menu.
#[component]
pub fn MfaPage() -> impl IntoView {
    let i18n = use_i18n();
    let status = load_in_browser(mfa_status);
    let enrolling = RwSignal::new(false);
    view! {
        <main class="page">
            <h1>{move || i18n.t(Msg::MfaTitle)}</h1>
            {move || match status.get() {
                None => view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Some(Ok(s)) if s.enrolled => view! {
                    <p data-testid="mfa-status">{move || i18n.t(Msg::MfaIsOn)}</p>
                    <p>{move || format!("{}: {}", i18n.t(Msg::MfaRecoveryCodesLeft), s.recovery_codes_left)}</p>
                }.into_any(),
                Some(Ok(s)) => view! {
                    <p data-testid="mfa-status">{move || i18n.t(Msg::MfaIsOff)}</p>
                    {s.required.then(|| view! { <p>{move || i18n.t(Msg::MfaRequiredHelp)}</p> })}
                    <Show when=move || enrolling.get() fallback=move || view! {
                        <button class="primary" on:click=move |_| enrolling.set(true)>{move || i18n.t(Msg::MfaSetUp)}</button>
                    }>
                        <MfaEnrolment/>
                    </Show>
                }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
            }}
        </main>
    }
}

/// The QR code and the key, a field for the first code, then the recovery codes, once.
#[component]
fn MfaEnrolment() -> impl IntoView {
    let i18n = use_i18n();
    // Each call makes a new seed: only the page that shows it should ask.
    let enrolment = load_in_browser(start_mfa_enrolment);
    let code = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<MfaEnrolled>);
    let confirm = Action::new_local(move |code: &String| {
        let code = code.clone();
        async move {
            match confirm_mfa_enrolment(code).await {
                Ok(enrolled) => {
                    failure.set(None);
                    done.set(Some(enrolled));
                }
                Err(e) => failure.set(Some(e)),
            }
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        confirm.dispatch(code.get_untracked());
    };
    view! {
        <Show when=move || done.get().is_none() fallback=move || view! { <RecoveryCodes enrolled=done.get().unwrap()/> }>
            {move || match enrolment.get() {
                None => view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Some(Ok(e)) => view! {
                    <ol class="mfa-steps">
                        <li>{move || i18n.t(Msg::MfaScan)}</li>
                    </ol>
                    <div class="mfa-qr" role="img" aria-label=move || i18n.t(Msg::MfaQr) inner_html=e.qr_svg></div>
                    <p>{move || i18n.t(Msg::MfaKeyByHand)}" "<code data-testid="mfa-secret">{e.secret}</code></p>
                }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
            }}
            <form class="mfa-confirm" on:submit=submit>
                <label for="mfa-new-code">{move || i18n.t(Msg::MfaFirstCode)}</label>
                <input id="mfa-new-code" name="code" autocomplete="one-time-code" inputmode="numeric" required
                    aria-describedby="mfa-new-code-error" aria-invalid=move || failure.get().is_some().to_string()
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                <p class="field-error" role="alert" id="mfa-new-code-error">{move || failure.get().map(|e| api_error(i18n.locale(), &e))}</p>
                <button type="submit" class="primary" disabled=move || confirm.pending().get()>{move || i18n.t(Msg::MfaActivate)}</button>
            </form>
        </Show>
    }
}

#[component]
fn RecoveryCodes(enrolled: MfaEnrolled) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p role="status" data-testid="mfa-enrolled">{move || i18n.t(Msg::MfaEnrolledNow)}</p>
        <p>{move || i18n.t(Msg::MfaRecoveryHelp)}</p>
        <ul class="recovery-codes" data-testid="recovery-codes">
            {enrolled.recovery_codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
        </ul>
        // A full load: the session changed (a login finished), and every page reads it afresh.
        <a class="button primary" href=enrolled.next rel="external">{move || i18n.t(Msg::Continue)}</a>
    }
}
