//! Min Side: the customer's own area. Its own shell and routes under `/min-side`, its own
//! session (see `crate::session`), built for a phone first: one column, large targets, no table
//! wider than the screen.

use super::consent::{local_time, ConsentMarkLabel};
use super::shell::LanguageSwitch;
use crate::api::{load_my_data, load_my_page, set_my_consent, CustomerLogin, CustomerLogout, RequestCustomerPasswordReset, SetCustomerPassword};
use crate::domain::min_side::{switch_target, MIN_PASSWORD_CHARS};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::i18n::{api_error, field_error, source_msg, use_i18n, Locale, Msg};
use crate::model::*;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn MinSideShell() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="min-side">
            <header class="min-side-bar">
                <span class="min-side-brand">{move || i18n.t(Msg::MinSide)}</span>
                <LanguageSwitch/>
            </header>
            <Outlet/>
        </div>
    }
}

/// A time that reads the same on the server and in the browser until the page is hydrated
/// (UTC), then in the browser's time zone.
#[component]
fn Time(ms: i64) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let utc = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok();
    let iso = utc.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()).unwrap_or_default();
    let fallback = utc
        .and_then(|t| t.format(time::macros::format_description!("[day].[month].[year] [hour]:[minute] UTC")).ok())
        .unwrap_or_default();
    view! { <time datetime=iso>{move || if hydrated.get() { local_time(ms, i18n.locale()) } else { fallback.clone() }}</time> }
}

fn tenant_param() -> Memo<Option<TenantId>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("tenant").and_then(|t| t.parse().ok())))
}

#[component]
pub fn CustomerLoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let tenant = tenant_param();
    let login = ServerAction::<CustomerLogin>::new();
    let error = move || login.value().get().and_then(|r| r.err()).map(|e| api_error(i18n.locale(), &e));
    view! {
        <main class="min-side-page narrow">
            <ActionForm action=login attr:class="login-form" attr:aria-labelledby="min-side-login-title">
                <h1 id="min-side-login-title">{move || i18n.t(Msg::MinSideLogIn)}</h1>
                <input type="hidden" name="tenant" value=move || tenant.get().map(|t| t.to_string()).unwrap_or_default()/>
                <label for="customer-email">{move || i18n.t(Msg::Email)}</label>
                <input id="customer-email" type="email" name="email" autocomplete="username" required/>
                <label for="customer-password">{move || i18n.t(Msg::Password)}</label>
                <input id="customer-password" type="password" name="password" autocomplete="current-password" required/>
                <p class="form-error" role="alert" id="customer-login-error">{error}</p>
                <button type="submit" class="primary" disabled=move || login.pending().get()>{move || i18n.t(Msg::LogIn)}</button>
                <a href=move || format!("/min-side/{}/glemt-passord", tenant.get().unwrap_or_default())>{move || i18n.t(Msg::ForgotPassword)}</a>
            </ActionForm>
        </main>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let tenant = tenant_param();
    let request = ServerAction::<RequestCustomerPasswordReset>::new();
    let outcome = move || {
        request.value().get().map(|r| match r {
            Ok(()) => (true, i18n.t(Msg::ResetLinkSent).to_string()),
            Err(ApiError::Invalid(errors)) => {
                (false, errors.get("email").map(|e| field_error(i18n.locale(), e)).unwrap_or_default())
            }
            Err(e) => (false, api_error(i18n.locale(), &e)),
        })
    };
    view! {
        <main class="min-side-page narrow">
            <ActionForm action=request attr:class="login-form" attr:aria-labelledby="forgot-title">
                <h1 id="forgot-title">{move || i18n.t(Msg::ForgotPassword)}</h1>
                <p>{move || i18n.t(Msg::ForgotPasswordHint)}</p>
                <input type="hidden" name="tenant" value=move || tenant.get().map(|t| t.to_string()).unwrap_or_default()/>
                <label for="reset-email">{move || i18n.t(Msg::Email)}</label>
                <input id="reset-email" type="email" name="email" autocomplete="username" required aria-describedby="reset-outcome"/>
                <p id="reset-outcome" role="status" class=move || if outcome().is_some_and(|o| o.0) { "form-ok" } else { "form-error" }>
                    {move || outcome().map(|o| o.1)}
                </p>
                <button type="submit" class="primary" disabled=move || request.pending().get()>{move || i18n.t(Msg::SendLink)}</button>
                <a href=move || crate::domain::min_side::login_path(tenant.get().unwrap_or_default())>{move || i18n.t(Msg::BackToLogin)}</a>
            </ActionForm>
        </main>
    }
}

