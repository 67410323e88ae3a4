//! The simulator as an HTTP server: the Genesys Cloud endpoints calltrail (and the official
//! SDKs) use, with OAuth, a per-client rate limit and fault injection. `router(sim)` builds the
//! routes; `serve(listener, sim, shutdown)` runs them, so tests can bind port 0.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use calltrail_model::{Conversation, Timestamp};
use serde_json::{json, Value};

use crate::api_view;
use crate::generate::{generate, Planned, Spec};
use crate::hostile::Malformation;
use crate::limits::{Admission, Clock, Fault, FaultProfile, FaultRates, Faults, RateLimiter, Stats};
use crate::org::Org;
use crate::query::{lifetime, paging, passes_filters, Interval, QueryBody};
use crate::rng::Rng;
use crate::truth::Truth;

const DAY: i64 = 86_400_000;

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Conversations to generate.
    pub calls: usize,
    /// Over this many whole UTC days before today.
    pub days: u32,
    /// Seed of the synthetic contact centre.
    pub seed: u64,
    /// Fault profile.
    pub faults: FaultProfile,
    /// Fault rates; `None` for the profile's defaults.
    pub fault_rates: Option<FaultRates>,
    /// Requests per minute per client.
    pub rate_limit: u32,
    /// Required client id and secret; `None` accepts any non-empty pair.
    pub client: Option<(String, String)>,
    /// Days the Conversations API keeps a conversation.
    pub retention_days: u32,
    /// Token lifetime, in seconds.
    pub token_ttl_s: i64,
    /// How long a details job stays queued, in ms.
    pub job_delay_ms: i64,
    /// How long a fulfilled job's results stay available, in ms.
    pub job_ttl_ms: i64,
    /// How far behind now the jobs' `dataAvailabilityDate` lags, in ms.
    pub availability_lag_ms: i64,
    /// Permissions the OAuth client's role lacks (`routing:queue:view`, …): the endpoints that
    /// need one answer 403 `missing.any.permissions`, as Genesys Cloud does.
    pub denied_permissions: Vec<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            calls: 5000,
            days: 7,
            seed: 1,
            faults: FaultProfile::None,
            fault_rates: None,
            rate_limit: 300,
            client: None,
            retention_days: 60,
            token_ttl_s: 86_400,
            job_delay_ms: 2_000,
            job_ttl_ms: 24 * 3_600_000,
            availability_lag_ms: 6 * 3_600_000,
            denied_permissions: Vec::new(),
        }
    }
}

/// A details job.
#[derive(Debug, Clone)]
struct Job {
    body: QueryBody,
    interval: Interval,
    submitted: i64,
    ready_at: i64,
    expires_at: i64,
    availability: i64,
    cancelled: bool,
    /// Indices into `Sim::calls`, computed when first read.
    results: Option<Arc<Vec<usize>>>,
}

impl Job {
    fn state(&self, now: i64) -> &'static str {
        if self.cancelled {
            "CANCELLED"
        } else if now >= self.expires_at {
            "EXPIRED"
        } else if now >= self.ready_at {
            "FULFILLED"
        } else {
            "QUEUED"
        }
    }
}

