//! The app through its real HTTP stack, on SQLite and on PostgreSQL.

mod common;

use app::error::ApiError;
use app::model::{CustomerCard, Me, SearchPage};
use common::{Backend, TestApp, DEMO_PASSWORD};
use serde_json::json;

async fn login_event_outcomes(app: &TestApp, email: &str) -> Vec<String> {
    match &app.db {
        server::db::Database::Sqlite(r) => sqlx::query_scalar("SELECT outcome FROM staff_login_events WHERE email = ? ORDER BY id")
            .bind(email)
            .fetch_all(&r.pool)
            .await
            .unwrap(),
        server::db::Database::Postgres(r) => sqlx::query_scalar("SELECT outcome FROM staff_login_events WHERE email = $1 ORDER BY id")
            .bind(email)
            .fetch_all(&r.pool)
            .await
            .unwrap(),
    }
}

async fn search(client: &common::Client, query: &str) -> Result<SearchPage, ApiError> {
    client.call("search_customers", &[("query", query), ("page", "0")]).await
}

async fn login_then_whoami(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    assert_eq!(client.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));
    client.login("ansatt@demo.no", DEMO_PASSWORD).await.unwrap();
    let me: Me = client.call("whoami", &[]).await.unwrap();
    assert_eq!(me.email, "ansatt@demo.no");
    // One tenant: chosen at login.
    assert_eq!(me.tenant.map(|t| t.name).as_deref(), Some("Nordlys Regnskap AS"));
    assert_eq!(login_event_outcomes(&app, "ansatt@demo.no").await, ["succeeded"]);
}

async fn wrong_password_and_unknown_email_look_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    let wrong = client.login("ansatt@demo.no", "feil").await;
    let unknown = client.login("finnes.ikke@demo.no", "feil").await;
    assert_eq!(wrong, Err(ApiError::WrongCredentials));
    assert_eq!(unknown, wrong);
    assert_eq!(client.session_cookie(), None, "no session for a failed login");
    assert_eq!(login_event_outcomes(&app, "ansatt@demo.no").await, ["wrong_password"]);
    assert_eq!(login_event_outcomes(&app, "finnes.ikke@demo.no").await, ["unknown_email"]);
}

async fn ten_failures_lock_the_account_on_every_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    for _ in 0..10 {
        assert_eq!(client.login("ansatt@demo.no", "gjetter").await, Err(ApiError::WrongCredentials));
    }
    // Even the right password is refused now, with when to try again.
    assert_eq!(client.login("ansatt@demo.no", DEMO_PASSWORD).await, Err(ApiError::Locked { retry_after_minutes: 15 }));
    // The lock is in the database: another app server refuses as well.
    let other = app.second_server().await;
    assert_eq!(
        other.client().login("ansatt@demo.no", DEMO_PASSWORD).await,
        Err(ApiError::Locked { retry_after_minutes: 15 })
    );
    // Other accounts are not affected.
    other.client().login("admin@demo.no", DEMO_PASSWORD).await.unwrap();
}

async fn login_renews_the_session_id_and_logout_ends_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    client.login("ansatt@demo.no", DEMO_PASSWORD).await.unwrap();
    let first = client.session_cookie().expect("a session cookie after login");
    client.login("ansatt@demo.no", DEMO_PASSWORD).await.unwrap();
    let second = client.session_cookie().unwrap();
    assert_ne!(first, second, "the id is renewed at login");

    // The old id is worthless.
    let replay = app.client();
    replay.set_session_cookie(&first);
    assert_eq!(replay.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));

    client.call::<()>("logout", &[]).await.ok();
    let after = app.client();
    after.set_session_cookie(&second);
    assert_eq!(after.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));
    assert_eq!(search(&after, "").await, Err(ApiError::NotLoggedIn));
}

async fn staff_see_only_their_tenants_customers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // admin@demo.no belongs to both tenants: find a customer of Fjellvik Sport AS.
    let admin = app.client();
    admin.login("admin@demo.no", DEMO_PASSWORD).await.unwrap();
    assert_eq!(search(&admin, "").await, Err(ApiError::NoTenantChosen));
    let me: Me = admin.call("whoami", &[]).await.unwrap();
    let fjellvik = me.tenants.iter().find(|t| t.name == "Fjellvik Sport AS").unwrap().id;
    admin.call::<()>("choose_tenant", &[("tenant_id", &fjellvik.to_string())]).await.unwrap();
    let per = search(&admin, "fjellvik").await.unwrap().hits.remove(0);
    let card: CustomerCard = admin.call("load_customer_card", &[("id", &per.id.to_string())]).await.unwrap();

    // ansatt@demo.no is only in Nordlys Regnskap AS.
    let staff = app.client();
    staff.login("ansatt@demo.no", DEMO_PASSWORD).await.unwrap();
    assert!(search(&staff, "fjellvik").await.unwrap().hits.is_empty());
    assert_eq!(
        staff.call::<CustomerCard>("load_customer_card", &[("id", &per.id.to_string())]).await,
        Err(ApiError::NotFound)
    );
    let mut input = card.customer.input.clone();
    input.city = "Overtatt".into();
    let update = staff
        .call_json::<(i64, i64)>("save_customer", json!({ "id": per.id, "version": card.customer.version, "input": input }))
        .await;
    assert_eq!(update, Err(ApiError::NotFound));
    let contact = staff
        .call_json::<(i64, i64)>(
            "save_contact_person",
            json!({ "customer_id": per.id, "id": null, "version": 0, "input": { "name": "Inntrenger", "position": "", "email": "", "phone": "" } }),
        )
        .await;
    assert_eq!(contact, Err(ApiError::NotFound));
    assert_eq!(
        staff.call::<()>("choose_tenant", &[("tenant_id", &fjellvik.to_string())]).await,
        Err(ApiError::Forbidden)
    );
    // Nothing of that reached Fjellvik's customer.
    let after: CustomerCard = admin.call("load_customer_card", &[("id", &per.id.to_string())]).await.unwrap();
    assert_eq!(after, card);
}

