//! The call record: the five answers for one conversation, with exactly the field names of the
//! product contract (`snake_case`; absent values are `null`, never omitted).
//!
//! Strings borrow from the detail record and the lookups where they can, so deriving a record
//! copies little.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::json::{record_struct, write_as_str};
use crate::time::Timestamp;

/// A string of the call record: borrowed from the input, or made by the derivation.
pub type Str<'a> = Cow<'a, str>;

record_struct! {
    /// One explained conversation.
    #[derive(Debug, Clone, PartialEq)]
    pub struct CallRecord<'a> {
        /// `conversationId`.
        pub conversation_id: Option<Str<'a>>,
        /// Media of the call: the first customer session's `mediaType` (else the first session's).
        pub media_type: Option<Str<'a>>,
        /// `conversationStart`.
        pub start: Option<Timestamp>,
        /// `conversationEnd`; null while the call is ongoing.
        pub end: Option<Timestamp>,
        /// True when the record has no `conversationEnd`.
        pub ongoing: bool,
        /// `end − start`; null while ongoing.
        pub duration_ms: Option<i64>,
        /// `inbound`, `outbound` or `internal`.
        pub direction: CallDirection,
        /// `Inbound`, `Outbound`, `Inbound / Outbound` or `Internal`, as the Genesys UI shows it.
        pub direction_label: &'static str,
        /// One sentence saying which sessions made the direction so.
        pub direction_reason: String,
        /// Who the call came from.
        pub from: Party<'a>,
        /// Who the call was to.
        pub to: Party<'a>,
        /// The external party's number: `ani` of an inbound customer, `dnis` of an outbound one.
        pub customer_number: Option<Str<'a>>,
        /// Who initiated the call.
        pub placed_by: Party<'a>,
        /// Who picked it up.
        pub answered_by: Option<Party<'a>>,
        /// Every agent or user leg, in the order they were first offered the call.
        pub agents: Vec<AgentLeg<'a>>,
        /// Every queue visit, in the order entered.
        pub queues: Vec<QueueVisit<'a>>,
        /// What happened in the IVR.
        pub ivr: Ivr<'a>,
        /// Time per phase, equal to Genesys' own metrics on consistent data.
        pub totals: Totals,
        /// Every segment as a phase, sorted by start.
        pub phases: Vec<Phase<'a>>,
        /// The concluding wrap-up.
        pub wrapup: Option<Wrapup<'a>>,
        /// Every wrap-up of the call, in time order.
        pub wrapups: Vec<Wrapup<'a>>,
        /// Who hung up.
        pub disconnect: Disconnect<'a>,
        /// How the call ended, in one word.
        pub outcome: Outcome,
        /// Number of transfers made by agents or users.
        pub transfers: u32,
        /// Anything odd: a missing end, a metric disagreeing with its segments, unknown values.
        pub warnings: Vec<String>,
    }
}

/// The direction of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    /// The call came from outside.
    Inbound,
    /// The organisation called out.
    Outbound,
    /// Nobody outside took part ("sideways": user to user).
    Internal,
}

impl CallDirection {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CallDirection::Inbound => "inbound",
            CallDirection::Outbound => "outbound",
            CallDirection::Internal => "internal",
        }
    }
}

/// What a party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The customer (purpose `customer`).
    Customer,
    /// An agent handling the call from a queue (purpose `agent`).
    Agent,
    /// A user outside ACD routing (purpose `user`).
    User,
    /// An IVR or bot flow.
    Ivr,
    /// An outbound campaign or dialer.
    Campaign,
    /// An external party that is not the customer (purpose `external`), e.g. a transfer target.
    External,
    /// Anything else: a queue, voicemail, a station, the platform.
    System,
}

impl Role {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Agent => "agent",
            Role::User => "user",
            Role::Ivr => "ivr",
            Role::Campaign => "campaign",
            Role::External => "external",
            Role::System => "system",
        }
    }
}