/// Where an invitation or reset link lands: choose a password, and be logged in.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let set = ServerAction::<SetCustomerPassword>::new();
    // Every rule, the length too, is checked on the server, which answers before it hashes
    // anything; the message appears beside the field.
    let server_error = move || set.value().get().and_then(|r| r.err());
    let field_message = move || {
        server_error().and_then(|e| e.field_errors().and_then(|f: &FieldErrors| f.get("password"))).map(|e| field_error(i18n.locale(), e))
    };
    let form_message = move || match server_error() {
        Some(ApiError::Invalid(_)) | None => None,
        Some(ApiError::LinkInvalid) => Some(i18n.t(Msg::LinkInvalid).to_string()),
        Some(e) => Some(api_error(i18n.locale(), &e)),
    };
    view! {
        <main class="min-side-page narrow">
            <ActionForm action=set attr:class="login-form" attr:aria-labelledby="set-password-title">
                <h1 id="set-password-title">{move || i18n.t(Msg::ChoosePassword)}</h1>
                <p id="password-hint">{move || password_hint(i18n.locale())}</p>
                <input type="hidden" name="token" value=token/>
                <label for="new-password">{move || i18n.t(Msg::NewPassword)}</label>
                <input id="new-password" type="password" name="password" autocomplete="new-password" required
                    aria-invalid=move || field_message().is_some().to_string()
                    aria-describedby="password-hint new-password-error"/>
                <p class="field-error" id="new-password-error">{field_message}</p>
                <p class="form-error" role="alert">{form_message}</p>
                <button type="submit" class="primary" disabled=move || set.pending().get()>{move || i18n.t(Msg::SavePasswordAndLogIn)}</button>
            </ActionForm>
        </main>
    }
}

fn password_hint(locale: Locale) -> String {
    match locale {
        Locale::Nb => format!("Minst {MIN_PASSWORD_CHARS} tegn. Vanlige passord avvises; en setning av flere ord er lett å huske og vanskelig å gjette."),
        Locale::En => format!("At least {MIN_PASSWORD_CHARS} characters. Common passwords are refused; a sentence of several words is easy to remember and hard to guess."),
    }
}

#[derive(Clone, PartialEq)]
enum SwitchStatus {
    Idle,
    Saving,
    Saved(bool),
    Failed(ApiError),
}

