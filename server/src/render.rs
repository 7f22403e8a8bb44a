//! Every page render (and server function) runs start to finish on one thread.
//!
//! Leptos keeps a page's reactive graph behind `RwLock`s. On tokio's multi-thread runtime the
//! resources of one render resolve on other workers, and an inversion in the order an effect, an
//! async-derived value and a Suspense context take their locks can then park every worker for
//! good (leptos-rs/leptos#4673, open; here it showed as a PostgreSQL-backed server that stopped
//! answering during the Playwright suite, about one run in six). A render that never leaves its
//! thread cannot meet itself on another one.
//!
//! So the Leptos routes run on a pool of single-threaded runtimes, one per core
//! ([`LocalPoolHandle`]), and the answer is read to its end there: nothing of a render is polled
//! on the shared runtime, where `tokio::spawn` would send its tasks to other workers again. The
//! pages are small, so giving up streaming costs nothing a user notices. The bundle under `/pkg`
//! and the downloads stay on the shared runtime.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio_util::task::LocalPoolHandle;

#[derive(Clone)]
pub struct RenderPool(LocalPoolHandle);

impl RenderPool {
    pub fn new() -> Self {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self(LocalPoolHandle::new(threads))
    }
}

impl Default for RenderPool {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware: runs the rest of the request, and reads its body, on one thread of the pool.
pub async fn on_one_thread(State(pool): State<RenderPool>, request: Request, next: Next) -> Response {
    let render = pool.0.spawn_pinned(move || async move {
        let (parts, body) = next.run(request).await.into_parts();
        match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    });
    render.await.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
