//! Test support: a fresh database per test on either backend, and the real app on port 0.
//!
//! Use [`fresh_database`] for repository tests and [`TestApp::spawn`] for tests through HTTP.
//! `both_databases!(name)` turns `async fn name(backend: Backend)` into one test per backend.
#![allow(dead_code)]

use app::error::ApiError;
use server::auth::LockoutPolicy;
use server::db::Database;
use server::web::{router, WebConfig};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[macro_export]
macro_rules! both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { $crate::common::bounded(super::$name($crate::common::Backend::Sqlite)).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { $crate::common::bounded(super::$name($crate::common::Backend::Postgres)).await }
        }
    )*};
}

/// The longest any one test may run: a hang (a lost wake-up, a server that never stops) fails
/// that test instead of stalling the suite until CI's limit. The slowest take seconds.
pub const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);

pub async fn bounded(test: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_LIMIT, test).await.is_err() {
        panic!("the test ran longer than {} s", TEST_LIMIT.as_secs());
    }
}

/// Runs raw SQL as a user with direct database access would, past the app: for what the
/// database itself must refuse (triggers, constraints). Answers the rows touched.
pub async fn execute(db: &Database, sql: &str) -> Result<u64, sqlx::Error> {
    match db {
        Database::Sqlite(r) => sqlx::query(sql).execute(&r.pool).await.map(|d| d.rows_affected()),
        Database::Postgres(r) => sqlx::query(sql).execute(&r.pool).await.map(|d| d.rows_affected()),
    }
}

/// `SELECT COUNT(*) …` (or any one integer) read straight from the database.
pub async fn count(db: &Database, sql: &str) -> i64 {
    match db {
        Database::Sqlite(r) => sqlx::query_scalar(sql).fetch_one(&r.pool).await.unwrap(),
        Database::Postgres(r) => sqlx::query_scalar(sql).fetch_one(&r.pool).await.unwrap(),
    }
}

/// Where the session store keeps sessions on this backend.
pub fn session_table(db: &Database) -> &'static str {
    match db {
        Database::Sqlite(_) => "tower_sessions",
        Database::Postgres(_) => "tower_sessions.session",
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("samtykke_test_{}_{}_{}", std::process::id(), nanos % 1_000_000_000, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A new, empty, migrated database. PostgreSQL: the server in `SAMTYKKE_TEST_PG`
/// (default postgres://postgres@127.0.0.1:5432), a new database per call.
pub async fn fresh_database(backend: Backend) -> (Database, String) {
    let url = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("samtykke-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/{}.db", dir.display(), unique_name())
        }
        Backend::Postgres => {
            let base = std::env::var("SAMTYKKE_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
            format!("{}/{}", base.trim_end_matches('/'), unique_name())
        }
    };
    let db = Database::open(&url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    (db, url)
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Database,
    pub url: String,
    /// The key this app seals secrets with; a second server on the database shares it.
    pub key: server::secrets::SecretKey,
}

impl TestApp {
    /// The whole app with the demo data, on a free port.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with_lockout(backend, LockoutPolicy::default()).await
    }

    pub async fn spawn_with_lockout(backend: Backend, lockout: LockoutPolicy) -> TestApp {
        let (db, url) = fresh_database(backend).await;
        server::seed::seed_demo(db.seeder()).await.unwrap();
        Self::serve(db, url, lockout, server::secrets::SecretKey::generate()).await
    }

    /// Another app server on the same database that seals secrets with `key`.
    pub async fn server_with_key(&self, key: server::secrets::SecretKey) -> TestApp {
        let db = Database::open(&self.url).await.unwrap();
        Self::serve(db, self.url.clone(), LockoutPolicy::default(), key).await
    }

    /// Another app server on the same database, as in a scaled-out deployment.
    pub async fn second_server(&self) -> TestApp {
        let db = Database::open(&self.url).await.unwrap();
        Self::serve(db, self.url.clone(), LockoutPolicy::default(), self.key.clone()).await
    }

    async fn serve(db: Database, url: String, lockout: LockoutPolicy, key: server::secrets::SecretKey) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = WebConfig {
            site_root: "target/site".into(),
            site_addr: addr,
            secure_cookies: false,
            lockout,
            public_url: format!("http://{addr}"),
            secret_key: key,
        };
        let app = router(&db, &config).await.unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
        });
        TestApp { addr, db, url, key: config.secret_key.clone() }
    }

    /// A staff client logged in as `email` with `tenant` (by name) chosen.
    pub async fn staff_in(&self, email: &str, tenant: &str) -> Client {
        let client = self.client();
        client.staff_in(email, tenant).await;
        client
    }

    pub fn client(&self) -> Client {
        Client::new(format!("http://{}", self.addr))
    }
}

/// The consent of the customer's first contact person to the first purpose: (contact person,
/// purpose, whether it is given).
pub fn first_consent(grid: &app::model::CustomerConsents) -> (app::model::ContactPersonId, app::model::PurposeId, bool) {
    let (contact, purpose) = (grid.contact_persons[0].0, grid.purposes[0].id);
    (contact, purpose, grid.standings.iter().any(|s| s.contact_person_id == contact && s.purpose_id == purpose && s.given))
}

