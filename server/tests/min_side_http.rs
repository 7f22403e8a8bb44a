//! Min Side through the real HTTP stack, on SQLite and on PostgreSQL: invitations, links,
//! customer login, the customer's own consents and data, and what a customer must never reach.

mod common;

use app::error::ApiError;
use app::model::*;
use app::ports::{NewMail, NewToken};
use common::{Backend, Client, TestApp};
use server::customer_auth::token_hash;
use server::db::Database;

const GOOD_PASSWORD: &str = "blåbær syltetøy under fjellet";

async fn staff(app: &TestApp, email: &str, tenant: &str) -> Client {
    app.staff_in(email, tenant).await
}

/// The customer's first contact person: (tenant, contact id, e-mail).
async fn contact(client: &Client, number: &str) -> (TenantId, ContactPersonId, String) {
    let me: Me = client.call("whoami", &[]).await.unwrap();
    let id = client.customer_id(number).await;
    let card: CustomerCard = client.call("load_customer_card", &[("id", &id.to_string())]).await.unwrap();
    let c = &card.contact_persons[0];
    (me.tenant.unwrap().id, c.id, c.input.email.clone())
}

/// The token in the newest unsent mail to `to`, read from the outbox as an operator would.
async fn token_in_mail(app: &TestApp, to: &str) -> (NewMail, String) {
    let mail = app.db.repository().outbox(Some(to), false, 1).await.unwrap().pop().expect("a mail in the outbox");
    let token = mail.body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    (NewMail { to: mail.to, subject: mail.subject, body: mail.body }, token)
}

async fn invite(app: &TestApp, staff: &Client, number: &str) -> (TenantId, ContactPersonId, String, String) {
    let (tenant, contact, email) = contact(staff, number).await;
    let sent: String = staff.call("invite_to_min_side", &[("contact_person_id", &contact.to_string())]).await.unwrap();
    assert_eq!(sent, email);
    let (_, token) = token_in_mail(app, &email).await;
    (tenant, contact, email, token)
}

