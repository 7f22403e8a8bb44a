//! The bare search handler the benchmark compares Kundesøk against: the same repository query
//! over HTTP, without sessions, Leptos or the server-function layer.

use app::model::{CustomerHit, TenantId, SEARCH_PAGE_SIZE};
use app::ports::Repository;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

#[derive(serde::Deserialize)]
pub struct BareQuery {
    tenant: TenantId,
    q: String,
}

async fn bare_search(State(repo): State<Arc<dyn Repository>>, Query(query): Query<BareQuery>) -> Result<Json<Vec<CustomerHit>>, axum::http::StatusCode> {
    let terms = app::domain::search_terms(&query.q);
    repo.search_customers(query.tenant, &terms, SEARCH_PAGE_SIZE + 1, 0)
        .await
        .map(Json)
        .map_err(|_| axum::http::StatusCode::INTERNAL_SERVER_ERROR)
}

pub fn bare_router(repo: Arc<dyn Repository>) -> Router {
    Router::new().route("/bare/search", get(bare_search)).with_state(repo)
}
