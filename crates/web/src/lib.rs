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
//! let state = calltrail_web::AppState::open("calltrail.db".as_ref(), None, None).expect("archive");
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
use calltrail_store::{CallIndex, Store, StoreError};

/// What every request shares: a small pool of read-only archive connections, the token (if
/// any), the report index (an in-memory copy of what reports read, reloaded in the
/// background when the archive changes), and computed reports keyed by the archive's change
/// sequence.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    token: Option<String>,
    default_tz: Option<String>,
    cache: Mutex<HashMap<String, (i64, Arc<Computed>)>>,
    index: Mutex<IndexSlot>,
}

/// The report index and whether a fresh one is being loaded.
#[derive(Default)]
struct IndexSlot {
    current: Option<Arc<CallIndex>>,
    loading: bool,
    /// Why the last load failed, if it did.
    error: Option<String>,
}

/// What `/status` says of the report index.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct IndexStatus {
    /// `ready`, `loading`, `stale` (the archive changed; a reload starts with the next
    /// report) or `none`.
    pub state: &'static str,
    /// Calls held.
    pub calls: usize,
    /// Agent legs held.
    pub legs: usize,
    /// About how much memory it takes.
    pub bytes: usize,
    /// The change sequence it holds.
    pub change_seq: Option<i64>,
    /// Why the last load failed.
    pub error: Option<String>,
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
    /// must carry, if any, and the time zone pages use when a request names none (UTC if
    /// `None`; an IANA name the caller has checked).
    pub fn open(
        path: &Path,
        token: Option<String>,
        default_tz: Option<String>,
    ) -> Result<AppState, StoreError> {
        let first = Store::open_read_only(path)?;
        Ok(AppState {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                idle: Mutex::new(vec![first]),
                token: token.filter(|t| !t.is_empty()),
                default_tz: default_tz.filter(|t| !t.trim().is_empty()),
                cache: Mutex::new(HashMap::new()),
                index: Mutex::new(IndexSlot::default()),
            }),
        })
    }

    /// Why a conversation has no call in the archive: it was never synced, or its record
    /// could not be read and is kept in quarantine (the error says what is wrong with it).
    pub(crate) async fn not_archived(&self, id: String) -> WebError {
        let lookup = id.clone();
        match self.with_store(move |store| store.quarantined_of(&lookup)).await {
            Ok(Some(kept)) => WebError::NotFound(format!(
                "Conversation `{id}` was synced, but its record could not be read, so it is kept in quarantine \
                 (see Sync status): {}",
                kept.error
            )),
            Ok(None) => WebError::NotFound(format!("No call `{id}` in the archive.")),
            Err(e) => e,
        }
    }

    /// The zone pages use when a request names none.
    pub(crate) fn default_tz(&self) -> Option<&str> {
        self.inner.default_tz.as_deref()
    }

    /// Starts loading the report index in the background (done by [`serve`]; reports are
    /// answered from the archive until it is ready).
    pub fn load_index(&self) {
        self.inner.load_index();
    }

    /// The report index's state, measured against the archive's change sequence `seq`.
    fn index_status(&self, seq: i64) -> IndexStatus {
        let slot = self.inner.index_slot();
        let current = slot.current.as_ref();
        let state = match (current, slot.loading) {
            (_, true) => "loading",
            (Some(index), false) if index.change_seq() == seq => "ready",
            (Some(_), false) => "stale",
            (None, false) => "none",
        };
        IndexStatus {
            state,
            calls: current.map_or(0, |i| i.calls()),
            legs: current.map_or(0, |i| i.legs()),
            bytes: current.map_or(0, |i| i.bytes()),
            change_seq: current.map(|i| i.change_seq()),
            error: slot.error.clone(),
        }
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
    /// computed now and kept. `compute` gets the report index when it holds the archive's
    /// current change sequence.
    async fn cached(
        &self,
        key: String,
        compute: impl FnOnce(&Store, Option<&CallIndex>) -> Result<(Computed, Source), StoreError>
            + Send
            + 'static,
    ) -> Result<Answer, WebError> {
        let inner = self.inner.clone();
        let started = std::time::Instant::now();
        let (value, source) = self
            .with_store(move |store| {
                // The sequence is read before the fold: a sync committing meanwhile makes the entry
                // old at once, never a stale one look fresh.
                let seq = store.change_seq()?;
                let lock = || inner.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some((_, value)) = lock().get(&key).filter(|(s, _)| *s == seq) {
                    return Ok((value.clone(), Source::Cache));
                }
                let index = inner.index_at(seq);
                let (value, source) = compute(store, index.as_deref())?;
                let value = Arc::new(value);
                let mut cache = lock();
                if cache.len() >= CACHE_ENTRIES {
                    cache.clear();
                }
                cache.insert(key, (seq, value.clone()));
                Ok((value, source))
            })
            .await?;
        Ok(Answer { value, source, elapsed: started.elapsed() })
    }
}