async fn post_redirect(client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Result<(), ApiError> {
    let response = client.http.post(format!("{}/api/{endpoint}", client.base)).form(form).send().await.unwrap();
    if response.status().is_redirection() {
        return Ok(());
    }
    common::decode(response).await
}

async fn set_password(client: &Client, token: &str, password: &str) -> Result<(), ApiError> {
    post_redirect(client, "min-side/set_password", &[("token", token), ("password", password)]).await
}

async fn customer_login(client: &Client, tenant: TenantId, email: &str, password: &str) -> Result<(), ApiError> {
    post_redirect(client, "min-side/login", &[("tenant", &tenant.to_string()), ("email", email), ("password", password)]).await
}

async fn my_page(client: &Client) -> Result<MyPage, ApiError> {
    client.call("min-side/my_page", &[]).await
}

async fn set_my_consent(client: &Client, purpose: PurposeId, given: bool, version: i64) -> Result<MyPage, ApiError> {
    client
        .call("min-side/set_my_consent", &[("purpose_id", &purpose.to_string()), ("given", &given.to_string()), ("consent_version", &version.to_string())])
        .await
}

/// A customer logged in to Min Side through an invitation.
async fn activated(app: &TestApp, staff: &Client, number: &str) -> (Client, TenantId, ContactPersonId, String) {
    let (tenant, contact, email, token) = invite(app, staff, number).await;
    let customer = app.client();
    set_password(&customer, &token, GOOD_PASSWORD).await.unwrap();
    (customer, tenant, contact, email)
}

async fn stored_token_hashes(db: &Database) -> Vec<String> {
    let q = "SELECT token_hash FROM customer_tokens ORDER BY id";
    match db {
        Database::Sqlite(r) => sqlx::query_scalar(q).fetch_all(&r.pool).await.unwrap(),
        Database::Postgres(r) => sqlx::query_scalar(q).fetch_all(&r.pool).await.unwrap(),
    }
}

async fn an_invited_contact_sets_a_password_logs_in_and_withdraws_a_consent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = staff(&app, "ansatt@demo.no", "Nordlys Regnskap AS").await;
    let (tenant, contact, email, token) = invite(&app, &staff, "10001").await;
    let (mail, _) = token_in_mail(&app, &email).await;
    assert!(mail.subject.contains("Nordlys Regnskap AS"));
    assert!(mail.body.contains(&format!("http://{}/min-side/aktiver?token={token}", app.addr)));
    // Only the hash is stored.
    assert_eq!(stored_token_hashes(&app.db).await, [token_hash(&token)]);

    let customer = app.client();
    let refused = |e: ApiError| e.field_errors().and_then(|f| f.get("password"));
    assert_eq!(refused(set_password(&customer, &token, "for kort").await.unwrap_err()), Some(app::domain::FieldError::TooShort { min: 12 }));
    assert_eq!(refused(set_password(&customer, &token, "passwordpassword").await.unwrap_err()), Some(app::domain::FieldError::CommonPassword));
    assert_eq!(my_page(&customer).await, Err(ApiError::NotLoggedIn));
    // A refused password leaves the link usable.
    set_password(&customer, &token, GOOD_PASSWORD).await.unwrap();

    let page = my_page(&customer).await.unwrap();
    assert_eq!((page.contact_name.as_str(), page.email.as_str()), ("Ola Nordmann", email.as_str()));
    assert_eq!(page.company.name, "Nordlys Regnskap AS");
    let newsletter = page.consents.iter().find(|c| c.label_nb == "Nyhetsbrev på e-post").unwrap();
    assert_eq!(newsletter.mark, ConsentMark::Given);
    assert_eq!(newsletter.last_change.map(|c| c.source), Some(ConsentSource::PaperForm));

    let after = set_my_consent(&customer, newsletter.purpose_id, false, page.consent_version).await.unwrap();
    let withdrawn = after.consents.iter().find(|c| c.purpose_id == newsletter.purpose_id).unwrap();
    assert_eq!(withdrawn.mark, ConsentMark::Withdrawn);
    let change = withdrawn.last_change.unwrap();
    assert_eq!((change.given, change.actor, change.source), (false, ConsentActor::Customer, ConsentSource::MinSide));
    // Switching from a page that is no longer current is refused, not applied.
    assert_eq!(set_my_consent(&customer, newsletter.purpose_id, true, page.consent_version).await, Err(ApiError::Conflict));

    // Staff see the change on the card, as the customer's own, with its evidence.
    let history: Vec<ConsentEventView> = staff.call("consent_history", &[("contact_person_id", &contact.to_string())]).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.given, last.actor, last.source, last.staff_name.as_deref()), (false, ConsentActor::Customer, ConsentSource::MinSide, None));
    assert_eq!((last.ip.as_deref(), last.user_agent.as_deref()), (Some("127.0.0.1"), Some(common::USER_AGENT)));

    // Logged out, then in again with the password; a wrong one is refused.
    post_redirect(&customer, "min-side/logout", &[]).await.unwrap();
    assert_eq!(my_page(&customer).await, Err(ApiError::NotLoggedIn));
    assert_eq!(customer_login(&customer, tenant, &email, "feil passord her").await, Err(ApiError::WrongCredentials));
    customer_login(&customer, tenant, &email.to_uppercase(), GOOD_PASSWORD).await.unwrap();
    assert_eq!(my_page(&customer).await.unwrap().contact_name, "Ola Nordmann");
}

async fn links_work_once_expire_and_cannot_be_forged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = staff(&app, "ansatt@demo.no", "Nordlys Regnskap AS").await;
    let (_, _, email, first) = invite(&app, &staff, "10002").await;
    let (_, _, _, second) = invite(&app, &staff, "10002").await;
    assert_ne!(first, second);
    set_password(&app.client(), &second, GOOD_PASSWORD).await.unwrap();
    // Used, and every other open link of the account died with it.
    assert_eq!(set_password(&app.client(), &second, GOOD_PASSWORD).await, Err(ApiError::LinkInvalid));
    assert_eq!(set_password(&app.client(), &first, GOOD_PASSWORD).await, Err(ApiError::LinkInvalid));

    // Expired: a link issued a moment ago that expired a moment ago.
    let (tenant, contact, ase_email) = contact(&staff, "10003").await;
    let token = server::customer_auth::new_token();
    let expired = NewToken { kind: app::domain::min_side::TokenKind::Invitation, hash: token_hash(&token), expires_ms: server::auth::now_ms() - 1 };
    let mail = NewMail { to: ase_email.clone(), subject: "s".into(), body: "b".into() };
    app.db.repository().issue_invitation(tenant, contact, &ase_email, &expired, &mail).await.unwrap();
    assert_eq!(set_password(&app.client(), &token, GOOD_PASSWORD).await, Err(ApiError::LinkInvalid));

    // Forged: a well-formed token nobody issued, an empty one, and the stored hash itself.
    let forged = server::customer_auth::new_token();
    assert_eq!(set_password(&app.client(), &forged, GOOD_PASSWORD).await, Err(ApiError::LinkInvalid));
    assert_eq!(set_password(&app.client(), "", GOOD_PASSWORD).await, Err(ApiError::LinkInvalid));
    assert_eq!(set_password(&app.client(), &token_hash(&first), GOOD_PASSWORD).await, Err(ApiError::LinkInvalid));
    // None of them logged anyone in.
    let c = app.client();
    let _ = set_password(&c, &forged, GOOD_PASSWORD).await;
    assert_eq!(my_page(&c).await, Err(ApiError::NotLoggedIn));
    assert!(app.db.repository().outbox(Some(&email), false, 10).await.unwrap().len() == 2);
}

