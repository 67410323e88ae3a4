//! Typed, tolerant serde types for Genesys Cloud's conversation detail records and the API
//! payloads around them.
//!
//! # Layout
//!
//! - [`detail`]: `AnalyticsConversation` → participants → sessions → segments, metrics, flow;
//!   query and job result pages.
//! - [`conversation_api`]: the Conversations API record, the source of attributes and wrap-ups.
//! - [`document`]: recognising which of those a JSON document is.
//! - [`more`]: the seldom-seen fields of wide structs, boxed apart.
//! - [`queue`]: a queue's service-level targets, from its settings.
//! - [`reader`]: a direct JSON reader for these types, `serde_json`'s accelerator.
//! - [`text`]: zero-copy strings and participant attributes.
//! - [`time`]: RFC 3339 timestamps as integer milliseconds.
//! - [`glossary`]: what every field means for a real call.
//!
//! Tolerance is the rule: an unknown field is ignored, an unknown enum value is kept as
//! `Unrecognized`, a missing or `null` field is `None`. Only malformed JSON or a value of the wrong
//! JSON type fails a document. Strings borrow from the input buffer, so parsing allocates
//! little.

pub mod conversation_api;
pub mod detail;
pub mod document;
pub mod glossary;
mod macros;
pub mod more;
pub mod queue;
pub mod reader;
pub mod text;
pub mod time;
pub mod zone;

pub use conversation_api::{ApiConversation, ApiParticipant, ApiWrapup};
pub use detail::{
    Conversation, ConversationPage, Direction, DisconnectType, EntryType, Flow, FlowOutcome, FlowType,
    MediaType, Metric, Participant, Purpose, Segment, SegmentType, Session,
};
pub use document::{find_conversation_id, parse_document, Document, DocumentError};
pub use more::More;
pub use queue::{service_levels, ServiceLevel};
pub use reader::from_json;
pub use text::{Attributes, Text};
pub use time::Timestamp;
pub use zone::Zone;
