//! Refuses state-changing requests that a browser sent from another site.
//!
//! SameSite=Strict cookies already keep the session out of such requests; this is the second
//! lock, and it covers every server function at once because it sits in front of `/api`.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, Method, StatusCode};

/// True when a browser tells us the request came from a page of another origin.
pub fn is_cross_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    // Modern browsers send Sec-Fetch-Site on every request; "none" is a typed URL or bookmark.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    // Older browsers: compare Origin with Host. No Origin at all is not a browser form or fetch
    // (curl, the test client), which cookies with SameSite=Strict cannot be abused through.
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
            origin_host != host.to_str().unwrap_or("-")
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

pub async fn refuse_cross_origin(request: Request, next: Next) -> Response {
    if is_cross_origin(request.method(), request.headers()) {
        let body = serde_json::to_string(&app::error::ApiError::CrossOrigin).unwrap_or_default();
        return (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_posts_pass() {
        assert!(!is_cross_origin(&Method::POST, &headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_origin(&Method::POST, &headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")])));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        assert!(is_cross_origin(&Method::POST, &headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_origin(&Method::POST, &headers(&[("sec-fetch-site", "same-site")])));
        assert!(is_cross_origin(&Method::POST, &headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_origin(&Method::POST, &headers(&[("origin", "null"), ("host", "127.0.0.1:3000")])));
    }

    #[test]
    fn reads_are_never_refused() {
        assert!(!is_cross_origin(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")])));
    }
}