async fn a_customer_reaches_only_their_own_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let nordlys = staff(&app, "admin@demo.no", "Nordlys Regnskap AS").await;
    let (a, a_tenant, a_contact, a_email) = activated(&app, &nordlys, "10001").await;
    let (b, _, b_contact, b_email) = activated(&app, &nordlys, "10002").await;
    let fjellvik = staff(&app, "admin@demo.no", "Fjellvik Sport AS").await;
    let (c, c_tenant, _, c_email) = activated(&app, &fjellvik, "10001").await;
    let c_before = my_page(&c).await.unwrap();

    // A's page and data name A and nobody else.
    let page = serde_json::to_string(&my_page(&a).await.unwrap()).unwrap();
    let data = serde_json::to_string(&a.call::<MyData>("min-side/my_data", &[]).await.unwrap()).unwrap();
    let download = a.http.get(format!("{}/min-side/mine-data.json", a.base)).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert!(download.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let download = download.text().await.unwrap();
    for text in [&page, &data, &download] {
        assert!(text.contains("Ola Nordmann") && text.contains(&a_email));
        for other in ["Kari", &b_email, "Per Fjellvik", &c_email, "Fjellvik Sport"] {
            assert!(!text.contains(other), "{other} in A's data");
        }
    }
    let json: MyData = serde_json::from_str(&download).unwrap();
    assert_eq!(json.customer.customer_number, "10001");
    // The staff look at A's card (in `contact`, before the invitation) is in A's access log,
    // without the staff user's address; looks at B's card are not.
    let views: Vec<&MyAccessEntry> = json.access_log.iter().filter(|e| e.action == "customer_card_viewed").collect();
    assert_eq!(views.len(), 1);
    assert!(views[0].by_staff && views[0].ip.is_none());
    assert!(json.access_log.iter().any(|e| e.action == "min_side_password_set" && !e.by_staff && e.ip.is_some()));
    assert!(json.min_side_logins.iter().any(|l| l.outcome == "password_set"));

    // Another tenant's purpose, and one that does not exist: refused, nothing changed anywhere.
    let version = my_page(&a).await.unwrap().consent_version;
    for purpose in [c_before.consents[0].purpose_id, 999_999] {
        assert_eq!(set_my_consent(&a, purpose, true, version).await, Err(ApiError::NotFound));
    }
    assert_eq!(my_page(&c).await.unwrap(), c_before);

    // Staff functions with a customer session, Min Side with a staff session: not logged in.
    for (endpoint, arg, value) in [
        ("load_customer_card", "id", "1"),
        ("consent_history", "contact_person_id", &b_contact.to_string()),
        ("invite_to_min_side", "contact_person_id", &b_contact.to_string()),
    ] {
        assert_eq!(a.call::<serde_json::Value>(endpoint, &[(arg, value)]).await, Err(ApiError::NotLoggedIn), "{endpoint}");
    }
    assert_eq!(my_page(&nordlys).await, Err(ApiError::NotLoggedIn));
    assert_eq!(nordlys.call::<MyData>("min-side/my_data", &[]).await, Err(ApiError::NotLoggedIn));

    // A customer session id presented as the staff cookie, and the other way round, is nobody.
    let swapped = app.client();
    swapped.set_session_cookie(&customer_cookie(&a).unwrap());
    assert_eq!(swapped.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));
    let swapped = app.client();
    swapped.set_cookie(server::web::CUSTOMER_SESSION_COOKIE, &nordlys.session_cookie().unwrap());
    assert_eq!(my_page(&swapped).await, Err(ApiError::NotLoggedIn));

    // Without a session the download says so and carries no data.
    let anonymous = app.http_get("/min-side/mine-data.json").await;
    assert_eq!(anonymous.0, 401);
    assert!(!anonymous.1.contains("Nordmann"));

    // A's address and password do not open the other tenant; a reset asked there sends nothing.
    assert_eq!(customer_login(&app.client(), c_tenant, &a_email, GOOD_PASSWORD).await, Err(ApiError::WrongCredentials));
    app.client().call::<()>("min-side/request_password_reset", &[("tenant", &c_tenant.to_string()), ("email", &a_email)]).await.unwrap();
    assert!(app.db.repository().outbox(Some(&a_email), false, 10).await.unwrap().iter().all(|m| !m.subject.contains("Nytt passord")));
    let _ = (a_tenant, a_contact, b);
}