/// The simulator: its contact centre, its clock and its bookkeeping.
pub struct Sim {
    config: SimConfig,
    org: Org,
    calls: Vec<Planned>,
    by_id: HashMap<String, usize>,
    clock: Clock,
    tokens: Mutex<HashMap<String, (String, i64)>>,
    jobs: Mutex<HashMap<String, Job>>,
    limiter: RateLimiter,
    faults: Faults,
    stats: Stats,
    ids: Mutex<Rng>,
    counter: AtomicU64,
    /// The conversations always served malformed, and how.
    malformed: HashMap<String, Malformation>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("calls", &self.calls.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// A simulator whose conversations lie in the `days` before the clock's current day.
    pub fn new(config: SimConfig, clock: Clock) -> Arc<Sim> {
        let spec = Spec::at(config.calls, config.days, config.seed, clock.now_ms());
        let (org, calls) = generate(&spec);
        let calls = if config.faults == FaultProfile::Hostile {
            crate::hostile::apply(calls, config.seed)
        } else {
            calls
        };
        let by_id = calls.iter().enumerate().map(|(i, c)| (c.truth.conversation_id.clone(), i)).collect();
        let rates = config.fault_rates.unwrap_or_else(|| FaultRates::of(config.faults));
        let malformed = crate::hostile::malformed(&calls, rates.malformed, config.seed);
        Arc::new(Sim {
            limiter: RateLimiter::new(config.rate_limit),
            faults: Faults::new(rates, config.seed),
            ids: Mutex::new(Rng::derive(config.seed, 0x1D5)),
            config,
            org,
            calls,
            by_id,
            clock,
            tokens: Mutex::new(HashMap::new()),
            jobs: Mutex::new(HashMap::new()),
            stats: Stats::default(),
            counter: AtomicU64::new(0),
            malformed,
        })
    }

    /// The conversations whose detail record is always served malformed, and how.
    pub fn malformed(&self) -> &HashMap<String, Malformation> {
        &self.malformed
    }

    /// A detail record as it leaves: one picked to be malformed is broken, in one field.
    fn serve_record(&self, record: &Conversation<'static>) -> Value {
        let mut json = serde_json::to_value(record).unwrap_or_default();
        let how = record.conversation_id.as_deref().and_then(|id| self.malformed.get(id));
        if let Some(&how) = how {
            crate::hostile::break_record(&mut json, how);
            self.stats.malformed.fetch_add(1, Ordering::Relaxed);
        }
        json
    }

    /// A page's `conversations` as they leave; see [`Sim::serve_record`].
    fn serve_page(&self, page: &[Conversation<'static>]) -> Value {
        Value::Array(page.iter().map(|record| self.serve_record(record)).collect())
    }

    /// The organisation.
    pub fn org(&self) -> &Org {
        &self.org
    }

    /// Every generated conversation, by start.
    pub fn calls(&self) -> &[Planned] {
        &self.calls
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// What the simulator has done.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The ground truth of every conversation that has started, as of now.
    pub fn truth(&self) -> Vec<Truth> {
        let now = self.clock.now_ms();
        self.calls.iter().filter(|c| c.start_ms <= now).map(|c| c.truth_at(now)).collect()
    }

    fn new_id(&self) -> String {
        self.ids.lock().unwrap_or_else(std::sync::PoisonError::into_inner).uuid()
    }

    fn context_id(&self) -> String {
        format!("sim-{:08x}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    fn availability(&self, now: i64) -> i64 {
        (now - self.config.availability_lag_ms).div_euclid(60_000) * 60_000
    }
}

/// An API error, answered as `ErrorBody`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError { status: StatusCode::BAD_REQUEST, code: "bad.request", message: message.into() }
}

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError { status: StatusCode::NOT_FOUND, code: "not.found", message: message.into() }
}

/// The 403 of an endpoint whose permission the client's role lacks.
fn lacking(sim: &Sim, permission: &str) -> Result<(), ApiError> {
    if sim.config.denied_permissions.iter().any(|p| p == permission) {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            code: "missing.any.permissions",
            message: format!("You are missing the following permission(s): [{permission}]"),
        });
    }
    Ok(())
}

type Outcome = Result<(StatusCode, Value), ApiError>;

