//! Pages and components.

mod access_control;
mod access_log;
mod anonymise;
mod archive;
mod retention;
mod card;
mod consent;
mod consent_settings;
mod dialog;
mod fields;
mod invoices;
mod login;
mod menu;
mod mfa;
mod min_side;
mod report;
mod search;
mod secrets;
mod settings;
mod shell;
mod tabs;

use crate::i18n::{initial_locale, I18n};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    let locale = initial_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from this site or with this response's nonce
/// (leptos_axum makes one per page and puts it on the hydration scripts), WebAssembly allowed to
/// compile, no inline styles, no framing. A page is only ever shown by this app itself.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string()).unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&csp) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    use crate::domain::access::Permission::*;
    use shell::RequireRight;
    provide_meta_context();
    provide_context(I18n(RwSignal::new(initial_locale())));
    view! {
        <Stylesheet id="samtykke" href="/pkg/samtykke.css"/>
        <Title text="Samtykke"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/logg-inn") view=login::LoginPage/>
                <Route path=path!("/logg-inn/kode") view=mfa::MfaCodePage/>
                <Route path=path!("/logg-inn/tofaktor") view=mfa::MfaEnrolLoginPage/>
                <ParentRoute path=path!("/min-side") view=min_side::MinSideShell>
                    <Route path=path!("") view=min_side::MyPagePage/>
                    <Route path=path!("/mine-data") view=min_side::MyDataPage/>
                    <Route path=path!("/aktiver") view=min_side::SetPasswordPage/>
                    <Route path=path!("/:tenant/logg-inn") view=min_side::CustomerLoginPage/>
                    <Route path=path!("/:tenant/glemt-passord") view=min_side::ForgotPasswordPage/>
                </ParentRoute>
                <ParentRoute path=path!("") view=shell::StaffShell>
                    <Route path=path!("") view=|| view! { <Redirect path="/kunder"/> }/>
                    <Route path=path!("/velg-klient") view=shell::ChooseTenantPage/>
                    // Each page names the right it needs; without it the page says which, instead
                    // of failing call by call. The server checks every call again.
                    <Route path=path!("/kunder") view=|| view! { <RequireRight right=CustomerRead><search::CustomerSearchPage/></RequireRight> }/>
                    <Route path=path!("/kunder/ny") view=|| view! { <RequireRight right=CustomerWrite><card::NewCustomerPage/></RequireRight> }/>
                    <Route path=path!("/kunder/:id") view=|| view! { <RequireRight right=CustomerRead><card::CustomerCardPage/></RequireRight> }/>
                    <Route path=path!("/fakturaer/:id") view=|| view! { <RequireRight right=CustomerRead><invoices::InvoiceCopyPage/></RequireRight> }/>
                    <Route path=path!("/anonymisering") view=|| view! { <RequireRight right=Anonymise><retention::RetentionRulePage/></RequireRight> }/>
                    <Route path=path!("/fakturaarkiv") view=|| view! { <RequireRight right=Bookkeeping><archive::InvoiceArchivePage/></RequireRight> }/>
                    <Route path=path!("/fakturaarkiv/:id") view=|| view! { <RequireRight right=Bookkeeping><archive::ArchivedInvoicePage/></RequireRight> }/>
                    <Route path=path!("/kunder/:id/anonymiser") view=|| view! { <RequireRight right=Anonymise><anonymise::AnonymisePage/></RequireRight> }/>
                    <Route path=path!("/kunder/:id/samtykkeskjema") view=|| view! { <RequireRight right=ConsentRead><report::ConsentFormPage/></RequireRight> }/>
                    <Route path=path!("/innstillinger") view=|| view! { <RequireRight right=CustomerRead><settings::ClientSettingsPage/></RequireRight> }/>
                    <Route path=path!("/rapporter/samtykkeskjema") view=|| view! { <RequireRight right=CustomerRead><report::ConsentFormPage/></RequireRight> }/>
                    <Route path=path!("/rapporter/samtykkehendelser") view=|| view! { <RequireRight right=Reports><settings::ConsentEventsExportPage/></RequireRight> }/>
                    <Route path=path!("/tofaktor") view=mfa::MfaPage/>
                    <Route path=path!("/innsynslogg") view=|| view! { <RequireRight right=AccessLog><access_log::AccessLogPage/></RequireRight> }/>
                    <Route path=path!("/tilgangsstyring") view=|| view! { <RequireRight right=AccessControl><access_control::AccessControlPage/></RequireRight> }/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page">
            <h1>{move || i18n.t(crate::i18n::Msg::ErrNotFound)}</h1>
            <a href="/kunder">{move || i18n.t(crate::i18n::Msg::CustomerSearch)}</a>
        </main>
    }
}
