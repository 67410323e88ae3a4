//! The request path: pacing → retry (with backoff and `Retry-After`) → per-attempt timeout,
//! with the OAuth token fetched, refreshed before expiry and once more on a 401.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::HeaderMap;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{chain, classify_status, ClientError, RetryAction};
use crate::proxy::route_words;
use crate::region::{Credentials, Endpoints};

/// Every knob of the request path.
#[derive(Debug, Clone)]
pub struct RequestConfig {
    /// Requests per minute the client paces itself to (Genesys' default limit is 300).
    pub rate_limit_per_minute: u32,
    /// Attempts after the first for a retryable failure.
    pub max_retries: u32,
    /// First backoff; doubles each retry, with full jitter.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// Refresh a token this long before it expires.
    pub token_refresh_margin: Duration,
}

impl Default for RequestConfig {
    fn default() -> Self {
        RequestConfig {
            rate_limit_per_minute: 300,
            max_retries: 8,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(60),
            token_refresh_margin: Duration::from_secs(300),
        }
    }
}

/// Counters of what the client did.
#[derive(Debug, Default)]
pub struct ClientStats {
    /// API requests sent (attempts, retries included; token requests excluded).
    pub requests: AtomicU64,
    /// Token requests.
    pub token_requests: AtomicU64,
    /// Retries.
    pub retries: AtomicU64,
    /// 429 answers met.
    pub rate_limited: AtomicU64,
}

impl ClientStats {
    /// A snapshot: (requests, token requests, retries, 429s).
    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.token_requests.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
            self.rate_limited.load(Ordering::Relaxed),
        )
    }
}

/// Spaces requests evenly to stay under the rate limit ahead of time.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    fn new(per_minute: u32) -> Self {
        let interval = Duration::from_secs(60) / per_minute.max(1);
        Pacer { interval, next: Mutex::new(Instant::now()) }
    }

    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Pushes the next slot back (after a 429 told us to wait).
    async fn hold_until(&self, until: Instant) {
        let mut next = self.next.lock().await;
        if *next < until {
            *next = until;
        }
    }
}

struct Token {
    value: String,
    expires: Option<Instant>,
}

/// An answer: status, headers and body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Vec<u8>,
}