fn error_response(sim: &Sim, status: StatusCode, code: &str, message: &str) -> Response {
    let body = api_view::error_body(status.as_u16(), code, message, &sim.context_id());
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Authentication, rate limit and fault injection for one API request; then `work`.
async fn handle(sim: Arc<Sim>, headers: HeaderMap, work: impl FnOnce(&Sim, i64) -> Outcome) -> Response {
    let now = sim.clock.now_ms();
    let client = {
        let tokens = sim.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match bearer(&headers).and_then(|t| tokens.get(t)) {
            Some((client, expires)) if *expires > now => Some(client.clone()),
            _ => None,
        }
    };
    let Some(client) = client else {
        return error_response(
            &sim,
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "Invalid login credentials.",
        );
    };
    sim.stats.requests.fetch_add(1, Ordering::Relaxed);
    let usage = match sim.limiter.admit(&client, now) {
        Admission::Limited { retry_after_s, allowed } => {
            sim.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            let mut r = error_response(
                &sim,
                StatusCode::TOO_MANY_REQUESTS,
                "too.many.requests.retry.after",
                &format!("Rate limit exceeded the maximum. Retry the request in [{retry_after_s}] seconds"),
            );
            set_header(&mut r, "retry-after", &retry_after_s.to_string());
            set_header(&mut r, "inin-ratelimit-allowed", &allowed.to_string());
            set_header(&mut r, "inin-ratelimit-count", &allowed.to_string());
            set_header(&mut r, "inin-ratelimit-reset", &retry_after_s.to_string());
            return r;
        }
        Admission::Allowed { count, allowed, reset_s } => (count, allowed, reset_s),
    };
    let mut truncate = false;
    match sim.faults.draw() {
        Some(Fault::ServerError(status)) => {
            sim.stats.server_errors.fetch_add(1, Ordering::Relaxed);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return error_response(
                &sim,
                status,
                "service.unavailable",
                "The service is currently unavailable",
            );
        }
        Some(Fault::TooManyRequests) => {
            sim.stats.bursts.fetch_add(1, Ordering::Relaxed);
            let mut r = error_response(
                &sim,
                StatusCode::TOO_MANY_REQUESTS,
                "too.many.requests.retry.after",
                "Rate limit exceeded the maximum. Retry the request in [1] seconds",
            );
            set_header(&mut r, "retry-after", "1");
            return r;
        }
        Some(Fault::TokenExpired) => {
            sim.stats.tokens_expired.fetch_add(1, Ordering::Relaxed);
            if let Some(token) = bearer(&headers) {
                sim.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(token);
            }
            return error_response(
                &sim,
                StatusCode::UNAUTHORIZED,
                "bad.credentials",
                "Invalid login credentials.",
            );
        }
        Some(Fault::Slow(ms)) => {
            sim.stats.slow.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        Some(Fault::Truncated) => truncate = true,
        None => {}
    }
    let mut response = match work(&sim, now) {
        Ok((status, body)) => {
            let mut text = body.to_string();
            if truncate && status.is_success() {
                sim.stats.truncated.fetch_add(1, Ordering::Relaxed);
                let mut cut = text.len() / 2;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
        }
        Err(e) => error_response(&sim, e.status, e.code, &e.message),
    };
    set_header(&mut response, "inin-ratelimit-count", &usage.0.to_string());
    set_header(&mut response, "inin-ratelimit-allowed", &usage.1.to_string());
    set_header(&mut response, "inin-ratelimit-reset", &usage.2.to_string());
    response
}

fn set_header(response: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

/// Builds the routes.
pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v2/analytics/conversations/details/query", post(details_query))
        .route("/api/v2/analytics/conversations/details/jobs", post(submit_job))
        .route("/api/v2/analytics/conversations/details/jobs/availability", get(availability))
        .route("/api/v2/analytics/conversations/details/jobs/{job}", get(job_status).delete(cancel_job))
        .route("/api/v2/analytics/conversations/details/jobs/{job}/results", get(job_results))
        .route("/api/v2/analytics/conversations/details", get(multi_get))
        .route("/api/v2/analytics/conversations/{id}/details", get(single_get))
        .route("/api/v2/analytics/dataretention/settings", get(retention))
        .route("/api/v2/conversations/{id}", get(conversation))
        .route("/api/v2/users", get(users))
        .route("/api/v2/routing/queues", get(queues))
        .route("/api/v2/routing/wrapupcodes", get(wrapup_codes))
        .route("/api/v2/flows", get(flows))
        .route("/api/v2/flows/outcomes", get(flow_outcomes))
        .route("/sim/stats", get(stats))
        .fallback(fallback)
        .layer(axum::middleware::from_fn(log_request))
        .with_state(sim)
}

/// Each request as a `debug` event (`calltrail -vv sim`): what was asked and answered, for
/// whoever points a tool at the simulator. Never a header: they carry the credentials.
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        "sim: {method} {path} → {} in {} ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// Serves `sim` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    sim: Arc<Sim>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(sim)).with_graceful_shutdown(shutdown).await
}

async fn fallback(State(sim): State<Arc<Sim>>) -> Response {
    error_response(&sim, StatusCode::NOT_FOUND, "not.found", "The requested resource was not found.")
}

async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    let mut stats = json!(&sim.stats);
    stats["malformed_conversations"] = json!(sim.malformed.len());
    (StatusCode::OK, axum::Json(stats)).into_response()
}

async fn token(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (
            status,
            axum::Json(json!({"error": error, "description": description, "error_description": description})),
        )
            .into_response()
    };
    let form = String::from_utf8_lossy(&body);
    let params = parse_query(Some(&form));
    if params.get("grant_type").and_then(|v| v.first()).map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only client_credentials is supported",
        );
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    // client_secret_post is allowed too.
    let pair =
        basic.and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned()))).or_else(|| {
            Some((params.get("client_id")?.first()?.clone(), params.get("client_secret")?.first()?.clone()))
        });
    let Some((id, secret)) = pair.filter(|(id, secret)| !id.is_empty() && !secret.is_empty()) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed");
    };
    if let Some((want_id, want_secret)) = &sim.config.client {
        if *want_id != id || *want_secret != secret {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed");
        }
    }
    let token = format!("{}{}", sim.new_id().replace('-', ""), sim.new_id().replace('-', ""));
    let expires = sim.clock.now_ms() + sim.config.token_ttl_s * 1000;
    sim.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(token.clone(), (id, expires));
    sim.stats.tokens.fetch_add(1, Ordering::Relaxed);
    (
        StatusCode::OK,
        axum::Json(
            json!({"access_token": token, "token_type": "bearer", "expires_in": sim.config.token_ttl_s}),
        ),
    )
        .into_response()
}

