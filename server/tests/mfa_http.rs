//! Tofaktor (MFA) through the real HTTP stack, on SQLite and on PostgreSQL: enrolment, the code
//! after the password, replay refusal, recovery codes that work once, the rate limit, the
//! client's requirement, the administrator's reset and the access-log entries they leave.

mod common;

use app::domain::mfa::{MfaEnrolled, MfaEnrolment, MfaStatus};
use app::error::ApiError;
use app::model::{AccessControl, Me, TenantId};
use common::{Backend, Client, TestApp, DEMO_PASSWORD};

const NORDLYS: &str = "Nordlys Regnskap AS";

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// The code an authenticator app shows for `secret` at `unix_seconds`.
fn code_at(secret: &str, unix_seconds: u64) -> String {
    server::mfa::totp(secret, "").unwrap().generate(unix_seconds).to_string()
}

/// Enrols the logged-in client: answers the seed (as the page shows it, without spaces) and the
/// recovery codes.
async fn enrol(client: &Client) -> (String, MfaEnrolled) {
    let enrolment: MfaEnrolment = client.call("start_mfa_enrolment", &[]).await.unwrap();
    assert!(enrolment.qr_svg.starts_with("<?xml") || enrolment.qr_svg.contains("<svg"));
    let secret: String = enrolment.secret.split_whitespace().collect();
    let enrolled: MfaEnrolled = client.call("confirm_mfa_enrolment", &[("code", &code_at(&secret, now()))]).await.unwrap();
    (secret, enrolled)
}

/// Logs in with the password only: answers where the login sends the browser next.
async fn password(app: &TestApp, email: &str) -> (Client, Option<String>) {
    let client = app.client();
    let to = client.submit("login", &[("email", email), ("password", DEMO_PASSWORD)]).await.unwrap();
    (client, to)
}

async fn verify(client: &Client, code: &str) -> Result<Option<String>, ApiError> {
    client.submit("verify_mfa", &[("code", code)]).await
}

async fn tenant_id(app: &TestApp, name: &str) -> TenantId {
    let client = app.staff_in("admin@demo.no", name).await;
    let me: Me = client.call("whoami", &[]).await.unwrap();
    me.tenant.unwrap().id
}

async fn actions(app: &TestApp, tenant: TenantId) -> Vec<(String, Option<String>)> {
    let log = app.db.repository().access_entries(tenant).await.unwrap();
    log.into_iter().map(|e| (e.action, e.object)).collect()
}

