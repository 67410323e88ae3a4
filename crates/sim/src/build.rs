//! Helpers that build detail records the way Genesys writes them: segments with their times,
//! sessions with the metrics Genesys computes from those segments, participants.

use calltrail_model::{
    Attributes, Direction, DisconnectType, Flow, FlowOutcome, FlowType, MediaType, Metric, Participant,
    Purpose, Segment, SegmentType, Session, Text, Timestamp,
};

/// An owned string for a record.
pub fn text(s: impl Into<String>) -> Option<Text<'static>> {
    Some(Text::from(s.into()))
}

/// A timestamp for a record.
pub fn ts(ms: i64) -> Option<Text<'static>> {
    text(Timestamp(ms).to_rfc3339())
}

/// A segment from `start` to `end`.
pub fn seg(kind: SegmentType, start: i64, end: i64) -> Segment<'static> {
    Segment {
        segment_type: Some(kind),
        segment_start: ts(start),
        segment_end: ts(end),
        conference: Some(false),
        ..Segment::default()
    }
}

/// Builder-style touches on a segment.
pub trait SegmentExt {
    /// Sets the queue.
    #[must_use]
    fn queue(self, id: &str) -> Self;
    /// Sets the disconnect type.
    #[must_use]
    fn ends(self, how: DisconnectType) -> Self;
    /// Marks the segment as part of a conference.
    #[must_use]
    fn conference(self) -> Self;
}

impl SegmentExt for Segment<'static> {
    fn queue(mut self, id: &str) -> Self {
        self.queue_id = text(id);
        self
    }
    fn ends(mut self, how: DisconnectType) -> Self {
        self.disconnect_type = Some(how);
        self
    }
    fn conference(mut self) -> Self {
        self.conference = Some(true);
        self
    }
}

fn millis(text: Option<&Text<'_>>) -> Option<i64> {
    text.and_then(|t| Timestamp::parse(t)).map(Timestamp::millis)
}

fn sum(segments: &[Segment<'_>], kind: &SegmentType) -> (i64, i64) {
    let mut total = 0;
    let mut last = 0;
    for s in segments.iter().filter(|s| s.segment_type.as_ref() == Some(kind)) {
        if let (Some(a), Some(b)) = (millis(s.segment_start.as_ref()), millis(s.segment_end.as_ref())) {
            total += b - a;
            last = last.max(b);
        }
    }
    (total, last)
}

/// A metric.
pub fn metric(name: &str, value: i64, at: i64) -> Metric<'static> {
    Metric { name: text(name), value: Some(value), emit_date: ts(at) }
}