record_struct! {
    /// A party to the call.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Party<'a> {
        /// What the party is.
        pub role: Role,
        /// Their number or address as the record has it (`tel:+…`, `sip:…`, an e-mail address).
        pub address: Option<Str<'a>>,
        /// Their name (looked up for users; `participantName` otherwise).
        pub name: Option<Str<'a>>,
        /// The Genesys user id, for agents and users.
        pub user_id: Option<Str<'a>>,
        /// The participant in the record.
        pub participant_id: Option<Str<'a>>,
        /// When the party joined, answered or placed the call (which, depends on the field).
        pub at: Option<Timestamp>,
    }
}

impl Party<'_> {
    /// A party the record says nothing about.
    pub fn unknown(role: Role) -> Self {
        Party { role, address: None, name: None, user_id: None, participant_id: None, at: None }
    }
}

record_struct! {
    /// One agent's or user's part in the call.
    #[derive(Debug, Clone, PartialEq)]
    pub struct AgentLeg<'a> {
        /// The user id.
        pub user_id: Option<Str<'a>>,
        /// The user's name.
        pub name: Option<Str<'a>>,
        /// The participant in the record.
        pub participant_id: Option<Str<'a>>,
        /// The queue the call was offered from.
        pub queue_id: Option<Str<'a>>,
        /// That queue's name.
        pub queue_name: Option<Str<'a>>,
        /// When the agent's phone started ringing.
        pub alerted_at: Option<Timestamp>,
        /// When the agent connected.
        pub connected_at: Option<Timestamp>,
        /// Time ringing (tAlert).
        pub alert_ms: i64,
        /// Time talking (tTalk).
        pub talk_ms: i64,
        /// Time with the customer on hold (tHeld).
        pub hold_ms: i64,
        /// After-call work (tAcw).
        pub acw_ms: i64,
        /// True when the agent connected.
        pub answered: bool,
        /// True when the agent was offered the call and let it ring out.
        pub not_responding: bool,
        /// The agent's wrap-up.
        pub wrapup: Option<Wrapup<'a>>,
        /// How the agent's part ended.
        pub disconnect_type: Option<Str<'a>>,
    }
}

record_struct! {
    /// One stay in one queue.
    #[derive(Debug, Clone, PartialEq)]
    pub struct QueueVisit<'a> {
        /// The queue.
        pub queue_id: Option<Str<'a>>,
        /// Its name.
        pub queue_name: Option<Str<'a>>,
        /// When the call entered the queue.
        pub entered_at: Option<Timestamp>,
        /// When it left.
        pub left_at: Option<Timestamp>,
        /// Time waiting in the queue (tAcd).
        pub wait_ms: i64,
        /// `answered`, `abandoned`, `transferred`, `flow_out` or `ongoing`.
        pub outcome: QueueOutcome,
        unwritten {
            /// The media of the queue's session (a callback waits in the queue as a
            /// `callback` of a `voice` call), as queue metrics are split by it.
            pub media_type: Option<Str<'a>>,
        }
    }
}

/// How a queue visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueOutcome {
    /// An agent connected.
    Answered,
    /// The customer hung up while waiting.
    Abandoned,
    /// The call was moved elsewhere without an agent.
    Transferred,
    /// An in-queue flow took the call out of the queue (to voicemail, a callback, ...).
    FlowOut,
    /// Still waiting.
    Ongoing,
}

record_struct! {
    /// What happened in the IVR.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Ivr<'a> {
        /// IVR and bot flows, in the order entered.
        pub flows: Vec<FlowVisit<'a>>,
        /// Participant data set by the flows (Set Participant Data).
        pub attributes: BTreeMap<Str<'a>, Str<'a>>,
        /// Why the customer called.
        pub reason: Option<Str<'a>>,
        /// Where `reason` came from: `attribute:<key>`, `transfer_target` or `flow_outcome`.
        pub reason_source: Option<Str<'a>>,
        /// Ordered steps: flow names, `outcome:<name>`, `<checkpoint>=<value>`, then the exit.
        pub path: Vec<Str<'a>>,
        /// How the call left the IVR.
        pub exit: Option<IvrExit>,
    }
}

