//! The public example records, explained, with their answers asserted.
// Tables here mirror JSON records: literal numbers are milliseconds as Genesys writes them.
#![allow(clippy::unreadable_literal, clippy::needless_pass_by_value, clippy::cast_possible_truncation)]

mod support;

use std::path::PathBuf;

use calltrail_explain::{explain, Context, Lookups, Settings};
use calltrail_model::{parse_document, ApiConversation, Document};
use serde_json::{json, Value};

fn read(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/genesys").join(name))
        .unwrap()
}

fn explain_file(bytes: &[u8], api: Option<&ApiConversation<'_>>, settings: &Settings) -> Vec<Value> {
    let lookups = Lookups::default();
    let ctx = Context { lookups: &lookups, settings };
    parse_document(bytes)
        .unwrap()
        .into_conversations()
        .iter()
        .map(|c| support::to_value(&explain(c, api, &ctx)))
        .collect()
}

#[test]
fn chat_example() {
    let calls = explain_file(&read("blueprint-sql-chat-conversation.json"), None, &Settings::default());
    let call = &calls[0];
    assert_eq!(call["media_type"], "chat");
    assert_eq!(call["direction"], "inbound");
    assert_eq!(call["from"]["name"], "John Doe");
    assert_eq!(call["answered_by"]["user_id"], "50fcd33c-f432-4726-abc9-979f3ca01555");
    assert_eq!(call["answered_by"]["at"], "2021-04-01T12:28:04.569Z");
    // Genesys' own numbers: tAcd 11179 on the queue, tAlert 11050 on the agent.
    assert_eq!(call["totals"]["queue_ms"], 11179);
    assert_eq!(call["totals"]["alert_ms"], 11050);
    assert_eq!(call["queues"][0]["outcome"], "answered");
    assert_eq!(call["duration_ms"], 929_920);
    // The customer's chat timed out; the agent's side ended as `peer`.
    assert_eq!(call["disconnect"]["by"], "system");
    assert_eq!(call["disconnect"]["type"], "timeout");
    assert_eq!(call["outcome"], "answered");
    assert_eq!(call["warnings"], json!([]));
    // The chat was addressed to a queue (`system` in the record): the story calls it one.
    assert_eq!(call["to"]["role"], "system");
    let record: Value = serde_json::from_slice(&read("blueprint-sql-chat-conversation.json")).unwrap();
    let story = support::story_of(&record);
    assert!(story.contains("\n  To         Yuri (queue)\n"), "{story}");
}

#[test]
fn voice_ivr_query_example() {
    let calls =
        explain_file(&read("viadot-details-query-response-voice-ivr.json"), None, &Settings::default());
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call["media_type"], "voice");
    assert_eq!(call["direction_label"], "Inbound");
    assert_eq!(call["from"]["address"], "tel:+xxxxxxxxxxx");
    assert_eq!(call["from"]["name"], "Mobile Number, Country");
    assert_eq!(call["to"]["role"], "ivr");
    assert_eq!(call["ivr"]["flows"][0]["flow_type"], "INBOUNDCALL");
    assert_eq!(call["ivr"]["flows"][0]["flow_version"], "22.0");
    assert_eq!(call["ivr"]["exit"], "transfer");
    assert_eq!(call["ivr"]["reason_source"], "transfer_target");
    assert_eq!(call["ivr"]["reason"], "xxxxxxxxxxxxxxxxxxxxx");
    // Transferred to a queue (ACD), no queue participant in the record, nobody answered.
    assert_eq!(call["outcome"], "abandoned_in_queue");
    assert_eq!(call["answered_by"], Value::Null);
    assert_eq!(call["warnings"], json!([]));
}

#[test]
fn conversations_api_example_supplies_the_reason() {
    let api_bytes = read("viadot-get-conversation-participant-attributes.json");
    let Document::Api(api) = parse_document(&api_bytes).unwrap() else { panic!() };
    // A detail record of the same conversation, as the query would return it (no attributes).
    let detail = serde_json::to_vec(&json!({
        "conversationId": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        "conversationStart": "2023-06-28T10:59:48.194Z",
        "conversationEnd": "2023-06-28T11:02:00.000Z",
        "participants": [{"participantId": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "purpose": "customer",
            "sessions": [{"mediaType": "voice", "direction": "inbound", "segments": [
                {"segmentType": "interact", "segmentStart": "2023-06-28T10:59:48.194Z",
                 "segmentEnd": "2023-06-28T11:02:00.000Z", "disconnectType": "endpoint"}]}]}]
    }))
    .unwrap();
    let calls = explain_file(&detail, Some(&api), &support::settings());
    let call = &calls[0];
    assert_eq!(call["ivr"]["reason"], "finalmainintent");
    assert_eq!(call["ivr"]["reason_source"], "attribute:Final Main Intent");
    assert_eq!(call["ivr"]["attributes"].as_object().unwrap().len(), 22);
    assert_eq!(call["ivr"]["path"], json!(["MainIntent1=mainintent1", "SubIntent1=subintent1"]));
}
