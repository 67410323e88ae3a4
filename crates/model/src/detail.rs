//! The analytics detail record: `AnalyticsConversation` and everything under it, as the
//! Platform API schema defines it (conversation → participants → sessions → segments, metrics,
//! flow).
//!
//! One set of types serves the query endpoint (`…WithoutAttributes`), job results and single
//! gets: `attributes` is simply absent where the endpoint does not carry it. Field meanings are
//! in the glossary (`calltrail fields`), which says more than a doc line could.
#![allow(missing_docs)]

use crate::macros::{open_enum, wire_struct};
use crate::text::{Attributes, Text};

open_enum! {
    /// `AnalyticsParticipant.purpose`: what a participant is in the conversation.
    pub enum Purpose {
        Acd = "acd",
        Agent = "agent",
        Api = "api",
        Botflow = "botflow",
        Campaign = "campaign",
        Customer = "customer",
        Dialer = "dialer",
        External = "external",
        Fax = "fax",
        Group = "group",
        Inbound = "inbound",
        Ivr = "ivr",
        Manual = "manual",
        Outbound = "outbound",
        Station = "station",
        User = "user",
        Voicemail = "voicemail",
        Voicesurveyflow = "voicesurveyflow",
        Workflow = "workflow",
    }
}

open_enum! {
    /// Session `direction` and `originatingDirection`.
    pub enum Direction {
        Inbound = "inbound",
        Outbound = "outbound",
    }
}

open_enum! {
    /// Session `mediaType`.
    pub enum MediaType {
        Callback = "callback",
        Chat = "chat",
        Cobrowse = "cobrowse",
        Email = "email",
        Internalmessage = "internalmessage",
        Message = "message",
        Screenmonitoring = "screenmonitoring",
        Screenshare = "screenshare",
        Unknown = "unknown",
        Video = "video",
        Voice = "voice",
    }
}

open_enum! {
    /// Segment `segmentType`: what the participant was doing during the segment.
    pub enum SegmentType {
        Alert = "alert",
        Barging = "barging",
        Callback = "callback",
        Coaching = "coaching",
        Contacting = "contacting",
        Converting = "converting",
        Delay = "delay",
        Dialing = "dialing",
        Hold = "hold",
        Interact = "interact",
        Ivr = "ivr",
        Monitoring = "monitoring",
        Parked = "parked",
        Scheduled = "scheduled",
        Screenmonitoring = "screenmonitoring",
        Sharing = "sharing",
        System = "system",
        Transmitting = "transmitting",
        Unknown = "unknown",
        Uploading = "uploading",
        Voicemail = "voicemail",
        Wrapup = "wrapup",
    }
}

open_enum! {
    /// Segment `disconnectType`: how the segment ended.
    pub enum DisconnectType {
        Client = "client",
        ConferenceTransfer = "conferenceTransfer",
        ConsultTransfer = "consultTransfer",
        DndEndpoint = "dndEndpoint",
        DndTransfer = "dndTransfer",
        Endpoint = "endpoint",
        Error = "error",
        ForwardTransfer = "forwardTransfer",
        Inactivity = "inactivity",
        NoAnswerTransfer = "noAnswerTransfer",
        NotAvailableTransfer = "notAvailableTransfer",
        Other = "other",
        Peer = "peer",
        SessionExpired = "sessionExpired",
        Spam = "spam",
        System = "system",
        Takeover = "takeover",
        Timeout = "timeout",
        Transfer = "transfer",
        TransportFailure = "transportFailure",
        Uncallable = "uncallable",
    }
}

impl DisconnectType {
    /// True for every kind of transfer: the segment ended because the call moved on, not because
    /// anybody hung up.
    pub fn is_transfer(&self) -> bool {
        matches!(
            self,
            Self::Transfer
                | Self::ConsultTransfer
                | Self::ConferenceTransfer
                | Self::ForwardTransfer
                | Self::NoAnswerTransfer
                | Self::NotAvailableTransfer
                | Self::DndTransfer
        )
    }
}

