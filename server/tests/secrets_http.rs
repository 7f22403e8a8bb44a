//! Hemmeligheter through the real HTTP stack, on SQLite and on PostgreSQL: a canary value never
//! reaches a user without the right (not in a page, a server-function answer, the access log,
//! the database in clear or the server's own log), reveals are logged, values are bound to
//! their place, and a key rotation keeps them readable.

mod common;

use app::domain::access::Permission;
use app::error::ApiError;
use app::model::{AccessControl, AccessGroup, CustomerCard, CustomerSecrets, Me, SearchPage, SecretSummary};
use common::{Backend, Client, TestApp, DEMO_PASSWORD};
use serde_json::json;
use server::db::Database;
use std::sync::{Arc, Mutex, OnceLock};

/// Everything the server logs while these tests run, at every level.
fn server_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter("trace,hyper=info,hyper_util=info,reqwest=info,h2=info")
            .with_writer(move || Capture(writer.clone()))
            .try_init()
            .ok();
        buffer
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn nordlys(app: &TestApp, email: &str) -> Client {
    app.staff_in(email, "Nordlys Regnskap AS").await
}

async fn customer(client: &Client, number: &str) -> i64 {
    let page: SearchPage = client.call("search_customers", &[("query", number), ("page", "0")]).await.unwrap();
    page.hits.iter().find(|h| h.customer_number == number).unwrap().id
}

async fn save_group(admin: &Client, name: &str, rights: &[Permission], members: &[i64]) -> AccessGroup {
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let group = match control.groups.iter().find(|g| g.name == name) {
        Some(g) => g.clone(),
        None => admin.call("create_access_group", &[("name", name)]).await.unwrap(),
    };
    let body = json!({ "id": group.id, "version": group.version, "name": name, "rights": rights, "members": members });
    admin.call_json("save_access_group", body).await.unwrap()
}

async fn save_secret(client: &Client, customer: i64, id: Option<i64>, version: i64, label: &str, value: &str, groups: &[i64]) -> Result<SecretSummary, ApiError> {
    let body = json!({ "customer_id": customer, "id": id, "version": version, "label": label, "value": value, "groups": groups });
    client.call_json("save_secret", body).await
}

async fn reveal(client: &Client, secret: i64) -> Result<String, ApiError> {
    client.call("reveal_secret", &[("secret_id", &secret.to_string())]).await
}

async fn raw(client: &Client, endpoint: &str, form: &[(&str, &str)]) -> String {
    let response = client.http.post(format!("{}/api/{endpoint}", client.base)).form(form).send().await.unwrap();
    response.text().await.unwrap()
}

async fn sealed_columns(db: &Database) -> Vec<(i64, Vec<u8>, Vec<u8>)> {
    let q = "SELECT id, nonce, ciphertext FROM customer_secrets ORDER BY id";
    match db {
        Database::Sqlite(r) => sqlx::query_as(q).fetch_all(&r.pool).await.unwrap(),
        Database::Postgres(r) => sqlx::query_as(q).fetch_all(&r.pool).await.unwrap(),
    }
}