/// Minimal `application/x-www-form-urlencoded` parsing; repeated keys are kept in order.
fn parse_query(query: Option<&str>) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        out.entry(percent_decode(k)).or_default().push(percent_decode(v));
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn without_attributes(mut record: Conversation<'static>) -> Conversation<'static> {
    for p in record.participants.iter_mut().flatten() {
        p.attributes = None;
    }
    record
}

fn details_query_body(body: &[u8]) -> Result<(QueryBody, Interval), ApiError> {
    let query: QueryBody =
        serde_json::from_slice(body).map_err(|e| bad_request(format!("Invalid query: {e}")))?;
    let interval =
        Interval::parse(query.interval.as_deref().ok_or_else(|| bad_request("interval is required"))?)
            .map_err(bad_request)?;
    let unsupported = query.unsupported_dimensions();
    if !unsupported.is_empty() {
        return Err(bad_request(format!("the simulator does not filter on {}", unsupported.join(", "))));
    }
    Ok((query, interval))
}

/// Indices of calls whose start lies in `[from, to)`.
fn calls_starting_between(calls: &[Planned], from: i64, to: i64) -> std::ops::Range<usize> {
    calls.partition_point(|c| c.start_ms < from)..calls.partition_point(|c| c.start_ms < to)
}

async fn details_query(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(sim, headers, move |sim, now| {
        lacking(sim, "analytics:conversationDetail:view")?;
        let (query, interval) = details_query_body(&body)?;
        let limit = if query.has_filters() { 31 } else { 7 };
        if interval.days() > limit {
            return Err(bad_request(format!(
                "Query interval may not exceed {limit} days{}",
                if query.has_filters() { "" } else { " without a filter" }
            )));
        }
        let (size, number) = paging(&query).map_err(bad_request)?;
        let first_day = interval.start.div_euclid(DAY) * DAY;
        let last_day = (interval.end - 1).div_euclid(DAY) * DAY + DAY;
        // Start and end are known from the plan, so only filtered queries and the page itself
        // need records built.
        let candidates = sim.calls[calls_starting_between(&sim.calls, first_day, last_day.min(now + 1))]
            .iter()
            .filter(|p| {
                let end = (p.end_ms <= now).then_some(p.end_ms);
                p.start_ms <= now
                    && interval.touches_start_day(p.start_ms)
                    && interval.overlaps(p.start_ms, end, now)
            });
        let (total, page): (usize, Vec<Conversation<'static>>) = if query.has_filters() {
            let mut hits: Vec<Conversation<'static>> =
                candidates.filter_map(|p| p.view_at(now)).filter(|v| passes_filters(&query, v)).collect();
            order(&mut hits, &query);
            let total = hits.len();
            (total, hits.into_iter().skip((number - 1) * size).take(size).map(without_attributes).collect())
        } else {
            let mut hits: Vec<&Planned> = candidates.collect();
            order_planned(&mut hits, &query, now);
            let total = hits.len();
            let page = hits
                .into_iter()
                .skip((number - 1) * size)
                .take(size)
                .filter_map(|p| p.view_at(now))
                .map(without_attributes)
                .collect();
            (total, page)
        };
        let mut out = json!({"totalHits": total});
        if !page.is_empty() {
            out["conversations"] = sim.serve_page(&page);
        }
        Ok((StatusCode::OK, out))
    })
    .await
}

fn order_planned(hits: &mut [&Planned], query: &QueryBody, now: i64) {
    if query.order_by.as_deref() == Some("conversationEnd") {
        hits.sort_by_key(|p| {
            if p.end_ms <= now {
                (false, p.end_ms, p.start_ms)
            } else {
                (true, i64::MAX, p.start_ms)
            }
        });
    }
    if query.order.as_deref() == Some("desc") {
        hits.reverse();
    }
}

fn order(hits: &mut [Conversation<'static>], query: &QueryBody) {
    let by_end = query.order_by.as_deref() == Some("conversationEnd");
    hits.sort_by_key(|c| {
        let (start, end) = lifetime(c);
        if by_end {
            (end.is_none(), end.unwrap_or(i64::MAX), start)
        } else {
            (false, start, 0)
        }
    });
    if query.order.as_deref() == Some("desc") {
        hits.reverse();
    }
}

async fn submit_job(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(sim, headers, move |sim, now| {
        lacking(sim, "analytics:conversationDetail:view")?;
        let (query, interval) = details_query_body(&body)?;
        if interval.days() > 31 {
            return Err(bad_request("Job interval may not exceed 31 days"));
        }
        let id = sim.new_id();
        let job = Job {
            body: query,
            interval,
            submitted: now,
            ready_at: now + sim.config.job_delay_ms,
            expires_at: now + sim.config.job_delay_ms + sim.config.job_ttl_ms,
            availability: sim.availability(now),
            cancelled: false,
            results: None,
        };
        let mut jobs = sim.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        jobs.insert(id.clone(), job);
        let unread = jobs.values().filter(|j| j.results.is_none() && !j.cancelled).count() as u64;
        sim.stats.jobs_submitted.fetch_add(1, Ordering::Relaxed);
        sim.stats.jobs_unread_peak.fetch_max(unread, Ordering::Relaxed);
        Ok((StatusCode::ACCEPTED, json!({"jobId": id})))
    })
    .await
}

async fn availability(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    handle(sim, headers, |sim, now| {
        lacking(sim, "analytics:conversationDetail:view")?;
        Ok((StatusCode::OK, json!({"dataAvailabilityDate": Timestamp(sim.availability(now)).to_rfc3339()})))
    })
    .await
}

async fn job_status(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(job): Path<String>) -> Response {
    handle(sim, headers, move |sim, now| {
        let jobs = sim.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let j = jobs.get(&job).ok_or_else(|| not_found(format!("No job with id {job}")))?;
        let state = j.state(now);
        let mut out = json!({
            "state": state,
            "submissionDate": Timestamp(j.submitted).to_rfc3339(),
            "expirationDate": Timestamp(j.expires_at).to_rfc3339(),
        });
        if matches!(state, "FULFILLED" | "EXPIRED") {
            out["completionDate"] = Value::from(Timestamp(j.ready_at).to_rfc3339());
        }
        Ok((StatusCode::OK, out))
    })
    .await
}

async fn cancel_job(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(job): Path<String>) -> Response {
    let response = handle(sim, headers, move |sim, _| {
        let mut jobs = sim.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let j = jobs.get_mut(&job).ok_or_else(|| not_found(format!("No job with id {job}")))?;
        j.cancelled = true;
        Ok((StatusCode::NO_CONTENT, Value::Null))
    })
    .await;
    if response.status() == StatusCode::NO_CONTENT {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NO_CONTENT;
        return r;
    }
    response
}

fn job_matches(job: &Job, planned: &Planned) -> Option<Conversation<'static>> {
    let view = planned.view_at(job.availability)?;
    let (start, end) = lifetime(&view);
    let by_day = job.body.start_of_day_interval_matching == Some(true);
    let included = if by_day {
        job.interval.touches_start_day(start) && job.interval.overlaps(start, end, job.availability)
    } else {
        job.interval.overlaps(start, end, job.availability)
    };
    (included && passes_filters(&job.body, &view)).then_some(view)
}

async fn job_results(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(job): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    handle(sim, headers, move |sim, now| {
        let params = parse_query(query.as_deref());
        let page_size = params
            .get("pageSize")
            .and_then(|v| v.first())
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1000)
            .clamp(1, 1000);
        let offset = match params.get("cursor").and_then(|v| v.first()) {
            Some(c) => decode_cursor(c).ok_or_else(|| bad_request(format!("Invalid cursor {c}")))?,
            None => 0,
        };
        let (results, availability) = {
            let mut jobs = sim.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let j = jobs.get_mut(&job).ok_or_else(|| not_found(format!("No job with id {job}")))?;
            match j.state(now) {
                "FULFILLED" => {}
                "EXPIRED" => {
                    return Err(ApiError {
                        status: StatusCode::BAD_REQUEST,
                        code: "analytics.job.expired",
                        message: "The job has expired; submit it again".into(),
                    })
                }
                other => {
                    return Err(ApiError {
                        status: StatusCode::BAD_REQUEST,
                        code: "analytics.job.not.fulfilled",
                        message: format!("The job is {other}"),
                    })
                }
            }
            if j.results.is_none() {
                let matched: Vec<usize> =
                    (0..sim.calls.len()).filter(|&i| job_matches(j, &sim.calls[i]).is_some()).collect();
                j.results = Some(Arc::new(matched));
            }
            (j.results.clone().unwrap_or_default(), j.availability)
        };
        let page: Vec<Conversation<'static>> = results
            .iter()
            .skip(offset)
            .take(page_size)
            .filter_map(|&i| sim.calls[i].view_at(availability))
            .collect();
        let mut out = json!({"dataAvailabilityDate": Timestamp(availability).to_rfc3339()});
        if !page.is_empty() {
            out["conversations"] = sim.serve_page(&page);
        }
        if offset + page_size < results.len() {
            out["cursor"] = Value::from(encode_cursor(offset + page_size));
        }
        Ok((StatusCode::OK, out))
    })
    .await
}

fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("offset:")?.parse().ok()
}

async fn multi_get(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    handle(sim, headers, move |sim, now| {
        lacking(sim, "analytics:conversationDetail:view")?;
        let params = parse_query(query.as_deref());
        let ids: Vec<String> = params
            .get("id")
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(',').map(str::trim).map(str::to_owned).collect::<Vec<_>>())
            .filter(|v| !v.is_empty())
            .collect();
        if ids.is_empty() {
            return Err(bad_request("id is required"));
        }
        if ids.len() > 100 {
            return Err(bad_request("At most 100 ids may be requested at once"));
        }
        let found: Vec<Conversation<'static>> = ids
            .iter()
            .filter_map(|id| sim.by_id.get(id))
            .filter_map(|&i| sim.calls[i].view_at(now))
            .map(without_attributes)
            .collect();
        Ok((StatusCode::OK, json!({"conversations": sim.serve_page(&found)})))
    })
    .await
}

async fn single_get(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    handle(sim, headers, move |sim, now| {
        lacking(sim, "analytics:conversationDetail:view")?;
        let view = sim.by_id.get(&id).and_then(|&i| sim.calls[i].view_at(now));
        let view = view.ok_or_else(|| not_found(format!("No conversation with id {id}")))?;
        Ok((StatusCode::OK, sim.serve_record(&without_attributes(view))))
    })
    .await
}