impl Inner {
    fn index_slot(&self) -> std::sync::MutexGuard<'_, IndexSlot> {
        self.index.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The report index if it holds change sequence `seq`; otherwise `None`, and a fresh
    /// one starts loading.
    fn index_at(self: &Arc<Inner>, seq: i64) -> Option<Arc<CallIndex>> {
        let current = self.index_slot().current.clone();
        match current {
            Some(index) if index.change_seq() == seq => Some(index),
            _ => {
                self.load_index();
                None
            }
        }
    }

    /// Loads a fresh index on a thread of its own, unless one is loading already. The old
    /// one is let go first: it is out of date, and two would double the memory.
    fn load_index(self: &Arc<Inner>) {
        {
            let mut slot = self.index_slot();
            if slot.loading {
                return;
            }
            slot.loading = true;
            slot.current = None;
        }
        let inner = self.clone();
        let spawned = std::thread::Builder::new().name("report-index".into()).spawn(move || {
            let loaded = Store::open_read_only(&inner.path).and_then(|store| store.load_index());
            let mut slot = inner.index_slot();
            slot.loading = false;
            match loaded {
                Ok(index) => {
                    slot.current = Some(Arc::new(index));
                    slot.error = None;
                }
                Err(e) => slot.error = Some(e.to_string()),
            }
        });
        if let Err(e) = spawned {
            let mut slot = self.index_slot();
            slot.loading = false;
            slot.error = Some(e.to_string());
        }
    }
}

/// Where a report was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Kept from an earlier request.
    Cache,
    /// Folded over the report index.
    Index,
    /// Folded over the archive's rows.
    Archive,
}

/// A computed report and how it was had.
struct Answer {
    value: Arc<Computed>,
    source: Source,
    elapsed: std::time::Duration,
}

impl Answer {
    /// Adds a `Server-Timing` header (shown by browsers' developer tools) saying how long
    /// the report took and where it came from.
    fn timed(&self, mut response: Response) -> Response {
        let source = match self.source {
            Source::Cache => "cache",
            Source::Index => "report index",
            Source::Archive => "archive",
        };
        let value = format!("report;dur={:.1};desc=\"{source}\"", self.elapsed.as_secs_f64() * 1000.0);
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::HeaderName::from_static("server-timing"), value);
        }
        response
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
        pages::error_page(status, &text)
    }
}

/// Every page and API route.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::calls))
        // The list is the home page; its own name, as the API's, finds it too.
        .route("/calls", get(pages::calls))
        .route("/calls/{id}", get(pages::call))
        .route("/calls.csv", get(api::calls_csv))
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
        .layer(axum::middleware::from_fn(api::errors_as_json))
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
    state.load_index();
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

/// True for addresses only this machine can reach.
pub fn is_loopback(addr: &std::net::SocketAddr) -> bool {
    addr.ip().is_loopback()
}