open_enum! {
    /// `AnalyticsFlow.flowType`.
    pub enum FlowType {
        Bot = "BOT",
        Commonmodule = "COMMONMODULE",
        Digitalbot = "DIGITALBOT",
        Emailsend = "EMAILSEND",
        Inboundcall = "INBOUNDCALL",
        Inboundchat = "INBOUNDCHAT",
        Inboundemail = "INBOUNDEMAIL",
        Inboundshortmessage = "INBOUNDSHORTMESSAGE",
        Inqueuecall = "INQUEUECALL",
        Inqueueemail = "INQUEUEEMAIL",
        Inqueueshortmessage = "INQUEUESHORTMESSAGE",
        Outboundcall = "OUTBOUNDCALL",
        Securecall = "SECURECALL",
        Speech = "SPEECH",
        Surveyinvite = "SURVEYINVITE",
        Voice = "VOICE",
        Voicemail = "VOICEMAIL",
        Voicesurvey = "VOICESURVEY",
        Workflow = "WORKFLOW",
        Workitem = "WORKITEM",
    }
}

impl FlowType {
    /// In-queue flows run while a call waits in a queue; they belong to the queue visit.
    pub fn is_in_queue(&self) -> bool {
        matches!(self, Self::Inqueuecall | Self::Inqueueemail | Self::Inqueueshortmessage)
    }
}

open_enum! {
    /// `AnalyticsFlow.entryType`: how the flow was entered.
    pub enum EntryType {
        Agent = "agent",
        Direct = "direct",
        Dnis = "dnis",
        Flow = "flow",
        Outbound = "outbound",
    }
}

wire_struct! {
    /// `AnalyticsConversation` (and `AnalyticsConversationWithoutAttributes`).
    pub struct Conversation<'a> {
        #[serde(borrow)] pub access_attributes: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub associated_conversation_id: Option<Text<'a>>,
        #[serde(borrow)] pub conference_start: Option<Text<'a>>,
        #[serde(borrow)] pub consultation_conversation_ids: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub conversation_end: Option<Text<'a>>,
        #[serde(borrow)] pub conversation_id: Option<Text<'a>>,
        pub conversation_initiator: Option<Purpose>,
        #[serde(borrow)] pub conversation_start: Option<Text<'a>>,
        pub customer_participation: Option<bool>,
        #[serde(borrow)] pub division_ids: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub external_tag: Option<Text<'a>>,
        #[serde(borrow)] pub inactivity_timeout: Option<Text<'a>>,
        #[serde(borrow)] pub knowledge_base_ids: Option<Vec<Text<'a>>>,
        pub media_stats_min_conversation_mos: Option<f64>,
        #[serde(rename = "mediaStatsMinConversationRFactor")]
        pub media_stats_min_conversation_r_factor: Option<f64>,
        pub originating_direction: Option<Direction>,
        pub originating_social_media_public: Option<bool>,
        pub self_served: Option<bool>,
        #[serde(borrow)] pub evaluations: Option<Vec<Evaluation<'a>>>,
        #[serde(borrow)] pub surveys: Option<Vec<Survey<'a>>>,
        #[serde(borrow)] pub resolutions: Option<Vec<Resolution<'a>>>,
        #[serde(borrow)] pub participants: Option<Vec<Participant<'a>>>,
    }
}

impl<'a> Conversation<'a> {
    /// The participants, empty when the record has none.
    pub fn participants(&self) -> &[Participant<'a>] {
        self.participants.as_deref().unwrap_or_default()
    }
}

wire_struct! {
    /// `AnalyticsParticipant`: one party to the conversation (a customer, an IVR, a queue, an
    /// agent, ...). `attributes` is present only in job results.
    pub struct Participant<'a> {
        #[serde(borrow)] pub external_contact_id: Option<Text<'a>>,
        #[serde(borrow)] pub external_organization_id: Option<Text<'a>>,
        #[serde(borrow)] pub flagged_reason: Option<Text<'a>>,
        #[serde(borrow)] pub participant_id: Option<Text<'a>>,
        #[serde(borrow)] pub participant_name: Option<Text<'a>>,
        pub purpose: Option<Purpose>,
        pub screen_recording: Option<bool>,
        #[serde(borrow)] pub team_id: Option<Text<'a>>,
        #[serde(borrow)] pub user_id: Option<Text<'a>>,
        #[serde(borrow)] pub sessions: Option<Vec<Session<'a>>>,
        #[serde(borrow)] pub attributes: Option<Attributes<'a>>,
    }
}

impl<'a> Participant<'a> {
    /// The sessions, empty when the participant has none.
    pub fn sessions(&self) -> &[Session<'a>] {
        self.sessions.as_deref().unwrap_or_default()
    }
}