/// The metrics Genesys emits for a session of a participant with `purpose`, from its
/// segments: tIvr/tFlow for IVRs, nOffered/tAcd for queues, tAlert/tTalk/tHeld/tAcw/tHandle
/// (and tMonitoring for a supervisor listening in) for agents and users, nConnected for customers, tVoicemail for voicemail.
pub fn genesys_metrics(purpose: &Purpose, segments: &[Segment<'_>]) -> Vec<Metric<'static>> {
    let first = segments.iter().filter_map(|s| millis(s.segment_start.as_ref())).min().unwrap_or(0);
    let mut out = Vec::new();
    match purpose {
        Purpose::Ivr | Purpose::Botflow => {
            out.push(metric("nFlow", 1, first));
            let (ivr, at) = sum(segments, &SegmentType::Ivr);
            if at > 0 {
                out.push(metric("tIvr", ivr, at));
                out.push(metric("tFlow", ivr, at));
            }
        }
        Purpose::Acd => {
            out.push(metric("nOffered", 1, first));
            let (acd, at) = sum(segments, &SegmentType::Interact);
            if at > 0 {
                out.push(metric("tAcd", acd, at));
            }
        }
        Purpose::Agent | Purpose::User => {
            let (alert, alert_at) = sum(segments, &SegmentType::Alert);
            let (talk, talk_at) = sum(segments, &SegmentType::Interact);
            let (held, held_at) = sum(segments, &SegmentType::Hold);
            let (acw, acw_at) = sum(segments, &SegmentType::Wrapup);
            if alert_at > 0 {
                out.push(metric("tAlert", alert, alert_at));
            }
            if talk_at > 0 {
                out.push(metric("tTalk", talk, talk_at));
                out.push(metric("tTalkComplete", talk, talk_at));
            }
            if held_at > 0 {
                out.push(metric("tHeld", held, held_at));
                out.push(metric("tHeldComplete", held, held_at));
            }
            if acw_at > 0 {
                out.push(metric("tAcw", acw, acw_at));
            }
            if talk_at > 0 || held_at > 0 || acw_at > 0 {
                out.push(metric("tHandle", talk + held + acw, talk_at.max(held_at).max(acw_at)));
            }
            let (monitored, monitored_at) = sum(segments, &SegmentType::Monitoring);
            if monitored_at > 0 {
                out.push(metric("tMonitoring", monitored, monitored_at));
                out.push(metric("tMonitoringComplete", monitored, monitored_at));
            }
        }
        Purpose::Customer | Purpose::External => {
            let (connected, at) = sum(segments, &SegmentType::Interact);
            if at > 0 {
                out.push(metric("nConnected", 1, first));
                out.push(metric("tConnected", connected, at));
            }
        }
        Purpose::Voicemail => {
            let (vm, at) = sum(segments, &SegmentType::Voicemail);
            if at > 0 {
                out.push(metric("tVoicemail", vm, at));
            }
        }
        _ => {}
    }
    out
}

/// A session with its segments and the metrics Genesys computes for them, plus `extra`.
pub fn session(
    purpose: &Purpose,
    media: MediaType,
    direction: Direction,
    id: String,
    segments: Vec<Segment<'static>>,
    extra: Vec<Metric<'static>>,
) -> Session<'static> {
    let provider = if media == MediaType::Voice { "Edge" } else { "PureCloud Messaging" };
    let mut metrics = genesys_metrics(purpose, &segments);
    metrics.extend(extra);
    Session {
        media_type: Some(media),
        direction: Some(direction),
        session_id: text(id),
        provider: text(provider),
        metrics: Some(metrics),
        segments: Some(segments),
        ..Session::default()
    }
}

/// A participant.
pub fn participant(
    purpose: Purpose,
    id: String,
    name: Option<&str>,
    user_id: Option<&str>,
    sessions: Vec<Session<'static>>,
) -> Participant<'static> {
    Participant {
        participant_id: text(id),
        participant_name: name.and_then(text),
        purpose: Some(purpose),
        user_id: user_id.and_then(text),
        sessions: Some(sessions),
        ..Participant::default()
    }
}

/// Participant attributes from pairs.
pub fn attributes(pairs: &[(String, String)]) -> Attributes<'static> {
    Attributes(pairs.iter().map(|(k, v)| (Text::from(k.clone()), Text::from(v.clone()))).collect())
}

/// A flow.
#[allow(clippy::too_many_arguments)]
pub fn flow(
    id: &str,
    name: &str,
    flow_type: FlowType,
    version: &str,
    entry: (&str, Option<&str>),
    exit_reason: Option<&str>,
    transfer: Option<(&str, &str, &str)>,
    outcomes: Vec<FlowOutcome<'static>>,
) -> Flow<'static> {
    Flow {
        flow_id: text(id),
        flow_name: text(name),
        flow_type: Some(flow_type),
        flow_version: text(version),
        entry_type: Some(calltrail_model::EntryType::parse(entry.0)),
        entry_reason: entry.1.and_then(text),
        exit_reason: exit_reason.and_then(text),
        transfer_type: transfer.and_then(|t| text(t.0)),
        transfer_target_name: transfer.and_then(|t| text(t.1)),
        transfer_target_address: transfer.and_then(|t| text(t.2)),
        starting_language: text("en-us"),
        ending_language: text("en-us"),
        outcomes: (!outcomes.is_empty()).then_some(outcomes),
        ..Flow::default()
    }
}

/// A flow outcome; `end` is `None` when it was not reached.
pub fn outcome(id: &str, start: i64, end: Option<i64>) -> FlowOutcome<'static> {
    let value = if end.is_some() { "SUCCESS" } else { "FAILURE" };
    FlowOutcome {
        flow_outcome: text(format!("{id}:{value}")),
        flow_outcome_id: text(id),
        flow_outcome_value: text(value),
        flow_outcome_start_timestamp: ts(start),
        flow_outcome_end_timestamp: end.and_then(ts),
    }
}
