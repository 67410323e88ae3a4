//! The Conversations API record (`GET /api/v2/conversations/{id}`): the live view of a
//! conversation. calltrail reads it for what the detail query lacks: participant attributes and
//! the agent's wrap-up. Genesys keeps it only for a limited time (about two months).
#![allow(missing_docs)]

use crate::macros::wire_struct;
use crate::text::{Attributes, Text};

wire_struct! {
    /// `Conversation` of the Conversations API.
    pub struct ApiConversation<'a> {
        #[serde(borrow)] pub id: Option<Text<'a>>,
        #[serde(borrow)] pub name: Option<Text<'a>>,
        #[serde(borrow)] pub external_tag: Option<Text<'a>>,
        #[serde(borrow)] pub start_time: Option<Text<'a>>,
        #[serde(borrow)] pub end_time: Option<Text<'a>>,
        #[serde(borrow)] pub address: Option<Text<'a>>,
        #[serde(borrow)] pub participants: Option<Vec<ApiParticipant<'a>>>,
        #[serde(borrow)] pub conversation_ids: Option<Vec<Text<'a>>>,
        pub max_participants: Option<i64>,
        #[serde(borrow)] pub recording_state: Option<Text<'a>>,
        #[serde(borrow)] pub state: Option<Text<'a>>,
        pub divisions: Option<Vec<serde_json::Value>>,
        pub recent_transfers: Option<Vec<serde_json::Value>>,
        pub secure_pause: Option<bool>,
        #[serde(borrow)] pub utilization_label_id: Option<Text<'a>>,
        #[serde(borrow)] pub inactivity_timeout: Option<Text<'a>>,
        #[serde(borrow)] pub self_uri: Option<Text<'a>>,
    }
}

impl<'a> ApiConversation<'a> {
    /// The participants, empty when there are none.
    pub fn participants(&self) -> &[ApiParticipant<'a>] {
        self.participants.as_deref().unwrap_or_default()
    }
}

wire_struct! {
    /// `Participant` of the Conversations API. Its `id` is the same participant id as in the
    /// detail record.
    pub struct ApiParticipant<'a> {
        #[serde(borrow)] pub id: Option<Text<'a>>,
        #[serde(borrow)] pub start_time: Option<Text<'a>>,
        #[serde(borrow)] pub end_time: Option<Text<'a>>,
        #[serde(borrow)] pub connected_time: Option<Text<'a>>,
        #[serde(borrow)] pub name: Option<Text<'a>>,
        #[serde(borrow)] pub user_uri: Option<Text<'a>>,
        #[serde(borrow)] pub user_id: Option<Text<'a>>,
        #[serde(borrow)] pub external_contact_id: Option<Text<'a>>,
        #[serde(borrow)] pub external_contact_initial_division_id: Option<Text<'a>>,
        #[serde(borrow)] pub external_organization_id: Option<Text<'a>>,
        #[serde(borrow)] pub queue_id: Option<Text<'a>>,
        #[serde(borrow)] pub group_id: Option<Text<'a>>,
        #[serde(borrow)] pub team_id: Option<Text<'a>>,
        #[serde(borrow)] pub queue_name: Option<Text<'a>>,
        #[serde(borrow)] pub purpose: Option<Text<'a>>,
        #[serde(borrow)] pub participant_type: Option<Text<'a>>,
        #[serde(borrow)] pub consult_participant_id: Option<Text<'a>>,
        #[serde(borrow)] pub address: Option<Text<'a>>,
        #[serde(borrow)] pub ani: Option<Text<'a>>,
        #[serde(borrow)] pub ani_name: Option<Text<'a>>,
        #[serde(borrow)] pub dnis: Option<Text<'a>>,
        #[serde(borrow)] pub locale: Option<Text<'a>>,
        pub wrapup_required: Option<bool>,
        #[serde(borrow)] pub wrapup_prompt: Option<Text<'a>>,
        pub wrapup_timeout_ms: Option<i64>,
        pub wrapup_skipped: Option<bool>,
        #[serde(borrow)] pub wrapup: Option<ApiWrapup<'a>>,
        #[serde(borrow)] pub media_roles: Option<Vec<Text<'a>>>,
        pub alerting_timeout_ms: Option<i64>,
        #[serde(borrow)] pub monitored_participant_id: Option<Text<'a>>,
        #[serde(borrow)] pub coached_participant_id: Option<Text<'a>>,
        #[serde(borrow)] pub attributes: Option<Attributes<'a>>,
        pub calls: Option<Vec<serde_json::Value>>,
        pub callbacks: Option<Vec<serde_json::Value>>,
        pub chats: Option<Vec<serde_json::Value>>,
        pub cobrowsesessions: Option<Vec<serde_json::Value>>,
        pub emails: Option<Vec<serde_json::Value>>,
        pub messages: Option<Vec<serde_json::Value>>,
        #[serde(borrow)] pub screen_recording_state: Option<Text<'a>>,
        #[serde(borrow)] pub flagged_reason: Option<Text<'a>>,
        #[serde(borrow)] pub start_acw_time: Option<Text<'a>>,
        #[serde(borrow)] pub end_acw_time: Option<Text<'a>>,
        #[serde(borrow)] pub barged_participant_id: Option<Text<'a>>,
    }
}

wire_struct! {
    /// `Wrapup`: the agent's wrap-up as the Conversations API reports it. `code` is the wrap-up
    /// code id.
    pub struct ApiWrapup<'a> {
        #[serde(borrow)] pub code: Option<Text<'a>>,
        #[serde(borrow)] pub name: Option<Text<'a>>,
        #[serde(borrow)] pub notes: Option<Text<'a>>,
        #[serde(borrow)] pub tags: Option<Vec<Text<'a>>>,
        pub duration_seconds: Option<i64>,
        #[serde(borrow)] pub end_time: Option<Text<'a>>,
        pub provisional: Option<bool>,
    }
}
