use crate::api::{choose_tenant, whoami, Logout};
use crate::error::ApiError;
use crate::domain::access::{Permission, Rights};
use crate::i18n::{api_error, missing_right, use_i18n, Locale, Msg};
use crate::model::Me;
use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;
use super::menu::{close_menu, open_menu, MenuButton};

/// The logged-in user, shared by the pages inside the shell.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Me, ApiError>>);

/// The user's rights in the chosen tenant, as read on this navigation: what the UI hides and
/// disables by. The server checks every call again.
#[derive(Clone, Copy)]
pub struct UserRights {
    pub rights: Rights,
    /// A tenant administrator: the only one who may mark others as administrators.
    pub admin: bool,
}

/// Whether the user holds `right`; false outside the staff shell.
pub fn may(right: Permission) -> bool {
    use_context::<UserRights>().is_some_and(|r| r.rights.contains(right))
}

/// A page that needs `right`: without it, a message that names the right instead of the page.
#[component]
pub fn RequireRight(right: Permission, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    if may(right) {
        children().into_any()
    } else {
        view! {
            <main class="page">
                <p class="blocked" role="alert" data-testid="missing-right">{move || missing_right(i18n.locale(), right)}</p>
            </main>
        }
        .into_any()
    }
}

#[component]
pub fn StaffShell() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    // Re-read on navigation so a tenant switch or logout elsewhere shows at once.
    let me = Resource::new(move || location.pathname.get(), |_| whoami());
    provide_context(CurrentUser(me));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Err(ApiError::NotLoggedIn) => view! { <Redirect path="/logg-inn"/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    Ok(user) => {
                        let needs_tenant = user.tenant.is_none() && location.pathname.get_untracked() != "/velg-klient";
                        if needs_tenant {
                            view! { <Redirect path="/velg-klient"/> }.into_any()
                        } else {
                            view! { <ShellFrame user/> }.into_any()
                        }
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ShellFrame(user: Me) -> impl IntoView {
    let i18n = use_i18n();
    let logout = ServerAction::<Logout>::new();
    let tenant_name = user.tenant.as_ref().map(|t| t.name.clone()).unwrap_or_default();
    let current_tenant = user.tenant.as_ref().map(|t| t.id);
    let switch = Action::new(move |id: &i64| {
        let id = *id;
        async move {
            if choose_tenant(id).await.is_ok() {
                // A full load: every page's data belongs to the tenant that was current.
                let _ = window().location().set_href("/kunder");
            }
        }
    });
    let tenants = user.tenants.clone();
    let rights = user.rights;
    provide_context(UserRights { rights, admin: user.tenant.as_ref().is_some_and(|t| t.role == crate::model::Role::Admin) });
    view! {
        <header class="app-bar">
            <MainMenu rights/>
            <span class="tenant-name" data-testid="tenant-name">{tenant_name}</span>
            <span class="spacer"></span>
            <Show when=move || { tenants.len() > 1 && current_tenant.is_some() }>
                <label class="tenant-switch">
                    <span>{move || i18n.t(Msg::Tenant)}</span>
                    <select on:change=move |ev| {
                        if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                            switch.dispatch(id);
                        }
                    }>
                        {user.tenants.iter().map(|t| view! {
                            <option value=t.id.to_string() selected=Some(t.id) == current_tenant>{t.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <LanguageSwitch/>
            <span class="user-name" data-testid="user-name">{user.name.clone()}</span>
            <a class="mfa-link" href="/tofaktor">{move || i18n.t(Msg::MfaMenu)}</a>
            <ActionForm action=logout>
                <button type="submit">{move || i18n.t(Msg::LogOut)}</button>
            </ActionForm>
        </header>
        <Outlet/>
    }
}

/// The main menu, each entry with the right it needs; entries the user may not open are left out.
const MENU: [(Msg, &str, Permission); 9] = [
    (Msg::CustomerSearch, "/kunder", Permission::CustomerRead),
    (Msg::NewCustomer, "/kunder/ny", Permission::CustomerWrite),
    (Msg::ConsentFormReport, "/rapporter/samtykkeskjema", Permission::CustomerRead),
    (Msg::ConsentEventsExport, "/rapporter/samtykkehendelser", Permission::Reports),
    (Msg::ClientSettings, "/innstillinger", Permission::CustomerRead),
    (Msg::AccessControl, "/tilgangsstyring", Permission::AccessControl),
    (Msg::AccessLog, "/innsynslogg", Permission::AccessLog),
    (Msg::RetentionRule, "/anonymisering", Permission::Anonymise),
    (Msg::InvoiceArchive, "/fakturaarkiv", Permission::Bookkeeping),
];

/// Hovedmenyen: Alt+H or the button opens it.
#[component]
fn MainMenu(rights: Rights) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let handle = window_event_listener(ev::keydown, move |e| {
        if e.alt_key() && e.code() == "KeyH" {
            e.prevent_default();
            if open.get_untracked() { close_menu(open, "hovedmeny") } else { open_menu(open, "hovedmeny") }
        }
    });
    on_cleanup(move || handle.remove());
    view! {
        <MenuButton menu_id="hovedmeny" open class="main-menu" shortcut="Alt+H"
            label=Signal::derive(move || i18n.t(Msg::MainMenuButton).to_string())>
            {MENU.into_iter().filter(|(_, _, right)| rights.contains(*right)).map(|(label, href, _)| view! {
                <li role="none">
                    <a role="menuitem" href=href tabindex="-1" on:click=move |_| open.set(false)>
                        {move || i18n.t(label)}
                    </a>
                </li>
            }).collect_view()}
        </MenuButton>
    }
}



#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="language-switch">
            <span class="visually-hidden">{move || i18n.t(Msg::Language)}</span>
            <select on:change=move |ev| i18n.set(Locale::from_code(&event_target_value(&ev)))>
                <option value="nb" selected=move || i18n.locale() == Locale::Nb>"Norsk bokmål"</option>
                <option value="en" selected=move || i18n.locale() == Locale::En>"English"</option>
            </select>
        </label>
    }
}

#[component]
pub fn ChooseTenantPage() -> impl IntoView {
    let i18n = use_i18n();
    let CurrentUser(me) = expect_context::<CurrentUser>();
    let failure = RwSignal::new(None::<ApiError>);
    let choose = Action::new(move |id: &i64| {
        let id = *id;
        async move {
            match choose_tenant(id).await {
                Ok(()) => {
                    let _ = window().location().set_href("/kunder");
                }
                Err(e) => failure.set(Some(e)),
            }
        }
    });
    view! {
        <main class="page">
            <h1>{move || i18n.t(Msg::ChooseTenant)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let tenants = me.await.map(|m| m.tenants).unwrap_or_default();
                    if tenants.is_empty() {
                        view! { <p>{move || i18n.t(Msg::NoTenants)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="tenant-list">
                                {tenants.into_iter().map(|t| {
                                    let id = t.id;
                                    view! { <li><button class="tenant-choice" on:click=move |_| { choose.dispatch(id); }>{t.name}</button></li> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </Suspense>
            <p class="form-error" role="alert">{move || failure.get().map(|e| api_error(i18n.locale(), &e))}</p>
        </main>
    }
}
