//! The authorization matrix: every staff server function and download, and every Min Side
//! function, called by six kinds of caller (tenant admin, member with the right, member without
//! it, user of another tenant, anonymous, Min Side customer) against an object of the tenant
//! under test and one of another tenant. Every cell is asserted allow or deny, and the test
//! fails listing every cell that came out otherwise, so an unexpected allow cannot hide.

mod common;

use app::domain::access::{Permission, Rights};
use app::error::ApiError;
use app::model::*;
use common::{Backend, Client, TestApp, DEMO_PASSWORD};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

const CUSTOMER_PASSWORD: &str = "blåbær syltetøy under fjellet";
const OUTSIDER: &str = "utenfor@fjellvik.no";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    TenantAdmin,
    MemberWithRight,
    MemberWithout,
    OtherTenantUser,
    Anonymous,
    MinSideCustomer,
}

const CALLERS: [Caller; 6] =
    [Caller::TenantAdmin, Caller::MemberWithRight, Caller::MemberWithout, Caller::OtherTenantUser, Caller::Anonymous, Caller::MinSideCustomer];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Own,
    Other,
}

/// The objects of one tenant that calls name.
#[derive(Clone)]
struct Objects {
    customer: i64,
    customer_input: Value,
    contact: i64,
    purpose: i64,
    purpose_input: Value,
    group: i64,
    /// A member of this tenant only, who is no administrator.
    member: i64,
    /// A secret of `customer` for the group "Alle ansatte".
    secret: i64,
    /// An invoice of `customer`.
    invoice: i64,
    /// An invoice in the archive (of a customer anonymised for the purpose).
    archived: i64,
}