wire_struct! {
    /// `AnalyticsSession`: one media session of a participant (a voice leg, a chat, ...).
    pub struct Session<'a> {
        #[serde(borrow)] pub address_from: Option<Text<'a>>,
        #[serde(borrow)] pub address_to: Option<Text<'a>>,
        pub agent_bullseye_ring: Option<i64>,
        #[serde(borrow)] pub ani: Option<Text<'a>>,
        #[serde(borrow)] pub barged_participant_id: Option<Text<'a>>,
        #[serde(borrow)] pub callback_numbers: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub coached_participant_id: Option<Text<'a>>,
        pub direction: Option<Direction>,
        #[serde(borrow)] pub dnis: Option<Text<'a>>,
        #[serde(borrow)] pub edge_id: Option<Text<'a>>,
        #[serde(borrow)] pub flow_in_type: Option<Text<'a>>,
        #[serde(borrow)] pub flow_out_type: Option<Text<'a>>,
        pub media_type: Option<MediaType>,
        #[serde(borrow)] pub monitored_participant_id: Option<Text<'a>>,
        #[serde(borrow)] pub outbound_campaign_id: Option<Text<'a>>,
        #[serde(borrow)] pub peer_id: Option<Text<'a>>,
        #[serde(borrow)] pub protocol_call_id: Option<Text<'a>>,
        #[serde(borrow)] pub provider: Option<Text<'a>>,
        pub recording: Option<bool>,
        #[serde(borrow)] pub remote: Option<Text<'a>>,
        #[serde(borrow)] pub remote_name_displayable: Option<Text<'a>>,
        #[serde(borrow)] pub requested_routings: Option<Vec<Text<'a>>>,
        pub routing_ring: Option<i64>,
        #[serde(borrow)] pub selected_agent_id: Option<Text<'a>>,
        #[serde(borrow)] pub session_dnis: Option<Text<'a>>,
        #[serde(borrow)] pub session_id: Option<Text<'a>>,
        #[serde(borrow)] pub used_routing: Option<Text<'a>>,
        #[serde(borrow)] pub media_endpoint_stats: Option<Vec<MediaEndpointStat<'a>>>,
        #[serde(borrow)] pub flow: Option<Flow<'a>>,
        #[serde(borrow)] pub metrics: Option<Vec<Metric<'a>>>,
        #[serde(borrow)] pub segments: Option<Vec<Segment<'a>>>,
    }
    /// The session fields the schema defines that voice records seldom carry: e-mail, messaging,
    /// callback, video, screen share, cobrowse and journey details, skills and routing internals.
    more SessionMore {
        #[serde(borrow)] pub active_skill_ids: Option<Vec<Text<'a>>>,
        pub acw_skipped: Option<bool>,
        #[serde(borrow)] pub address_other: Option<Text<'a>>,
        #[serde(borrow)] pub address_self: Option<Text<'a>>,
        #[serde(borrow)] pub agent_assistant_id: Option<Text<'a>>,
        pub agent_owned: Option<bool>,
        #[serde(borrow)] pub assigner_id: Option<Text<'a>>,
        pub authenticated: Option<bool>,
        #[serde(borrow)] pub bcc: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub callback_scheduled_time: Option<Text<'a>>,
        #[serde(borrow)] pub callback_user_name: Option<Text<'a>>,
        #[serde(borrow)] pub cc: Option<Vec<Text<'a>>>,
        pub cleared: Option<bool>,
        #[serde(borrow)] pub cobrowse_role: Option<Text<'a>>,
        #[serde(borrow)] pub cobrowse_room_id: Option<Text<'a>>,
        pub delivery_pushed: Option<bool>,
        #[serde(borrow)] pub delivery_status: Option<Text<'a>>,
        #[serde(borrow)] pub delivery_status_change_date: Option<Text<'a>>,
        #[serde(borrow)] pub destination_addresses: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub detected_speech_end: Option<Text<'a>>,
        #[serde(borrow)] pub detected_speech_start: Option<Text<'a>>,
        #[serde(borrow)] pub disposition_analyzer: Option<Text<'a>>,
        #[serde(borrow)] pub disposition_name: Option<Text<'a>>,
        pub eligible_agent_counts: Option<Vec<i64>>,
        #[serde(borrow)] pub engagement_source: Option<Text<'a>>,
        #[serde(borrow)] pub error_code_description: Option<Text<'a>>,
        #[serde(borrow)] pub extended_delivery_status: Option<Text<'a>>,
        #[serde(borrow)] pub journey_action_id: Option<Text<'a>>,
        #[serde(borrow)] pub journey_action_map_id: Option<Text<'a>>,
        pub journey_action_map_version: Option<i64>,
        #[serde(borrow)] pub journey_customer_id: Option<Text<'a>>,
        #[serde(borrow)] pub journey_customer_id_type: Option<Text<'a>>,
        #[serde(borrow)] pub journey_customer_session_id: Option<Text<'a>>,
        #[serde(borrow)] pub journey_customer_session_id_type: Option<Text<'a>>,
        #[serde(borrow)] pub media_bridge_id: Option<Text<'a>>,
        pub media_count: Option<i64>,
        #[serde(borrow)] pub message_type: Option<Text<'a>>,
        #[serde(borrow)] pub outbound_contact_id: Option<Text<'a>>,
        #[serde(borrow)] pub outbound_contact_list_id: Option<Text<'a>>,
        #[serde(borrow)] pub removed_skill_ids: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub room_id: Option<Text<'a>>,
        #[serde(borrow)] pub routing_rule: Option<Text<'a>>,
        #[serde(borrow)] pub routing_rule_type: Option<Text<'a>>,
        #[serde(borrow)] pub screen_monitored_user_id: Option<Text<'a>>,
        #[serde(borrow)] pub screen_share_address_self: Option<Text<'a>>,
        #[serde(borrow)] pub screen_share_room_id: Option<Text<'a>>,
        #[serde(borrow)] pub script_id: Option<Text<'a>>,
        pub selected_agent_rank: Option<i64>,
        pub sharing_screen: Option<bool>,
        #[serde(borrow)] pub skill_expression_id: Option<Text<'a>>,
        pub skip_enabled: Option<bool>,
        pub snippet_recording: Option<bool>,
        pub timeout_seconds: Option<i64>,
        #[serde(borrow)] pub video_address_self: Option<Text<'a>>,
        #[serde(borrow)] pub video_room_id: Option<Text<'a>>,
        pub waiting_interaction_counts: Option<Vec<i64>>,
        #[serde(borrow)] pub agent_groups: Option<Vec<AgentGroup<'a>>>,
        #[serde(borrow)] pub proposed_agents: Option<Vec<ProposedAgent<'a>>>,
    }
}