async fn a_used_code_is_refused_and_a_recovery_code_works_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    let before: MfaStatus = staff.call("mfa_status", &[]).await.unwrap();
    assert!(!before.enrolled && !before.required);

    // A wrong first code does not switch MFA on.
    let enrolment: MfaEnrolment = staff.call("start_mfa_enrolment", &[]).await.unwrap();
    let secret: String = enrolment.secret.split_whitespace().collect();
    let wrong = code_at(&secret, now() + 3600);
    assert_eq!(staff.call::<MfaEnrolled>("confirm_mfa_enrolment", &[("code", &wrong)]).await, Err(ApiError::WrongCode));
    let enrolled: MfaEnrolled = staff.call("confirm_mfa_enrolment", &[("code", &code_at(&secret, now()))]).await.unwrap();
    assert_eq!(enrolled.recovery_codes.len(), 10);
    assert_eq!(enrolled.next, "/tofaktor");
    let status: MfaStatus = staff.call("mfa_status", &[]).await.unwrap();
    assert_eq!((status.enrolled, status.recovery_codes_left), (true, 10));
    // A second enrolment cannot replace the first: only a reset can.
    assert_eq!(staff.call::<MfaEnrolment>("start_mfa_enrolment", &[]).await, Err(ApiError::Conflict));

    // The password alone no longer logs in.
    let (browser, to) = password(&app, "ansatt@demo.no").await;
    assert_eq!(to.as_deref(), Some("/logg-inn/kode"));
    assert_eq!(browser.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));
    assert_eq!(browser.call::<AccessControl>("load_access_control", &[]).await, Err(ApiError::NotLoggedIn));

    // The enrolment used this step's code, so the next step's code (within the clock skew) is
    // the one that logs in now.
    let next_code = code_at(&secret, now() + 30);
    assert_eq!(verify(&browser, &next_code).await.unwrap().as_deref(), Some("/"));
    assert!(browser.call::<Me>("whoami", &[]).await.is_ok());

    // The same code again, and an older one: refused.
    let (replay, _) = password(&app, "ansatt@demo.no").await;
    assert_eq!(verify(&replay, &next_code).await, Err(ApiError::WrongCode));
    assert_eq!(verify(&replay, &code_at(&secret, now())).await, Err(ApiError::WrongCode));
    assert_eq!(replay.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));

    // A recovery code, typed as people do: works once.
    let recovery = enrolled.recovery_codes[3].to_uppercase().replace('-', " ");
    assert_eq!(verify(&replay, &recovery).await.unwrap().as_deref(), Some("/"));
    let (again, _) = password(&app, "ansatt@demo.no").await;
    assert_eq!(verify(&again, &enrolled.recovery_codes[3]).await, Err(ApiError::WrongCode));
    let status: MfaStatus = browser.call("mfa_status", &[]).await.unwrap();
    assert_eq!(status.recovery_codes_left, 9);

    // Neither the seed nor a recovery code is stored in clear.
    let (seeds, hashes) = stored_mfa(&app).await;
    assert!(!seeds.iter().any(|s| s.windows(secret.len()).any(|w| w == secret.as_bytes())));
    for code in &enrolled.recovery_codes {
        let compact = code.replace('-', "");
        assert!(hashes.iter().all(|h| h.starts_with("$argon2id$") && !h.contains(&compact)));
    }

    // The client's access log tells the story.
    let log = actions(&app, tenant_id(&app, NORDLYS).await).await;
    let count = |a: &str| log.iter().filter(|(action, _)| action == a).count();
    assert_eq!(count("mfa_enrolled"), 1);
    assert_eq!(count("mfa_failed"), 3);
    assert!(log.contains(&("mfa_recovery_code_used".into(), Some("left:9".into()))));
}

async fn stored_mfa(app: &TestApp) -> (Vec<Vec<u8>>, Vec<String>) {
    match &app.db {
        server::db::Database::Sqlite(r) => (
            sqlx::query_scalar("SELECT ciphertext FROM staff_totp").fetch_all(&r.pool).await.unwrap(),
            sqlx::query_scalar("SELECT code_hash FROM staff_recovery_codes").fetch_all(&r.pool).await.unwrap(),
        ),
        server::db::Database::Postgres(r) => (
            sqlx::query_scalar("SELECT ciphertext FROM staff_totp").fetch_all(&r.pool).await.unwrap(),
            sqlx::query_scalar("SELECT code_hash FROM staff_recovery_codes").fetch_all(&r.pool).await.unwrap(),
        ),
    }
}

async fn codes_are_rate_limited_per_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    let (secret, _) = enrol(&staff).await;
    let (browser, _) = password(&app, "ansatt@demo.no").await;
    for _ in 0..5 {
        assert_eq!(verify(&browser, "000000").await, Err(ApiError::WrongCode));
    }
    // The sixth attempt is refused even with the right code, and logging in again does not
    // reset the count.
    let right = code_at(&secret, now() + 30);
    assert_eq!(verify(&browser, &right).await, Err(ApiError::Locked { retry_after_minutes: 15 }));
    let (fresh, _) = password(&app, "ansatt@demo.no").await;
    assert_eq!(verify(&fresh, &right).await, Err(ApiError::Locked { retry_after_minutes: 15 }));
    assert_eq!(fresh.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));
}

