//! The pure core of calltrail: one Genesys Cloud detail record in, one call record out.
//!
//! # Layout
//!
//! - [`record`]: the call record — the five answers — with the contract's field names;
//!   [`json`] writes it as compact JSON, byte for byte as `serde_json` does, at twice its speed.
//! - [`explain`] (in `derive`): the rules that derive it, one sub-module per question.
//! - [`context`]: lookups (id → name), settings (`[reason]`, `[ivr]`), system wrap-up codes.
//! - [`story`]: the record told as text for people; [`flat`]: the record as one CSV row.
//! - [`report`]: aggregations over many calls (IVR map, reasons, phases, wrap-ups, abandons,
//!   agents) and the table they come out as.
//!
//! Nothing here does I/O, reads the environment or the clock: the same record, lookups and
//! settings always give the same call record.
//!
//! ```
//! use calltrail_explain::{explain, Context, Lookups, Settings};
//! let record = br#"{"conversationId":"c1","conversationStart":"2024-01-02T10:00:00.000Z",
//!   "conversationEnd":"2024-01-02T10:05:00.000Z","participants":[
//!   {"purpose":"customer","participantId":"p1","sessions":[{"mediaType":"voice",
//!    "direction":"inbound","ani":"tel:+15550001","dnis":"tel:+15559999","segments":[
//!    {"segmentType":"interact","segmentStart":"2024-01-02T10:00:00.000Z",
//!     "segmentEnd":"2024-01-02T10:05:00.000Z","disconnectType":"endpoint"}]}]}]}"#;
//! let conversation: calltrail_model::Conversation = serde_json::from_slice(record).unwrap();
//! let (lookups, settings) = (Lookups::default(), Settings::default());
//! let call = explain(&conversation, None, &Context { lookups: &lookups, settings: &settings });
//! assert_eq!(call.direction_label, "Inbound");
//! assert_eq!(call.customer_number.as_deref(), Some("+15550001"));
//! assert_eq!(call.disconnect.by.as_str(), "customer");
//! ```

pub mod context;
mod derive;
pub mod flat;
pub mod json;
pub mod record;
pub mod report;
pub mod story;
/// Timestamps (defined with the model, since they are the wire's date-times).
pub use calltrail_model::time;

pub use context::{system_wrapup_name, Context, IvrSettings, Lookups, ReasonSettings, Settings};
pub use derive::explain;
pub use record::{
    AgentLeg, CallDirection, CallRecord, Disconnect, FlowOutcomeRecord, FlowVisit, HungUpBy, Ivr, IvrExit,
    Outcome, Party, Phase, QueueOutcome, QueueVisit, Role, Totals, Wrapup,
};
pub use time::Timestamp;