impl<'a> Session<'a> {
    /// The segments, empty when the session has none.
    pub fn segments(&self) -> &[Segment<'a>] {
        self.segments.as_deref().unwrap_or_default()
    }

    /// The metrics, empty when the session has none.
    pub fn metrics(&self) -> &[Metric<'a>] {
        self.metrics.as_deref().unwrap_or_default()
    }

    /// The sum of every value of metric `name` in this session, or `None` when it has none.
    /// Genesys may emit a duration metric once per segment, so values are added up.
    pub fn metric_sum(&self, name: &str) -> Option<i64> {
        let mut found = false;
        let mut sum = 0i64;
        for metric in self.metrics() {
            if metric.name.as_deref() == Some(name) {
                found = true;
                sum = sum.saturating_add(metric.value.unwrap_or(0));
            }
        }
        found.then_some(sum)
    }
}

wire_struct! {
    /// `AnalyticsConversationSegment`: one stretch of time in one state.
    pub struct Segment<'a> {
        pub conference: Option<bool>,
        pub disconnect_type: Option<DisconnectType>,
        #[serde(borrow)] pub error_code: Option<Text<'a>>,
        #[serde(borrow)] pub queue_id: Option<Text<'a>>,
        #[serde(borrow)] pub segment_end: Option<Text<'a>>,
        #[serde(borrow)] pub segment_start: Option<Text<'a>>,
        pub segment_type: Option<SegmentType>,
        #[serde(borrow)] pub wrap_up_code: Option<Text<'a>>,
        #[serde(borrow)] pub wrap_up_note: Option<Text<'a>>,
        #[serde(borrow)] pub wrap_up_tags: Option<Vec<Text<'a>>>,
    }
    /// The segment fields voice records seldom carry: SIP and Q.850 codes, requested skills and
    /// language, the conversations and sessions a segment came from or went to, scored agents,
    /// properties.
    more SegmentMore {
        pub audio_muted: Option<bool>,
        #[serde(borrow)] pub destination_conversation_id: Option<Text<'a>>,
        #[serde(borrow)] pub destination_session_id: Option<Text<'a>>,
        #[serde(borrow)] pub group_id: Option<Text<'a>>,
        pub q850_response_codes: Option<Vec<i64>>,
        #[serde(borrow)] pub requested_language_id: Option<Text<'a>>,
        #[serde(borrow)] pub requested_routing_skill_ids: Option<Vec<Text<'a>>>,
        #[serde(borrow)] pub requested_routing_user_ids: Option<Vec<Text<'a>>>,
        pub sip_response_codes: Option<Vec<i64>>,
        #[serde(borrow)] pub source_conversation_id: Option<Text<'a>>,
        #[serde(borrow)] pub source_session_id: Option<Text<'a>>,
        #[serde(borrow)] pub subject: Option<Text<'a>>,
        pub video_muted: Option<bool>,
        #[serde(borrow)] pub scored_agents: Option<Vec<ScoredAgent<'a>>>,
        #[serde(borrow)] pub properties: Option<Vec<Property<'a>>>,
    }
}

