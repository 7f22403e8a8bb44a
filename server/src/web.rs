//! The HTTP stack: sessions, the cross-origin guard, server functions, pages and static files.
//!
//! A request flows: compression → session layer (cookie ⇄ database) → for `/api/*` the
//! cross-origin guard → the server function, which gets [`AppState`] from the Leptos context.

use crate::auth::{Argon2StaffAuth, LockoutPolicy};
use crate::db::Database;
use crate::origin::refuse_cross_origin;
use app::ports::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
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
    app.layer(sessions).layer(CompressionLayer::new())
}

fn app_routes(state: AppState, config: &WebConfig) -> Router {
    let options = leptos_options(config);
    let routes = generate_route_list(App);
    let api_state = state.clone();
    let pkg_dir = format!("{}/pkg", config.site_root);
    let api = Router::new()
        .route(
            "/api/{*fn_name}",
            post(move |req: Request<Body>| {
                let state = api_state.clone();
                async move { handle_server_fns_with_context(move || provide_context(state.clone()), req).await }
            }),
        )
        .layer(axum::middleware::from_fn(refuse_cross_origin));
    let pages = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(state.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options);
    api.merge(pages)
        .nest_service("/pkg", ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip())
        .route("/health", axum::routing::get(health))
}

async fn health(State(()): State<()>) -> impl IntoResponse {
    "ok"
}
