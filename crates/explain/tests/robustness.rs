//! No input makes the explainer panic: arbitrary bytes, and valid records with any field
//! replaced by any JSON value (absurd dates, segments ending before they start, huge numbers,
//! wrong types, deep nesting).
// Tables here mirror JSON records: literal numbers are milliseconds as Genesys writes them.
#![allow(clippy::unreadable_literal, clippy::needless_pass_by_value, clippy::cast_possible_truncation)]

mod support;

use calltrail_explain::{explain, story, CallRecord, Context, Lookups, Settings};
use calltrail_model::parse_document;
use proptest::prelude::*;
use serde_json::{json, Value};
use support::{conversation, participant, session, Clock};

fn rich_record() -> Value {
    let c = Clock::new("2024-03-05T23:59:00.000Z");
    conversation(
        "conv-rich",
        &c,
        0.0,
        Some(200.0),
        vec![
            participant(
                "customer",
                "p1",
                json!({"participantName": "C", "attributes": {"MainIntent1": "Billing"}}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"ani": "tel:+1555", "dnis": "tel:+1800", "metrics": c.metrics(200.0, &[("nConnected", 1)])}),
                    vec![c.segx("interact", 0.0, 200.0, json!({"disconnectType": "endpoint"}))],
                )],
            ),
            participant(
                "ivr",
                "p2",
                json!({}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"flow": {"flowId": "f", "flowName": "IVR", "flowType": "INBOUNDCALL", "transferTargetName": "Q", "transferType": "ACD",
                "outcomes": [{"flowOutcomeId": "o", "flowOutcomeValue": "SUCCESS", "flowOutcomeStartTimestamp": c.t(1.0), "flowOutcomeEndTimestamp": c.t(2.0)}]},
                "metrics": c.metrics(20.0, &[("tIvr", 20_000)])}),
                    vec![c.segx("ivr", 0.0, 20.0, json!({"disconnectType": "transfer"}))],
                )],
            ),
            participant(
                "acd",
                "p3",
                json!({}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"metrics": c.metrics(40.0, &[("tAcd", 20_000)])}),
                    vec![c.segx(
                        "interact",
                        20.0,
                        40.0,
                        json!({"queueId": "q", "disconnectType": "transfer"}),
                    )],
                )],
            ),
            participant(
                "agent",
                "p4",
                json!({"userId": "u"}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"metrics": c.metrics(230.0, &[("tTalk", 160_000)])}),
                    vec![
                        c.segx("alert", 35.0, 40.0, json!({"queueId": "q"})),
                        c.segx("interact", 40.0, 200.0, json!({"queueId": "q", "disconnectType": "peer"})),
                        c.segx(
                            "wrapup",
                            200.0,
                            230.0,
                            json!({"wrapUpCode": "ININ-WRAP-UP-TIMEOUT", "wrapUpNote": "n"}),
                        ),
                    ],
                )],
            ),
        ],
    )
}

/// Every path to a node of `value`.
fn paths(value: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                prefix.push(k.clone());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(i.to_string());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn replace(value: &mut Value, path: &[String], with: Value) {
    let mut node = value;
    for key in path {
        node = match node {
            Value::Object(map) => map.get_mut(key).unwrap(),
            Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    *node = with;
}

fn weird_values() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!("9999-12-31T23:59:59.999Z")),
        Just(json!("0001-01-01T00:00:00Z")),
        Just(json!("2024-03-05T23:58:00.000Z")),
        Just(json!("2024-02-30T00:00:00Z")),
        Just(json!("")),
        Just(json!("<script>alert(1)</script>")),
        Just(json!("=HYPERLINK(\"x\")")),
        "\\PC{0,30}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn explain_bytes(bytes: &[u8]) {
    let Ok(doc) = parse_document(bytes) else { return };
    let (lookups, settings) = (Lookups::default(), support::settings());
    let ctx = Context { lookups: &lookups, settings: &settings };
    for c in doc.into_conversations() {
        let call = explain(&c, None, &ctx);
        support::to_value(&call);
        let _ = story::render(&call);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_field_replaced_by_anything(pick in any::<prop::sample::Index>(), with in weird_values()) {
        let mut record = rich_record();
        let mut all = Vec::new();
        paths(&record, &mut Vec::new(), &mut all);
        let path = pick.get(&all).clone();
        replace(&mut record, &path, with);
        explain_bytes(&serde_json::to_vec(&record).unwrap());
    }

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        explain_bytes(&bytes);
    }

    #[test]
    fn truncated_records(cut in 0usize..4000) {
        let bytes = serde_json::to_vec(&rich_record()).unwrap();
        explain_bytes(&bytes[..cut.min(bytes.len())]);
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_document(deep.as_bytes()).is_err());
    let deep_obj = format!(
        "{{\"conversationId\":\"x\",\"participants\":[{{\"attributes\":{}{}}}]}}",
        "{\"a\":".repeat(50_000),
        "1".to_owned() + &"}".repeat(50_000)
    );
    assert!(parse_document(deep_obj.as_bytes()).is_err());
}

#[test]
fn absurd_values_still_explain() {
    let _ = Settings::default();
    let mut record = rich_record();
    record["conversationStart"] = json!("9999-12-31T23:59:59.999Z");
    record["participants"][3]["sessions"][0]["segments"][1]["segmentEnd"] = json!("0001-01-01T00:00:00Z");
    record["participants"][3]["sessions"][0]["metrics"][0]["value"] = json!(i64::MAX);
    explained(&record, |call| {
        assert!(call.warnings.iter().any(|w| w.contains("ends before it starts")), "{:?}", call.warnings);
        assert!(call.warnings.iter().any(|w| w.contains("before conversationStart")), "{:?}", call.warnings);
        assert!(call.phases.iter().all(|p| p.duration_ms.is_none_or(|d| d >= 0)));
    });
}

/// Explains one record (as JSON) with no lookups or settings, and hands the call record to `check`.
fn explained(record: &Value, check: impl FnOnce(&CallRecord<'_>)) {
    let bytes = serde_json::to_vec(record).unwrap();
    let doc = parse_document(&bytes).unwrap();
    let (lookups, settings) = (Lookups::default(), Settings::default());
    let ctx = Context { lookups: &lookups, settings: &settings };
    let conversations = doc.into_conversations();
    check(&explain(&conversations[0], None, &ctx));
}

#[test]
fn an_unreadable_start_is_called_unreadable_and_the_first_segment_stands_in() {
    let mut record = rich_record();
    record["conversationStart"] = json!("2024-13-45T99:00:00Z");
    explained(&record, |call| {
        let first = call.phases.iter().filter_map(|p| p.start).min();
        assert_eq!(call.start, first);
        assert!(
            call.warnings
                .iter()
                .any(|w| w == "conversationStart is unreadable; the first segment start is used"),
            "{:?}",
            call.warnings
        );
        assert!(
            call.warnings.iter().any(|w| w.contains("`2024-13-45T99:00:00Z` is not an RFC 3339 time")),
            "{:?}",
            call.warnings
        );
        assert!(!call.warnings.iter().any(|w| w.contains("missing")), "{:?}", call.warnings);
    });
}