async fn a_canary_secret_reaches_only_those_with_the_right_and_every_reveal_is_logged(backend: Backend) {
    let log = server_log();
    let canary = format!("KANARI-{}-{:?}", std::process::id(), backend);
    let app = TestApp::spawn(backend).await;
    let admin = nordlys(&app, "admin@demo.no").await;
    let staff = nordlys(&app, "ansatt@demo.no").await;
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let ansatt = control.staff.iter().find(|s| s.email == "ansatt@demo.no").unwrap().user_id;
    let ola = customer(&admin, "10001").await;

    let keepers = save_group(&admin, "Nøkkelholdere", &[Permission::Secrets], &[]).await;
    let secret = save_secret(&admin, ola, None, 0, "Portkode", &canary, &[keepers.id]).await.unwrap();
    assert_eq!((secret.label.as_str(), secret.may_reveal), ("Portkode", true));
    assert_eq!(secret.groups, vec![(keepers.id, "Nøkkelholdere".to_string())]);

    // Staff without the right see that there is a secret, never its value.
    let seen: CustomerSecrets = staff.call("load_secrets", &[("customer_id", &ola.to_string())]).await.unwrap();
    assert_eq!(seen.secrets.iter().map(|s| (s.label.as_str(), s.may_reveal)).collect::<Vec<_>>(), vec![("Portkode", false)]);
    assert_eq!(reveal(&staff, secret.id).await, Err(ApiError::MissingRight(Permission::Secrets)));
    let answers = [
        raw(&staff, "load_secrets", &[("customer_id", &ola.to_string())]).await,
        raw(&staff, "reveal_secret", &[("secret_id", &secret.id.to_string())]).await,
        raw(&staff, "load_customer_card", &[("id", &ola.to_string())]).await,
    ];
    let page = staff.http.get(format!("{}/kunder/{ola}", staff.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ola"), "the card page rendered");
    for text in answers.iter().chain([&page]) {
        assert!(!text.contains(&canary), "the canary leaked: {text}");
    }

    // The right without one of the secret's groups is not enough.
    save_group(&admin, "Alle ansatte", &[Permission::CustomerWrite, Permission::Secrets], &[ansatt]).await;
    assert_eq!(reveal(&staff, secret.id).await, Err(ApiError::Forbidden));
    // In the group, the value is there, and the reveal is logged before it is sent.
    save_group(&admin, "Nøkkelholdere", &[Permission::Secrets], &[ansatt]).await;
    assert_eq!(reveal(&staff, secret.id).await.as_deref(), Ok(canary.as_str()));
    assert_eq!(reveal(&admin, secret.id).await.as_deref(), Ok(canary.as_str()));

    let me: Me = admin.call("whoami", &[]).await.unwrap();
    let entries = app.db.repository().access_entries(me.tenant.unwrap().id).await.unwrap();
    let reveals: Vec<_> = entries.iter().filter(|e| e.action == "secret_revealed").map(|e| (e.staff_user_id, e.customer_id, e.object.clone())).collect();
    assert_eq!(reveals.len(), 2);
    assert_eq!(reveals[0], (Some(ansatt), Some(ola), Some(format!("secret:{}", secret.id))));
    assert!(entries.iter().all(|e| !e.object.as_deref().unwrap_or("").contains(&canary)));

    // Another tenant does not find it; the database holds it only sealed.
    let fjellvik = app.client();
    fjellvik.login("admin@demo.no", DEMO_PASSWORD).await.unwrap();
    let me: Me = fjellvik.call("whoami", &[]).await.unwrap();
    let other = me.tenants.iter().find(|t| t.name == "Fjellvik Sport AS").unwrap().id;
    fjellvik.call::<()>("choose_tenant", &[("tenant_id", &other.to_string())]).await.unwrap();
    assert_eq!(reveal(&fjellvik, secret.id).await, Err(ApiError::NotFound));
    for (_, nonce, ciphertext) in sealed_columns(&app.db).await {
        assert_eq!(nonce.len(), 24);
        assert!(!ciphertext.windows(canary.len()).any(|w| w == canary.as_bytes()));
    }
    let logged = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    assert!(logged.contains("secret"), "the server log was captured");
    assert!(!logged.contains(&canary), "the canary is in the server log");
}

async fn values_are_bound_to_their_place_edits_conflict_and_a_key_rotation_keeps_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = nordlys(&app, "admin@demo.no").await;
    let ola = customer(&admin, "10001").await;
    let kari = customer(&admin, "10002").await;
    let door = save_secret(&admin, ola, None, 0, "Portkode", "4711", &[]).await.unwrap();
    let note = save_secret(&admin, ola, None, 0, "Notat", "Ring etter kl. 16", &[]).await.unwrap();

    // Bad input is named by field; a secret of another customer is not found under this one.
    let bad = save_secret(&admin, ola, None, 0, " ", "", &[]).await.unwrap_err();
    let fields = bad.field_errors().unwrap();
    assert!(fields.get("label").is_some() && fields.get("value").is_some());
    assert_eq!(save_secret(&admin, kari, Some(door.id), door.version, "Portkode", "", &[]).await, Err(ApiError::NotFound));

    // A change without a value keeps the value; a change from an old version is a conflict.
    let renamed = save_secret(&admin, ola, Some(door.id), door.version, "Portkode bakdør", "", &[]).await.unwrap();
    assert_eq!(reveal(&admin, door.id).await.as_deref(), Ok("4711"));
    assert_eq!(save_secret(&admin, ola, Some(door.id), door.version, "Overskrevet", "0000", &[]).await, Err(ApiError::Conflict));
    assert_eq!(reveal(&admin, door.id).await.as_deref(), Ok("4711"));

    // One row's sealed value copied onto another does not open there.
    let copy = "UPDATE customer_secrets SET nonce = (SELECT nonce FROM customer_secrets WHERE id = $1), \
                ciphertext = (SELECT ciphertext FROM customer_secrets WHERE id = $1) WHERE id = $2";
    match &app.db {
        Database::Sqlite(r) => assert_eq!(sqlx::query(copy).bind(door.id).bind(note.id).execute(&r.pool).await.unwrap().rows_affected(), 1),
        Database::Postgres(r) => assert_eq!(sqlx::query(copy).bind(door.id).bind(note.id).execute(&r.pool).await.unwrap().rows_affected(), 1),
    }
    assert_eq!(reveal(&admin, note.id).await, Err(ApiError::Internal));
    admin.call::<()>("delete_secret", &[("secret_id", &note.id.to_string()), ("version", &note.version.to_string())]).await.unwrap();

    // Rotation: every value re-sealed under the new key; a server with the new key reads it,
    // one still on the old key refuses rather than showing garbage.
    let new_key = server::secrets::SecretKey::generate();
    let count = server::secrets::rotate(app.db.repository().as_ref(), &app.key, &new_key).await.unwrap();
    assert_eq!(count, 1);
    let rotated = app.server_with_key(new_key).await;
    let after = nordlys(&rotated, "admin@demo.no").await;
    assert_eq!(reveal(&after, door.id).await.as_deref(), Ok("4711"));
    assert_eq!(reveal(&admin, door.id).await, Err(ApiError::Internal));
    let list: CustomerSecrets = after.call("load_secrets", &[("customer_id", &ola.to_string())]).await.unwrap();
    assert_eq!(list.secrets.iter().map(|s| (s.id, s.label.as_str(), s.version)).collect::<Vec<_>>(), vec![(door.id, "Portkode bakdør", renamed.version)]);
    let card: CustomerCard = after.call("load_customer_card", &[("id", &ola.to_string())]).await.unwrap();
    assert_eq!(card.customer.id, ola);
}

both_databases!(
    a_canary_secret_reaches_only_those_with_the_right_and_every_reveal_is_logged,
    values_are_bound_to_their_place_edits_conflict_and_a_key_rotation_keeps_them,
);
