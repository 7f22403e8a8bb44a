//! The HTTP stack: sessions, the cross-origin guard, server functions, pages and static files.
//!
//! A request flows: compression → session layer (cookie ⇄ database) → the cross-origin guard →
//! a page or a server function, which gets [`AppState`] from the Leptos context.
//!
//! There are two session layers on one store: staff under `samtykke_sid`, and Min Side's
//! customers under `samtykke_kid` for every path below `/min-side` and `/api/min-side`. A path
//! reads exactly one of the cookies, so neither kind of login can be used for the other.

use crate::auth::{Argon2StaffAuth, LockoutPolicy};
use crate::customer_auth::Argon2CustomerAuth;
use crate::db::Database;
use crate::origin::refuse_cross_origin;
use app::ports::AppState;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::CompressionLevel;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use http::{header, HeaderValue};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

pub const SESSION_COOKIE: &str = "samtykke_sid";
/// Logged out after this long without a request.
pub const SESSION_IDLE_MINUTES: i64 = 30;
pub const CUSTOMER_SESSION_COOKIE: &str = "samtykke_kid";
/// Customers visit now and then, often on a shared or borrowed device: a shorter idle limit.
pub const CUSTOMER_SESSION_IDLE_MINUTES: i64 = 20;

#[derive(Clone, Debug)]
pub struct WebConfig {
    pub site_root: String,
    pub site_addr: SocketAddr,
    /// Off only for local development over plain http.
    pub secure_cookies: bool,
    pub lockout: LockoutPolicy,
    /// The address customers reach the app on, for links in mail (`SAMTYKKE_PUBLIC_URL`).
    pub public_url: String,
    /// The key Hemmeligheter are sealed with (`SAMTYKKE_SECRET_KEY_FILE`).
    pub secret_key: crate::secrets::SecretKey,
}

pub fn leptos_options(config: &WebConfig) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("samtykke")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .hash_files(false)
        .build()
}

/// Builds the whole app for `db`; also what the integration tests serve on port 0.
pub async fn router(db: &Database, config: &WebConfig) -> Result<Router, sqlx::Error> {
    let repo = db.repository();
    let secrets: Arc<dyn app::ports::SecretCipher> = Arc::new(crate::secrets::XChaChaSecrets::new(&config.secret_key));
    let state = AppState {
        repo: repo.clone(),
        auth: Arc::new(Argon2StaffAuth::new(repo.clone(), config.lockout)),
        customer_auth: Arc::new(Argon2CustomerAuth::new(repo.clone(), config.lockout)),
        public_url: config.public_url.clone(),
        mfa: Arc::new(crate::mfa::TotpMfa::new(repo, secrets.clone())),
        secrets,
    };
    let app = app_routes(state, config, db.clone());
    Ok(match db {
        Database::Sqlite(r) => {
            // Its table was made when the database was opened (`db::sqlite`).
            with_sessions(app, SqliteStore::new(r.pool.clone()), config)
        }
        Database::Postgres(r) => {
            with_sessions(app, PostgresStore::new(r.pool.clone()), config)
        }
    })
}

fn session_layer<S: SessionStore + Clone>(store: S, config: &WebConfig, name: &'static str, same_site: SameSite, idle_minutes: i64) -> SessionManagerLayer<S> {
    SessionManagerLayer::new(store)
        .with_name(name)
        .with_http_only(true)
        .with_same_site(same_site)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(idle_minutes)))
}

fn with_sessions<S: SessionStore + Clone>(app: Router, store: S, config: &WebConfig) -> Router {
    let staff = app.clone().layer(session_layer(store.clone(), config, SESSION_COOKIE, SameSite::Strict, SESSION_IDLE_MINUTES));
    // Lax, not Strict: a customer follows a link to Min Side from the company's web shop or a
    // mail, and should arrive logged in. Changes still need a same-origin request (`origin`).
    // As a plain service: axum refuses a Router in `route_service`, which would strip nothing
    // here but is usually a mistake for `nest`.
    let customer = app
        .layer(session_layer(store, config, CUSTOMER_SESSION_COOKIE, SameSite::Lax, CUSTOMER_SESSION_IDLE_MINUTES))
        .into_service::<axum::body::Body>();
    let routed = Router::new()
        .route_service("/min-side", customer.clone())
        .route_service("/min-side/{*rest}", customer.clone())
        .route_service("/api/min-side/{*rest}", customer)
        .fallback_service(staff);
    // Brotli's default quality (11) costs about as much as the search itself on a small JSON
    // answer; quality 4 keeps most of the gain for a fraction of the CPU. Static files are
    // served pre-compressed at the highest quality instead.
    let hsts = config.secure_cookies.then(|| {
        SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"))
    });
    routed
        // Links that carry a token must not leak it to other sites through the Referer header.
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        // Secure cookies mean the app is reached over TLS (directly or through a proxy).
        .layer(tower::util::option_layer(hsts))
        .layer(axum::middleware::from_fn(no_store))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(request_log())
}

/// One log line per request with its method, path, status and time. Only the path: the query
/// can carry what was searched for (a customer's name) or a token.
fn request_log() -> tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    fn(&http::Request<axum::body::Body>) -> tracing::Span,
> {
    fn span(request: &http::Request<axum::body::Body>) -> tracing::Span {
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
    }
    tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(span as fn(&http::Request<axum::body::Body>) -> tracing::Span)
        .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO))
}

async fn ready(db: Database) -> (http::StatusCode, &'static str) {
    match tokio::time::timeout(std::time::Duration::from_secs(2), db.ping()).await {
        Ok(Ok(())) => (http::StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (http::StatusCode::SERVICE_UNAVAILABLE, "not ready")
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer within 2 s");
            (http::StatusCode::SERVICE_UNAVAILABLE, "not ready")
        }
    }
}

/// Pages and answers carry personal data: no browser or proxy keeps a copy. The bundle under
/// `/pkg` is the same for everyone and may be cached.
async fn no_store(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let cacheable = request.uri().path().starts_with("/pkg/") || request.uri().path() == "/favicon.svg";
    let mut response = next.run(request).await;
    if !cacheable {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn app_routes(state: AppState, config: &WebConfig, db: Database) -> Router {
    let options = leptos_options(config);
    let routes = generate_route_list(App);
    let pkg_dir = format!("{}/pkg", config.site_root);
    let downloads = Router::new()
        .route(crate::export::CONSENT_EVENTS_PATH, axum::routing::get(crate::export::consent_events_csv))
        .route(crate::export::CONSENT_FORM_PATH, axum::routing::get(crate::export::consent_form_pdf))
        .route(crate::export::INVOICE_COPY_PATH, axum::routing::get(crate::export::invoice_copy_pdf))
        .route(crate::export::ACCESS_LOG_PATH, axum::routing::get(crate::export::access_log_csv_download))
        .route(crate::export::MY_DATA_PATH, axum::routing::get(crate::export::my_data_json))
        .with_state(state.clone());
    // leptos_routes also mounts every server function at its /api path, with this context.
    Router::new()
        .leptos_routes_with_context(&options, routes, move || provide_context(state.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .nest_service("/pkg", ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip())
        // Alive (the process answers) and ready (its database answers), for a load balancer or
        // an orchestrator: a server whose database is gone stays alive but leaves the rotation.
        .route("/health", axum::routing::get(|| async { "ok" }))
        .route("/ready", axum::routing::get(move || ready(db.clone())))
        .merge(downloads)
        // Around everything, so no route that changes state can be reached from another site.
        .layer(axum::middleware::from_fn(refuse_cross_origin))
}
