//! Klientinnstillinger through the real HTTP stack, on SQLite and on PostgreSQL.

mod common;

use app::domain::settings::{ConsentSettingsInput, RecipientInput};
use app::domain::FieldError;
use app::error::ApiError;
use app::model::{ConsentSettings, SavedSettings};
use common::{Backend, Client, TestApp, DEMO_PASSWORD};
use serde_json::json;

async fn logged_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    client.login(email, DEMO_PASSWORD).await.unwrap();
    let me: app::model::Me = client.call("whoami", &[]).await.unwrap();
    if me.tenant.is_none() {
        let nordlys = me.tenants.iter().find(|t| t.name == "Nordlys Regnskap AS").unwrap().id;
        client.call::<()>("choose_tenant", &[("tenant_id", &nordlys.to_string())]).await.unwrap();
    }
    client
}

fn input(url: &str, names: &[&str]) -> ConsentSettingsInput {
    ConsentSettingsInput {
        policy_url: url.into(),
        controller_name: "Nordlys Regnskap AS".into(),
        recipients: names.iter().map(|n| RecipientInput { name: (*n).into(), ..Default::default() }).collect(),
        ..Default::default()
    }
}

async fn only_admins_save_the_consent_settings_and_bad_input_names_its_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = logged_in(&app, "ansatt@demo.no").await;
    let admin = logged_in(&app, "admin@demo.no").await;
    let body = |version: i64, i: ConsentSettingsInput| json!({ "version": version, "input": i });

    let refused = staff.call_json::<SavedSettings>("save_consent_settings", body(0, input("https://n.no/p", &["Posten"]))).await;
    assert_eq!(refused, Err(ApiError::MissingRight(app::domain::access::Permission::ClientSettings)));

    let bad = admin.call_json::<SavedSettings>("save_consent_settings", body(0, input("javascript:alert(1)", &["Posten", "posten"]))).await;
    let errors = bad.unwrap_err();
    let errors = errors.field_errors().unwrap();
    assert_eq!(errors.get("policy_url"), Some(FieldError::InvalidUrl));
    assert_eq!(errors.get("recipients.1.name"), Some(FieldError::Taken));

    let saved: SavedSettings = admin.call_json("save_consent_settings", body(0, input("https://n.no/p", &["Posten"]))).await.unwrap();
    assert_eq!((saved.version, saved.policy_version), (1, Some(1)));
    // Staff read what the consent form prints.
    let seen: ConsentSettings = staff.call("load_consent_settings", &[]).await.unwrap();
    assert_eq!((seen.input.policy_url.as_str(), seen.input.recipients.len()), ("https://n.no/p", 1));
    // A save from the old version is a conflict.
    let again = admin.call_json::<SavedSettings>("save_consent_settings", body(0, input("https://n.no/q", &[]))).await;
    assert_eq!(again, Err(ApiError::Conflict));
}

async fn the_consent_form_downloads_as_a_pdf_for_staff_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = logged_in(&app, "admin@demo.no").await;
    let body = json!({ "version": 0, "input": input("https://n.no/p", &["Posten Norge AS", "Bryggen Lønn AS"]) });
    admin.call_json::<SavedSettings>("save_consent_settings", body).await.unwrap();

    let staff = logged_in(&app, "ansatt@demo.no").await;
    let (status, text) = staff.pdf_text("/eksport/samtykkeskjema.pdf").await;
    assert_eq!(status, 200);
    for expected in ["Samtykkeerklæring", "Posten Norge AS", "Bryggen Lønn AS", "https://n.no/p", "Nyhetsbrev på e-post"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }

    let url = format!("{}/eksport/samtykkeskjema.pdf", staff.base);
    // Another tenant's customer is not found; without a session there is no form.
    let page: app::model::SearchPage = admin.call("search_customers", &[("query", ""), ("page", "0")]).await.unwrap();
    let own = page.hits[0].id;
    assert_eq!(staff.http.get(format!("{url}?kunde={own}")).send().await.unwrap().status(), 200);
    assert_eq!(staff.http.get(format!("{url}?kunde=999999")).send().await.unwrap().status(), 404);
    assert_eq!(app.client().http.get(&url).send().await.unwrap().status(), 401);
}

both_databases!(
    only_admins_save_the_consent_settings_and_bad_input_names_its_field,
    the_consent_form_downloads_as_a_pdf_for_staff_only,
);
