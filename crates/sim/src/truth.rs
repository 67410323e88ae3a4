//! Ground truth: for every generated conversation, the scenario and the answers a correct
//! explanation must give. It is written by the generator from what it planned — never by
//! explaining the record — so tests can compare the whole pipeline against it.
//!
//! A field left `None` is one the truth does not state (for example the phase totals of a call
//! still going on).

use serde::Serialize;

/// Phase totals in milliseconds, as planned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TruthTotals {
    /// IVR.
    pub ivr_ms: i64,
    /// Queue wait.
    pub queue_ms: i64,
    /// Ringing agents.
    pub alert_ms: i64,
    /// Talking.
    pub talk_ms: i64,
    /// Hold.
    pub hold_ms: i64,
    /// After-call work.
    pub acw_ms: i64,
    /// talk + hold + ACW.
    pub handle_ms: i64,
    /// Voicemail.
    pub voicemail_ms: i64,
}

/// One wait in a queue, as planned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TruthVisit {
    /// The queue's name.
    pub queue: String,
    /// The media it waits as (a callback waits as `callback`).
    pub media_type: String,
    /// When the call entered the queue (ms since the epoch).
    pub entered_ms: i64,
    /// When it left.
    pub left_ms: i64,
    /// The wait (tAcd).
    pub wait_ms: i64,
    /// `answered` (an agent took it), `abandoned` (the customer left) or `flow_out` (a
    /// callback or voicemail took it out of the queue); `ongoing` while it waits.
    pub outcome: &'static str,
}

/// The expected answers for one conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Truth {
    /// The conversation.
    pub conversation_id: String,
    /// The scenario's name.
    pub scenario: &'static str,
    /// `inbound`, `outbound` or `internal`.
    pub direction: Option<&'static str>,
    /// As the Genesys UI labels it.
    pub direction_label: Option<&'static str>,
    /// `voice`, `chat`, `email`, `message`.
    pub media_type: Option<&'static str>,
    /// `from.address`.
    pub from_address: Option<String>,
    /// `to.address`.
    pub to_address: Option<String>,
    /// The customer's number (without `tel:`) or address.
    pub customer_number: Option<String>,
    /// Role of who placed the call.
    pub placed_by_role: Option<&'static str>,
    /// Name of who placed the call (user or campaign name).
    pub placed_by_name: Option<String>,
    /// Role of who answered (`agent`, `user`, `customer`, `external`); `None` with
    /// `answered: Some(false)` when nobody did.
    pub answered_by_role: Option<&'static str>,
    /// User id of the agent or user who answered.
    pub answered_by_user_id: Option<String>,
    /// Whether anybody answered.
    pub answered: Option<bool>,
    /// Agents who let the call ring out.
    pub not_responding_user_ids: Vec<String>,
    /// Supervisors who listened in: not agents of the call.
    pub supervisor_user_ids: Vec<String>,
    /// The reason for the call (with the demo settings: `[reason] attributes = ["Final Main
    /// Intent", "MainIntent1"]`), when the record carries participant attributes.
    pub reason: Option<String>,
    /// Where the reason comes from.
    pub reason_source: Option<String>,
    /// How the call left the IVR.
    pub ivr_exit: Option<&'static str>,
    /// Phase totals.
    pub totals: Option<TruthTotals>,
    /// Each wait in a queue, in order.
    pub queue_visits: Vec<TruthVisit>,
    /// The concluding wrap-up code id.
    pub wrapup_code_id: Option<String>,
    /// Its name.
    pub wrapup_code_name: Option<String>,
    /// Who hung up.
    pub disconnect_by: Option<&'static str>,
    /// The outcome.
    pub outcome: Option<&'static str>,
    /// Transfers made by agents.
    pub transfers: Option<u32>,
    /// When the conversation started (ms since the epoch).
    pub start_ms: i64,
    /// When it ends (ms since the epoch), as planned; may be after "now".
    pub end_ms: i64,
}

impl Truth {
    /// The truth as of `now`: a conversation still going on states only what is already
    /// settled (its scenario, direction, media, customer) and the outcome `ongoing`.
    #[must_use]
    pub fn at(&self, now_ms: i64) -> Truth {
        if now_ms >= self.end_ms {
            return self.clone();
        }
        Truth {
            conversation_id: self.conversation_id.clone(),
            scenario: self.scenario,
            direction: self.direction,
            direction_label: self.direction_label,
            media_type: self.media_type,
            customer_number: self.customer_number.clone(),
            outcome: Some("ongoing"),
            // The waits that have begun: those over are settled; the one going on has no
            // wait yet (its segment has not ended) and no ending.
            queue_visits: self
                .queue_visits
                .iter()
                .filter(|v| v.entered_ms < now_ms)
                .map(|v| {
                    if v.left_ms <= now_ms {
                        v.clone()
                    } else {
                        TruthVisit { wait_ms: 0, outcome: "ongoing", ..v.clone() }
                    }
                })
                .collect(),
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            ..Truth::default()
        }
    }
}
