//! Consent through the real HTTP stack, on SQLite and on PostgreSQL.

mod common;

use app::domain::access::Permission;
use app::error::ApiError;
use app::model::*;
use common::{Backend, Client, TestApp, DEMO_PASSWORD};
use serde_json::json;

async fn staff(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    client.login(email, DEMO_PASSWORD).await.unwrap();
    let me: Me = client.call("whoami", &[]).await.unwrap();
    if me.tenant.is_none() {
        let nordlys = me.tenants.iter().find(|t| t.name == "Nordlys Regnskap AS").unwrap().id;
        client.call::<()>("choose_tenant", &[("tenant_id", &nordlys.to_string())]).await.unwrap();
    }
    client
}


async fn consents(client: &Client, customer: CustomerId) -> Result<CustomerConsents, ApiError> {
    client.call("load_consents", &[("customer_id", &customer.to_string())]).await
}

async fn save(client: &Client, customer: CustomerId, version: i64, changes: &[ConsentChange]) -> Result<i64, ApiError> {
    client
        .call_json("save_consents", json!({ "customer_id": customer, "consent_version": version, "changes": changes }))
        .await
}

async fn history(client: &Client, contact: ContactPersonId) -> Result<Vec<ConsentEventView>, ApiError> {
    client.call("consent_history", &[("contact_person_id", &contact.to_string())]).await
}

async fn the_card_shows_the_seeded_consents_and_a_save_is_recorded_with_its_evidence(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = staff(&app, "ansatt@demo.no").await;
    let ola = client.customer_id("10001").await;
    let grid = consents(&client, ola).await.unwrap();
    let contact = grid.contact_persons[0].0;
    let code = |id| grid.purposes.iter().find(|p| p.id == id).unwrap().input.code.clone();
    let given: Vec<(String, bool)> = grid.standings.iter().map(|s| (code(s.purpose_id), s.given)).collect();
    assert_eq!(given, [("nyhetsbrev-epost".to_string(), true), ("tilbud-sms".to_string(), false)]);

    let phone = grid.purposes.iter().find(|p| p.input.code == "telefonsalg").unwrap().id;
    let change = ConsentChange { contact_person_id: contact, purpose_id: phone, given: true };
    let version = save(&client, ola, grid.consent_version, &[change]).await.unwrap();
    assert_eq!(version, grid.consent_version + 1);

    let events = history(&client, contact).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.purpose_code.as_str(), last.given, last.source), ("telefonsalg", true, ConsentSource::StaffCard));
    assert_eq!(last.staff_name.as_deref(), Some("Are Ansatt"));
    assert_eq!(last.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(last.user_agent.as_deref(), Some(common::USER_AGENT), "the user agent is evidence too");
    // The paper-form history of the seed is still there, first.
    assert_eq!(events.len(), 4);
    assert!(events[..3].iter().all(|e| e.source == ConsentSource::PaperForm));
}