/// Min Side's front page: the company, the consents with a switch each, the recipients, and
/// the way to "Mine data".
#[component]
pub fn MyPagePage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = Resource::new(|| (), |_| load_my_page());
    view! {
        <main class="min-side-page">
            <Suspense fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(page) => view! { <MyPageView page/> }.into_any(),
                        Err(ApiError::NotLoggedIn) => view! {
                            <h1>{move || i18n.t(Msg::MinSide)}</h1>
                            <p role="alert">{move || i18n.t(Msg::MinSideLoggedOut)}</p>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn MyPageView(page: MyPage) -> impl IntoView {
    let i18n = use_i18n();
    let logout = ServerAction::<CustomerLogout>::new();
    let company = page.company.clone();
    let page = RwSignal::new(page);
    let status = RwSignal::new(SwitchStatus::Idle);
    let toggle = move |purpose_id: PurposeId, mark: ConsentMark| {
        if status.get_untracked() == SwitchStatus::Saving {
            return;
        }
        let given = switch_target(mark);
        let version = page.with_untracked(|p| p.consent_version);
        status.set(SwitchStatus::Saving);
        leptos::task::spawn_local(async move {
            match set_my_consent(purpose_id, given, version).await {
                Ok(fresh) => {
                    page.set(fresh);
                    status.set(SwitchStatus::Saved(given));
                }
                Err(e) => {
                    // Show what stands now, so the next switch starts from the truth.
                    if let Ok(fresh) = load_my_page().await {
                        page.set(fresh);
                    }
                    status.set(SwitchStatus::Failed(e));
                }
            }
        });
    };
    let status_text = move || match status.get() {
        SwitchStatus::Idle => String::new(),
        SwitchStatus::Saving => i18n.t(Msg::Saving).into(),
        SwitchStatus::Saved(true) => i18n.t(Msg::ConsentGivenNow).into(),
        SwitchStatus::Saved(false) => i18n.t(Msg::ConsentWithdrawnNow).into(),
        SwitchStatus::Failed(ApiError::Conflict) => i18n.t(Msg::MyConsentConflict).into(),
        SwitchStatus::Failed(e) => api_error(i18n.locale(), &e),
    };
    let name = page.with_untracked(|p| format!("{} ({})", p.contact_name, p.email));
    view! {
        <div class="my-page-head">
            <h1>{move || i18n.t(Msg::MinSide)}" – "{company.name.clone()}</h1>
            <p class="logged-in-as">{move || i18n.t(Msg::LoggedInAs)}" "{name.clone()}</p>
            <ActionForm action=logout>
                <button type="submit">{move || i18n.t(Msg::LogOut)}</button>
            </ActionForm>
        </div>
        <section aria-labelledby="my-consents-title">
            <h2 id="my-consents-title">{move || i18n.t(Msg::MyConsents)}</h2>
            <p>{move || i18n.t(Msg::MyConsentsLead)}</p>
            <p class="switch-status" role="status" aria-live="polite" id="my-consent-status">{status_text}</p>
            <ul class="my-consents">
                <For each=move || page.with(|p| p.consents.clone()) key=|c| (c.purpose_id, c.mark, c.last_change.map(|l| l.at_ms)) let:c>
                    <MyConsentRow consent=c busy=Signal::derive(move || status.get() == SwitchStatus::Saving) on_toggle=Callback::new(move |(id, mark)| toggle(id, mark))/>
                </For>
            </ul>
        </section>
        <section aria-labelledby="privacy-title">
            <h2 id="privacy-title">{move || i18n.t(Msg::PrivacyPolicy)}</h2>
            <CompanyPrivacy company=company.clone()/>
        </section>
        <section aria-labelledby="my-data-title">
            <h2 id="my-data-title">{move || i18n.t(Msg::MyData)}</h2>
            <p>{move || i18n.t(Msg::MyDataLead)}</p>
            <p class="my-data-links">
                <a href="/min-side/mine-data">{move || i18n.t(Msg::ShowMyData)}</a>
                <a href=MY_DATA_JSON download="mine-data.json">{move || i18n.t(Msg::DownloadMyData)}</a>
            </p>
        </section>
    }
}

pub const MY_DATA_JSON: &str = "/min-side/mine-data.json";

#[component]
fn MyConsentRow(consent: MyConsent, busy: Signal<bool>, on_toggle: Callback<(PurposeId, ConsentMark)>) -> impl IntoView {
    let i18n = use_i18n();
    let id = consent.purpose_id;
    let mark = consent.mark;
    let label_id = format!("purpose-{id}");
    let state_id = format!("purpose-{id}-state");
    let named = consent.clone();
    let label = move || named.label(i18n.locale()).to_string();
    view! {
        <li class="my-consent" data-purpose=id.to_string()>
            <div class="my-consent-text">
                <h3 id=label_id.clone()>{label}</h3>
                <p class="wording">{consent.wording.clone()}</p>
                <p class="state" id=state_id.clone()>
                    <ConsentMarkLabel mark/>
                    {consent.last_change.map(|c| view! {
                        <span class="last-change">
                            " · "{move || i18n.t(Msg::LastChanged)}" "<Time ms=c.at_ms/>" · "
                            {move || i18n.t(source_msg(c.source))}
                        </span>
                    })}
                </p>
            </div>
            <button type="button" role="switch" class="switch"
                aria-checked=(mark == ConsentMark::Given).to_string()
                aria-labelledby=label_id aria-describedby=state_id
                disabled=move || busy.get()
                on:click=move |_| on_toggle.run((id, mark))>
                <span class="switch-track" aria-hidden="true"><span class="switch-thumb"></span></span>
                <span class="switch-word" aria-hidden="true">{move || if mark == ConsentMark::Given { i18n.t(Msg::On) } else { i18n.t(Msg::Off) }}</span>
            </button>
        </li>
    }
}

#[component]
fn CompanyPrivacy(company: MyCompany) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p>{move || i18n.t(Msg::Controller)}": "{company.name.clone()}</p>
        {company.policy_url.clone().map(|url| view! {
            <p><a href=url rel="noopener noreferrer" target="_blank">{move || i18n.t(Msg::ReadPrivacyPolicy)}</a></p>
        })}
        {company.privacy_email.clone().map(|mail| view! {
            <p>{move || i18n.t(Msg::PrivacyEmail)}": "<a href=format!("mailto:{mail}")>{mail.clone()}</a></p>
        })}
        <h3>{move || i18n.t(Msg::RecipientsForCustomers)}</h3>
        {if company.recipients.is_empty() {
            view! { <p>{move || i18n.t(Msg::NoRecipients)}</p> }.into_any()
        } else {
            view! {
                <ul class="recipients-list">
                    {company.recipients.iter().map(|r| {
                        let detail = [r.purpose.trim(), r.country.trim()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
                        view! { <li><strong>{r.name.clone()}</strong>{(!detail.is_empty()).then(|| format!(" – {detail}"))}</li> }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// "Mine data" as a page: the same content as the JSON download.
#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| load_my_data());
    view! {
        <main class="min-side-page">
            <p><a href="/min-side">{move || i18n.t(Msg::BackToMinSide)}</a></p>
            <h1>{move || i18n.t(Msg::MyData)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <MyDataView data=d/> }.into_any(),
                        Err(ApiError::NotLoggedIn) => view! { <p role="alert">{move || i18n.t(Msg::MinSideLoggedOut)}</p> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn MyDataView(data: MyData) -> impl IntoView {
    let i18n = use_i18n();
    let c = data.customer.clone();
    let p = data.contact_person.clone();
    let row = move |label: Msg, value: String| {
        (!value.trim().is_empty()).then(|| view! { <dt>{move || i18n.t(label)}</dt><dd>{value}</dd> })
    };
    view! {
        <p>{move || i18n.t(Msg::MyDataFrom)}" "{data.company.name.clone()}" · "<Time ms=data.generated_ms/></p>
        <p><a href=MY_DATA_JSON download="mine-data.json">{move || i18n.t(Msg::DownloadMyData)}</a></p>
        <h2>{move || i18n.t(Msg::CustomerDetails)}</h2>
        <dl class="my-data">
            {row(Msg::CustomerNumber, c.customer_number.clone())}
            {row(Msg::Name, c.display_name())}
            {row(Msg::OrgNo, c.org_no.clone())}
            {row(Msg::AddressLine, c.address_line.clone())}
            {row(Msg::PostalCode, c.postal_code.clone())}
            {row(Msg::City, c.city.clone())}
            {row(Msg::Email, c.email.clone())}
            {row(Msg::Phone, c.phone.clone())}
            {row(Msg::Tags, c.tags.clone())}
        </dl>
        <h2>{move || i18n.t(Msg::ContactPerson)}</h2>
        <dl class="my-data">
            {row(Msg::Name, p.name.clone())}
            {row(Msg::Position, p.position.clone())}
            {row(Msg::Email, p.email.clone())}
            {row(Msg::Phone, p.phone.clone())}
        </dl>
        <h2>{move || i18n.t(Msg::ConsentHistory)}</h2>
        {if data.consent_events.is_empty() {
            view! { <p>{move || i18n.t(Msg::NoConsentEvents)}</p> }.into_any()
        } else {
            view! {
                <ol class="my-events">
                    {data.consent_events.iter().map(|e| {
                        let e = e.clone();
                        let label = (e.purpose_label_nb.clone(), e.purpose_label_en.clone());
                        view! {
                            <li>
                                <Time ms=e.at_ms/>": "
                                {move || if i18n.locale() == Locale::Nb { label.0.clone() } else { label.1.clone() }}" – "
                                <ConsentMarkLabel mark=ConsentMark::from_given(e.given)/>" · "
                                {move || i18n.t(source_msg(e.source))}
                                {e.ip.clone().map(|ip| format!(" · {ip}"))}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <h2>{move || i18n.t(Msg::WhoLooked)}</h2>
        <ol class="my-events" id="who-looked">
            {data.access_log.iter().map(|a| {
                let a = a.clone();
                let action = a.action.clone();
                view! {
                    <li>
                        <Time ms=a.at_ms/>": "{move || crate::i18n::access_action(i18n.locale(), &action)}" "
                        {move || if a.by_staff { i18n.t(Msg::ByStaff) } else { i18n.t(Msg::ByYou) }}
                    </li>
                }
            }).collect_view()}
        </ol>
        <h2>{move || i18n.t(Msg::MinSideLogins)}</h2>
        <ol class="my-events">
            {data.min_side_logins.iter().map(|l| {
                let l = l.clone();
                view! { <li><Time ms=l.at_ms/>": "{login_outcome(i18n.locale(), &l.outcome)}{l.ip.clone().map(|ip| format!(" · {ip}"))}</li> }
            }).collect_view()}
        </ol>
    }
}

fn login_outcome(locale: Locale, outcome: &str) -> &'static str {
    let msg = match outcome {
        "succeeded" => Msg::LoginSucceeded,
        "password_set" => Msg::PasswordSet,
        "locked" => Msg::LoginLocked,
        _ => Msg::LoginFailed,
    };
    msg.text(locale)
}