wire_struct! {
    /// `AnalyticsFlow`: the Architect flow a session ran in.
    pub struct Flow<'a> {
        #[serde(borrow)] pub ending_language: Option<Text<'a>>,
        #[serde(borrow)] pub entry_reason: Option<Text<'a>>,
        pub entry_type: Option<EntryType>,
        #[serde(borrow)] pub exit_reason: Option<Text<'a>>,
        #[serde(borrow)] pub flow_id: Option<Text<'a>>,
        #[serde(borrow)] pub flow_name: Option<Text<'a>>,
        pub flow_type: Option<FlowType>,
        #[serde(borrow)] pub flow_version: Option<Text<'a>>,
        pub issued_callback: Option<bool>,
        #[serde(borrow)] pub recognition_failure_reason: Option<Text<'a>>,
        #[serde(borrow)] pub starting_language: Option<Text<'a>>,
        #[serde(borrow)] pub transfer_target_address: Option<Text<'a>>,
        #[serde(borrow)] pub transfer_target_name: Option<Text<'a>>,
        #[serde(borrow)] pub transfer_type: Option<Text<'a>>,
        #[serde(borrow)] pub outcomes: Option<Vec<FlowOutcome<'a>>>,
    }
}

impl<'a> Flow<'a> {
    /// The flow outcomes, empty when there are none.
    pub fn outcomes(&self) -> &[FlowOutcome<'a>] {
        self.outcomes.as_deref().unwrap_or_default()
    }
}

wire_struct! {
    /// `AnalyticsFlowOutcome`: a milestone the flow designer defined, and whether it was reached.
    pub struct FlowOutcome<'a> {
        #[serde(borrow)] pub flow_outcome: Option<Text<'a>>,
        #[serde(borrow)] pub flow_outcome_end_timestamp: Option<Text<'a>>,
        #[serde(borrow)] pub flow_outcome_id: Option<Text<'a>>,
        #[serde(borrow)] pub flow_outcome_start_timestamp: Option<Text<'a>>,
        #[serde(borrow)] pub flow_outcome_value: Option<Text<'a>>,
    }
}

wire_struct! {
    /// `AnalyticsSessionMetric`: a named count (`n…`), duration in ms (`t…`) or observation (`o…`).
    pub struct Metric<'a> {
        #[serde(borrow)] pub emit_date: Option<Text<'a>>,
        #[serde(borrow)] pub name: Option<Text<'a>>,
        pub value: Option<i64>,
    }
}

wire_struct! {
    /// `AnalyticsAgentGroup`.
    pub struct AgentGroup<'a> {
        #[serde(borrow)] pub agent_group_id: Option<Text<'a>>,
        #[serde(borrow)] pub agent_group_type: Option<Text<'a>>,
    }
}

wire_struct! {
    /// `AnalyticsProposedAgent`: an agent the routing engine proposed for the interaction.
    pub struct ProposedAgent<'a> {
        pub agent_rank: Option<i64>,
        #[serde(borrow)] pub proposed_agent_id: Option<Text<'a>>,
    }
}

wire_struct! {
    /// `AnalyticsScoredAgent`: an agent scored by predictive routing.
    pub struct ScoredAgent<'a> {
        pub agent_score: Option<i64>,
        #[serde(borrow)] pub scored_agent_id: Option<Text<'a>>,
    }
}

wire_struct! {
    /// `AnalyticsProperty`: a user-defined segment property.
    pub struct Property<'a> {
        #[serde(borrow)] pub property: Option<Text<'a>>,
        #[serde(borrow)] pub property_type: Option<Text<'a>>,
        #[serde(borrow)] pub value: Option<Text<'a>>,
    }
}

