//! The `hostile` profile's records: caller- and agent-influenced text made adversarial (script
//! tags, CSV formulas, control characters, very long values, enormous attribute maps), on a
//! share of the conversations. The answers the ground truth states do not change: hostile text
//! goes where the truth does not look (names, notes, extra attributes).
//!
//! And malformed records: a share of the conversations is always served with one field of the
//! wrong JSON type, its `conversationId` intact, so a client can say which record it could not
//! read and keep the rest.

use std::collections::HashMap;

use calltrail_model::{Purpose, SegmentType, Text, Timestamp};
use serde_json::Value;

use crate::generate::Planned;
use crate::rng::Rng;

const NASTY: &[&str] = &[
    "<script>alert('calltrail')</script>",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "line1\r\nline2\u{0}\u{7}\u{1b}[31m",
    "\"'; DROP TABLE calls; --",
    "../../../../etc/passwd",
    "\u{202e}evil\u{202d}",
];

/// Makes about one conversation in ten hostile.
pub fn apply(mut calls: Vec<Planned>, seed: u64) -> Vec<Planned> {
    let mut rng = Rng::derive(seed, 0x4057);
    for planned in &mut calls {
        if !rng.chance(0.1) {
            continue;
        }
        let nasty = |rng: &mut Rng| Text::from((*rng.pick(NASTY)).to_owned());
        let big = rng.chance(0.2);
        let records =
            std::iter::once(&mut planned.record).chain(planned.before_change.as_mut().map(|(_, r)| r));
        for record in records {
            for p in record.participants.iter_mut().flatten() {
                if p.purpose == Some(Purpose::Customer) {
                    p.participant_name = Some(nasty(&mut rng));
                    let attributes = p.attributes.get_or_insert_with(Default::default);
                    attributes.0.push((Text::from("Comment".to_owned()), nasty(&mut rng)));
                    attributes.0.push((Text::from("<b>key</b>".to_owned()), nasty(&mut rng)));
                    if big {
                        for i in 0..2000 {
                            attributes.0.push((Text::from(format!("Extra{i}")), Text::from("x".repeat(64))));
                        }
                        attributes.0.push((Text::from("Long".to_owned()), Text::from("A".repeat(1024))));
                    }
                }
                for s in p.sessions.iter_mut().flatten() {
                    for g in s.segments.iter_mut().flatten() {
                        if g.segment_type == Some(SegmentType::Wrapup) && g.wrap_up_code.is_some() {
                            g.wrap_up_note = Some(nasty(&mut rng));
                        }
                    }
                }
            }
        }
    }
    calls
}

/// How a malformed record is broken: one field of the wrong JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformation {
    /// `conversationStart` as epoch milliseconds rather than an ISO-8601 string.
    StartAsNumber,
    /// `participants` as an object rather than an array.
    ParticipantsAsObject,
    /// A metric's `value` as a string of digits.
    MetricAsText,
    /// A segment as `null`.
    SegmentAsNull,
}

impl Malformation {
    const ALL: [Malformation; 4] = [
        Malformation::StartAsNumber,
        Malformation::ParticipantsAsObject,
        Malformation::MetricAsText,
        Malformation::SegmentAsNull,
    ];
}

/// Picks the conversations served malformed, about `share` of them, and how each is broken.
pub fn malformed(calls: &[Planned], share: f64, seed: u64) -> HashMap<String, Malformation> {
    let mut rng = Rng::derive(seed, 0x0BAD);
    let mut picked = HashMap::new();
    for planned in calls {
        if rng.chance(share) {
            picked.insert(planned.truth.conversation_id.clone(), *rng.pick(&Malformation::ALL));
        }
    }
    picked
}

/// Breaks a detail record, as JSON, the way `how` says. A record without the part to break (no
/// metric, no segment) has its `conversationStart` broken instead.
pub fn break_record(record: &mut Value, how: Malformation) {
    let broke = match how {
        Malformation::StartAsNumber => false,
        Malformation::ParticipantsAsObject => match record.get_mut("participants") {
            Some(participants @ Value::Array(_)) => {
                let first = participants.get(0).cloned().unwrap_or(Value::Null);
                *participants = serde_json::json!({ "participant": first });
                true
            }
            _ => false,
        },
        Malformation::MetricAsText => {
            first_in_sessions(record, "metrics").and_then(Value::as_object_mut).is_some_and(|metric| {
                let text = metric.get("value").map(Value::to_string).unwrap_or_default();
                metric.insert("value".into(), Value::String(text));
                true
            })
        }
        Malformation::SegmentAsNull => first_in_sessions(record, "segments").is_some_and(|segment| {
            *segment = Value::Null;
            true
        }),
    };
    if !broke {
        let start = record.get("conversationStart").and_then(Value::as_str).and_then(Timestamp::parse);
        if let Some(fields) = record.as_object_mut() {
            fields.insert("conversationStart".into(), Value::from(start.map_or(0, |t| t.0)));
        }
    }
}

/// The first element of the first non-empty `list` (`metrics`, `segments`) of any session.
fn first_in_sessions<'v>(record: &'v mut Value, list: &str) -> Option<&'v mut Value> {
    record
        .get_mut("participants")?
        .as_array_mut()?
        .iter_mut()
        .filter_map(|p| p.get_mut("sessions").and_then(Value::as_array_mut))
        .flatten()
        .filter_map(|s| s.get_mut(list).and_then(Value::as_array_mut))
        .find_map(|items| items.first_mut())
}

#[cfg(test)]
mod tests {
    use super::{break_record, Malformation};

    #[test]
    fn each_malformation_breaks_the_read_and_keeps_the_id() {
        let record = serde_json::json!({
            "conversationId": "c1", "conversationStart": "2024-05-01T10:00:00.000Z",
            "participants": [{"purpose": "customer", "sessions": [{
                "segments": [{"segmentType": "interact", "segmentStart": "2024-05-01T10:00:00.000Z"}],
                "metrics": [{"name": "tTalk", "value": 5}]}]}]
        });
        let expected = [
            (Malformation::StartAsNumber, "conversationStart: invalid type: integer `1714557600000`"),
            (Malformation::ParticipantsAsObject, "participants: invalid type: map"),
            (
                Malformation::MetricAsText,
                "participants[0].sessions[0].metrics[0].value: invalid type: string \"5\"",
            ),
            (Malformation::SegmentAsNull, "participants[0].sessions[0].segments[0]: invalid type: null"),
        ];
        for (how, says) in expected {
            let mut broken = record.clone();
            break_record(&mut broken, how);
            let error = calltrail_model::parse_document(broken.to_string().as_bytes()).unwrap_err();
            assert_eq!(error.conversation_id.as_deref(), Some("c1"));
            assert!(error.to_string().starts_with(&format!("conversation `c1`: {says}")), "{how:?}: {error}");
        }
        // Nothing to break of the kind asked: the start is broken instead.
        let mut bare =
            serde_json::json!({"conversationId": "c2", "conversationStart": "2024-05-01T10:00:00.000Z"});
        break_record(&mut bare, Malformation::SegmentAsNull);
        assert_eq!(bare["conversationStart"], 1_714_557_600_000_i64);
    }
}
