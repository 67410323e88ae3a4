//! The Genesys Cloud API client of calltrail.
//!
//! # Layout
//!
//! - [`region`]: regions, domains and base URLs; credentials that never print.
//! - [`http`]: the request path — pacing to the rate limit, retries with jittered backoff and
//!   `Retry-After`, per-attempt timeouts, OAuth client credentials with refresh.
//! - [`proxy`]: the proxy the environment names, taken for Genesys Cloud and never for loopback.
//! - [`error`]: what failed, where, after how many retries; which statuses are retried.
//! - [`api`]: the endpoints, keeping each record's raw JSON.
//! - [`plan`]: the interval planner.

pub mod api;
pub mod error;
pub mod http;
pub mod plan;
pub mod proxy;
pub mod region;

pub use error::ClientError;
pub use http::{ClientStats, Http, RequestConfig};
pub use region::{resolve, Credentials, Endpoints, Secret};
