//! `calltrail serve`: the archive as a fast, plain, server-rendered web UI and a JSON API.
//!
//! Pages are HTML and SVG written on the server (`pages`, `svg`), with no scripts and nothing
//! fetched from elsewhere; every value passes through `maud`'s escaping, because participant
//! attributes and notes are text callers and agents typed. The archive is opened read-only.
//! Bound to loopback by default; bound elsewhere, a token is required on every request
//! (`auth`).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let state = calltrail_web::AppState::open("calltrail.db".as_ref(), None).expect("archive");
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! calltrail_web::serve(listener, state, std::future::pending()).await
//! # }
//! ```

mod api;
mod auth;
mod pages;
mod params;
mod svg;

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use calltrail_store::{Store, StoreError};

/// What every request shares: a small pool of read-only archive connections, the token (if
/// any), and computed reports keyed by the archive's change sequence.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    token: Option<String>,
    cache: Mutex<HashMap<String, (i64, Arc<Computed>)>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("path", &self.inner.path).finish_non_exhaustive()
    }
}

/// Most reports kept computed at once.
const CACHE_ENTRIES: usize = 64;

impl AppState {
    /// Opens the archive read-only (checking it is one) and sets the token every request
    /// must carry, if any.
    pub fn open(path: &Path, token: Option<String>) -> Result<AppState, StoreError> {
        let first = Store::open_read_only(path)?;
        Ok(AppState {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                idle: Mutex::new(vec![first]),
                token: token.filter(|t| !t.is_empty()),
                cache: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Runs `work` with a read-only connection on a blocking thread.
    async fn with_store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, WebError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let idle = inner.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
            let store = match idle {
                Some(store) => store,
                None => Store::open_read_only(&inner.path)?,
            };
            let result = work(&store);
            inner.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(store);
            result.map_err(WebError::from)
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
    }

    /// A computed value (a report) from the cache while the archive is unchanged, or
    /// computed now and kept.
    async fn cached(
        &self,
        key: String,
        compute: impl FnOnce(&Store) -> Result<Computed, StoreError> + Send + 'static,
    ) -> Result<Arc<Computed>, WebError> {
        let inner = self.inner.clone();
        self.with_store(move |store| {
            // The sequence is read before the fold: a sync committing meanwhile makes the entry
            // old at once, never a stale one look fresh.
            let seq = store.change_seq()?;
            let lock = || inner.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((_, value)) = lock().get(&key).filter(|(s, _)| *s == seq) {
                return Ok(value.clone());
            }
            let value = Arc::new(compute(store)?);
            let mut cache = lock();
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, (seq, value.clone()));
            Ok(value)
        })
        .await
    }
}

/// What the cache keeps.
enum Computed {
    /// A report's table.
    Table(calltrail_explain::report::Table),
    /// The IVR map (as JSON, which the picture and the API both read).
    Ivr(serde_json::Value),
}

/// Why a request failed.
#[derive(Debug)]
enum WebError {
    /// Nothing there.
    NotFound(String),
    /// A parameter that cannot be read.
    BadRequest(String),
    /// The archive failed.
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            WebError::NotFound(t) => (StatusCode::NOT_FOUND, t),
            WebError::BadRequest(t) => (StatusCode::BAD_REQUEST, t),
            WebError::Internal(t) => (StatusCode::INTERNAL_SERVER_ERROR, t),
        };
        (status, pages::error_page(status, &text)).into_response()
    }
}

/// Every page and API route.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::calls))
        .route("/calls/{id}", get(pages::call))
        .route("/ivr", get(pages::ivr))
        .route("/reports", get(pages::reports_index))
        .route("/reports/{name}", get(pages::report))
        .route("/fields", get(pages::fields))
        .route("/status", get(pages::status))
        .route("/style.css", get(pages::style))
        .route("/api/calls", get(api::calls))
        .route("/api/calls/{id}", get(api::call))
        .route("/api/calls/{id}/raw", get(api::raw))
        .route("/api/ivr", get(api::ivr))
        .route("/api/reports/{name}", get(api::report))
        .route("/api/fields", get(api::fields))
        .route("/api/status", get(api::status))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_token))
        .layer(axum::middleware::map_response(harden))
        .with_state(state)
}

/// Headers on every response: no scripts, frames, sniffing or referrers; nothing from
/// elsewhere.
async fn harden(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Serves the UI on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

/// True for addresses only this machine can reach.
pub fn is_loopback(addr: &std::net::SocketAddr) -> bool {
    addr.ip().is_loopback()
}
