//! A small builder for hand-written detail records: times are seconds after a base instant,
//! so a scenario reads like a timeline.
#![allow(dead_code)]

use calltrail_explain::{explain, CallRecord, Context, Lookups, Settings, Timestamp};
use calltrail_model::{ApiConversation, Conversation};
use serde_json::{json, Map, Value};

/// Seconds after `base`, as an RFC 3339 time.
pub struct Clock {
    pub base: i64,
}

impl Clock {
    pub fn new(base: &str) -> Self {
        Clock { base: Timestamp::parse(base).unwrap().millis() }
    }
    pub fn t(&self, seconds: f64) -> String {
        #[allow(clippy::cast_possible_truncation)]
        Timestamp(self.base + (seconds * 1000.0).round() as i64).to_rfc3339()
    }
    pub fn seg(&self, kind: &str, from: f64, to: f64) -> Value {
        json!({"segmentType": kind, "segmentStart": self.t(from), "segmentEnd": self.t(to), "conference": false})
    }
    pub fn segx(&self, kind: &str, from: f64, to: f64, extra: Value) -> Value {
        merge(self.seg(kind, from, to), extra)
    }
    /// A segment that has not ended.
    pub fn open(&self, kind: &str, from: f64, extra: Value) -> Value {
        merge(json!({"segmentType": kind, "segmentStart": self.t(from), "conference": false}), extra)
    }
    pub fn metrics(&self, at: f64, list: &[(&str, i64)]) -> Value {
        Value::Array(
            list.iter().map(|(n, v)| json!({"name": n, "value": v, "emitDate": self.t(at)})).collect(),
        )
    }
}

pub fn merge(mut base: Value, extra: Value) -> Value {
    if let (Value::Object(b), Value::Object(e)) = (&mut base, extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
    base
}

pub fn session(media: &str, direction: &str, extra: Value, segments: Vec<Value>) -> Value {
    merge(json!({"mediaType": media, "direction": direction, "segments": Value::Array(segments)}), extra)
}

pub fn participant(purpose: &str, id: &str, extra: Value, sessions: Vec<Value>) -> Value {
    merge(json!({"purpose": purpose, "participantId": id, "sessions": Value::Array(sessions)}), extra)
}

pub fn conversation(
    id: &str,
    clock: &Clock,
    start: f64,
    end: Option<f64>,
    participants: Vec<Value>,
) -> Value {
    let mut c = Map::new();
    c.insert("conversationId".into(), json!(id));
    c.insert("conversationStart".into(), json!(clock.t(start)));
    if let Some(end) = end {
        c.insert("conversationEnd".into(), json!(clock.t(end)));
    }
    c.insert("participants".into(), Value::Array(participants));
    Value::Object(c)
}

pub fn lookups() -> Lookups {
    serde_json::from_value(json!({
        "users": {"u-ana": "Ana Agent", "u-ben": "Ben Agent", "u-cho": "Cho User", "u-dee": "Dee User"},
        "queues": {"q-billing": "Billing Queue", "q-tech": "Tech Queue"},
        "wrapup_codes": {"w-refund": "Refund issued", "w-fixed": "Fixed", "w-sale": "Sale"},
        "flows": {"f-main": "Main IVR"},
        "flow_outcomes": {"o-ident": "Identified", "o-balance": "Balance given"}
    }))
    .unwrap()
}

pub fn settings() -> Settings {
    serde_json::from_value(json!({
        "reason": {"attributes": ["Final Main Intent", "MainIntent1"]},
        "ivr": {"checkpoints": ["MainIntent1", "SubIntent1"]}
    }))
    .unwrap()
}

/// Explains `record` with the test lookups and settings and hands the call record to `then`.
/// Both readers must read the record (and `api`) alike.
pub fn explained<R>(record: &Value, api: Option<&Value>, then: impl FnOnce(&CallRecord<'_>) -> R) -> R {
    let text = serde_json::to_string(record).unwrap();
    let conversation: Conversation<'_> = serde_json::from_str(&text).unwrap();
    // The direct reader reads every record exactly as serde does.
    assert_eq!(
        calltrail_model::reader::read::<Conversation<'_>>(text.as_bytes()).as_ref(),
        Ok(&conversation)
    );
    let api_text = api.map(|a| serde_json::to_string(a).unwrap());
    let api: Option<ApiConversation<'_>> = api_text.as_deref().map(|t| serde_json::from_str(t).unwrap());
    if let (Some(text), Some(api)) = (&api_text, &api) {
        assert_eq!(calltrail_model::reader::read::<ApiConversation<'_>>(text.as_bytes()).as_ref(), Ok(api));
    }
    let (lookups, settings) = (lookups(), settings());
    let ctx = Context { lookups: &lookups, settings: &settings };
    let call = explain(&conversation, api.as_ref(), &ctx);
    // Written as explain writes it, the strings borrowed from the document copied unscanned:
    // still exactly serde's bytes.
    let mut written = Vec::new();
    calltrail_explain::json::write_json_from(&call, text.as_bytes(), &mut written);
    assert_eq!(String::from_utf8(written).unwrap(), serde_json::to_string(&call).unwrap());
    then(&call)
}

/// Explains `record` with the test lookups and settings, returning the call record as JSON.
pub fn explain_value(record: &Value, api: Option<&Value>) -> Value {
    explained(record, api, to_value)
}

/// The text story of `record`, explained with the test lookups and settings.
pub fn story_of(record: &Value) -> String {
    explained(record, None, calltrail_explain::story::render)
}

/// The call record as JSON, after checking that its direct writer writes exactly serde's bytes.
pub fn to_value(call: &CallRecord<'_>) -> Value {
    let serde = serde_json::to_string(call).unwrap();
    assert_eq!(calltrail_explain::json::to_json_string(call), serde);
    serde_json::from_str(&serde).unwrap()
}