/// How a call left the IVR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IvrExit {
    /// Transferred on (to a queue, an agent or a number).
    Transfer,
    /// The caller hung up in the IVR.
    Disconnect,
    /// The IVR finished the call itself.
    SelfServed,
    /// The IVR scheduled a callback.
    Callback,
    /// The IVR sent the caller to voicemail.
    Voicemail,
}

impl IvrExit {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            IvrExit::Transfer => "transfer",
            IvrExit::Disconnect => "disconnect",
            IvrExit::SelfServed => "self_served",
            IvrExit::Callback => "callback",
            IvrExit::Voicemail => "voicemail",
        }
    }
}

record_struct! {
    /// One run of one IVR or bot flow.
    #[derive(Debug, Clone, PartialEq)]
    pub struct FlowVisit<'a> {
        /// `flowId`.
        pub flow_id: Option<Str<'a>>,
        /// `flowName` (its name when the call ran it), else looked up.
        pub flow_name: Option<Str<'a>>,
        /// `flowType`.
        pub flow_type: Option<Str<'a>>,
        /// `flowVersion`.
        pub flow_version: Option<Str<'a>>,
        /// First segment start of the flow's session.
        pub entered_at: Option<Timestamp>,
        /// Last segment end of the flow's session.
        pub left_at: Option<Timestamp>,
        /// `left_at − entered_at`.
        pub duration_ms: Option<i64>,
        /// `entryType`.
        pub entry_type: Option<Str<'a>>,
        /// `entryReason` (the number dialled, for `dnis`).
        pub entry_reason: Option<Str<'a>>,
        /// `exitReason`.
        pub exit_reason: Option<Str<'a>>,
        /// `transferType`.
        pub transfer_type: Option<Str<'a>>,
        /// `transferTargetName`.
        pub transfer_target_name: Option<Str<'a>>,
        /// `transferTargetAddress`.
        pub transfer_target_address: Option<Str<'a>>,
        /// The flow's outcomes.
        pub outcomes: Vec<FlowOutcomeRecord<'a>>,
    }
}

record_struct! {
    /// A flow outcome.
    #[derive(Debug, Clone, PartialEq)]
    pub struct FlowOutcomeRecord<'a> {
        /// `flowOutcomeId`.
        pub id: Option<Str<'a>>,
        /// `flowOutcomeValue` (e.g. `SUCCESS`).
        pub value: Option<Str<'a>>,
        /// `flowOutcomeStartTimestamp`.
        pub started_at: Option<Timestamp>,
        /// `flowOutcomeEndTimestamp`.
        pub ended_at: Option<Timestamp>,
        /// True when the outcome was reached.
        pub succeeded: bool,
    }
}

record_struct! {
    /// Time per phase, in milliseconds.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct Totals {
        /// IVR (tIvr).
        pub ivr_ms: i64,
        /// Waiting in queue (tAcd).
        pub queue_ms: i64,
        /// Ringing agents (tAlert).
        pub alert_ms: i64,
        /// Talking (tTalk).
        pub talk_ms: i64,
        /// On hold (tHeld).
        pub hold_ms: i64,
        /// After-call work (tAcw).
        pub acw_ms: i64,
        /// talk + hold + ACW (tHandle).
        pub handle_ms: i64,
        /// Leaving a voicemail (tVoicemail).
        pub voicemail_ms: i64,
    }
}

record_struct! {
    /// One segment as a phase of the call.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Phase<'a> {
        /// `ivr`, `queue`, `alert`, `talk`, `hold`, `wrapup`, `voicemail`, `dialing`, … or the
        /// segment type as it came.
        pub kind: Str<'a>,
        /// Segment start.
        pub start: Option<Timestamp>,
        /// Segment end; null while it lasts.
        pub end: Option<Timestamp>,
        /// `end − start`.
        pub duration_ms: Option<i64>,
        /// Whose segment it is.
        pub participant_id: Option<Str<'a>>,
        /// That participant's purpose.
        pub purpose: Option<Str<'a>>,
        /// That participant's user id.
        pub user_id: Option<Str<'a>>,
        /// The queue of the segment.
        pub queue_id: Option<Str<'a>>,
        /// A name for the participant: agent, queue, flow or customer.
        pub name: Option<Str<'a>>,
    }
}

