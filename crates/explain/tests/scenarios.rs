//! One hand-written detail record per scenario a record can express, each explained and
//! checked: the answers that matter are asserted by JSON pointer, and the whole call record is
//! pinned by a reviewed snapshot.
// Tables here mirror JSON records: literal numbers are milliseconds as Genesys writes them.
#![allow(clippy::unreadable_literal, clippy::needless_pass_by_value, clippy::cast_possible_truncation)]

mod support;

use serde_json::{json, Value};
use support::{conversation, explain_value, participant, session, Clock};

/// Asserts each `(json pointer, expected)` pair, naming the first that differs.
fn check(call: &Value, expected: &[(&str, Value)]) {
    for (pointer, want) in expected {
        let got = call.pointer(pointer).unwrap_or_else(|| panic!("no {pointer} in {call:#}"));
        assert_eq!(got, want, "{pointer} in {call:#}");
    }
}

fn clock() -> Clock {
    Clock::new("2024-03-05T14:00:00.000Z")
}

fn customer_in(c: &Clock, end: f64, disconnect: &str, extra: Value) -> Value {
    participant(
        "customer",
        "p-cust",
        json!({"participantName": "Carla Customer", "externalContactId": "ec-1"}),
        vec![session(
            "voice",
            "inbound",
            json!({"ani": "tel:+15551230001", "dnis": "tel:+18005550100", "sessionId": "s-cust"}),
            vec![c.segx("interact", 0.0, end, merge_disc(disconnect, extra))],
        )],
    )
}

/// An inbound customer whose call has not ended: their one segment is still open.
fn customer_still_connected(c: &Clock) -> Value {
    participant(
        "customer",
        "p-cust",
        json!({}),
        vec![session(
            "voice",
            "inbound",
            json!({"ani": "tel:+15551230001"}),
            vec![c.open("interact", 0.0, json!({}))],
        )],
    )
}

fn merge_disc(disconnect: &str, extra: Value) -> Value {
    support::merge(json!({"disconnectType": disconnect}), extra)
}

fn ivr(c: &Clock, end: f64, disconnect: &str, flow: Value, metrics_at: f64) -> Value {
    participant(
        "ivr",
        "p-ivr",
        json!({"participantName": "Main IVR"}),
        vec![session(
            "voice",
            "inbound",
            json!({"sessionId": "s-ivr", "flow": flow, "metrics": c.metrics(metrics_at, &[("nFlow", 1), ("tIvr", (end * 1000.0) as i64)])}),
            vec![c.segx("ivr", 0.0, end, json!({"disconnectType": disconnect}))],
        )],
    )
}

fn main_flow(transfer_to: Option<(&str, &str)>, outcomes: Value) -> Value {
    let mut flow = json!({
        "flowId": "f-main", "flowName": "Main IVR", "flowType": "INBOUNDCALL", "flowVersion": "12.0",
        "entryType": "dnis", "entryReason": "tel:+18005550100", "outcomes": outcomes
    });
    match transfer_to {
        Some((name, address)) => {
            flow = support::merge(
                flow,
                json!({"exitReason": "TRANSFER", "transferType": "ACD",
                "transferTargetName": name, "transferTargetAddress": address}),
            );
        }
        None => flow = support::merge(flow, json!({"exitReason": "DISCONNECT"})),
    }
    flow
}

fn acd(
    c: &Clock,
    id: &str,
    queue: &str,
    from: f64,
    to: f64,
    disconnect: &str,
    metrics: &[(&str, i64)],
) -> Value {
    participant(
        "acd",
        id,
        json!({"participantName": if queue == "q-billing" { "Billing Queue" } else { "Tech Queue" }}),
        vec![session(
            "voice",
            "inbound",
            json!({"sessionId": format!("s-{id}"), "metrics": c.metrics(to, metrics)}),
            vec![c.segx("interact", from, to, json!({"queueId": queue, "disconnectType": disconnect}))],
        )],
    )
}

fn agent(id: &str, user: &str, name: &str, sessions: Vec<Value>) -> Value {
    participant("agent", id, json!({"userId": user, "participantName": name}), sessions)
}