async fn a_client_that_requires_mfa_makes_its_staff_enrol_at_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let nordlys = tenant_id(&app, NORDLYS).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    // Only an administrator sets it.
    assert!(staff.call::<()>("set_mfa_required", &[("required", "true")]).await.is_err());
    admin.call::<()>("set_mfa_required", &[("required", "true")]).await.unwrap();
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    assert!(control.require_mfa);

    let (browser, to) = password(&app, "ansatt@demo.no").await;
    assert_eq!(to.as_deref(), Some("/logg-inn/tofaktor"));
    assert_eq!(browser.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));
    let status: MfaStatus = browser.call("mfa_status", &[]).await.unwrap();
    assert!(status.required && !status.enrolled);
    let (_, enrolled) = enrol(&browser).await;
    // The enrolment finished the login.
    assert_eq!(enrolled.next, "/");
    let me: Me = browser.call("whoami", &[]).await.unwrap();
    assert_eq!(me.email, "ansatt@demo.no");

    // The administrator, without MFA, is now asked to set it up too.
    let (_, to) = password(&app, "admin@demo.no").await;
    assert_eq!(to.as_deref(), Some("/logg-inn/tofaktor"));

    let log = actions(&app, nordlys).await;
    assert!(log.contains(&("mfa_requirement_changed".into(), Some("on".into()))));
    assert!(log.iter().any(|(a, _)| a == "mfa_enrolled"));
}

async fn an_administrator_resets_mfa_and_the_log_says_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.staff_in("admin@demo.no", NORDLYS).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    enrol(&staff).await;
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let ansatt = control.staff.iter().find(|s| s.email == "ansatt@demo.no").unwrap();
    assert!(ansatt.mfa_enrolled);
    let id = ansatt.user_id.to_string();

    // Not by the user's colleague, nor from a client the user does not work for.
    assert!(staff.call::<()>("reset_mfa", &[("user_id", &id)]).await.is_err());
    let fjellvik = app.staff_in("admin@demo.no", "Fjellvik Sport AS").await;
    assert_eq!(fjellvik.call::<()>("reset_mfa", &[("user_id", &id)]).await, Err(ApiError::NotFound));

    admin.call::<()>("reset_mfa", &[("user_id", &id)]).await.unwrap();
    let (_, to) = password(&app, "ansatt@demo.no").await;
    assert_eq!(to.as_deref(), Some("/"));
    let log = actions(&app, tenant_id(&app, NORDLYS).await).await;
    assert!(log.contains(&("mfa_reset".into(), Some(format!("user:{id}")))));
}

async fn failed_logins_of_known_accounts_are_in_their_clients_logs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let nordlys = tenant_id(&app, NORDLYS).await;
    let fjellvik = tenant_id(&app, "Fjellvik Sport AS").await;
    let client = app.client();
    assert_eq!(client.login("admin@demo.no", "feil-passord").await, Err(ApiError::WrongCredentials));
    assert_eq!(client.login("ukjent@demo.no", "feil-passord").await, Err(ApiError::WrongCredentials));
    for tenant in [nordlys, fjellvik] {
        let failed: Vec<_> = actions(&app, tenant).await.into_iter().filter(|(a, _)| a == "staff_login_failed").collect();
        assert_eq!(failed, vec![("staff_login_failed".to_string(), Some("wrong_password".to_string()))]);
    }
}

async fn rotating_the_key_keeps_the_codes_working(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = app.staff_in("ansatt@demo.no", NORDLYS).await;
    let (secret, _) = enrol(&staff).await;
    let new_key = server::secrets::SecretKey::generate();
    let count = server::secrets::rotate(app.db.repository().as_ref(), &app.key, &new_key).await.unwrap();
    assert_eq!(count, 1);
    let rotated = app.server_with_key(new_key).await;
    let (browser, _) = password(&rotated, "ansatt@demo.no").await;
    assert_eq!(verify(&browser, &code_at(&secret, now() + 30)).await.unwrap().as_deref(), Some("/"));
}

both_databases!(
    a_used_code_is_refused_and_a_recovery_code_works_once,
    codes_are_rate_limited_per_user,
    a_client_that_requires_mfa_makes_its_staff_enrol_at_login,
    an_administrator_resets_mfa_and_the_log_says_so,
    failed_logins_of_known_accounts_are_in_their_clients_logs,
    rotating_the_key_keeps_the_codes_working,
);
