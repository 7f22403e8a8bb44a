use super::fields::{on_save_shortcut, Field, SaveStatus, SaveStatusLine};
use super::menu::MenuButton;
use super::shell::may;
use crate::domain::access::Permission;
use super::tabs::TabButton;
use super::consent::{ConsentDialog, ConsentHistoryDialog, ConsentMarkLabel};
use crate::api::{invite_to_min_side, load_consents, load_customer_card, save_contact_person, save_customer};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::forms::{ValidContactPerson, ValidCustomer};
use crate::i18n::{api_error, invitation_sent, invite_label, use_i18n, Msg};
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Binds one `String` field of a form signal to a [`Field`]'s value and input callback.
macro_rules! bind {
    ($form:ident . $field:ident) => {
        (
            Signal::derive(move || $form.with(|f| f.$field.clone())),
            Callback::new(move |v: String| $form.update(|f| f.$field = v)),
        )
    };
}

/// The customer form: used to create a customer and on the card's details tab.
#[component]
fn CustomerForm(
    id: Option<CustomerId>,
    version: i64,
    initial: CustomerInput,
    on_saved: Callback<(CustomerId, i64, CustomerInput)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = RwSignal::new(initial);
    let version = RwSignal::new(version);
    let errors = RwSignal::new(FieldErrors::default());
    let status = RwSignal::new(SaveStatus::Idle);
    let errs = Signal::from(errors);

    let save = move || {
        let input = form.get_untracked();
        // The same rules run on the server; checking here first answers at once.
        if let Err(e) = ValidCustomer::parse(&input) {
            errors.set(e);
            status.set(SaveStatus::Failed(ApiError::Invalid(FieldErrors::default())));
            return;
        }
        errors.set(FieldErrors::default());
        status.set(SaveStatus::Saving);
        let expected = version.get_untracked();
        leptos::task::spawn_local(async move {
            match save_customer(id, expected, input.clone()).await {
                Ok((saved_id, new_version)) => {
                    version.set(new_version);
                    status.set(SaveStatus::Saved);
                    on_saved.run((saved_id, new_version, input));
                }
                Err(e) => {
                    if let Some(fe) = e.field_errors() {
                        errors.set(fe.clone());
                    }
                    status.set(SaveStatus::Failed(e));
                }
            }
        });
    };

    let (number, set_number) = bind!(form.customer_number);
    let (first, set_first) = bind!(form.first_name);
    let (last, set_last) = bind!(form.last_name);
    let (company, set_company) = bind!(form.company_name);
    let (org_no, set_org_no) = bind!(form.org_no);
    let (address, set_address) = bind!(form.address_line);
    let (postal, set_postal) = bind!(form.postal_code);
    let (city, set_city) = bind!(form.city);
    let (email, set_email) = bind!(form.email);
    let (phone, set_phone) = bind!(form.phone);
    let (tags, set_tags) = bind!(form.tags);
    let is_business = move || form.with(|f| f.kind == CustomerKind::Business);

    view! {
        // novalidate: our own translated messages beside each field, not the browser's bubbles.
        <form
            class="customer-form"
            novalidate
            on:submit=move |e| { e.prevent_default(); save(); }
            on:keydown=on_save_shortcut(save)
        >
            // Without the right to change customers, the form is there to read.
            <fieldset class="whole-form" disabled=!may(Permission::CustomerWrite)>
            <fieldset class="kind">
                <legend>{move || i18n.t(Msg::CustomerKind)}</legend>
                <label>
                    <input type="radio" name="kind" value="private"
                        prop:checked=move || !is_business()
                        on:change=move |_| form.update(|f| f.kind = CustomerKind::Private)/>
                    {move || i18n.t(Msg::Private)}
                </label>
                <label>
                    <input type="radio" name="kind" value="business"
                        prop:checked=is_business
                        on:change=move |_| form.update(|f| f.kind = CustomerKind::Business)/>
                    {move || i18n.t(Msg::Business)}
                </label>
            </fieldset>
            <Field id="customer-number".into() field="customer_number" label=Msg::CustomerNumber value=number on_input=set_number errors=errs required=true/>
            <Show when=is_business fallback=move || view! {
                <Field id="customer-first-name".into() field="first_name" label=Msg::FirstName value=first on_input=set_first errors=errs required=true autocomplete="off"/>
                <Field id="customer-last-name".into() field="last_name" label=Msg::LastName value=last on_input=set_last errors=errs required=true autocomplete="off"/>
            }>
                <Field id="customer-company-name".into() field="company_name" label=Msg::CompanyName value=company on_input=set_company errors=errs required=true autocomplete="off"/>
                <Field id="customer-org-no".into() field="org_no" label=Msg::OrgNo value=org_no on_input=set_org_no errors=errs required=true autocomplete="off"/>
            </Show>
            <fieldset class="address">
                <legend>{move || i18n.t(Msg::InvoiceAddress)}</legend>
                <Field id="customer-address".into() field="address_line" label=Msg::AddressLine value=address on_input=set_address errors=errs autocomplete="off"/>
                <Field id="customer-postal-code".into() field="postal_code" label=Msg::PostalCode value=postal on_input=set_postal errors=errs autocomplete="off"/>
                <Field id="customer-city".into() field="city" label=Msg::City value=city on_input=set_city errors=errs autocomplete="off"/>
            </fieldset>
            <Field id="customer-email".into() field="email" label=Msg::Email value=email on_input=set_email errors=errs input_type="email" autocomplete="off"/>
            <Field id="customer-phone".into() field="phone" label=Msg::Phone value=phone on_input=set_phone errors=errs input_type="tel" autocomplete="off"/>
            <Field id="customer-tags".into() field="tags" label=Msg::Tags value=tags on_input=set_tags errors=errs autocomplete="off"/>
            <div class="form-actions">
                <button type="submit" class="primary" aria-keyshortcuts="Control+S"
                    disabled=move || status.get() == SaveStatus::Saving>
                    {move || i18n.t(Msg::SaveShortcut)}
                </button>
                <SaveStatusLine status id="customer-save-status"/>
            </div>
            </fieldset>
        </form>
    }
}

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let on_saved = Callback::new(move |(id, _, _)| navigate(&format!("/kunder/{id}"), Default::default()));
    view! {
        <main class="page">
            <h1>{move || i18n.t(Msg::NewCustomer)}</h1>
            <CustomerForm id=None version=0 initial=CustomerInput::default() on_saved/>
        </main>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    ContactPersons,
    Details,
    Secrets,
    Invoices,
}