record_struct! {
    /// A wrap-up.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Wrapup<'a> {
        /// Who wrapped up.
        pub user_id: Option<Str<'a>>,
        /// The wrap-up code id (or a system code such as `ININ-WRAP-UP-TIMEOUT`).
        pub code_id: Option<Str<'a>>,
        /// The code's name.
        pub code_name: Option<Str<'a>>,
        /// The agent's note.
        pub note: Option<Str<'a>>,
        /// Tags.
        pub tags: Vec<Str<'a>>,
    }
}

record_struct! {
    /// Who hung up.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Disconnect<'a> {
        /// `customer`, `agent`, `user`, `ivr`, `system` or `unknown`.
        pub by: HungUpBy,
        /// The `disconnectType` that says so.
        #[serde(rename = "type")]
        pub kind: Option<Str<'a>>,
        /// Whose segment it was.
        pub participant_id: Option<Str<'a>>,
        /// When.
        pub at: Option<Timestamp>,
    }
}

impl Disconnect<'_> {
    /// Nothing says who ended the call (or it has not ended).
    pub const NOBODY: Self = Disconnect { by: HungUpBy::Unknown, kind: None, participant_id: None, at: None };
}

/// Who ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HungUpBy {
    /// The customer or external party.
    Customer,
    /// An agent.
    Agent,
    /// A user.
    User,
    /// The IVR.
    Ivr,
    /// The platform (timeouts, errors, transport failures).
    System,
    /// The record cannot say.
    Unknown,
}

impl HungUpBy {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            HungUpBy::Customer => "customer",
            HungUpBy::Agent => "agent",
            HungUpBy::User => "user",
            HungUpBy::Ivr => "ivr",
            HungUpBy::System => "system",
            HungUpBy::Unknown => "unknown",
        }
    }
}

/// How the call ended, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An agent or user answered an inbound call.
    Answered,
    /// The caller hung up in the IVR.
    AbandonedInIvr,
    /// The caller hung up waiting in a queue.
    AbandonedInQueue,
    /// The IVR served the caller; nobody else was needed.
    SelfServed,
    /// The caller left a voicemail.
    Voicemail,
    /// The caller took a callback.
    Callback,
    /// An outbound or internal call (or a direct inbound one) that never connected.
    NotAnswered,
    /// An outbound or internal call that connected.
    Connected,
    /// Still going on.
    Ongoing,
}

impl Outcome {
    /// The outcome of a wire value.
    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::AbandonedInIvr => "abandoned_in_ivr",
            Outcome::AbandonedInQueue => "abandoned_in_queue",
            Outcome::SelfServed => "self_served",
            Outcome::Voicemail => "voicemail",
            Outcome::Callback => "callback",
            Outcome::NotAnswered => "not_answered",
            Outcome::Connected => "connected",
            Outcome::Ongoing => "ongoing",
        }
    }

    /// Every outcome.
    pub const ALL: [Outcome; 9] = [
        Outcome::Answered,
        Outcome::AbandonedInIvr,
        Outcome::AbandonedInQueue,
        Outcome::SelfServed,
        Outcome::Voicemail,
        Outcome::Callback,
        Outcome::NotAnswered,
        Outcome::Connected,
        Outcome::Ongoing,
    ];
}

impl QueueOutcome {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueOutcome::Answered => "answered",
            QueueOutcome::Abandoned => "abandoned",
            QueueOutcome::Transferred => "transferred",
            QueueOutcome::FlowOut => "flow_out",
            QueueOutcome::Ongoing => "ongoing",
        }
    }
}

impl QueueVisit<'_> {
    /// The outcome's wire value.
    pub fn outcome_str(&self) -> &'static str {
        self.outcome.as_str()
    }
}

write_as_str!(CallDirection, Role, QueueOutcome, IvrExit, HungUpBy, Outcome);