async fn conversation(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    handle(sim, headers, move |sim, now| {
        lacking(sim, "conversation:communication:view")?;
        let planned = sim.by_id.get(&id).map(|&i| &sim.calls[i]);
        let retention = i64::from(sim.config.retention_days) * DAY;
        let view = planned.filter(|p| p.start_ms >= now - retention).and_then(|p| p.view_at(now));
        let view = view.ok_or_else(|| not_found(format!("Conversation {id} not found")))?;
        Ok((StatusCode::OK, api_view::conversation_api_record(&sim.org, &view)))
    })
    .await
}

async fn retention(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    handle(sim, headers, |sim, _| {
        Ok((StatusCode::OK, json!({"retentionDays": sim.config.retention_days * 30})))
    })
    .await
}

fn listing_page(params: &HashMap<String, Vec<String>>) -> (usize, usize) {
    let get =
        |k: &str, d: usize| params.get(k).and_then(|v| v.first()).and_then(|v| v.parse().ok()).unwrap_or(d);
    (get("pageSize", 25), get("pageNumber", 1))
}

fn by_ids(entities: Vec<Value>, params: &HashMap<String, Vec<String>>) -> Vec<Value> {
    let Some(ids) = params.get("id") else { return entities };
    let ids: Vec<&str> = ids.iter().flat_map(|v| v.split(',')).collect();
    entities.into_iter().filter(|e| e["id"].as_str().is_some_and(|id| ids.contains(&id))).collect()
}

