//! The simulator's clock, its per-client rate limit and its fault injection.
//!
//! The clock can be the system's or a manual one that tests move forward, so that job delays,
//! token expiry and ongoing calls are tested without sleeping.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::rng::Rng;

/// Now, in ms since the epoch.
#[derive(Debug, Clone)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands at `ms` until moved.
    pub fn manual(ms: i64) -> Clock {
        Clock { manual: Some(Arc::new(AtomicI64::new(ms))) }
    }

    /// The current time.
    pub fn now_ms(&self) -> i64 {
        if let Some(t) = &self.manual {
            t.load(Ordering::SeqCst)
        } else {
            calltrail_model::Timestamp::now().0
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, ms: i64) {
        if let Some(t) = &self.manual {
            t.fetch_add(ms, Ordering::SeqCst);
        }
    }
}

/// The result of asking the rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead.
    Allowed {
        /// Requests used in this window, this one included.
        count: u32,
        /// Requests allowed per window.
        allowed: u32,
        /// Seconds until the window resets.
        reset_s: i64,
    },
    /// Over the limit.
    Limited {
        /// Seconds to wait before retrying.
        retry_after_s: i64,
        /// Requests allowed per window.
        allowed: u32,
    },
}

/// A per-client limit of N requests per minute (fixed one-minute windows, as Genesys reports
/// them in the `inin-ratelimit-*` headers).
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per client per minute.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute: per_minute.max(1), windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one request of `client` at `now_ms`.
    pub fn admit(&self, client: &str, now_ms: i64) -> Admission {
        let window = now_ms.div_euclid(60_000);
        let reset_s = (window + 1) * 60 - now_ms.div_euclid(1000);
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = windows.entry(client.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.per_minute {
            return Admission::Limited { retry_after_s: reset_s.max(1), allowed: self.per_minute };
        }
        entry.1 += 1;
        Admission::Allowed { count: entry.1, allowed: self.per_minute, reset_s }
    }
}

/// Which faults the simulator injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultProfile {
    /// No faults.
    #[default]
    None,
    /// 5xx errors, 429 bursts, slow and truncated responses, tokens that expire early.
    Flaky,
    /// Adversarial and malformed records (see `hostile`), plus the flaky faults.
    Hostile,
}

impl FaultProfile {
    /// Reads `none`, `flaky` or `hostile`.
    pub fn parse(text: &str) -> Option<FaultProfile> {
        match text {
            "none" => Some(FaultProfile::None),
            "flaky" => Some(FaultProfile::Flaky),
            "hostile" => Some(FaultProfile::Hostile),
            _ => None,
        }
    }
}

/// Probabilities, per API request, of each fault.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaultRates {
    /// A 500 or 503.
    pub server_error: f64,
    /// The start of a burst of 429s (`burst_len` requests).
    pub burst: f64,
    /// Requests in a burst.
    pub burst_len: u32,
    /// A response delayed by `slow_ms`.
    pub slow: f64,
    /// Delay of a slow response.
    pub slow_ms: u64,
    /// A 200 whose body is cut off half way.
    pub truncated: f64,
    /// The caller's token is revoked (401 until a new token is fetched).
    pub token_expiry: f64,
    /// The share of conversations whose detail record is always served malformed: one field of
    /// the wrong JSON type, the `conversationId` intact (see `hostile`).
    pub malformed: f64,
}

impl FaultRates {
    /// The rates of a profile.
    pub fn of(profile: FaultProfile) -> FaultRates {
        match profile {
            FaultProfile::None => FaultRates {
                server_error: 0.0,
                burst: 0.0,
                burst_len: 0,
                slow: 0.0,
                slow_ms: 0,
                truncated: 0.0,
                token_expiry: 0.0,
                malformed: 0.0,
            },
            FaultProfile::Flaky | FaultProfile::Hostile => FaultRates {
                server_error: 0.03,
                burst: 0.01,
                burst_len: 3,
                slow: 0.02,
                slow_ms: 300,
                truncated: 0.02,
                token_expiry: 0.005,
                malformed: if profile == FaultProfile::Hostile { 0.01 } else { 0.0 },
            },
        }
    }
}

/// A fault to inject into one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this 5xx status.
    ServerError(u16),
    /// Answer 429.
    TooManyRequests,
    /// Delay the answer.
    Slow(u64),
    /// Cut the body.
    Truncated,
    /// Revoke the token and answer 401.
    TokenExpired,
}

/// Counts of what the simulator did, for tests and `GET /sim/stats`.
#[derive(Debug, Default, Serialize)]
pub struct Stats {
    /// API requests (all but the token endpoint).
    pub requests: AtomicU64,
    /// Tokens issued.
    pub tokens: AtomicU64,
    /// 429s from the rate limit.
    pub rate_limited: AtomicU64,
    /// 5xx injected.
    pub server_errors: AtomicU64,
    /// 429s injected by bursts.
    pub bursts: AtomicU64,
    /// Slow responses injected.
    pub slow: AtomicU64,
    /// Truncated responses injected.
    pub truncated: AtomicU64,
    /// Tokens revoked.
    pub tokens_expired: AtomicU64,
    /// Detail records served malformed (each time one is served).
    pub malformed: AtomicU64,
    /// Details jobs submitted.
    pub jobs_submitted: AtomicU64,
    /// The most details jobs submitted at once whose results nobody had read yet: how many a
    /// client keeps running side by side.
    pub jobs_unread_peak: AtomicU64,
}

/// Draws faults at the configured rates.
#[derive(Debug)]
pub struct Faults {
    rates: FaultRates,
    state: Mutex<(Rng, u32)>,
}

impl Faults {
    /// Fault injection at `rates`, seeded.
    pub fn new(rates: FaultRates, seed: u64) -> Self {
        Faults { rates, state: Mutex::new((Rng::derive(seed, 0xFA17), 0)) }
    }

    /// The rates in force.
    pub fn rates(&self) -> FaultRates {
        self.rates
    }

    /// The fault for the next request, if any.
    pub fn draw(&self) -> Option<Fault> {
        let r = self.rates;
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (rng, burst) = &mut *state;
        if *burst > 0 {
            *burst -= 1;
            return Some(Fault::TooManyRequests);
        }
        if rng.chance(r.server_error) {
            return Some(Fault::ServerError(if rng.chance(0.7) { 503 } else { 500 }));
        }
        if rng.chance(r.burst) {
            *burst = r.burst_len.saturating_sub(1);
            return Some(Fault::TooManyRequests);
        }
        if rng.chance(r.slow) {
            return Some(Fault::Slow(r.slow_ms));
        }
        if rng.chance(r.truncated) {
            return Some(Fault::Truncated);
        }
        if rng.chance(r.token_expiry) {
            return Some(Fault::TokenExpired);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_windows_per_client() {
        let limiter = RateLimiter::new(3);
        let t = 1_700_000_000_000;
        for i in 1..=3 {
            assert!(matches!(limiter.admit("a", t), Admission::Allowed { count, .. } if count == i));
        }
        assert!(matches!(limiter.admit("a", t + 1000), Admission::Limited { .. }));
        assert!(matches!(limiter.admit("b", t), Admission::Allowed { count: 1, .. }));
        let next_minute = (t / 60_000 + 1) * 60_000;
        assert!(matches!(limiter.admit("a", next_minute), Admission::Allowed { count: 1, .. }));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = Clock::manual(1000);
        assert_eq!(c.now_ms(), 1000);
        c.advance(500);
        assert_eq!(c.now_ms(), 1500);
        assert!(Clock::system().now_ms() > 1_700_000_000_000);
    }
}