async fn cross_origin_state_changes_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    client.login("ansatt@demo.no", DEMO_PASSWORD).await.unwrap();
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let response = client
            .http
            .post(format!("{}/api/save_customer", client.base))
            .header(name, value)
            .json(&json!({ "id": null, "version": 0, "input": { "kind": "Private", "customer_number": "666", "first_name": "Ond", "last_name": "Vilje", "company_name": "", "org_no": "", "address_line": "", "postal_code": "", "city": "", "email": "", "phone": "", "tags": "" } }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(common::decode::<()>(response).await, Err(ApiError::CrossOrigin));
    }
    assert!(search(&client, "666").await.unwrap().hits.is_empty());
}

async fn invalid_input_and_stale_versions_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    client.login("ansatt@demo.no", DEMO_PASSWORD).await.unwrap();
    let kari = search(&client, "kari").await.unwrap().hits.remove(0);
    let card: CustomerCard = client.call("load_customer_card", &[("id", &kari.id.to_string())]).await.unwrap();
    let version = card.customer.version;

    let mut bad = card.customer.input.clone();
    bad.email = "kari@".into();
    bad.org_no = "123".into();
    let refused = client.call_json::<(i64, i64)>("save_customer", json!({ "id": kari.id, "version": version, "input": bad })).await;
    let Err(ApiError::Invalid(errors)) = refused else { panic!("expected Invalid, got {refused:?}") };
    assert_eq!(errors.get("email"), Some(app::domain::FieldError::InvalidEmail));

    let mut first = card.customer.input.clone();
    first.city = "Bodø".into();
    let (_, v2) = client.call_json::<(i64, i64)>("save_customer", json!({ "id": kari.id, "version": version, "input": first })).await.unwrap();
    assert_eq!(v2, version + 1);
    // A second editor who loaded the same version does not overwrite the first.
    let mut second = card.customer.input.clone();
    second.city = "Hamar".into();
    let stale = client.call_json::<(i64, i64)>("save_customer", json!({ "id": kari.id, "version": version, "input": second })).await;
    assert_eq!(stale, Err(ApiError::Conflict));
    let now: CustomerCard = client.call("load_customer_card", &[("id", &kari.id.to_string())]).await.unwrap();
    assert_eq!(now.customer.input.city, "Bodø");

    // A customer number is unique within the tenant.
    let mut copy = card.customer.input.clone();
    copy.customer_number = "10001".into();
    let taken = client.call_json::<(i64, i64)>("save_customer", json!({ "id": null, "version": 0, "input": copy })).await;
    let Err(ApiError::Invalid(errors)) = taken else { panic!("expected Invalid, got {taken:?}") };
    assert_eq!(errors.get("customer_number"), Some(app::domain::FieldError::Taken));
}

async fn pages_render_on_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    let login = client.http.get(format!("{}/logg-inn", client.base)).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let html = login.text().await.unwrap();
    assert!(html.contains("<html lang=\"nb\""), "{html}");
    assert!(html.contains("Logg inn"));
    let missing = client.http.get(format!("{}/finnes-ikke", client.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

async fn pages_carry_security_headers_with_their_own_nonce(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let page = client.http.get(format!("{}/logg-inn", client.base)).send().await.unwrap();
        let h = page.headers().clone();
        let csp = h["content-security-policy"].to_str().unwrap().to_string();
        for part in ["default-src 'self'", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"] {
            assert!(csp.contains(part), "{part} missing from {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "no-store");
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
        let html = page.text().await.unwrap();
        // Every inline script carries the nonce the header allows.
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{html}");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is used for one response only");
    // Server-function answers are not cached either; plain http here, so no HSTS.
    let api = client.http.post(format!("{}/api/whoami", client.base)).send().await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert!(api.headers().get("strict-transport-security").is_none());
}

async fn one_address_failing_on_many_accounts_has_to_wait(backend: Backend) {
    let lockout = server::auth::LockoutPolicy { max_failures_per_ip: 3, ..Default::default() };
    let app = TestApp::spawn_with_lockout(backend, lockout).await;
    let client = app.client();
    for email in ["a@example.no", "b@example.no", "ansatt@demo.no"] {
        assert_eq!(client.login(email, "gjett-et-passord").await, Err(ApiError::WrongCredentials));
    }
    // Now even the right password of an account that failed only once is refused, on staff
    // login and on Min Side, until the window has passed.
    assert_eq!(client.login("admin@demo.no", DEMO_PASSWORD).await, Err(ApiError::Locked { retry_after_minutes: 15 }));
    let response = client
        .http
        .post(format!("{}/api/min-side/login", client.base))
        .form(&[("tenant", "1"), ("email", "ola.nordmann@example.no"), ("password", "hva som helst her")])
        .send()
        .await
        .unwrap();
    assert_eq!(common::decode::<()>(response).await, Err(ApiError::Locked { retry_after_minutes: 15 }));
}

both_databases!(
    one_address_failing_on_many_accounts_has_to_wait,
    pages_carry_security_headers_with_their_own_nonce,
    login_then_whoami,
    wrong_password_and_unknown_email_look_the_same,
    ten_failures_lock_the_account_on_every_server,
    login_renews_the_session_id_and_logout_ends_it,
    staff_see_only_their_tenants_customers,
    cross_origin_state_changes_are_refused,
    invalid_input_and_stale_versions_are_refused,
    pages_render_on_the_server,
);