async fn listing_of(
    sim: Arc<Sim>,
    headers: HeaderMap,
    query: Option<String>,
    path: &'static str,
    entities: fn(&Org) -> Vec<Value>,
) -> Response {
    handle(sim, headers, move |sim, _| {
        // The users listing lists no permission of its own.
        let permission = match path {
            "/api/v2/routing/queues" => Some("routing:queue:view"),
            "/api/v2/routing/wrapupcodes" => Some("routing:wrapupCode:view"),
            "/api/v2/flows" => Some("architect:flow:view"),
            "/api/v2/flows/outcomes" => Some("architect:flowOutcome:view"),
            _ => None,
        };
        if let Some(permission) = permission {
            lacking(sim, permission)?;
        }
        let params = parse_query(query.as_deref());
        let (size, number) = listing_page(&params);
        Ok((StatusCode::OK, api_view::listing(path, by_ids(entities(&sim.org), &params), size, number)))
    })
    .await
}

async fn users(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    listing_of(sim, headers, q, "/api/v2/users", api_view::users).await
}

async fn queues(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    listing_of(sim, headers, q, "/api/v2/routing/queues", api_view::queues).await
}

async fn wrapup_codes(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    listing_of(sim, headers, q, "/api/v2/routing/wrapupcodes", api_view::wrapup_codes).await
}

async fn flows(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    listing_of(sim, headers, q, "/api/v2/flows", api_view::flows).await
}

async fn flow_outcomes(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    listing_of(sim, headers, q, "/api/v2/flows/outcomes", api_view::flow_outcomes).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(1234)), Some(1234));
        assert_eq!(decode_cursor("nonsense!"), None);
    }

    #[test]
    fn form_decoding() {
        let q = parse_query(Some("id=a%2Cb&id=c&x=1+2&grant_type=client_credentials"));
        assert_eq!(q["id"], ["a,b", "c"]);
        assert_eq!(q["x"], ["1 2"]);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