fn customer_cookie(client: &Client) -> Option<String> {
    client.cookie(server::web::CUSTOMER_SESSION_COOKIE)
}

async fn a_forgotten_password_is_reset_by_mail_and_unknown_addresses_learn_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = staff(&app, "ansatt@demo.no", "Nordlys Regnskap AS").await;
    let (_, tenant, _, email) = activated(&app, &staff, "10001").await;
    let anyone = app.client();
    let ask = |email: String| {
        let anyone = &anyone;
        async move { anyone.call::<()>("min-side/request_password_reset", &[("tenant", &tenant.to_string()), ("email", &email)]).await }
    };
    ask(email.clone()).await.unwrap();
    assert_eq!(ask("ingen.her@example.no".into()).await, Ok(()));
    assert!(app.db.repository().outbox(Some("ingen.her@example.no"), true, 10).await.unwrap().is_empty());
    let (mail, token) = token_in_mail(&app, &email).await;
    assert!(mail.subject.starts_with("Nytt passord"));

    let new_password = "tre trær i tåka ved tunet";
    set_password(&anyone, &token, new_password).await.unwrap();
    let c = app.client();
    assert_eq!(customer_login(&c, tenant, &email, GOOD_PASSWORD).await, Err(ApiError::WrongCredentials));
    customer_login(&c, tenant, &email, new_password).await.unwrap();
    // At most three reset mails an hour per account.
    for _ in 0..5 {
        ask(email.clone()).await.unwrap();
    }
    let resets = app.db.repository().outbox(Some(&email), true, 50).await.unwrap();
    assert_eq!(resets.iter().filter(|m| m.subject.starts_with("Nytt passord")).count(), 3);
}

async fn repeated_failures_lock_a_customer_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = staff(&app, "ansatt@demo.no", "Nordlys Regnskap AS").await;
    let (_, tenant, _, email) = activated(&app, &staff, "10002").await;
    let c = app.client();
    for _ in 0..10 {
        assert_eq!(customer_login(&c, tenant, &email, "feil passord igjen").await, Err(ApiError::WrongCredentials));
    }
    assert!(matches!(customer_login(&c, tenant, &email, GOOD_PASSWORD).await, Err(ApiError::Locked { .. })));
    assert_eq!(my_page(&c).await, Err(ApiError::NotLoggedIn));
}

