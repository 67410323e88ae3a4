//! A faithful stand-in for Genesys Cloud: a seeded, synthetic contact centre whose conversation
//! detail records look and behave like the real ones, with the ground truth of every call.
//!
//! # Layout
//!
//! - [`org`]: the organisation — users, queues, wrap-up codes, flows, outcomes, campaigns.
//! - [`scenario`]: the kinds of call, their share of traffic, how each shows in a record.
//! - [`generate`]: N calls over D days, reproducible from the seed; records as the API would
//!   show them at any moment (ongoing calls, records that change after the fact).
//! - [`truth`]: the expected answers for every call, written from the plan, not derived.
//! - [`build`]: helpers that write records the way Genesys does, metrics included.
//! - [`server`]: the HTTP API — OAuth, details query, jobs, gets, the Conversations API,
//!   listings — with [`query`] semantics, [`limits`] (clock, rate limit, faults) and
//!   [`api_view`] shapes; [`hostile`] records for the hostile profile.
//! - [`rng`]: a small generator whose stream never changes.

pub mod api_view;
pub mod build;
pub mod generate;
pub mod hostile;
pub mod limits;
pub mod org;
pub mod query;
pub mod rng;
pub mod scenario;
pub mod server;
pub mod truth;

pub use generate::{generate, records_at, Planned, Spec};
pub use limits::{Clock, FaultProfile, FaultRates};
pub use org::Org;
pub use scenario::Scenario;
pub use server::{router, serve, Sim, SimConfig};
pub use truth::{Truth, TruthTotals, TruthVisit};
