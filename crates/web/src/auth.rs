//! The token rule: when `calltrail serve` is given a token (required off loopback), every
//! request must carry it — as `Authorization: Bearer <token>`, as the `calltrail_token`
//! cookie, or once as `?token=<token>`, which sets that cookie (`HttpOnly`, `SameSite=Strict`) so
//! a browser can follow links. The token is compared in constant time and never echoed.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const COOKIE: &str = "calltrail_token";

pub(crate) async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(expected) = state.inner.token.as_deref() else { return next.run(request).await };
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .find(|t| same(t, expected));
    let query = request
        .uri()
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|pair| pair.strip_prefix("token="))
        .find(|t| same(t, expected));
    if bearer.is_some_and(|t| same(t, expected)) || cookie.is_some() {
        return next.run(request).await;
    }
    if query.is_some() {
        let mut response = next.run(request).await;
        let value = format!("{COOKIE}={expected}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        return response;
    }
    let mut response = crate::pages::error_page(
        StatusCode::UNAUTHORIZED,
        "This calltrail needs its token: open the address with ?token=… once, or send Authorization: Bearer ….",
    );
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Compares in time that depends only on the lengths.
fn same(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_whole() {
        assert!(super::same("s3cret", "s3cret"));
        assert!(!super::same("s3cre", "s3cret"));
        assert!(!super::same("s3creT", "s3cret"));
        assert!(!super::same("", "s3cret"));
    }
}