async fn a_consent_switch_from_another_site_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = staff(&app, "ansatt@demo.no", "Nordlys Regnskap AS").await;
    let (customer, ..) = activated(&app, &staff, "10001").await;
    let page = my_page(&customer).await.unwrap();
    let response = customer
        .http
        .post(format!("{}/api/min-side/set_my_consent", customer.base))
        .header("origin", "https://evil.example")
        .form(&[("purpose_id", page.consents[0].purpose_id.to_string()), ("given", "false".into()), ("consent_version", page.consent_version.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(common::decode::<()>(response).await, Err(ApiError::CrossOrigin));
    assert_eq!(my_page(&customer).await.unwrap(), page);
}

async fn the_outbox_is_sent_once_and_kept_when_smtp_fails(backend: Backend) {
    use lettre::transport::stub::AsyncStubTransport;
    let app = TestApp::spawn(backend).await;
    let staff = staff(&app, "ansatt@demo.no", "Nordlys Regnskap AS").await;
    let (_, _, email, _) = invite(&app, &staff, "10003").await;
    let repo = app.db.repository();
    let from: lettre::message::Mailbox = "Samtykke <noreply@example.no>".parse().unwrap();

    let failing = AsyncStubTransport::new_error();
    assert_eq!(server::mail::deliver_once(repo.as_ref(), &failing, &from).await.unwrap(), 0);
    assert_eq!(repo.outbox(Some(&email), false, 10).await.unwrap().len(), 1, "a failed mail stays unsent");

    // The failed attempt's claim is fresh; a sender that finds it stale takes it over.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let working = AsyncStubTransport::new_ok();
    assert_eq!(server::mail::deliver_once_claiming_after(repo.as_ref(), &working, &from, 0).await.unwrap(), 1);
    let sent = working.messages().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0.to()[0].to_string(), email);
    assert!(sent[0].1.contains("Subject: Invitasjon til Min Side"));
    assert!(repo.outbox(Some(&email), false, 10).await.unwrap().is_empty());
    assert_eq!(server::mail::deliver_once_claiming_after(repo.as_ref(), &working, &from, 0).await.unwrap(), 0, "never twice");
}

/// Anonymising the customer deletes the Min Side account and every session it is logged in on,
/// not only refuses them: the session rows are gone from the database.
async fn anonymising_the_customer_ends_their_min_side_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = staff(&app, "admin@demo.no", "Nordlys Regnskap AS").await;
    let (phone, tenant, _, email) = activated(&app, &admin, "10001").await;
    let laptop = app.client();
    customer_login(&laptop, tenant, &email, GOOD_PASSWORD).await.unwrap();
    let mut sessions = Vec::new();
    for device in [&phone, &laptop] {
        assert!(my_page(device).await.is_ok());
        sessions.push(device.cookie(server::web::CUSTOMER_SESSION_COOKIE).unwrap());
    }
    let stored = |id: &str| format!("SELECT COUNT(*) FROM {} WHERE id = '{}'", common::session_table(&app.db), id.replace('\'', ""));
    for id in &sessions {
        assert_eq!(common::count(&app.db, &stored(id)).await, 1);
    }
    // Another customer's session is not touched.
    let (other, ..) = activated(&app, &admin, "10003").await;
    let other_session = other.cookie(server::web::CUSTOMER_SESSION_COOKIE).unwrap();

    let page: SearchPage = admin.call("search_customers", &[("query", "10001"), ("page", "0")]).await.unwrap();
    let ola = page.hits.iter().find(|h| h.customer_number == "10001").unwrap().id;
    let body = serde_json::json!({ "customer_id": ola, "confirm": "10001", "redactions": [] });
    admin.call_json::<app::domain::anonymise::AnonymisationRecord>("anonymise_customer", body).await.unwrap();

    for (id, device) in sessions.iter().zip([&phone, &laptop]) {
        assert_eq!(common::count(&app.db, &stored(id)).await, 0, "session row left");
        assert_eq!(my_page(device).await, Err(ApiError::NotLoggedIn));
    }
    // The account is closed: no address or password left, and no session noted for it.
    let closed = "SELECT COUNT(*) FROM customer_accounts a WHERE a.closed_ms IS NOT NULL AND a.password_hash IS NULL AND a.email LIKE 'anonymisert-%' \
                  AND NOT EXISTS (SELECT 1 FROM customer_sessions s WHERE s.account_id = a.id)";
    assert_eq!(common::count(&app.db, closed).await, 1);
    assert_eq!(customer_login(&phone, tenant, &email, GOOD_PASSWORD).await, Err(ApiError::WrongCredentials));
    assert_eq!(common::count(&app.db, &stored(&other_session)).await, 1);
    assert!(my_page(&other).await.is_ok());
}

both_databases!(
    anonymising_the_customer_ends_their_min_side_sessions,
    an_invited_contact_sets_a_password_logs_in_and_withdraws_a_consent,
    links_work_once_expire_and_cannot_be_forged,
    a_customer_reaches_only_their_own_data,
    a_forgotten_password_is_reset_by_mail_and_unknown_addresses_learn_nothing,
    repeated_failures_lock_a_customer_login,
    a_consent_switch_from_another_site_is_refused,
    the_outbox_is_sent_once_and_kept_when_smtp_fails,
);