enum Request {
    Form(Vec<(&'static str, String)>),
    Json(Value),
    Get(String),
}

#[derive(Clone, Copy, PartialEq)]
enum Who {
    /// Staff holding `needs` (administrators hold everything).
    Staff,
    /// Staff holding `needs` who are also tenant administrators.
    Administrators,
    /// Only the logged-in Min Side customer, on their own data.
    Customer,
    /// Any logged-in staff user, whatever their rights: calls about their own account.
    AnyStaff,
    /// Nobody with an ordinary session: calls that need a login half-way (the MFA code).
    Nobody,
}

struct Case {
    endpoint: &'static str,
    needs: &'static [Permission],
    who: Who,
    /// Names an object, so it is also called with the other tenant's.
    names_object: bool,
    request: fn(&Objects) -> Request,
}

static NAMES: AtomicU32 = AtomicU32::new(0);

fn form(pairs: &[(&'static str, String)]) -> Request {
    Request::Form(pairs.to_vec())
}

fn cases() -> Vec<Case> {
    use Permission::*;
    let case = |endpoint, needs, names_object, request| Case { endpoint, needs, who: Who::Staff, names_object, request };
    vec![
        case("search_customers", &[CustomerRead][..], false, |_| form(&[("query", "".into()), ("page", "0".into())])),
        case("load_customer_card", &[CustomerRead], true, |o| form(&[("id", o.customer.to_string())])),
        case("save_customer", &[CustomerWrite], true, |o| {
            Request::Json(json!({ "id": o.customer, "version": 999, "input": o.customer_input }))
        }),
        case("save_contact_person", &[CustomerWrite], true, |o| {
            Request::Json(json!({ "customer_id": o.customer, "id": o.contact, "version": 999,
                "input": { "name": "Matrise", "position": "", "email": "", "phone": "" } }))
        }),
        case("invite_to_min_side", &[CustomerWrite], true, |o| form(&[("contact_person_id", o.contact.to_string())])),
        case("load_consents", &[ConsentRead], true, |o| form(&[("customer_id", o.customer.to_string())])),
        case("save_consents", &[ConsentWrite], true, |o| {
            Request::Json(json!({ "customer_id": o.customer, "consent_version": 999, "changes": [] }))
        }),
        case("consent_history", &[ConsentRead], true, |o| form(&[("contact_person_id", o.contact.to_string())])),
        case("list_consent_purposes", &[ConsentRead], false, |_| form(&[])),
        case("save_consent_purpose", &[ClientSettings], true, |o| {
            Request::Json(json!({ "id": o.purpose, "version": 999, "input": o.purpose_input }))
        }),
        case("load_consent_settings", &[CustomerRead], false, |_| form(&[])),
        case("save_consent_settings", &[ClientSettings], false, |_| {
            Request::Json(json!({ "version": 999, "input": app::domain::settings::ConsentSettingsInput::default() }))
        }),
        case("load_consent_form", &[CustomerRead, ConsentRead], true, |o| form(&[("customer_id", o.customer.to_string())])),
        case("load_access_control", &[AccessControl], false, |_| form(&[])),
        case("create_access_group", &[AccessControl], false, |_| {
            form(&[("name", format!("Matrise {}", NAMES.fetch_add(1, Ordering::Relaxed)))])
        }),
        case("save_access_group", &[AccessControl], true, |o| {
            Request::Json(json!({ "id": o.group, "version": 999, "name": "Matrise", "rights": [], "members": [] }))
        }),
        case("delete_access_group", &[AccessControl], true, |o| form(&[("id", o.group.to_string()), ("version", "999".into())])),
        Case {
            endpoint: "set_administrator",
            needs: &[AccessControl],
            who: Who::Administrators,
            names_object: true,
            // Unmarking someone who is no administrator: allowed, and changes nothing.
            request: |o| form(&[("user_id", o.member.to_string()), ("admin", "false".into())]),
        },
        case("GET consent events CSV", &[Reports, ConsentRead], false, |_| Request::Get("/eksport/samtykkehendelser.csv".into())),
        case("GET consent form PDF", &[CustomerRead, ConsentRead], true, |o| {
            Request::Get(format!("/eksport/samtykkeskjema.pdf?kunde={}", o.customer))
        }),
        case("load_secrets", &[CustomerRead], true, |o| form(&[("customer_id", o.customer.to_string())])),
        case("reveal_secret", &[Secrets], true, |o| form(&[("secret_id", o.secret.to_string())])),
        case("save_secret", &[Secrets], true, |o| {
            Request::Json(json!({ "customer_id": o.customer, "id": o.secret, "version": 999, "label": "Matrise", "value": "", "groups": [] }))
        }),
        case("delete_secret", &[Secrets], true, |o| form(&[("secret_id", o.secret.to_string()), ("version", "999".into())])),
        Case {
            endpoint: "reset_mfa",
            needs: &[AccessControl],
            who: Who::Administrators,
            names_object: true,
            // A member without MFA: allowed, and changes nothing.
            request: |o| form(&[("user_id", o.member.to_string())]),
        },
        Case { endpoint: "set_mfa_required", needs: &[AccessControl], who: Who::Administrators, names_object: false, request: |_| form(&[("required", "false".into())]) },
        Case { endpoint: "mfa_status", needs: &[], who: Who::AnyStaff, names_object: false, request: |_| form(&[]) },
        Case { endpoint: "start_mfa_enrolment", needs: &[], who: Who::AnyStaff, names_object: false, request: |_| form(&[]) },
        Case { endpoint: "confirm_mfa_enrolment", needs: &[], who: Who::AnyStaff, names_object: false, request: |_| form(&[("code", "000000".into())]) },
        Case { endpoint: "verify_mfa", needs: &[], who: Who::Nobody, names_object: false, request: |_| form(&[("code", "000000".into())]) },
        case("load_customer_invoices", &[CustomerRead], true, |o| form(&[("customer_id", o.customer.to_string())])),
        case("load_invoice_copy", &[CustomerRead], true, |o| form(&[("invoice_id", o.invoice.to_string())])),
        case("load_invoice_archive", &[Bookkeeping], false, |_| form(&[])),
        case("load_retention_rule", &[Anonymise], false, |_| form(&[])),
        case("preview_retention_rule", &[Anonymise], false, |_| form(&[("years", "5".into())])),
        // Emptied: no rule, so a run past the checks is refused as invalid and changes nothing.
        case("save_retention_rule", &[Anonymise, ClientSettings], false, |_| form(&[("years", String::new())])),
        case("run_retention_batch", &[Anonymise], false, |_| form(&[])),
        case("load_archived_invoice", &[Bookkeeping], true, |o| form(&[("invoice_id", o.archived.to_string())])),
        case("GET invoice copy PDF", &[CustomerRead], true, |o| Request::Get(format!("/eksport/fakturakopi.pdf?faktura={}", o.invoice))),
        case("load_anonymisation_preview", &[Anonymise], true, |o| form(&[("customer_id", o.customer.to_string())])),
        // A confirmation that does not match: refused past the checks, and nothing changes.
        case("anonymise_customer", &[Anonymise], true, |o| Request::Json(json!({ "customer_id": o.customer, "confirm": "nei", "redactions": [] }))),
        case("load_access_log", &[AccessLog], false, |_| Request::Json(json!({ "filter": {}, "before": null }))),
        case("GET access log CSV", &[AccessLog], false, |_| Request::Get("/eksport/innsynslogg.csv".into())),
        Case {
            endpoint: "set_access_log_retention",
            needs: &[AccessLog],
            who: Who::Administrators,
            names_object: false,
            request: |_| form(&[("months", "120".into())]),
        },
        Case { endpoint: "min-side/my_page", needs: &[], who: Who::Customer, names_object: false, request: |_| form(&[]) },
        Case { endpoint: "min-side/my_data", needs: &[], who: Who::Customer, names_object: false, request: |_| form(&[]) },
        Case {
            endpoint: "min-side/set_my_consent",
            needs: &[],
            who: Who::Customer,
            names_object: false,
            request: |o| form(&[("purpose_id", o.purpose.to_string()), ("given", "true".into()), ("consent_version", "999".into())]),
        },
        Case { endpoint: "GET my data JSON", needs: &[], who: Who::Customer, names_object: false, request: |_| Request::Get("/min-side/mine-data.json".into()) },
    ]
}

/// Ok, or refused for a reason past the access checks (stale version, bad input).
fn allowed(result: &Result<Value, ApiError>) -> Option<bool> {
    match result {
        Ok(_) | Err(ApiError::Conflict | ApiError::Invalid(_) | ApiError::LastAdministrator | ApiError::WrongCode) => Some(true),
        Err(ApiError::NotLoggedIn | ApiError::NoTenantChosen | ApiError::Forbidden | ApiError::MissingRight(_) | ApiError::NotFound) => {
            Some(false)
        }
        Err(_) => None,
    }
}

async fn send(client: &Client, endpoint: &str, request: Request) -> Result<Value, ApiError> {
    match request {
        Request::Form(pairs) => {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client.call(endpoint, &pairs).await
        }
        Request::Json(body) => client.call_json(endpoint, body).await,
        Request::Get(path) => {
            let response = client.http.get(format!("{}{path}", client.base)).send().await.unwrap();
            match response.status().as_u16() {
                200 => Ok(Value::Null),
                401 => Err(ApiError::NotLoggedIn),
                403 => Err(ApiError::Forbidden),
                404 => Err(ApiError::NotFound),
                400 => Err(ApiError::Invalid(Default::default())),
                s => panic!("{path}: status {s}"),
            }
        }
    }
}

async fn staff_in(app: &TestApp, email: &str, tenant: &str) -> Client {
    app.staff_in(email, tenant).await
}

async fn objects(admin: &Client, number: &str, group_name: &str) -> Objects {
    let customer = admin.customer_id(number).await;
    let card: CustomerCard = admin.call("load_customer_card", &[("id", &customer.to_string())]).await.unwrap();
    let purposes: Vec<ConsentPurpose> = admin.call("list_consent_purposes", &[]).await.unwrap();
    let group: AccessGroup = admin.call("create_access_group", &[("name", group_name)]).await.unwrap();
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let everyone = control.groups.iter().find(|g| g.name == "Alle ansatte").unwrap().id;
    let body = json!({ "customer_id": customer, "id": null, "version": 0, "label": "Portkode", "value": "1234", "groups": [everyone] });
    let secret: SecretSummary = admin.call_json("save_secret", body).await.unwrap();
    let invoices: Vec<InvoiceSummary> = admin.call("load_customer_invoices", &[("customer_id", &customer.to_string())]).await.unwrap();
    Objects {
        archived: 0,
        invoice: invoices.first().map_or(0, |i| i.id),
        secret: secret.id,
        customer,
        customer_input: serde_json::to_value(&card.customer.input).unwrap(),
        contact: card.contact_persons[0].id,
        purpose: purposes[0].id,
        purpose_input: serde_json::to_value(&purposes[0].input).unwrap(),
        group: group.id,
        member: control.staff.iter().find(|s| !s.admin).map_or(0, |s| s.user_id),
    }
}

/// An invoice in the tenant's archive: a customer of its own, billed, paid and anonymised.
async fn archived_invoice(app: &TestApp, tenant: i64, by: i64) -> i64 {
    let repo = app.db.repository();
    let input = CustomerInput { kind: CustomerKind::Private, customer_number: "79001".into(), first_name: "Arkiv".into(), last_name: "Kunde".into(), ..Default::default() };
    let customer = repo.create_customer(tenant, &app::forms::ValidCustomer::parse(&input).unwrap()).await.unwrap();
    let sale = NewSale {
        order_number: "A-1".into(),
        invoice_number: "A-1".into(),
        date: "2026-12-01".into(),
        note: String::new(),
        lines: vec![SaleLine { text: "Arkiv".into(), quantity: 1, unit_price_ore: 100 }],
        vat_percent: 25,
    };
    let invoice = repo.record_sale(tenant, customer, &sale).await.unwrap();
    repo.record_payment(tenant, invoice, 125, "2026-12-01").await.unwrap();
    repo.anonymise_customer(tenant, customer, Some(by), &[], 0).await.unwrap().unwrap();
    invoice
}

/// Gives the member exactly `rights` through the group "Alle ansatte".
async fn grant(admin: &Client, member: i64, rights: Rights) {
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let group = control.groups.iter().find(|g| g.name == "Alle ansatte").unwrap();
    let body = json!({ "id": group.id, "version": group.version, "name": group.name,
        "rights": rights.iter().collect::<Vec<_>>(), "members": [member] });
    admin.call_json::<AccessGroup>("save_access_group", body).await.unwrap();
}

async fn every_call_is_allowed_exactly_where_the_matrix_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = staff_in(&app, "admin@demo.no", "Nordlys Regnskap AS").await;
    let member = staff_in(&app, "ansatt@demo.no", "Nordlys Regnskap AS").await;
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let member_id = control.staff.iter().find(|s| s.email == "ansatt@demo.no").unwrap().user_id;
    let mut own = objects(&admin, "10003", "Matrise Nordlys").await;

    // The other tenant: its objects, and a user who belongs to it alone, as its administrator.
    let fjellvik_admin = staff_in(&app, "admin@demo.no", "Fjellvik Sport AS").await;
    let mut other = objects(&fjellvik_admin, "10001", "Matrise Fjellvik").await;
    let fjellvik: Me = fjellvik_admin.call("whoami", &[]).await.unwrap();
    let seeder = app.db.seeder();
    let outsider = seeder.ensure_staff(OUTSIDER, "Ulla Utenfor", &server::auth::hash_password(DEMO_PASSWORD)).await.unwrap();
    seeder.add_membership(outsider, fjellvik.tenant.as_ref().unwrap().id, Role::Admin).await.unwrap();
    other.member = outsider;
    let sale = NewSale {
        order_number: "M-1".into(),
        invoice_number: "M-1".into(),
        date: "2026-12-01".into(),
        note: String::new(),
        lines: vec![SaleLine { text: "Matrise".into(), quantity: 1, unit_price_ore: 100 }],
        vat_percent: 25,
    };
    other.invoice = app.db.repository().record_sale(fjellvik.tenant.as_ref().unwrap().id, other.customer, &sale).await.unwrap();
    let outsider = staff_in(&app, OUTSIDER, "Fjellvik Sport AS").await;
    let me: Me = admin.call("whoami", &[]).await.unwrap();
    own.archived = archived_invoice(&app, me.tenant.as_ref().unwrap().id, me.user_id).await;
    other.archived = archived_invoice(&app, fjellvik.tenant.as_ref().unwrap().id, me.user_id).await;

    // A Min Side customer of the tenant under test (Åse, 10003), logged in through an invitation.
    let contact_email: String = admin.call("invite_to_min_side", &[("contact_person_id", &own.contact.to_string())]).await.unwrap();
    let mail = app.db.repository().outbox(Some(&contact_email), false, 1).await.unwrap().pop().unwrap();
    let token = mail.body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let customer = app.client();
    let activation = customer
        .http
        .post(format!("{}/api/min-side/set_password", customer.base))
        .form(&[("token", token.as_str()), ("password", CUSTOMER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(activation.status().is_success() || activation.status().is_redirection());
    let anonymous = app.client();

    let mut unexpected = Vec::new();
    let mut cells = 0;
    for case in cases() {
        let targets: &[Target] = if case.names_object { &[Target::Own, Target::Other] } else { &[Target::Own] };
        for caller in CALLERS {
            // Unscoped calls by another tenant's user act on that tenant's own data: not a cell.
            if caller == Caller::OtherTenantUser && !case.names_object {
                continue;
            }
            for &target in targets {
                // The other tenant's objects are that user's own: only the tenant under test's count.
                if caller == Caller::OtherTenantUser && target == Target::Other {
                    continue;
                }
                let objects = if target == Target::Own { &own } else { &other };
                let client = match caller {
                    Caller::TenantAdmin => &admin,
                    Caller::MemberWithRight | Caller::MemberWithout => &member,
                    Caller::OtherTenantUser => &outsider,
                    Caller::Anonymous => &anonymous,
                    Caller::MinSideCustomer => &customer,
                };
                let needed: Rights = case.needs.iter().copied().collect::<Rights>().with_needed();
                match caller {
                    Caller::MemberWithRight => grant(&admin, member_id, needed).await,
                    Caller::MemberWithout => {
                        let without = case.needs.iter().fold(Rights::all(), |r, p| r.without(*p));
                        grant(&admin, member_id, without).await
                    }
                    _ => {}
                }
                let expected = target == Target::Own
                    && match case.who {
                        Who::Staff => matches!(caller, Caller::TenantAdmin | Caller::MemberWithRight),
                        Who::Administrators => caller == Caller::TenantAdmin,
                        Who::Customer => caller == Caller::MinSideCustomer,
                        Who::AnyStaff => matches!(caller, Caller::TenantAdmin | Caller::MemberWithRight | Caller::MemberWithout),
                        Who::Nobody => false,
                    };
                let result = send(client, case.endpoint, (case.request)(objects)).await;
                cells += 1;
                if allowed(&result) != Some(expected) {
                    unexpected.push(format!("{} as {caller:?} on {target:?}: expected {}, got {result:?}", case.endpoint, if expected { "allow" } else { "deny" }));
                }
            }
        }
    }
    assert!(cells > 150, "only {cells} cells");
    assert!(unexpected.is_empty(), "{} unexpected cells of {cells}:\n{}", unexpected.len(), unexpected.join("\n"));
}

both_databases!(every_call_is_allowed_exactly_where_the_matrix_says);