wire_struct! {
    /// `AnalyticsMediaEndpointStat`: voice quality as measured at one endpoint.
    pub struct MediaEndpointStat<'a> {
        #[serde(borrow)] pub codecs: Option<Vec<Text<'a>>>,
        pub discarded_packets: Option<i64>,
        pub duplicate_packets: Option<i64>,
        #[serde(borrow)] pub event_time: Option<Text<'a>>,
        pub invalid_packets: Option<i64>,
        pub max_latency_ms: Option<i64>,
        pub min_mos: Option<f64>,
        #[serde(rename = "minRFactor")]
        pub min_r_factor: Option<f64>,
        pub overrun_packets: Option<i64>,
        pub received_packets: Option<i64>,
        pub underrun_packets: Option<i64>,
    }
}

wire_struct! {
    /// `AnalyticsEvaluation`: a quality evaluation of the conversation.
    pub struct Evaluation<'a> {
        pub assignee_applicable: Option<bool>,
        #[serde(borrow)] pub assignee_id: Option<Text<'a>>,
        #[serde(borrow)] pub calibration_id: Option<Text<'a>>,
        #[serde(borrow)] pub context_id: Option<Text<'a>>,
        pub deleted: Option<bool>,
        #[serde(borrow)] pub evaluation_id: Option<Text<'a>>,
        #[serde(borrow)] pub evaluation_status: Option<Text<'a>>,
        #[serde(borrow)] pub evaluator_id: Option<Text<'a>>,
        #[serde(borrow)] pub event_time: Option<Text<'a>>,
        #[serde(borrow)] pub form_id: Option<Text<'a>>,
        #[serde(borrow)] pub form_name: Option<Text<'a>>,
        #[serde(borrow)] pub queue_id: Option<Text<'a>>,
        pub released: Option<bool>,
        pub rescored: Option<bool>,
        pub system_submitted: Option<bool>,
        #[serde(borrow)] pub user_id: Option<Text<'a>>,
        #[serde(rename = "oTotalCriticalScore")]
        pub o_total_critical_score: Option<i64>,
        #[serde(rename = "oTotalScore")]
        pub o_total_score: Option<i64>,
    }
}

wire_struct! {
    /// `AnalyticsSurvey`: a post-interaction survey.
    pub struct Survey<'a> {
        #[serde(borrow)] pub event_time: Option<Text<'a>>,
        #[serde(borrow)] pub queue_id: Option<Text<'a>>,
        #[serde(borrow)] pub survey_completed_date: Option<Text<'a>>,
        #[serde(borrow)] pub survey_form_context_id: Option<Text<'a>>,
        #[serde(borrow)] pub survey_form_id: Option<Text<'a>>,
        #[serde(borrow)] pub survey_form_name: Option<Text<'a>>,
        #[serde(borrow)] pub survey_id: Option<Text<'a>>,
        pub survey_partial_response: Option<bool>,
        pub survey_promoter_score: Option<i64>,
        #[serde(borrow)] pub survey_status: Option<Text<'a>>,
        #[serde(borrow)] pub survey_type: Option<Text<'a>>,
        #[serde(borrow)] pub user_id: Option<Text<'a>>,
        #[serde(rename = "oSurveyTotalScore")]
        pub o_survey_total_score: Option<i64>,
    }
}

wire_struct! {
    /// `AnalyticsResolution`: whether a next contact was avoided.
    pub struct Resolution<'a> {
        #[serde(borrow)] pub event_time: Option<Text<'a>>,
        #[serde(borrow)] pub queue_id: Option<Text<'a>>,
        #[serde(borrow)] pub user_id: Option<Text<'a>>,
        #[serde(rename = "nNextContactAvoided")]
        pub n_next_contact_avoided: Option<i64>,
    }
}

wire_struct! {
    /// `AnalyticsConversationQueryResponse` (query) and `AnalyticsConversationAsyncQueryResponse`
    /// (job results, multi-get): a page of conversations.
    pub struct ConversationPage<'a> {
        #[serde(borrow)] pub conversations: Option<Vec<Conversation<'a>>>,
        pub aggregations: Option<Vec<serde_json::Value>>,
        pub total_hits: Option<i64>,
        #[serde(borrow)] pub cursor: Option<Text<'a>>,
        #[serde(borrow)] pub data_availability_date: Option<Text<'a>>,
    }
}