#[test]
fn inbound_answered_with_hold_and_wrapup() {
    let c = clock();
    let record = conversation("conv-answered", &c, 0.0, Some(330.0), vec![
        support::merge(customer_in(&c, 300.0, "endpoint", json!({})), json!({"attributes": {"MainIntent1": "Billing", "SubIntent1": "Refund"}})),
        ivr(&c, 40.0, "transfer", main_flow(Some(("Billing Queue", "q-billing")), json!([
            {"flowOutcomeId": "o-ident", "flowOutcomeValue": "SUCCESS", "flowOutcome": "o-ident:SUCCESS",
             "flowOutcomeStartTimestamp": c.t(5.0), "flowOutcomeEndTimestamp": c.t(20.0)},
            {"flowOutcomeId": "o-balance", "flowOutcomeValue": "FAILURE", "flowOutcome": "o-balance:FAILURE",
             "flowOutcomeStartTimestamp": c.t(21.0)}
        ])), 40.0),
        acd(&c, "p-acd", "q-billing", 40.0, 78.0, "transfer", &[("nOffered", 1), ("tAcd", 38_000)]),
        agent("p-ana", "u-ana", "Ana A.", vec![session("voice", "inbound",
            json!({"sessionId": "s-ana", "metrics": c.metrics(330.0, &[("tAlert", 8000), ("tAnswered", 38_000), ("tTalk", 192_000), ("tHeld", 30_000), ("tAcw", 30_000), ("tHandle", 252_000)])}),
            vec![
                c.segx("alert", 70.0, 78.0, json!({"queueId": "q-billing"})),
                c.segx("interact", 78.0, 200.0, json!({"queueId": "q-billing"})),
                c.segx("hold", 200.0, 230.0, json!({"queueId": "q-billing"})),
                c.segx("interact", 230.0, 300.0, json!({"queueId": "q-billing", "disconnectType": "peer"})),
                c.segx("wrapup", 300.0, 330.0, json!({"queueId": "q-billing", "wrapUpCode": "w-refund", "wrapUpNote": "Refund of last bill"})),
            ])]),
    ]);
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/direction", json!("inbound")),
            ("/direction_label", json!("Inbound")),
            ("/from/role", json!("customer")),
            ("/from/address", json!("tel:+15551230001")),
            ("/from/name", json!("Carla Customer")),
            ("/to/address", json!("tel:+18005550100")),
            ("/to/role", json!("ivr")),
            ("/to/name", json!("Main IVR")),
            ("/customer_number", json!("+15551230001")),
            ("/placed_by/role", json!("customer")),
            ("/answered_by/name", json!("Ana Agent")),
            ("/answered_by/at", json!("2024-03-05T14:01:18.000Z")),
            ("/duration_ms", json!(330_000)),
            (
                "/totals",
                json!({"ivr_ms": 40000, "queue_ms": 38000, "alert_ms": 8000, "talk_ms": 192000, "hold_ms": 30000, "acw_ms": 30000, "handle_ms": 252000, "voicemail_ms": 0}),
            ),
            ("/ivr/reason", json!("Billing")),
            ("/ivr/reason_source", json!("attribute:MainIntent1")),
            (
                "/ivr/path",
                json!([
                    "Main IVR",
                    "outcome:Identified",
                    "MainIntent1=Billing",
                    "SubIntent1=Refund",
                    "transfer:Billing Queue"
                ]),
            ),
            ("/ivr/exit", json!("transfer")),
            ("/ivr/flows/0/outcomes/1/succeeded", json!(false)),
            ("/queues/0/queue_name", json!("Billing Queue")),
            ("/queues/0/outcome", json!("answered")),
            ("/queues/0/wait_ms", json!(38000)),
            (
                "/wrapup",
                json!({"user_id": "u-ana", "code_id": "w-refund", "code_name": "Refund issued", "note": "Refund of last bill", "tags": []}),
            ),
            ("/disconnect/by", json!("customer")),
            ("/disconnect/type", json!("endpoint")),
            ("/outcome", json!("answered")),
            ("/transfers", json!(0)),
            ("/warnings", json!([])),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn abandoned_in_ivr() {
    let c = clock();
    let record = conversation(
        "conv-ivr-abandon",
        &c,
        0.0,
        Some(25.0),
        vec![
            customer_in(&c, 25.0, "endpoint", json!({})),
            ivr(&c, 25.0, "peer", main_flow(None, json!([])), 25.0),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/outcome", json!("abandoned_in_ivr")),
            ("/ivr/exit", json!("disconnect")),
            ("/ivr/path", json!(["Main IVR", "disconnect"])),
            ("/ivr/reason", Value::Null),
            ("/disconnect/by", json!("customer")),
            ("/answered_by", Value::Null),
            ("/totals/ivr_ms", json!(25000)),
            ("/warnings", json!([])),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn abandoned_in_queue() {
    let c = clock();
    let record = conversation(
        "conv-queue-abandon",
        &c,
        0.0,
        Some(95.0),
        vec![
            customer_in(&c, 95.0, "endpoint", json!({"queueId": "q-tech"})),
            ivr(&c, 20.0, "transfer", main_flow(Some(("Tech Queue", "q-tech")), json!([])), 20.0),
            acd(
                &c,
                "p-acd",
                "q-tech",
                20.0,
                95.0,
                "peer",
                &[("nOffered", 1), ("tAcd", 75_000), ("tAbandon", 75_000)],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/outcome", json!("abandoned_in_queue")),
            ("/queues/0/outcome", json!("abandoned")),
            ("/queues/0/wait_ms", json!(75000)),
            ("/ivr/reason", json!("Tech Queue")),
            ("/ivr/reason_source", json!("transfer_target")),
            ("/disconnect/by", json!("customer")),
            ("/warnings", json!([])),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn self_served_in_ivr() {
    let c = clock();
    let mut record = conversation(
        "conv-self",
        &c,
        0.0,
        Some(60.0),
        vec![
            customer_in(&c, 60.0, "peer", json!({})),
            ivr(
                &c,
                60.0,
                "endpoint",
                main_flow(
                    None,
                    json!([
                        {"flowOutcomeId": "o-balance", "flowOutcomeValue": "SUCCESS", "flowOutcomeStartTimestamp": c.t(10.0), "flowOutcomeEndTimestamp": c.t(50.0)}
                    ]),
                ),
                60.0,
            ),
        ],
    );
    record["selfServed"] = json!(true);
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/outcome", json!("self_served")),
            ("/ivr/exit", json!("self_served")),
            ("/ivr/reason", json!("Balance given")),
            ("/ivr/reason_source", json!("flow_outcome")),
            ("/ivr/path", json!(["Main IVR", "outcome:Balance given", "self_served"])),
            ("/disconnect/by", json!("ivr")),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn not_responding_agent_then_another_answers() {
    let c = clock();
    let record = conversation("conv-rona", &c, 0.0, Some(150.0), vec![
        customer_in(&c, 120.0, "peer", json!({})),
        acd(&c, "p-acd", "q-tech", 0.0, 50.0, "transfer", &[("nOffered", 1), ("tAcd", 50_000)]),
        agent("p-ben", "u-ben", "Ben", vec![session("voice", "inbound",
            json!({"metrics": c.metrics(45.0, &[("tAlert", 15_000), ("tNotResponding", 15_000), ("nError", 1)])}),
            vec![c.segx("alert", 30.0, 45.0, json!({"queueId": "q-tech", "disconnectType": "client", "errorCode": "error.ininedgecontrol.session.inactive"}))])]),
        agent("p-ana", "u-ana", "Ana", vec![session("voice", "inbound",
            json!({"metrics": c.metrics(150.0, &[("tAlert", 5000), ("tTalk", 70_000), ("tAcw", 30_000), ("tHandle", 100_000)])}),
            vec![
                c.segx("alert", 45.0, 50.0, json!({"queueId": "q-tech"})),
                c.segx("interact", 50.0, 120.0, json!({"queueId": "q-tech", "disconnectType": "client"})),
                c.segx("wrapup", 120.0, 150.0, json!({"wrapUpCode": "w-fixed"})),
            ])]),
    ]);
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/agents/0/name", json!("Ben Agent")),
            ("/agents/0/answered", json!(false)),
            ("/agents/0/not_responding", json!(true)),
            ("/agents/0/alert_ms", json!(15000)),
            ("/agents/1/name", json!("Ana Agent")),
            ("/agents/1/answered", json!(true)),
            ("/agents/1/not_responding", json!(false)),
            ("/answered_by/name", json!("Ana Agent")),
            ("/totals/alert_ms", json!(20000)),
            ("/wrapup/code_name", json!("Fixed")),
            ("/disconnect/by", json!("agent")),
            ("/disconnect/participant_id", json!("p-ana")),
            ("/outcome", json!("answered")),
            ("/warnings", json!([])),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn blind_transfer_to_another_queue() {
    let c = clock();
    let record = conversation(
        "conv-blind",
        &c,
        0.0,
        Some(230.0),
        vec![
            customer_in(&c, 200.0, "endpoint", json!({})),
            acd(&c, "p-acd1", "q-billing", 0.0, 20.0, "transfer", &[("tAcd", 20_000)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 20.0, 25.0, json!({"queueId": "q-billing"})),
                        c.segx(
                            "interact",
                            25.0,
                            90.0,
                            json!({"queueId": "q-billing", "disconnectType": "transfer"}),
                        ),
                        c.segx("wrapup", 90.0, 100.0, json!({"wrapUpCode": "w-refund"})),
                    ],
                )],
            ),
            acd(&c, "p-acd2", "q-tech", 90.0, 100.0, "transfer", &[("tAcd", 10_000)]),
            agent(
                "p-ben",
                "u-ben",
                "Ben",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 100.0, 104.0, json!({"queueId": "q-tech"})),
                        c.segx(
                            "interact",
                            104.0,
                            200.0,
                            json!({"queueId": "q-tech", "disconnectType": "peer"}),
                        ),
                        c.segx(
                            "wrapup",
                            200.0,
                            230.0,
                            json!({"wrapUpCode": "w-fixed", "wrapUpNote": "Router reset"}),
                        ),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/transfers", json!(1)),
            ("/queues/0/queue_name", json!("Billing Queue")),
            ("/queues/0/outcome", json!("answered")),
            ("/queues/1/queue_name", json!("Tech Queue")),
            ("/queues/1/outcome", json!("answered")),
            ("/answered_by/name", json!("Ana Agent")),
            ("/wrapup/code_name", json!("Fixed")),
            ("/wrapup/note", json!("Router reset")),
            ("/wrapups/0/code_name", json!("Refund issued")),
            ("/agents/0/disconnect_type", json!("transfer")),
            ("/disconnect/by", json!("customer")),
            ("/totals/queue_ms", json!(30000)),
            ("/outcome", json!("answered")),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn consult_transfer_to_an_agent() {
    let c = clock();
    let record = conversation(
        "conv-consult",
        &c,
        0.0,
        Some(220.0),
        vec![
            customer_in(&c, 200.0, "peer", json!({})),
            acd(&c, "p-acd", "q-billing", 0.0, 10.0, "transfer", &[("tAcd", 10_000)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 10.0, 12.0, json!({"queueId": "q-billing"})),
                        c.segx("interact", 12.0, 60.0, json!({"queueId": "q-billing"})),
                        c.segx("hold", 60.0, 90.0, json!({"queueId": "q-billing"})),
                        c.segx(
                            "interact",
                            90.0,
                            95.0,
                            json!({"queueId": "q-billing", "disconnectType": "consultTransfer"}),
                        ),
                        c.segx("wrapup", 95.0, 105.0, json!({"wrapUpCode": "w-refund"})),
                    ],
                )],
            ),
            participant(
                "agent",
                "p-ben",
                json!({"userId": "u-ben"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({}),
                    vec![
                        c.segx("alert", 61.0, 64.0, json!({})),
                        c.segx("interact", 64.0, 200.0, json!({"disconnectType": "client"})),
                        c.segx("wrapup", 200.0, 220.0, json!({"wrapUpCode": "ININ-WRAP-UP-TIMEOUT"})),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/transfers", json!(1)),
            ("/agents/1/name", json!("Ben Agent")),
            ("/totals/hold_ms", json!(30000)),
            ("/wrapup/code_id", json!("ININ-WRAP-UP-TIMEOUT")),
            ("/wrapup/code_name", json!("Wrap-up timed out")),
            ("/wrapups/0/code_name", json!("Refund issued")),
            ("/disconnect/by", json!("agent")),
            ("/disconnect/participant_id", json!("p-ben")),
            ("/direction_label", json!("Inbound")),
        ],
    );
    // The agent the call was transferred to is named, after the one who answered.
    let story = support::story_of(&record);
    let (first, second) =
        (call["agents"][0]["name"].as_str().unwrap(), call["agents"][1]["name"].as_str().unwrap());
    assert!(story.contains(&format!("\n  Agents     {first} (talk ")), "{story}");
    assert!(story.contains(&format!("), {second} (talk ")), "{story}");
    insta::assert_json_snapshot!(call);
}

#[test]
fn transfer_to_an_external_number_is_inbound_outbound() {
    let c = clock();
    let record = conversation(
        "conv-external",
        &c,
        0.0,
        Some(300.2),
        vec![
            customer_in(&c, 300.2, "peer", json!({})),
            acd(&c, "p-acd", "q-billing", 0.0, 10.0, "transfer", &[("tAcd", 10_000)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 10.0, 12.0, json!({"queueId": "q-billing"})),
                        c.segx(
                            "interact",
                            12.0,
                            90.0,
                            json!({"queueId": "q-billing", "disconnectType": "transfer"}),
                        ),
                    ],
                )],
            ),
            participant(
                "external",
                "p-ext",
                json!({"participantName": "Partner Desk"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({"ani": "tel:+18005550100", "dnis": "tel:+442071234567"}),
                    vec![c.segx("interact", 90.0, 300.0, json!({"disconnectType": "endpoint"}))],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/direction", json!("inbound")),
            ("/direction_label", json!("Inbound / Outbound")),
            ("/customer_number", json!("+15551230001")),
            ("/transfers", json!(1)),
            ("/disconnect/by", json!("customer")),
            ("/disconnect/participant_id", json!("p-ext")),
            ("/outcome", json!("answered")),
        ],
    );
    assert!(
        call["direction_reason"].as_str().unwrap().contains("+442071234567"),
        "{}",
        call["direction_reason"]
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn conference() {
    let c = clock();
    let record = conversation(
        "conv-conference",
        &c,
        0.0,
        Some(240.0),
        vec![
            customer_in(&c, 240.0, "peer", json!({})),
            acd(&c, "p-acd", "q-tech", 0.0, 30.0, "transfer", &[("tAcd", 30_000)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 25.0, 30.0, json!({"queueId": "q-tech"})),
                        c.segx("interact", 30.0, 90.0, json!({"queueId": "q-tech"})),
                        c.segx(
                            "interact",
                            90.0,
                            150.0,
                            json!({"queueId": "q-tech", "conference": true, "disconnectType": "client"}),
                        ),
                    ],
                )],
            ),
            agent(
                "p-ben",
                "u-ben",
                "Ben",
                vec![session(
                    "voice",
                    "outbound",
                    json!({}),
                    vec![
                        c.segx("alert", 85.0, 90.0, json!({})),
                        c.segx(
                            "interact",
                            90.0,
                            240.0,
                            json!({"conference": true, "disconnectType": "client"}),
                        ),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/answered_by/name", json!("Ana Agent")),
            ("/agents/0/talk_ms", json!(120000)),
            ("/agents/1/talk_ms", json!(150000)),
            ("/totals/talk_ms", json!(270000)),
            ("/disconnect/by", json!("agent")),
            ("/disconnect/participant_id", json!("p-ben")),
            ("/transfers", json!(0)),
            ("/outcome", json!("answered")),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn voicemail_after_the_queue() {
    let c = clock();
    let record = conversation(
        "conv-voicemail",
        &c,
        0.0,
        Some(75.0),
        vec![
            customer_in(&c, 75.0, "endpoint", json!({})),
            ivr(&c, 15.0, "transfer", main_flow(Some(("Billing Queue", "q-billing")), json!([])), 15.0),
            participant(
                "acd",
                "p-acd",
                json!({}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"flowOutType": "voicemail", "metrics": c.metrics(45.0, &[("tAcd", 30_000), ("tFlowOut", 30_000)])}),
                    vec![c.segx(
                        "interact",
                        15.0,
                        45.0,
                        json!({"queueId": "q-billing", "disconnectType": "transfer"}),
                    )],
                )],
            ),
            participant(
                "voicemail",
                "p-vm",
                json!({"participantName": "Billing voicemail"}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"metrics": c.metrics(75.0, &[("tVoicemail", 30_000)])}),
                    vec![c.segx("voicemail", 45.0, 75.0, json!({"disconnectType": "peer"}))],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/outcome", json!("voicemail")),
            ("/totals/voicemail_ms", json!(30000)),
            ("/queues/0/outcome", json!("flow_out")),
            ("/ivr/exit", json!("transfer")),
            ("/disconnect/by", json!("customer")),
            ("/warnings", json!([])),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn callback_requested_in_queue() {
    let c = clock();
    let record = conversation(
        "conv-callback",
        &c,
        0.0,
        Some(400.0),
        vec![
            participant(
                "customer",
                "p-cust",
                json!({"participantName": "Carla Customer"}),
                vec![
                    session(
                        "voice",
                        "inbound",
                        json!({"ani": "tel:+15551230001", "dnis": "tel:+18005550100"}),
                        vec![c.segx("interact", 0.0, 60.0, json!({"disconnectType": "endpoint"}))],
                    ),
                    session(
                        "callback",
                        "inbound",
                        json!({"callbackNumbers": ["tel:+15551230001"]}),
                        vec![c.segx("callback", 60.0, 400.0, json!({"disconnectType": "peer"}))],
                    ),
                ],
            ),
            participant(
                "acd",
                "p-acd",
                json!({}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"metrics": c.metrics(60.0, &[("tAcd", 60_000), ("tFlowOut", 60_000)])}),
                    vec![c.segx(
                        "interact",
                        0.0,
                        60.0,
                        json!({"queueId": "q-billing", "disconnectType": "transfer"}),
                    )],
                )],
            ),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "callback",
                    "outbound",
                    json!({}),
                    vec![
                        c.segx("alert", 300.0, 305.0, json!({"queueId": "q-billing"})),
                        c.segx(
                            "interact",
                            305.0,
                            400.0,
                            json!({"queueId": "q-billing", "disconnectType": "client"}),
                        ),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/outcome", json!("callback")),
            ("/queues/0/outcome", json!("flow_out")),
            ("/answered_by/name", json!("Ana Agent")),
            ("/media_type", json!("voice")),
        ],
    );
    insta::assert_json_snapshot!(call);
    // The story tells how the wait ended in words.
    let story = support::story_of(&record);
    assert!(
        story.contains("Queue      Billing Queue: waited 1m 00s, taken out by an in-queue flow\n"),
        "{story}"
    );
    // The callback waiting in the queue for an agent is a wait of its own media.
    let mut waited_again = record.clone();
    waited_again["participants"][1]["sessions"].as_array_mut().unwrap().push(session(
        "callback",
        "inbound",
        json!({}),
        vec![c.segx("interact", 60.0, 305.0, json!({"queueId": "q-billing", "disconnectType": "peer"}))],
    ));
    let story = support::story_of(&waited_again);
    assert!(story.contains("Queue      Billing Queue (callback): waited 4m 05s, answered\n"), "{story}");
}

fn outbound_user(c: &Clock, connect: Option<f64>, end: f64) -> Value {
    let mut user_segs = vec![
        c.segx("dialing", 0.0, 2.0, json!({})),
        c.segx("contacting", 2.0, connect.unwrap_or(end), json!({})),
    ];
    let mut ext_segs = vec![c.segx("dialing", 0.0, connect.unwrap_or(end), json!({}))];
    if let Some(at) = connect {
        user_segs.push(c.segx("interact", at, end, json!({"disconnectType": "client"})));
        ext_segs.push(c.segx("interact", at, end, json!({"disconnectType": "peer"})));
    } else {
        user_segs[1] = c.segx("contacting", 2.0, end, json!({"disconnectType": "client"}));
        ext_segs[0] = c.segx("dialing", 0.0, end, json!({"disconnectType": "peer"}));
    }
    let mut record = conversation(
        if connect.is_some() { "conv-out" } else { "conv-out-missed" },
        c,
        0.0,
        Some(end),
        vec![
            participant(
                "user",
                "p-cho",
                json!({"userId": "u-cho", "participantName": "Cho"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({"ani": "tel:+18005550100", "dnis": "tel:+15557654321"}),
                    user_segs,
                )],
            ),
            participant(
                "external",
                "p-ext",
                json!({"participantName": "Dora Prospect"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({"ani": "tel:+18005550100", "dnis": "tel:+15557654321"}),
                    ext_segs,
                )],
            ),
        ],
    );
    record["originatingDirection"] = json!("outbound");
    record
}

#[test]
fn agent_placed_outbound_connected() {
    let c = clock();
    let call = explain_value(&outbound_user(&c, Some(10.0), 120.0), None);
    // The user who placed it is named as its caller; no list of agents repeats them.
    assert!(!support::story_of(&outbound_user(&c, Some(10.0), 120.0)).contains("Agents"));
    check(
        &call,
        &[
            ("/direction", json!("outbound")),
            ("/direction_label", json!("Outbound")),
            ("/from/role", json!("user")),
            ("/from/name", json!("Cho User")),
            ("/from/address", json!("tel:+18005550100")),
            ("/placed_by/name", json!("Cho User")),
            ("/to/name", json!("Dora Prospect")),
            ("/to/address", json!("tel:+15557654321")),
            ("/customer_number", json!("+15557654321")),
            ("/answered_by/role", json!("external")),
            ("/answered_by/at", json!("2024-03-05T14:00:10.000Z")),
            ("/outcome", json!("connected")),
            ("/disconnect/by", json!("user")),
            ("/totals/talk_ms", json!(110000)),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn agent_placed_outbound_not_answered() {
    let c = clock();
    let call = explain_value(&outbound_user(&c, None, 32.0), None);
    check(
        &call,
        &[
            ("/direction", json!("outbound")),
            ("/answered_by", Value::Null),
            ("/outcome", json!("not_answered")),
            ("/disconnect/by", json!("user")),
            ("/totals/talk_ms", json!(0)),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn dialer_campaign_call() {
    let c = clock();
    let mut record = conversation(
        "conv-campaign",
        &c,
        0.0,
        Some(130.0),
        vec![
            participant(
                "customer",
                "p-cust",
                json!({"participantName": "Eve Renewal"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({"ani": "tel:+18005550199", "dnis": "tel:+15550009999", "outboundCampaignId": "camp-1"}),
                    vec![
                        c.segx("contacting", 0.0, 8.0, json!({})),
                        c.segx("interact", 8.0, 100.0, json!({"disconnectType": "peer"})),
                    ],
                )],
            ),
            participant(
                "campaign",
                "p-camp",
                json!({"participantName": "Spring Renewals"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({"outboundCampaignId": "camp-1"}),
                    vec![c.segx("dialing", 0.0, 8.0, json!({"disconnectType": "transfer"}))],
                )],
            ),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "outbound",
                    json!({"outboundCampaignId": "camp-1"}),
                    vec![
                        c.segx("alert", 8.0, 9.0, json!({"queueId": "q-billing"})),
                        c.segx(
                            "interact",
                            9.0,
                            100.0,
                            json!({"queueId": "q-billing", "disconnectType": "client"}),
                        ),
                        c.segx(
                            "wrapup",
                            100.0,
                            130.0,
                            json!({"wrapUpCode": "w-sale", "wrapUpTags": ["renewal"]}),
                        ),
                    ],
                )],
            ),
        ],
    );
    record["originatingDirection"] = json!("outbound");
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/direction", json!("outbound")),
            ("/placed_by/role", json!("campaign")),
            ("/placed_by/name", json!("Spring Renewals")),
            ("/placed_by/address", json!("tel:+18005550199")),
            ("/to/name", json!("Eve Renewal")),
            ("/customer_number", json!("+15550009999")),
            ("/answered_by/role", json!("customer")),
            ("/outcome", json!("connected")),
            ("/wrapup/code_name", json!("Sale")),
            ("/wrapup/tags", json!(["renewal"])),
            ("/disconnect/by", json!("agent")),
        ],
    );
    // The customer answered a campaign's call: the story names the agent who talked to them.
    let agent = call["agents"][0]["name"].as_str().unwrap();
    let story = support::story_of(&record);
    assert!(story.contains(&format!("\n  Agents     {agent} (talk ")), "{story}");
    insta::assert_json_snapshot!(call);
}

#[test]
fn internal_user_to_user() {
    let c = clock();
    let record = conversation(
        "conv-internal",
        &c,
        0.0,
        Some(65.0),
        vec![
            participant(
                "user",
                "p-cho",
                json!({"userId": "u-cho"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({"ani": "sip:cho@example.org", "dnis": "sip:dee@example.org"}),
                    vec![
                        c.segx("dialing", 0.0, 1.0, json!({})),
                        c.segx("contacting", 1.0, 5.0, json!({})),
                        c.segx("interact", 5.0, 65.0, json!({"disconnectType": "client"})),
                    ],
                )],
            ),
            participant(
                "user",
                "p-dee",
                json!({"userId": "u-dee"}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"ani": "sip:cho@example.org", "dnis": "sip:dee@example.org"}),
                    vec![
                        c.segx("alert", 1.0, 5.0, json!({})),
                        c.segx("interact", 5.0, 65.0, json!({"disconnectType": "peer"})),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/direction", json!("internal")),
            ("/direction_label", json!("Internal")),
            ("/from/name", json!("Cho User")),
            ("/from/address", json!("sip:cho@example.org")),
            ("/to/name", json!("Dee User")),
            ("/to/address", json!("sip:dee@example.org")),
            ("/customer_number", Value::Null),
            ("/answered_by/name", json!("Dee User")),
            ("/outcome", json!("connected")),
            ("/disconnect/by", json!("user")),
            ("/disconnect/participant_id", json!("p-cho")),
        ],
    );
    // Both users are named already (from, to): no list of agents repeats them.
    let story = support::story_of(&record);
    assert!(!story.contains("Agents"), "{story}");
    insta::assert_json_snapshot!(call);
}

/// A user dials the organisation's own number: the call meets the IVR and a queue like a
/// customer's would, with nobody from outside on it. The first agent offered it fails to ring;
/// the second answers.
#[test]
fn internal_call_to_own_number_through_ivr_and_queue() {
    let c = clock();
    let record = conversation(
        "conv-own-number",
        &c,
        0.0,
        Some(60.0),
        vec![
            participant(
                "user",
                "p-caller",
                json!({"userId": "u-cho"}),
                vec![session(
                    "voice",
                    "outbound",
                    json!({"ani": "sip:cho@example.org", "dnis": "tel:+15550100"}),
                    vec![
                        c.seg("dialing", 0.0, 0.5),
                        c.segx("interact", 0.5, 40.0, json!({"disconnectType": "peer"})),
                    ],
                )],
            ),
            participant(
                "ivr",
                "p-ivr",
                json!({"participantName": "Main menu"}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"ani": "tel:+15550199"}),
                    vec![c.segx("ivr", 0.2, 8.0, json!({"disconnectType": "transfer"}))],
                )],
            ),
            participant(
                "acd",
                "p-acd",
                json!({"participantName": "Support"}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![c.segx("interact", 8.0, 20.0, json!({"queueId": "q-support", "disconnectType": "transfer"}))],
                )],
            ),
            participant(
                "agent",
                "p-failed",
                json!({"userId": "u-dee"}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![c.segx(
                        "alert",
                        12.0,
                        12.0,
                        json!({"queueId": "q-support", "errorCode": "error.ininedgecontrol.connection.protocol"}),
                    )],
                )],
            ),
            participant(
                "agent",
                "p-answer",
                json!({"userId": "u-dee"}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 15.0, 20.0, json!({"queueId": "q-support"})),
                        c.segx("interact", 20.0, 40.0, json!({"queueId": "q-support", "disconnectType": "client"})),
                        c.segx("wrapup", 40.0, 60.0, json!({"queueId": "q-support", "wrapUpCode": "wc-1"})),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/direction", json!("internal")),
            ("/from/participant_id", json!("p-caller")),
            ("/from/address", json!("sip:cho@example.org")),
            // The call reached the IVR first, at the number the user dialled, not the agent
            // whose phone failed to ring.
            ("/to/role", json!("ivr")),
            ("/to/participant_id", json!("p-ivr")),
            ("/to/address", json!("tel:+15550100")),
            ("/answered_by/participant_id", json!("p-answer")),
            ("/answered_by/at", json!(c.t(20.0))),
            ("/agents/1/answered", json!(false)),
            ("/queues/0/outcome", json!("answered")),
            ("/outcome", json!("connected")),
            ("/disconnect/by", json!("agent")),
        ],
    );
}

#[test]
fn email_answered() {
    let c = clock();
    let record = conversation(
        "conv-email",
        &c,
        0.0,
        Some(3600.0),
        vec![
            participant(
                "customer",
                "p-cust",
                json!({"participantName": "Carla Customer"}),
                vec![session(
                    "email",
                    "inbound",
                    json!({"addressFrom": "carla@example.com", "addressTo": "support@example.org"}),
                    vec![c.segx("interact", 0.0, 3000.0, json!({"disconnectType": "peer"}))],
                )],
            ),
            acd(&c, "p-acd", "q-tech", 0.0, 1800.0, "transfer", &[("tAcd", 1_800_000)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "email",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 1800.0, 1810.0, json!({"queueId": "q-tech"})),
                        c.segx(
                            "interact",
                            1810.0,
                            3000.0,
                            json!({"queueId": "q-tech", "disconnectType": "client"}),
                        ),
                        c.segx("wrapup", 3000.0, 3600.0, json!({"wrapUpCode": "w-fixed"})),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/media_type", json!("email")),
            ("/direction", json!("inbound")),
            ("/from/address", json!("carla@example.com")),
            ("/to/address", json!("support@example.org")),
            ("/customer_number", json!("carla@example.com")),
            ("/answered_by/name", json!("Ana Agent")),
            ("/outcome", json!("answered")),
            ("/disconnect/by", json!("agent")),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn ongoing_without_end() {
    let c = clock();
    let record = conversation(
        "conv-ongoing",
        &c,
        0.0,
        None,
        vec![
            customer_still_connected(&c),
            participant(
                "acd",
                "p-acd",
                json!({}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![c.open("interact", 20.0, json!({"queueId": "q-tech"}))],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/ongoing", json!(true)),
            ("/end", Value::Null),
            ("/duration_ms", Value::Null),
            ("/outcome", json!("ongoing")),
            ("/queues/0/outcome", json!("ongoing")),
            ("/queues/0/left_at", Value::Null),
            ("/phases/1/end", Value::Null),
            ("/phases/1/duration_ms", Value::Null),
            ("/disconnect/by", json!("unknown")),
            ("/warnings", json!([])),
        ],
    );
    insta::assert_json_snapshot!(call);
    // The story says what is still happening, not a wait of zero or an unknown hang-up.
    let story = support::story_of(&record);
    assert!(story.contains("Queue      Tech Queue: still waiting (ongoing)"), "{story}");
    assert!(story.contains("Hung up    nobody yet (still going on)"), "{story}");
    assert!(story.contains("Answered   nobody yet\n"), "{story}");
    assert!(story.contains("…  customer\n"), "an unnamed party is not named twice: {story}");
}

#[test]
fn spanning_utc_midnight() {
    let c = Clock::new("2024-03-05T23:58:00.000Z");
    let record = conversation(
        "conv-midnight",
        &c,
        0.0,
        Some(330.0),
        vec![
            customer_in(&c, 300.0, "endpoint", json!({})),
            acd(&c, "p-acd", "q-tech", 0.0, 90.0, "transfer", &[("tAcd", 90_000)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx("alert", 85.0, 90.0, json!({"queueId": "q-tech"})),
                        c.segx(
                            "interact",
                            90.0,
                            300.0,
                            json!({"queueId": "q-tech", "disconnectType": "peer"}),
                        ),
                        c.segx("wrapup", 300.0, 330.0, json!({"wrapUpCode": "w-fixed"})),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/start", json!("2024-03-05T23:58:00.000Z")),
            ("/end", json!("2024-03-06T00:03:30.000Z")),
            ("/duration_ms", json!(330000)),
            ("/answered_by/at", json!("2024-03-05T23:59:30.000Z")),
            ("/totals/talk_ms", json!(210000)),
            ("/outcome", json!("answered")),
        ],
    );
    insta::assert_json_snapshot!(call);
}

#[test]
fn metric_disagreement_is_a_warning_and_the_sum_is_kept() {
    let c = clock();
    let record = conversation(
        "conv-disagree",
        &c,
        0.0,
        Some(100.0),
        vec![
            customer_in(&c, 100.0, "endpoint", json!({})),
            acd(&c, "p-acd", "q-tech", 0.0, 10.0, "transfer", &[("tAcd", 12_345)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({"sessionId": "s-ana", "metrics": c.metrics(100.0, &[("tTalk", 90_000)])}),
                    vec![c.segx(
                        "interact",
                        10.0,
                        100.0,
                        json!({"queueId": "q-tech", "disconnectType": "peer"}),
                    )],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(&call, &[("/totals/queue_ms", json!(10000)), ("/totals/talk_ms", json!(90000))]);
    let warnings = call["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].as_str().unwrap().contains("tAcd") && warnings[0].as_str().unwrap().contains("12345")
    );
}

#[test]
fn conversations_api_record_adds_attributes_and_wrapup() {
    let c = clock();
    let record = conversation(
        "conv-enriched",
        &c,
        0.0,
        Some(130.0),
        vec![
            customer_in(&c, 100.0, "endpoint", json!({})),
            acd(&c, "p-acd", "q-tech", 0.0, 10.0, "transfer", &[("tAcd", 10_000)]),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.segx(
                            "interact",
                            10.0,
                            100.0,
                            json!({"queueId": "q-tech", "disconnectType": "peer"}),
                        ),
                        c.segx("wrapup", 100.0, 130.0, json!({})),
                    ],
                )],
            ),
        ],
    );
    let api = json!({"id": "conv-enriched", "startTime": c.t(0.0), "participants": [
        {"id": "p-cust", "purpose": "customer", "attributes": {"Final Main Intent": "Router", "MainIntent1": "Tech"}},
        {"id": "p-ana", "purpose": "agent", "userId": "u-ana", "wrapup": {"code": "w-fixed", "name": "Fixed!", "notes": "Replaced router"}}
    ]});
    let call = explain_value(&record, Some(&api));
    check(
        &call,
        &[
            ("/ivr/reason", json!("Router")),
            ("/ivr/reason_source", json!("attribute:Final Main Intent")),
            ("/ivr/attributes/MainIntent1", json!("Tech")),
            ("/wrapup/code_id", json!("w-fixed")),
            ("/wrapup/code_name", json!("Fixed")),
            ("/wrapup/note", json!("Replaced router")),
            ("/agents/0/wrapup/note", json!("Replaced router")),
        ],
    );
}

/// The shape of an older preview-campaign callback record: no session carries a direction or an
/// `ani`/`dnis`, the conversation has no `conversationEnd` though every segment has ended, and
/// the customer's number is only in `callbackNumbers`.
fn campaign_callback_without_directions(campaign: bool) -> Value {
    let c = clock();
    let tags = if campaign {
        json!({"outboundCampaignId": "camp-1", "callbackNumbers": ["+13175550100"]})
    } else {
        json!({"callbackNumbers": ["+13175550100"]})
    };
    let undirected = |segments: Vec<Value>| {
        support::merge(json!({"mediaType": "callback", "segments": segments}), tags.clone())
    };
    let mut record = conversation(
        "conv-preview-callback",
        &c,
        0.0,
        None,
        vec![
            participant(
                "acd",
                "p-acd",
                json!({}),
                vec![undirected(vec![c.segx(
                    "interact",
                    0.0,
                    2.0,
                    json!({"queueId": "q-tech", "disconnectType": "transfer"}),
                )])],
            ),
            participant(
                "customer",
                "p-cust",
                json!({"participantName": "Customer"}),
                vec![undirected(vec![c.segx("interact", 0.0, 95.0, json!({"disconnectType": "peer"}))])],
            ),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![undirected(vec![
                    c.segx("alert", 0.5, 2.0, json!({"queueId": "q-tech"})),
                    c.segx("interact", 2.0, 94.0, json!({"queueId": "q-tech", "disconnectType": "client"})),
                    c.segx(
                        "wrapup",
                        94.0,
                        94.0,
                        json!({"queueId": "q-tech", "wrapUpCode": "ININ-OUTBOUND-PREVIEW-SKIPPED", "wrapUpNote": ""}),
                    ),
                ])],
            ),
        ],
    );
    record.as_object_mut().unwrap().remove("originatingDirection");
    record
}

#[test]
fn campaign_callback_without_directions_or_end() {
    let call = explain_value(&campaign_callback_without_directions(true), None);
    check(
        &call,
        &[
            ("/direction", json!("outbound")),
            ("/direction_label", json!("Outbound")),
            ("/customer_number", json!("+13175550100")),
            ("/to/role", json!("customer")),
            ("/to/address", json!("+13175550100")),
            ("/placed_by/user_id", json!("u-ana")),
            ("/answered_by/role", json!("customer")),
            ("/ongoing", json!(true)),
            ("/outcome", json!("ongoing")),
            ("/wrapup/code_name", json!("Outbound: preview skipped by agent")),
            (
                "/warnings",
                json!(["conversationEnd is missing although every segment has ended \
                     (the last at 2024-03-05T14:01:35.000Z); the call is reported as ongoing"]),
            ),
        ],
    );
    assert!(call["direction_reason"].as_str().unwrap().contains("outboundCampaignId"), "{call:#}");
    // Every segment has ended, so the record does say who hung up, end or no end.
    check(&call, &[("/disconnect/by", json!("agent")), ("/disconnect/type", json!("client"))]);
    let story = support::story_of(&campaign_callback_without_directions(true));
    assert!(story.contains("Hung up    agent (client) at 14:01:34"), "{story}");

    // Without the campaign the record still says nothing of direction: taken as inbound, and
    // the callback number is the customer's.
    let call = explain_value(&campaign_callback_without_directions(false), None);
    check(
        &call,
        &[
            ("/direction", json!("inbound")),
            ("/customer_number", json!("+13175550100")),
            ("/from/address", json!("+13175550100")),
            ("/answered_by/user_id", json!("u-ana")),
        ],
    );
}

#[test]
fn the_story_of_a_long_call_with_an_unnamed_agent() {
    let c = clock();
    let record = conversation(
        "conv-long",
        &c,
        0.0,
        Some(7310.0),
        vec![
            participant(
                "customer",
                "p-cust",
                json!({}),
                vec![session(
                    "voice",
                    "inbound",
                    json!({"ani": "tel:+15551230001"}),
                    vec![
                        c.seg("system", -0.013, 0.2),
                        c.segx("interact", 0.2, 7300.0, json!({"disconnectType": "endpoint"})),
                    ],
                )],
            ),
            // A blank participantName is no name.
            agent(
                "p-zed",
                "u-zed",
                " ",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.seg("alert", 1.0, 3.0),
                        c.segx("interact", 3.0, 7300.0, json!({"disconnectType": "peer"})),
                        c.segx("wrapup", 7300.0, 7310.0, json!({"wrapUpCode": "w-fixed", "wrapUpNote": ""})),
                    ],
                )],
            ),
        ],
    );
    let story = support::story_of(&record);
    for expected in [
        // A segment that starts before the conversation is shown before zero, not as "+-".
        "    -0:00.013  system",
        // Without a name, the agent's user id says who it was.
        "agent: u-zed",
        // Past the first hour, offsets show hours.
        "+2:01:40.000  wrapup",
        "Wrap-up    Fixed\n",
    ] {
        assert!(story.contains(expected), "missing {expected:?} in\n{story}");
    }
    assert!(!story.contains("+-") && !story.contains("note:"), "{story}");
    // The offsets' column widens for hours, so the offsets (right-aligned) end together.
    let offset_ends: Vec<usize> = story
        .lines()
        .skip_while(|l| l.trim() != "Timeline")
        .skip(1)
        .take_while(|l| l.starts_with("    ") && !l.trim_start().starts_with('!'))
        .map(|l| {
            let indent = l.len() - l.trim_start().len();
            indent + l.trim_start().find(' ').unwrap_or(0)
        })
        .collect();
    assert_eq!(offset_ends.len(), 5, "{story}");
    assert!(offset_ends.windows(2).all(|w| w[0] == w[1]), "{offset_ends:?} in\n{story}");
}

#[test]
fn ongoing_call_has_no_hang_up_though_an_agent_left() {
    let c = clock();
    // The customer is still connected (their segment is open); the first agent dropped out.
    let record = conversation(
        "conv-ongoing-agent-left",
        &c,
        0.0,
        None,
        vec![
            customer_still_connected(&c),
            agent(
                "p-ana",
                "u-ana",
                "Ana",
                vec![session(
                    "voice",
                    "inbound",
                    json!({}),
                    vec![
                        c.seg("alert", 1.0, 3.0),
                        c.segx("interact", 3.0, 60.0, json!({"disconnectType": "endpoint"})),
                    ],
                )],
            ),
        ],
    );
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/ongoing", json!(true)),
            ("/disconnect", json!({"by": "unknown", "type": null, "participant_id": null, "at": null})),
        ],
    );
    assert!(support::story_of(&record).contains("Hung up    nobody yet (still going on)"));
}

#[test]
fn supervisor_monitoring_and_coaching_is_not_an_agent_leg() {
    let c = clock();
    // The agent hangs up; a supervisor listened in, then coached the agent until the end and
    // left with the call (an `endpoint` disconnect of their own, after the agent's).
    let customer = customer_in(&c, 200.0, "peer", json!({}));
    let ana = agent(
        "p-ana",
        "u-ana",
        "Ana",
        vec![session(
            "voice",
            "inbound",
            json!({"metrics": c.metrics(220.0, &[("tTalk", 195_000), ("tAcw", 20_000), ("tHandle", 215_000)])}),
            vec![
                c.seg("alert", 2.0, 5.0),
                c.segx("interact", 5.0, 200.0, json!({"disconnectType": "endpoint"})),
                c.segx("wrapup", 200.0, 220.0, json!({"wrapUpCode": "w-fixed"})),
            ],
        )],
    );
    let supervisor = agent(
        "p-sam",
        "u-sam",
        "Sam Supervisor",
        vec![
            session(
                "voice",
                "inbound",
                json!({"monitoredParticipantId": "p-ana", "metrics": c.metrics(90.0, &[("tMonitoring", 60_000)])}),
                vec![c.segx("monitoring", 30.0, 90.0, json!({"disconnectType": "transfer"}))],
            ),
            session(
                "voice",
                "inbound",
                json!({"coachedParticipantId": "p-ana"}),
                vec![c.segx("coaching", 90.0, 200.5, json!({"disconnectType": "endpoint"}))],
            ),
        ],
    );
    let record = conversation("conv-supervised", &c, 0.0, Some(220.0), vec![customer, ana, supervisor]);
    let call = explain_value(&record, None);
    check(
        &call,
        &[
            ("/agents/0/name", json!("Ana Agent")),
            ("/answered_by/name", json!("Ana Agent")),
            ("/disconnect/by", json!("agent")),
            ("/disconnect/participant_id", json!("p-ana")),
            ("/wrapup/code_id", json!("w-fixed")),
            ("/totals/talk_ms", json!(195_000)),
            ("/totals/handle_ms", json!(215_000)),
            ("/outcome", json!("answered")),
            ("/warnings", json!([])),
        ],
    );
    assert_eq!(call["agents"].as_array().map(Vec::len), Some(1), "{call:#}");
    let kinds: Vec<&str> =
        call["phases"].as_array().unwrap().iter().filter_map(|p| p["kind"].as_str()).collect();
    assert!(kinds.contains(&"monitoring") && kinds.contains(&"coaching"), "{kinds:?}");
    let story = support::story_of(&record);
    assert!(
        story.contains("\n  Supervised Sam Supervisor monitored 1m 00s; Sam Supervisor coached 1m 50s\n"),
        "{story}"
    );
    assert!(!story.contains("Missed by"), "{story}");
    assert!(story.contains("  monitoring    1m 00s  supervisor: Sam Supervisor\n"), "{story}");

    // A supervisor who was offered the call in their own right is an agent like any other.
    let mut offered = record.clone();
    offered["participants"][2]["sessions"][1]["segments"] = json!([
        c.seg("alert", 90.0, 95.0),
        c.segx("interact", 95.0, 200.5, json!({"disconnectType": "endpoint"}))
    ]);
    let call = explain_value(&offered, None);
    assert_eq!(call["agents"].as_array().map(Vec::len), Some(2), "{call:#}");
}

#[test]
fn the_archived_story_counts_a_customers_calls_unless_the_number_names_nobody() {
    let c = clock();
    let call_from = |ani: &str| {
        let mut customer = customer_in(&c, 30.0, "endpoint", json!({}));
        customer["sessions"][0]["ani"] = json!(ani);
        conversation("conv-again", &c, 0.0, Some(30.0), vec![customer])
    };
    let archived = |record: &Value| {
        support::explained(record, None, |call| calltrail_explain::story::render_archived(call, 3))
    };
    let story = archived(&call_from("tel:+15551230001"));
    assert!(
        story.contains(
            "\n  Calls      3 with +15551230001 in the archive: calltrail calls --number +15551230001\n"
        ),
        "{story}"
    );
    // A withheld caller shares "anonymous" with strangers; a lone call says nothing either.
    assert!(!archived(&call_from("tel:anonymous")).contains("  Calls "));
    let once = support::explained(&call_from("tel:+15551230001"), None, |call| {
        calltrail_explain::story::render_archived(call, 1)
    });
    assert!(!once.contains("  Calls "), "{once}");
}