const TABS: &[(Tab, &str)] =
    &[(Tab::ContactPersons, "contact-persons"), (Tab::Details, "details"), (Tab::Secrets, "secrets"), (Tab::Invoices, "invoices")];

#[component]
pub fn CustomerCardPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let card = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_customer_card(id).await,
            None => Err(ApiError::NotFound),
        }
    });
    let consents = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_consents(id).await,
            None => Err(ApiError::NotFound),
        }
    });
    // Above the data, so a reload after saving a contact person keeps the open tab. A link may
    // name the tab to open (`?fane=invoices`: the ledger, from a refused anonymisation).
    let query = use_query_map();
    let asked = query.with_untracked(|q| q.get("fane")).and_then(|f| TABS.iter().find(|(_, slug)| *slug == f).map(|(t, _)| *t));
    let tab = RwSignal::new(asked.unwrap_or(Tab::ContactPersons));
    view! {
        <main class="page card-page">
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let consents = consents.await;
                    match card.await {
                        Ok(c) => view! {
                            <CustomerCardView card=c consents tab
                                reload=Callback::new(move |_| card.refetch())/>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{api_error(i18n.locale(), &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn CustomerCardView(
    card: CustomerCard,
    /// Forbidden when the user may see the card but not consents: the columns are left out.
    consents: Result<CustomerConsents, ApiError>,
    tab: RwSignal<Tab>,
    reload: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let menu_open = RwSignal::new(false);
    let consents = RwSignal::new(consents.ok());
    let consent_open = RwSignal::new(false);
    let history_of = RwSignal::new(None::<(ContactPersonId, String)>);
    let invite_status = RwSignal::new(None::<Result<String, ApiError>>);
    let editing_contact = RwSignal::new(None::<Option<ContactPerson>>);
    let customer = card.customer.clone();
    let customer_id = customer.id;
    let title = RwSignal::new(card_title(&customer.input));
    let menu_action = move |action: Tab, new_contact: bool| {
        menu_open.set(false);
        tab.set(action);
        if new_contact {
            editing_contact.set(Some(None));
        }
    };

    let contacts = card.contact_persons.clone();
    // What the user may not do is left out; the server refuses it anyway.
    let can_write = may(Permission::CustomerWrite);
    let can_see_consents = may(Permission::ConsentRead);
    view! {
        <header class="card-header">
            <h1 data-testid="card-title">{title}</h1>
            <MenuButton menu_id="kundemeny" open=menu_open class="card-menu"
                label=Signal::derive(move || i18n.t(Msg::CardMenu).to_string())
                icon=|| view! { <span aria-hidden="true">"☰"</span> }.into_any()>
                {can_write.then(|| view! {
                    <li role="none">
                        <button role="menuitem" tabindex="-1" on:click=move |_| menu_action(Tab::Details, false)>
                            {move || i18n.t(Msg::Edit)}
                        </button>
                    </li>
                    <li role="none">
                        <button role="menuitem" tabindex="-1" on:click=move |_| menu_action(Tab::ContactPersons, true)>
                            {move || i18n.t(Msg::NewContactPerson)}
                        </button>
                    </li>
                })}
                {can_see_consents.then(|| view! {
                    <li role="none">
                        <button role="menuitem" tabindex="-1" aria-haspopup="dialog"
                            on:click=move |_| { menu_open.set(false); consent_open.set(true); }>
                            {move || i18n.t(Msg::Consent)}
                        </button>
                    </li>
                    <li role="none">
                        <a role="menuitem" tabindex="-1" href=format!("/kunder/{customer_id}/samtykkeskjema")>
                            {move || i18n.t(Msg::ConsentFormReport)}
                        </a>
                    </li>
                })}
                {may(Permission::Anonymise).then(|| view! {
                    <li role="none">
                        <a role="menuitem" tabindex="-1" href=format!("/kunder/{customer_id}/anonymiser")>
                            {move || i18n.t(Msg::Anonymise)}
                        </a>
                    </li>
                })}
            </MenuButton>
        </header>
        <div role="tablist" class="tabs" aria-label=move || i18n.t(Msg::CustomerCard)>
            <TabButton tab value=Tab::ContactPersons label=Msg::ContactPersons all=TABS/>
            <TabButton tab value=Tab::Details label=Msg::CustomerDetails all=TABS/>
            <TabButton tab value=Tab::Secrets label=Msg::RightSecrets all=TABS/>
            <TabButton tab value=Tab::Invoices label=Msg::Invoices all=TABS/>
        </div>
        <section role="tabpanel" id="panel-contact-persons" aria-labelledby="tab-contact-persons" hidden=move || tab.get() != Tab::ContactPersons>
            <ContactPersonTable contacts consents=consents.into() editing=editing_contact history_of invite_status/>
            <p class="save-status" id="invite-status" role="status" aria-live="polite">
                {move || invite_status.get().map(|r| match r {
                    Ok(email) => invitation_sent(i18n.locale(), &email),
                    Err(ApiError::Invalid(e)) if e.get("email") == Some(crate::domain::FieldError::Taken) => i18n.t(Msg::ErrEmailOnMinSide).into(),
                    Err(ApiError::Invalid(_)) => i18n.t(Msg::ErrEmailForInvitation).into(),
                    Err(e) => api_error(i18n.locale(), &e),
                })}
            </p>
            <Show when=move || editing_contact.get().is_some()>
                {move || editing_contact.get().map(|existing| view! {
                    <ContactPersonForm customer_id existing
                        on_done=Callback::new(move |saved: bool| {
                            editing_contact.set(None);
                            if saved { reload.run(()) }
                        })/>
                })}
            </Show>
            {can_write.then(|| view! {
                <button class="add-contact" on:click=move |_| editing_contact.set(Some(None))>
                    {move || i18n.t(Msg::NewContactPerson)}
                </button>
            })}
        </section>
        <ConsentDialog customer_id open=consent_open return_focus_to="kundemeny-knapp"
            title=Signal::derive(move || format!("{}: {}", i18n.t(Msg::Consent), title.get()))
            on_saved=Callback::new(move |c| consents.set(Some(c)))/>
        <ConsentHistoryDialog contact=history_of/>
        <section role="tabpanel" id="panel-secrets" aria-labelledby="tab-secrets" hidden=move || tab.get() != Tab::Secrets>
            // Loaded when the tab is opened, not with every card.
            <Show when=move || tab.get() == Tab::Secrets>
                <super::secrets::SecretsSection customer_id/>
            </Show>
        </section>
        <section role="tabpanel" id="panel-invoices" aria-labelledby="tab-invoices" hidden=move || tab.get() != Tab::Invoices>
            <Show when=move || tab.get() == Tab::Invoices>
                <super::invoices::InvoicesSection customer_id/>
            </Show>
        </section>
        <section role="tabpanel" id="panel-details" aria-labelledby="tab-details" hidden=move || tab.get() != Tab::Details>
            <CustomerForm id=Some(customer.id) version=customer.version initial=customer.input.clone()
                on_saved=Callback::new(move |(_, _, saved): (CustomerId, i64, CustomerInput)| {
                    title.set(card_title(&saved));
                })/>
        </section>
    }
}

/// "10002 Kari Nordmann": the number as stored (trimmed, upper case), then the name.
fn card_title(input: &CustomerInput) -> String {
    let number = crate::domain::CustomerNumber::parse(&input.customer_number)
        .map(|n| n.to_string())
        .unwrap_or_else(|_| input.customer_number.trim().to_string());
    format!("{number} {}", input.display_name())
}

#[component]
fn ContactPersonTable(
    contacts: Vec<ContactPerson>,
    consents: Signal<Option<CustomerConsents>>,
    editing: RwSignal<Option<Option<ContactPerson>>>,
    history_of: RwSignal<Option<(ContactPersonId, String)>>,
    invite_status: RwSignal<Option<Result<String, ApiError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let can_write = may(Permission::CustomerWrite);
    if contacts.is_empty() {
        return view! { <p class="empty">{move || i18n.t(Msg::NoContactPersons)}</p> }.into_any();
    }
    let purposes = move || consents.with(|c| c.as_ref().map(|c| c.purposes.clone()).unwrap_or_default());
    let purpose_count = move || purposes().len();
    view! {
        <table class="contact-persons">
            <caption class="visually-hidden">{move || i18n.t(Msg::ContactPersons)}</caption>
            <thead>
                <tr>
                    <th scope="col" rowspan="2">{move || i18n.t(Msg::Name)}</th>
                    <th scope="col" rowspan="2">{move || i18n.t(Msg::Position)}</th>
                    <th scope="col" rowspan="2">{move || i18n.t(Msg::Email)}</th>
                    <th scope="col" rowspan="2">{move || i18n.t(Msg::Phone)}</th>
                    <Show when=move || { purpose_count() > 0 }>
                        <th scope="colgroup" colspan=move || purpose_count().to_string() class="consent-group">
                            {move || i18n.t(Msg::ConsentCommunication)}
                        </th>
                    </Show>
                    <th scope="col" rowspan="2">{move || i18n.t(Msg::Actions)}</th>
                </tr>
                <tr>
                    <For each=purposes key=|p| (p.id, p.version) let:p>
                        <th scope="col" class="consent-purpose">{move || p.label(i18n.locale()).to_string()}</th>
                    </For>
                </tr>
            </thead>
            <tbody>
                {contacts.into_iter().map(|c| {
                    let p = c.input.clone();
                    let name = p.name.clone();
                    let history_name = name.clone();
                    let invite_name = name.clone();
                    let has_email = !p.email.trim().is_empty();
                    let cp = c.id;
                    let marks = move || consents.with(|k| {
                        k.as_ref().map(|k| k.purposes.iter().map(|p| (p.id, k.mark(cp, p.id))).collect::<Vec<_>>()).unwrap_or_default()
                    });
                    view! {
                        <tr data-contact-person=cp.to_string()>
                            <td>{p.name}</td>
                            <td>{p.position}</td>
                            <td>{p.email}</td>
                            <td>{p.phone}</td>
                            <For each=marks key=|m| *m let:m>
                                <td class="consent" data-purpose=m.0.to_string()><ConsentMarkLabel mark=m.1/></td>
                            </For>
                            <td class="row-actions">
                                {can_write.then(|| view! {
                                    <button class="link" aria-label=move || format!("{} {}", i18n.t(Msg::Edit), name)
                                        on:click=move |_| editing.set(Some(Some(c.clone())))>
                                        {move || i18n.t(Msg::Edit)}
                                    </button>
                                })}
                                {(has_email && can_write).then(|| view! {
                                    <button class="link" aria-label=move || invite_label(i18n.locale(), &invite_name)
                                        on:click=move |_| {
                                            invite_status.set(None);
                                            leptos::task::spawn_local(async move {
                                                invite_status.set(Some(invite_to_min_side(cp).await));
                                            });
                                        }>
                                        {move || i18n.t(Msg::MinSide)}
                                    </button>
                                })}
                                <Show when=move || consents.with(|k| k.is_some())>
                                    {
                                        let history_name = history_name.clone();
                                        let label_name = history_name.clone();
                                        view! {
                                            <button class="link" aria-haspopup="dialog"
                                                aria-label=move || format!("{} {}", i18n.t(Msg::History), label_name)
                                                on:click=move |_| history_of.set(Some((cp, history_name.clone())))>
                                                {move || i18n.t(Msg::History)}
                                            </button>
                                        }
                                    }
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}

#[component]
fn ContactPersonForm(customer_id: CustomerId, existing: Option<ContactPerson>, on_done: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let id = existing.as_ref().map(|c| c.id);
    let version = existing.as_ref().map_or(0, |c| c.version);
    let heading = if existing.is_some() { Msg::EditContactPerson } else { Msg::NewContactPerson };
    let form = RwSignal::new(existing.map(|c| c.input).unwrap_or_default());
    let errors = RwSignal::new(FieldErrors::default());
    let status = RwSignal::new(SaveStatus::Idle);
    let errs = Signal::from(errors);
    let save = move || {
        let input = form.get_untracked();
        if let Err(e) = ValidContactPerson::parse(&input) {
            errors.set(e);
            status.set(SaveStatus::Failed(ApiError::Invalid(FieldErrors::default())));
            return;
        }
        errors.set(FieldErrors::default());
        status.set(SaveStatus::Saving);
        leptos::task::spawn_local(async move {
            match save_contact_person(customer_id, id, version, input).await {
                Ok(_) => on_done.run(true),
                Err(e) => {
                    if let Some(fe) = e.field_errors() {
                        errors.set(fe.clone());
                    }
                    status.set(SaveStatus::Failed(e));
                }
            }
        });
    };
    let (name, set_name) = bind!(form.name);
    let (position, set_position) = bind!(form.position);
    let (email, set_email) = bind!(form.email);
    let (phone, set_phone) = bind!(form.phone);
    view! {
        <form class="contact-form" aria-labelledby="contact-form-title" novalidate
            on:submit=move |e| { e.prevent_default(); save(); }
            on:keydown=on_save_shortcut(save)>
            <h2 id="contact-form-title">{move || i18n.t(heading)}</h2>
            <Field id="contact-name".into() field="name" label=Msg::Name value=name on_input=set_name errors=errs required=true autocomplete="off"/>
            <Field id="contact-position".into() field="position" label=Msg::Position value=position on_input=set_position errors=errs autocomplete="off"/>
            <Field id="contact-email".into() field="email" label=Msg::Email value=email on_input=set_email errors=errs input_type="email" autocomplete="off"/>
            <Field id="contact-phone".into() field="phone" label=Msg::Phone value=phone on_input=set_phone errors=errs input_type="tel" autocomplete="off"/>
            <div class="form-actions">
                <button type="submit" class="primary" aria-keyshortcuts="Control+S">{move || i18n.t(Msg::SaveShortcut)}</button>
                <button type="button" on:click=move |_| on_done.run(false)>{move || i18n.t(Msg::Cancel)}</button>
                <SaveStatusLine status id="contact-save-status"/>
            </div>
        </form>
    }
}