async fn fifty_concurrent_saves_from_one_version_let_exactly_one_win(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = std::sync::Arc::new(staff(&app, "admin@demo.no").await);
    let ase = client.customer_id("10003").await;
    let grid = consents(&client, ase).await.unwrap();
    let change = ConsentChange { contact_person_id: grid.contact_persons[0].0, purpose_id: grid.purposes[0].id, given: true };
    let saves: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            let version = grid.consent_version;
            tokio::spawn(async move { save(&client, ase, version, &[change]).await })
        })
        .collect();
    let mut won = 0;
    for s in saves {
        match s.await.unwrap() {
            Ok(_) => won += 1,
            Err(ApiError::Conflict) => {}
            Err(other) => panic!("a concurrent save failed with {other:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(history(&client, change.contact_person_id).await.unwrap().len(), 1);
    assert_eq!(consents(&client, ase).await.unwrap().consent_version, grid.consent_version + 1);
}

async fn consent_of_another_tenant_is_out_of_reach(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = staff(&app, "admin@demo.no").await;
    let me: Me = admin.call("whoami", &[]).await.unwrap();
    let fjellvik = me.tenants.iter().find(|t| t.name == "Fjellvik Sport AS").unwrap().id;
    admin.call::<()>("choose_tenant", &[("tenant_id", &fjellvik.to_string())]).await.unwrap();
    let per = admin.customer_id("10001").await;
    let grid = consents(&admin, per).await.unwrap();
    let contact = grid.contact_persons[0].0;
    let change = ConsentChange { contact_person_id: contact, purpose_id: grid.purposes[0].id, given: true };

    let staff = staff(&app, "ansatt@demo.no").await;
    assert_eq!(consents(&staff, per).await, Err(ApiError::NotFound));
    assert_eq!(save(&staff, per, grid.consent_version, &[change]).await, Err(ApiError::NotFound));
    assert_eq!(history(&staff, contact).await, Err(ApiError::NotFound));
    // Another tenant's contact person inside an own customer's save.
    let ola = staff.customer_id("10001").await;
    let own = consents(&staff, ola).await.unwrap();
    assert_eq!(save(&staff, ola, own.consent_version, &[change]).await, Err(ApiError::NotFound));
    assert!(consents(&admin, per).await.unwrap().standings.is_empty());

    let anonymous = app.client();
    assert_eq!(consents(&anonymous, ola).await, Err(ApiError::NotLoggedIn));
    assert_eq!(save(&anonymous, ola, 0, &[]).await, Err(ApiError::NotLoggedIn));
}

async fn only_admins_edit_purposes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = staff(&app, "ansatt@demo.no").await;
    let purposes: Vec<ConsentPurpose> = staff.call("list_consent_purposes", &[]).await.unwrap();
    let news = purposes[0].clone();
    let mut input = news.input.clone();
    input.wording = "Endret tekst".into();
    let body = json!({ "id": news.id, "version": news.version, "input": input });
    assert_eq!(staff.call_json::<(i64, i64)>("save_consent_purpose", body.clone()).await, Err(ApiError::MissingRight(Permission::ClientSettings)));

    let admin = staff_in_nordlys_as_admin(&app).await;
    admin.call_json::<(i64, i64)>("save_consent_purpose", body.clone()).await.unwrap();
    let after: Vec<ConsentPurpose> = staff.call("list_consent_purposes", &[]).await.unwrap();
    assert_eq!((after[0].wording_version, after[0].input.wording.as_str()), (2, "Endret tekst"));
    // Saving the same loaded version again is a conflict, and a bad code is a field error.
    assert_eq!(admin.call_json::<(i64, i64)>("save_consent_purpose", body).await, Err(ApiError::Conflict));
    input.code = "Ikke gyldig!".into();
    let bad = admin
        .call_json::<(i64, i64)>("save_consent_purpose", json!({ "id": news.id, "version": after[0].version, "input": input }))
        .await
        .unwrap_err();
    assert_eq!(bad.field_errors().and_then(|e| e.get("code")), Some(app::domain::FieldError::InvalidCode));
}

async fn staff_in_nordlys_as_admin(app: &TestApp) -> Client {
    staff(app, "admin@demo.no").await
}

async fn the_export_is_a_csv_of_the_tenants_events(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = staff(&app, "ansatt@demo.no").await;
    let url = format!("{}/eksport/samtykkehendelser.csv", client.base);
    let response = client.http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines[0].starts_with("event_id,at_utc,customer_number,contact_person_id,contact_person_name,purpose_code"));
    // The seed's six paper-form events of this tenant, and none of the other tenant's.
    assert_eq!(lines.len(), 1 + 6, "{body}");
    assert!(lines[1].contains(",10001,") && lines[1].contains(",Ola Nordmann,nyhetsbrev-epost,1,given,staff,Ada Admin,paper_form,"));

    let purposes: Vec<ConsentPurpose> = client.call("list_consent_purposes", &[]).await.unwrap();
    let phone = purposes.iter().find(|p| p.input.code == "telefonsalg").unwrap().id;
    let filtered = client.http.get(format!("{url}?fra=&til=&formal={phone}")).send().await.unwrap().text().await.unwrap();
    assert_eq!(filtered.lines().count(), 1 + 2);
    let past = client.http.get(format!("{url}?til=2020-01-01")).send().await.unwrap().text().await.unwrap();
    assert_eq!(past.lines().count(), 1);

    let bad = client.http.get(format!("{url}?fra=1.1.2026")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    let anonymous = app.client().http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(!anonymous.text().await.unwrap().contains("Nordmann"));
}

async fn a_cross_origin_consent_save_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = staff(&app, "ansatt@demo.no").await;
    let ola = client.customer_id("10001").await;
    let grid = consents(&client, ola).await.unwrap();
    let change = ConsentChange { contact_person_id: grid.contact_persons[0].0, purpose_id: grid.purposes[2].id, given: true };
    let response = client
        .http
        .post(format!("{}/api/save_consents", client.base))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({ "customer_id": ola, "consent_version": grid.consent_version, "changes": [change] }))
        .send()
        .await
        .unwrap();
    assert_eq!(common::decode::<i64>(response).await, Err(ApiError::CrossOrigin));
    assert_eq!(consents(&client, ola).await.unwrap(), grid);
}

both_databases!(
    the_card_shows_the_seeded_consents_and_a_save_is_recorded_with_its_evidence,
    fifty_concurrent_saves_from_one_version_let_exactly_one_win,
    consent_of_another_tenant_is_out_of_reach,
    only_admins_edit_purposes,
    the_export_is_a_csv_of_the_tenants_events,
    a_cross_origin_consent_save_is_refused,
);
