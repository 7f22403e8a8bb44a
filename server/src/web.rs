//! The HTTP stack: sessions, the cross-origin guard, server functions, pages and static files.
//!
//! A request flows: compression → session layer (cookie ⇄ database) → the cross-origin guard →
//! a page or a server function, which gets [`AppState`] from the Leptos context.

use crate::auth::{Argon2StaffAuth, LockoutPolicy};
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
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

pub const SESSION_COOKIE: &str = "samtykke_sid";
/// Logged out after this long without a request.
pub const SESSION_IDLE_MINUTES: i64 = 30;

#[derive(Clone, Debug)]
pub struct WebConfig {
    pub site_root: String,
    pub site_addr: SocketAddr,
    /// Off only for local development over plain http.
    pub secure_cookies: bool,
    pub lockout: LockoutPolicy,
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
    let state = AppState { repo: repo.clone(), auth: Arc::new(Argon2StaffAuth::new(repo, config.lockout)) };
    let app = app_routes(state, config);
    Ok(match db {
        Database::Sqlite(r) => {
            let store = SqliteStore::new(r.pool.clone());
            store.migrate().await?;
            with_sessions(app, store, config)
        }
        Database::Postgres(r) => {
            let store = PostgresStore::new(r.pool.clone());
            store.migrate().await?;
            with_sessions(app, store, config)
        }
    })
}

fn with_sessions<S: SessionStore + Clone>(app: Router, store: S, config: &WebConfig) -> Router {
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(SESSION_IDLE_MINUTES)));
    // Brotli's default quality (11) costs about as much as the search itself on a small JSON
    // answer; quality 4 keeps most of the gain for a fraction of the CPU. Static files are
    // served pre-compressed at the highest quality instead.
    app.layer(sessions).layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
}

fn app_routes(state: AppState, config: &WebConfig) -> Router {
    let options = leptos_options(config);
    let routes = generate_route_list(App);
    let pkg_dir = format!("{}/pkg", config.site_root);
    let downloads = Router::new()
        .route(crate::export::CONSENT_EVENTS_PATH, axum::routing::get(crate::export::consent_events_csv))
        .route(crate::export::CONSENT_FORM_PATH, axum::routing::get(crate::export::consent_form_pdf))
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
        .route("/health", axum::routing::get(|| async { "ok" }))
        .merge(downloads)
        // Around everything, so no route that changes state can be reached from another site.
        .layer(axum::middleware::from_fn(refuse_cross_origin))
}
