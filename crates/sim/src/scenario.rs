//! The scenarios the synthetic contact centre produces, their share of the traffic, and how
//! each is recognisable in a detail record (the user documentation is generated from this).

use serde::Serialize;

/// A kind of call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Inbound call through the IVR and a queue, answered by an agent; hold and wrap-up.
    InboundAnswered,
    /// The caller hangs up in the IVR.
    AbandonedInIvr,
    /// The caller hangs up waiting in a queue.
    AbandonedInQueue,
    /// The IVR serves the caller and ends the call.
    SelfServed,
    /// The first agent lets the call ring out; a second answers.
    NotRespondingThenAnswered,
    /// The agent blind-transfers the call to another queue, where another agent answers.
    BlindTransfer,
    /// The agent consults a colleague, then hands the customer over.
    ConsultTransfer,
    /// The agent transfers the caller to an external number ("Inbound / Outbound").
    ExternalTransfer,
    /// A second agent joins; three-way call.
    Conference,
    /// Nobody answers in the queue; the in-queue flow sends the caller to voicemail.
    Voicemail,
    /// The caller accepts a callback in the queue; an agent calls back later.
    Callback,
    /// An agent calls a customer, who answers.
    OutboundConnected,
    /// An agent calls a customer, who does not answer.
    OutboundNotAnswered,
    /// A dialer campaign reaches a customer and connects them to an agent.
    DialerCampaign,
    /// A user calls a colleague: nobody outside takes part.
    Internal,
    /// A web chat answered by an agent.
    Chat,
    /// An e-mail answered by an agent.
    Email,
    /// A message (SMS / web messaging) answered by an agent.
    Message,
    /// An e-mail still waiting in the queue: no end yet.
    Ongoing,
    /// An answered call whose wrap-up is corrected hours later: the record changes after the
    /// fact.
    LateChange,
}

impl Scenario {
    /// Every scenario with its weight (per 1000 calls).
    pub const ALL: [(Scenario, u32); 20] = [
        (Scenario::InboundAnswered, 400),
        (Scenario::AbandonedInIvr, 60),
        (Scenario::AbandonedInQueue, 80),
        (Scenario::SelfServed, 80),
        (Scenario::NotRespondingThenAnswered, 40),
        (Scenario::BlindTransfer, 40),
        (Scenario::ConsultTransfer, 30),
        (Scenario::ExternalTransfer, 20),
        (Scenario::Conference, 15),
        (Scenario::Voicemail, 25),
        (Scenario::Callback, 20),
        (Scenario::OutboundConnected, 50),
        (Scenario::OutboundNotAnswered, 20),
        (Scenario::DialerCampaign, 40),
        (Scenario::Internal, 30),
        (Scenario::Chat, 20),
        (Scenario::Email, 15),
        (Scenario::Message, 15),
        (Scenario::Ongoing, 5),
        (Scenario::LateChange, 15),
    ];

    /// The scenario's name, as in the ground truth.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::InboundAnswered => "inbound_answered",
            Scenario::AbandonedInIvr => "abandoned_in_ivr",
            Scenario::AbandonedInQueue => "abandoned_in_queue",
            Scenario::SelfServed => "self_served",
            Scenario::NotRespondingThenAnswered => "not_responding_then_answered",
            Scenario::BlindTransfer => "blind_transfer",
            Scenario::ConsultTransfer => "consult_transfer",
            Scenario::ExternalTransfer => "external_transfer",
            Scenario::Conference => "conference",
            Scenario::Voicemail => "voicemail",
            Scenario::Callback => "callback",
            Scenario::OutboundConnected => "outbound_connected",
            Scenario::OutboundNotAnswered => "outbound_not_answered",
            Scenario::DialerCampaign => "dialer_campaign",
            Scenario::Internal => "internal",
            Scenario::Chat => "chat",
            Scenario::Email => "email",
            Scenario::Message => "message",
            Scenario::Ongoing => "ongoing",
            Scenario::LateChange => "late_change",
        }
    }

    /// How the scenario shows in a detail record.
    pub fn recognisable_by(self) -> &'static str {
        match self {
            Scenario::InboundAnswered => "customer (inbound) → ivr (flow with outcomes, transfer ACD) → acd (interact, `transfer`) → agent (alert, interact, sometimes hold, wrapup with wrapUpCode); in one in twelve a team lead listens in (an agent participant whose session has monitoredParticipantId and a monitoring segment)",
            Scenario::AbandonedInIvr => "customer (inbound, disconnect `endpoint`) and ivr only; the flow's exitReason is DISCONNECT",
            Scenario::AbandonedInQueue => "customer → ivr → acd whose interact ends `peer` with tAbandon; no agent connects",
            Scenario::SelfServed => "customer → ivr only; the ivr segment ends `endpoint` (the flow disconnects), selfServed is true, a self-service outcome succeeded",
            Scenario::NotRespondingThenAnswered => "a first agent whose alert ends `client` with errorCode, tNotResponding and nError (sometimes followed by a wrapup segment with a code and the same error), then a second agent who answers",
            Scenario::BlindTransfer => "agent 1's interact ends `transfer`; a second acd participant (another queue) and agent 2 follow",
            Scenario::ConsultTransfer => "agent 1 holds while agent 2 is alerted and connects; agent 1's interact ends `consultTransfer`",
            Scenario::ExternalTransfer => "agent's interact ends `transfer`; an `external` participant with an outbound session to an outside number follows",
            Scenario::Conference => "a second agent's segments carry conference: true while both agents and the customer are connected",
            Scenario::Voicemail => "acd flows out (tFlowOut, flowOutType) to a `voicemail` participant with a voicemail segment",
            Scenario::Callback => "the customer's voice session ends after the in-queue flow offers a callback; callback sessions (mediaType callback) for customer, acd and agent follow",
            Scenario::OutboundConnected => "agent (outbound session: dialing, contacting, interact) and customer (outbound session, interact); ani is the caller id, dnis the customer",
            Scenario::OutboundNotAnswered => "as outbound, but the customer's session never reaches interact; the agent ends `client` while contacting",
            Scenario::DialerCampaign => "customer (outbound, outboundCampaignId) and a `campaign` participant that dials, then an agent connected to the customer",
            Scenario::Internal => "two `user` participants (one outbound, one inbound), sip addresses, no customer or external participant",
            Scenario::Chat => "mediaType chat: customer → acd → agent",
            Scenario::Email => "mediaType email: customer (addressFrom/addressTo) → acd → agent, answered hours later",
            Scenario::Message => "mediaType message (messageType sms or webmessaging): customer → acd → agent",
            Scenario::Ongoing => "mediaType email still waiting in the queue: no conversationEnd, the acd segment has no segmentEnd",
            Scenario::LateChange => "an answered call whose wrapUpCode and wrapUpNote change some hours after the call ended",
        }
    }
}