/// The HTTP client of the Genesys Cloud API.
pub struct Http {
    client: reqwest::Client,
    endpoints: Endpoints,
    /// ` through the proxy at …` for the API and the login service, or empty: for errors.
    api_route: String,
    login_route: String,
    credentials: Credentials,
    config: RequestConfig,
    pacer: Pacer,
    token: Mutex<Option<Token>>,
    stats: Arc<ClientStats>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("endpoints", &self.endpoints)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Http {
    /// A client for `endpoints` with `credentials`.
    pub fn new(
        endpoints: Endpoints,
        credentials: Credentials,
        config: RequestConfig,
    ) -> Result<Http, ClientError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("calltrail/", env!("CARGO_PKG_VERSION")))
            .timeout(config.attempt_timeout);
        let (api_route, login_route) = if endpoints.on_loopback() {
            // A simulator on this machine: a proxy elsewhere could never reach it.
            builder = builder.no_proxy();
            (String::new(), String::new())
        } else {
            (route_words(&endpoints.api), route_words(&endpoints.login))
        };
        if !api_route.is_empty() {
            tracing::debug!("requests to {} go{api_route}", endpoints.api);
        }
        let client = builder
            .build()
            .map_err(|e| ClientError::Config(format!("cannot build the HTTP client: {}", chain(&e))))?;
        Ok(Http {
            client,
            api_route,
            login_route,
            pacer: Pacer::new(config.rate_limit_per_minute),
            endpoints,
            credentials,
            config,
            token: Mutex::new(None),
            stats: Arc::new(ClientStats::default()),
        })
    }

    /// What the client did so far.
    pub fn stats(&self) -> &ClientStats {
        &self.stats
    }

    /// The API base URL.
    pub fn api_base(&self) -> &str {
        &self.endpoints.api
    }

    async fn bearer(&self, force_refresh: bool) -> Result<String, ClientError> {
        let (id, secret) = match &self.credentials {
            Credentials::Token(t) => return Ok(t.expose().to_owned()),
            Credentials::Client { id, secret } => (id, secret),
        };
        let mut token = self.token.lock().await;
        let fresh = token
            .as_ref()
            .is_some_and(|t| t.expires.is_none_or(|e| e > Instant::now() + self.config.token_refresh_margin));
        if !force_refresh && fresh {
            return Ok(token.as_ref().map(|t| t.value.clone()).unwrap_or_default());
        }
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{}", secret.expose()));
        let url = format!("{}/oauth/token", self.endpoints.login);
        let mut last = String::new();
        for attempt in 0..=self.config.max_retries {
            self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
            let sent = self
                .client
                .post(&url)
                .header("authorization", format!("Basic {basic}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials")
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {
                    let body: serde_json::Value = match r.json().await {
                        Ok(b) => b,
                        Err(e) => {
                            last = format!("unreadable token answer: {e}");
                            tokio::time::sleep(self.backoff(attempt)).await;
                            continue;
                        }
                    };
                    let value = body["access_token"].as_str().unwrap_or_default().to_owned();
                    if value.is_empty() {
                        return Err(ClientError::Auth("the token answer has no access_token".into()));
                    }
                    let expires =
                        body["expires_in"].as_u64().map(|s| Instant::now() + Duration::from_secs(s));
                    *token = Some(Token { value: value.clone(), expires });
                    tracing::debug!(
                        "token from {} (valid for {})",
                        self.endpoints.login,
                        body["expires_in"]
                            .as_u64()
                            .map_or_else(|| "an unknown time".to_owned(), |s| format!("{s} s"))
                    );
                    return Ok(value);
                }
                Ok(r) if classify_status(r.status().as_u16()) == RetryAction::Fail => {
                    let status = r.status().as_u16();
                    let body: serde_json::Value = r.json().await.unwrap_or_default();
                    let why = body["error_description"]
                        .as_str()
                        .or(body["description"].as_str())
                        .or(body["error"].as_str())
                        .unwrap_or("rejected");
                    return Err(ClientError::Auth(format!("the login service answered {status}: {why}; check GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET")));
                }
                Ok(r) => last = format!("the login service answered {}", r.status().as_u16()),
                Err(e) => last = format!("cannot reach the login service{}: {}", self.login_route, chain(&e)),
            }
            if attempt < self.config.max_retries {
                let wait = self.backoff(attempt);
                let max = self.config.max_retries;
                tracing::info!("{last}; retry {} of {max} in {:.1}s", attempt + 1, wait.as_secs_f64());
                tokio::time::sleep(wait).await;
            }
        }
        Err(ClientError::Auth(last))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let cap =
            self.config.max_backoff.min(self.config.initial_backoff * 2u32.saturating_pow(attempt.min(16)));
        let ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX).max(1);
        // Full jitter in the upper half: RandomState gives a fresh random key per call.
        let random = {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new().build_hasher().finish()
        };
        Duration::from_millis(ms / 2 + random % (ms / 2 + 1))
    }

    /// Sends one request through pacing, retries and auth; returns a successful answer whose
    /// body, when `json` is set, parses as JSON (a truncated body is retried).
    pub async fn send(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&serde_json::Value>,
        json: bool,
    ) -> Result<Answer, ClientError> {
        let url = format!("{}{path}", self.endpoints.api);
        let mut retries = 0u32;
        let mut refreshed = false;
        loop {
            self.pacer.wait().await;
            let token = self.bearer(false).await?;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let mut request = match method {
                "POST" => self.client.post(&url),
                "DELETE" => self.client.delete(&url),
                _ => self.client.get(&url),
            }
            .bearer_auth(&token);
            if let Some(b) = body {
                request = request.json(b);
            }
            let started = Instant::now();
            let error = match self.attempt(request, method, path, json).await {
                Ok(answer) => {
                    tracing::debug!(
                        "{method} {path} answered {} in {} ms ({} bytes)",
                        answer.status,
                        started.elapsed().as_millis(),
                        answer.body.len()
                    );
                    return Ok(answer);
                }
                Err(e) => e,
            };
            match error.status() {
                Some(401) if !refreshed && matches!(self.credentials, Credentials::Client { .. }) => {
                    // The token was revoked or expired early: fetch a new one, once.
                    tracing::info!("{method} {path} answered 401; fetching a new token");
                    refreshed = true;
                    self.bearer(true).await?;
                    continue;
                }
                Some(status) if classify_status(status) == RetryAction::Fail => {
                    return Err(with_retries(error, retries))
                }
                _ => {}
            }
            if retries >= self.config.max_retries {
                return Err(with_retries(error, retries));
            }
            retries += 1;
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            let max = self.config.max_retries;
            let outcome = error.attempt_outcome();
            if error.status() == Some(429) {
                // The pacer already holds every request until the API's Retry-After.
                tracing::info!(
                    "{method} {path} {outcome}; retry {retries} of {max} when the rate limit allows"
                );
            } else {
                let wait = self.backoff(retries - 1);
                tracing::info!(
                    "{method} {path} {outcome}; retry {retries} of {max} in {:.1}s",
                    wait.as_secs_f64()
                );
                tokio::time::sleep(wait).await;
            }
        }
    }
}

impl Http {
    /// One attempt: a 2xx answer (whose body, when `json`, parses), or the error it met. A 429
    /// pushes the pacer back by `Retry-After`.
    async fn attempt(
        &self,
        request: reqwest::RequestBuilder,
        method: &'static str,
        path: &str,
        json: bool,
    ) -> Result<Answer, ClientError> {
        let transport = |source| ClientError::Transport {
            method,
            path: path.to_owned(),
            route: self.api_route.clone(),
            source,
            retries: 0,
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        if (200..300).contains(&status) {
            if json && !body.is_empty() {
                serde_json::from_slice::<serde::de::IgnoredAny>(&body).map_err(|source| {
                    ClientError::BadJson { method, path: path.to_owned(), source, retries: 0 }
                })?;
            }
            return Ok(Answer { status, headers, body });
        }
        if status == 429 {
            self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            let wait = retry_after(&headers).unwrap_or(Duration::from_secs(1));
            self.pacer.hold_until(Instant::now() + wait).await;
        }
        Err(ClientError::Status {
            method,
            path: path.to_owned(),
            status,
            message: error_message(&body),
            retries: 0,
        })
    }
}

fn with_retries(error: ClientError, n: u32) -> ClientError {
    match error {
        ClientError::Status { method, path, status, message, .. } => {
            ClientError::Status { method, path, status, message, retries: n }
        }
        ClientError::Transport { method, path, route, source, .. } => {
            ClientError::Transport { method, path, route, source, retries: n }
        }
        ClientError::BadJson { method, path, source, .. } => {
            ClientError::BadJson { method, path, source, retries: n }
        }
        other => other,
    }
}

/// `Retry-After` in seconds, else the `inin-ratelimit-reset` header.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    for name in ["retry-after", "inin-ratelimit-reset"] {
        if let Some(secs) =
            headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_secs(secs.min(600)));
        }
    }
    None
}

fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
}