/// A browser-like client: keeps cookies, calls server functions by their public paths.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Client {
    /// A client of the server at `base` (`http://host:port`) with an empty cookie jar.
    pub fn new(base: String) -> Client {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Client {
            base,
            http: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .user_agent(USER_AGENT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar,
        }
    }

    /// Logs in as the demo staff member `email` and chooses `tenant` (by name).
    pub async fn staff_in(&self, email: &str, tenant: &str) {
        self.login(email, DEMO_PASSWORD).await.unwrap();
        let me: app::model::Me = self.call("whoami", &[]).await.unwrap();
        let id = me.tenants.iter().find(|t| t.name == tenant).unwrap().id;
        self.call::<()>("choose_tenant", &[("tenant_id", &id.to_string())]).await.unwrap();
    }

    /// The customer with this customer number, found through Kundesøk as staff find it.
    pub async fn customer_id(&self, number: &str) -> app::model::CustomerId {
        let page: app::model::SearchPage = self.call("search_customers", &[("query", number), ("page", "0")]).await.unwrap();
        page.hits.iter().find(|h| h.customer_number == number).unwrap().id
    }

    pub async fn call<T: serde::de::DeserializeOwned>(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<T, ApiError> {
        let response = self.http.post(format!("{}/api/{endpoint}", self.base)).form(form).send().await.unwrap();
        decode(response).await
    }

    pub async fn call_json<T: serde::de::DeserializeOwned>(&self, endpoint: &str, body: serde_json::Value) -> Result<T, ApiError> {
        let response = self.http.post(format!("{}/api/{endpoint}", self.base)).json(&body).send().await.unwrap();
        decode(response).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<(), ApiError> {
        let response = self
            .http
            .post(format!("{}/api/login", self.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        if response.status().is_redirection() {
            return Ok(());
        }
        decode(response).await
    }

    /// Posts a form to a server function: answers where the server redirects to (`None` for a
    /// plain success), or the error.
    pub async fn submit(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<Option<String>, ApiError> {
        let response = self.http.post(format!("{}/api/{endpoint}", self.base)).form(form).send().await.unwrap();
        // A browser posting the form gets a 302; a script (like this client) a 200 with the
        // Location header, which the server-function client follows.
        let to = response.headers().get(reqwest::header::LOCATION).map(|l| l.to_str().unwrap().to_string());
        if response.status().is_redirection() {
            return Ok(to);
        }
        decode::<()>(response).await.map(|()| to)
    }

    /// The session cookie's value as this client holds it.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.jar.cookies(&self.base.parse().unwrap())?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix(&format!("{}=", server::web::SESSION_COOKIE)).map(str::to_string))
    }

    /// Makes this client present `value` as its session cookie, as an attacker replaying it would.
    pub fn set_session_cookie(&self, value: &str) {
        self.jar.add_cookie_str(&format!("{}={value}; Path=/", server::web::SESSION_COOKIE), &self.base.parse().unwrap());
    }
}

pub async fn decode<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, ApiError> {
    let status = response.status();
    let text = response.text().await.unwrap();
    if status.is_success() {
        Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("decode {text}: {e}")))
    } else {
        Err(serde_json::from_str(&text).unwrap_or_else(|e| panic!("decode error {status} {text}: {e}")))
    }
}

/// What the test client calls itself; consent events record it.
pub const USER_AGENT: &str = "samtykke-tests/1";

pub const DEMO_PASSWORD: &str = server::seed::DEMO_PASSWORD;

impl Client {
    /// A cookie's value as this client holds it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.jar.cookies(&self.base.parse().unwrap())?;
        header.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix(&format!("{name}=")).map(str::to_string))
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar.add_cookie_str(&format!("{name}={value}; Path=/"), &self.base.parse().unwrap());
    }
}

impl TestApp {
    /// A GET without cookies: status and body.
    pub async fn http_get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("http://{}{path}", self.addr)).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

impl Client {
    /// A PDF download as a reader sees it: the status, and the text poppler's `pdftotext`
    /// (scripts/setup.sh installs it) reads out of the file; no text unless it is a PDF.
    pub async fn pdf_text(&self, path: &str) -> (u16, String) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = response.status().as_u16();
        let is_pdf = response.headers().get("content-type").is_some_and(|v| v == "application/pdf");
        let pdf = response.bytes().await.unwrap();
        if !is_pdf || !pdf.starts_with(b"%PDF-") {
            return (status, String::new());
        }
        static FILES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = std::env::temp_dir().join(format!("samtykke-test-{}-{n}.pdf", std::process::id()));
        std::fs::write(&file, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext").arg("-layout").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
        let _ = std::fs::remove_file(&file);
        (status, String::from_utf8(out.stdout).unwrap())
    }
}
