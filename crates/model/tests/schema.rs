//! The model and the glossary against the official schema and the public example records.

use std::path::PathBuf;

use calltrail_model::glossary::{self, FIELDS};
use calltrail_model::{
    parse_document, DisconnectType, Document, EntryType, FlowType, MediaType, Purpose, SegmentType,
};
use serde_json::Value;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/genesys").join(name)
}

fn schema() -> Value {
    serde_json::from_slice(&std::fs::read(testdata("openapi-subset.json")).unwrap()).unwrap()
}

fn enum_of(schema: &Value, definition: &str, property: &str) -> Vec<String> {
    let p = &schema["definitions"][definition]["properties"][property];
    let list =
        p.get("enum").or_else(|| p["items"].get("enum")).unwrap_or_else(|| panic!("{definition}.{property}"));
    list.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

#[test]
fn open_enums_know_exactly_the_schema_values() {
    let s = schema();
    let cases: [(&[&str], &str, &str); 8] = [
        (Purpose::KNOWN, "AnalyticsParticipant", "purpose"),
        (Purpose::KNOWN, "AnalyticsConversation", "conversationInitiator"),
        (MediaType::KNOWN, "AnalyticsSession", "mediaType"),
        (SegmentType::KNOWN, "AnalyticsConversationSegment", "segmentType"),
        (DisconnectType::KNOWN, "AnalyticsConversationSegment", "disconnectType"),
        (FlowType::KNOWN, "AnalyticsFlow", "flowType"),
        (EntryType::KNOWN, "AnalyticsFlow", "entryType"),
        (calltrail_model::Direction::KNOWN, "AnalyticsSession", "direction"),
    ];
    for (known, definition, property) in cases {
        assert_eq!(known, enum_of(&s, definition, property).as_slice(), "{definition}.{property}");
    }
}

/// Every property of the detail-record types has a glossary entry, and every enum value the
/// schema lists for it is explained there.
#[test]
fn glossary_covers_every_field_and_value_of_the_detail_record() {
    let s = schema();
    let sections = [
        ("conversation", "AnalyticsConversation"),
        ("participant", "AnalyticsParticipant"),
        ("session", "AnalyticsSession"),
        ("segment", "AnalyticsConversationSegment"),
        ("flow", "AnalyticsFlow"),
        ("outcome", "AnalyticsFlowOutcome"),
        ("metric", "AnalyticsSessionMetric"),
    ];
    let mut missing = Vec::new();
    for (prefix, definition) in sections {
        let properties = s["definitions"][definition]["properties"].as_object().unwrap();
        for (name, property) in properties {
            let path = format!("{prefix}.{name}");
            let Some(entry) = FIELDS.iter().find(|f| f.path == path) else {
                missing.push(path);
                continue;
            };
            assert!(entry.meaning.len() > 10, "{path} says too little");
            let values = property.get("enum").or_else(|| property["items"].get("enum"));
            if let Some(values) = values.and_then(Value::as_array) {
                for v in values {
                    let v = v.as_str().unwrap();
                    if !entry.values.iter().any(|(known, _)| *known == v) {
                        missing.push(format!("{path} = {v}"));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "glossary lacks: {missing:#?}");
}

#[test]
fn glossary_says_more_than_the_schema() {
    // The entries users asked about carry pitfalls, not just a definition.
    for name in ["session.sessionDnis", "session.ani", "session.dnis", "query.interval", "segment.wrapUpCode"]
    {
        let f = glossary::find(name);
        assert_eq!(f.len(), 1, "{name}");
        assert!(!f[0].pitfalls.is_empty(), "{name} has no pitfalls");
    }
    assert!(glossary::find("session.ani")[0].pitfalls.contains("dnis"));
    assert!(glossary::find("query.interval")[0].pitfalls.contains("UTC day"));
}

#[test]
fn every_example_file_parses() {
    let chat = std::fs::read(testdata("blueprint-sql-chat-conversation.json")).unwrap();
    let Ok(Document::Conversation(c)) = parse_document(&chat) else { panic!("chat example") };
    assert_eq!(c.participants().len(), 3);
    assert_eq!(c.participants()[2].sessions()[0].segments().len(), 3);

    let voice = std::fs::read(testdata("viadot-details-query-response-voice-ivr.json")).unwrap();
    let Ok(Document::Page(page)) = parse_document(&voice) else { panic!("query example") };
    assert_eq!(page.total_hits, Some(100));
    let conversations = page.conversations.unwrap();
    let ivr = &conversations[0].participants()[1].sessions()[0];
    assert_eq!(ivr.flow.as_ref().unwrap().transfer_type.as_deref(), Some("ACD"));
    assert_eq!(ivr.media_endpoint_stats.as_ref().unwrap()[0].received_packets, Some(229));

    let api = std::fs::read(testdata("viadot-get-conversation-participant-attributes.json")).unwrap();
    let Ok(Document::Api(record)) = parse_document(&api) else { panic!("conversations API example") };
    let attributes = record.participants()[0].attributes.as_ref().unwrap();
    assert_eq!(attributes.len(), 22);
    assert_eq!(
        attributes.get("Final Main Intent").map(calltrail_model::Text::as_str),
        Some("finalmainintent")
    );
}

/// Reading a record and writing it again keeps every field the schema defines.
#[test]
fn examples_round_trip_through_the_model() {
    for name in ["blueprint-sql-chat-conversation.json", "viadot-details-query-response-voice-ivr.json"] {
        let bytes = std::fs::read(testdata(name)).unwrap();
        let original: Value = serde_json::from_slice(&bytes).unwrap();
        let written = match parse_document(&bytes).unwrap() {
            Document::Conversation(c) => serde_json::to_value(&c).unwrap(),
            Document::Page(p) => serde_json::to_value(&p).unwrap(),
            _ => unreachable!(),
        };
        // Timestamps and numbers are kept as they came; compare as JSON values.
        assert_eq!(normalise(original), normalise(written), "{name}");
    }
}

/// The example writes `2020-01-01T00:00:00.00Z` and floats; both sides keep them verbatim, so
/// plain JSON equality is the check.
fn normalise(v: Value) -> Value {
    v
}
