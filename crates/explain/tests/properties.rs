//! Invariants of the derivation over generated records: phases sorted, durations
//! non-negative, totals equal to their phases and to Genesys' metrics, every field present,
//! and the same record always explained the same way.
// Tables here mirror JSON records: literal numbers are milliseconds as Genesys writes them.
#![allow(clippy::unreadable_literal, clippy::needless_pass_by_value, clippy::cast_possible_truncation)]

mod support;

use proptest::prelude::*;
use serde_json::{json, Value};
use support::{conversation, explain_value, participant, session, Clock};

/// One agent offered the call: alert length, and if they answered, talk, hold and ACW.
#[derive(Debug, Clone)]
struct AgentPlan {
    alert: u32,
    answered: Option<(u32, u32, u32)>,
}

#[derive(Debug, Clone)]
struct Plan {
    outbound: bool,
    ivr: Option<u32>,
    queue_wait: Option<u32>,
    agents: Vec<AgentPlan>,
    ongoing: bool,
    start_offset: u32,
}

fn plans() -> impl Strategy<Value = Plan> {
    let agent = (1u32..40, prop::option::of((1u32..600, 0u32..120, 0u32..90)))
        .prop_map(|(alert, answered)| AgentPlan { alert, answered });
    (
        any::<bool>(),
        prop::option::of(1u32..120),
        prop::option::of(1u32..300),
        prop::collection::vec(agent, 0..4),
        prop::bool::weighted(0.1),
        0u32..86_400,
    )
        .prop_map(|(outbound, ivr, queue_wait, agents, ongoing, start_offset)| Plan {
            outbound,
            ivr,
            queue_wait,
            agents,
            ongoing,
            start_offset,
        })
}

/// Builds a record from a plan, with the metrics Genesys would emit computed from the plan's own
/// durations (not from the timestamps the explainer reads).
fn build(plan: &Plan) -> Value {
    let c = Clock { base: 1_709_600_000_000 + i64::from(plan.start_offset) * 1000 };
    let ms = |s: u32| i64::from(s) * 1000;
    let mut t = 0u32;
    let mut participants = Vec::new();
    let direction = if plan.outbound { "outbound" } else { "inbound" };
    if let Some(ivr) = plan.ivr.filter(|_| !plan.outbound) {
        participants.push(participant("ivr", "p-ivr", json!({}), vec![session("voice", "inbound",
            json!({"flow": {"flowId": "f1", "flowName": "Main", "flowType": "INBOUNDCALL", "transferType": "ACD", "transferTargetName": "Q"},
                   "metrics": c.metrics(f64::from(ivr), &[("tIvr", ms(ivr))])}),
            vec![c.segx("ivr", 0.0, f64::from(ivr), json!({"disconnectType": "transfer"}))])]));
        t = ivr;
    }
    let queue_start = t;
    let mut agent_time = t;
    for (i, a) in plan.agents.iter().enumerate() {
        let mut segs = vec![c.segx(
            "alert",
            f64::from(agent_time),
            f64::from(agent_time + a.alert),
            json!({"queueId": "q1"}),
        )];
        let mut metrics = vec![("tAlert", ms(a.alert))];
        agent_time += a.alert;
        if let Some((talk, hold, acw)) = a.answered {
            segs.push(c.segx(
                "interact",
                f64::from(agent_time),
                f64::from(agent_time + talk),
                json!({"queueId": "q1"}),
            ));
            agent_time += talk;
            if hold > 0 {
                segs.push(c.segx(
                    "hold",
                    f64::from(agent_time),
                    f64::from(agent_time + hold),
                    json!({"queueId": "q1"}),
                ));
                agent_time += hold;
            }
            segs.push(c.segx(
                "wrapup",
                f64::from(agent_time),
                f64::from(agent_time + acw.max(1)),
                json!({"wrapUpCode": "w1"}),
            ));
            metrics.extend([
                ("tTalk", ms(talk)),
                ("tHeld", ms(hold)),
                ("tAcw", ms(acw.max(1))),
                ("tHandle", ms(talk + hold + acw.max(1))),
            ]);
        } else {
            metrics.push(("tNotResponding", ms(a.alert)));
        }
        participants.push(participant(
            "agent",
            &format!("p-a{i}"),
            json!({"userId": format!("u{i}")}),
            vec![session(
                "voice",
                direction,
                json!({"metrics": c.metrics(f64::from(agent_time), &metrics)}),
                segs,
            )],
        ));
    }
    if let Some(wait) = plan.queue_wait.filter(|_| !plan.outbound) {
        let end = queue_start + wait;
        participants.push(participant(
            "acd",
            "p-acd",
            json!({}),
            vec![session(
                "voice",
                "inbound",
                json!({"metrics": c.metrics(f64::from(end), &[("tAcd", ms(wait))])}),
                vec![c.segx(
                    "interact",
                    f64::from(queue_start),
                    f64::from(end),
                    json!({"queueId": "q1", "disconnectType": "transfer"}),
                )],
            )],
        ));
    }
    let end = agent_time.max(t + plan.queue_wait.unwrap_or(0)) + 1;
    let customer_seg = if plan.ongoing {
        c.open("interact", 0.0, json!({}))
    } else {
        c.segx("interact", 0.0, f64::from(end), json!({"disconnectType": "endpoint"}))
    };
    participants.insert(
        0,
        participant(
            "customer",
            "p-cust",
            json!({}),
            vec![session(
                "voice",
                direction,
                json!({"ani": "tel:+15550001", "dnis": "tel:+15559999"}),
                vec![customer_seg],
            )],
        ),
    );
    conversation("conv-prop", &c, 0.0, (!plan.ongoing).then_some(f64::from(end)), participants)
}

fn ms(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn derivation_invariants(plan in plans()) {
        let record = build(&plan);
        let call = explain_value(&record, None);
        let again = explain_value(&record, None);
        prop_assert_eq!(&call, &again, "derivation is deterministic");

        let fields = ["conversation_id", "media_type", "start", "end", "ongoing", "duration_ms", "direction",
            "direction_label", "direction_reason", "from", "to", "customer_number", "placed_by", "answered_by",
            "agents", "queues", "ivr", "totals", "phases", "wrapup", "wrapups", "disconnect", "outcome",
            "transfers", "warnings"];
        prop_assert_eq!(call.as_object().unwrap().len(), fields.len());
        for f in fields {
            prop_assert!(call.get(f).is_some(), "missing {}", f);
        }

        let phases = call["phases"].as_array().unwrap();
        let starts: Vec<&str> = phases.iter().filter_map(|p| p["start"].as_str()).collect();
        prop_assert!(starts.windows(2).all(|w| w[0] <= w[1]), "phases sorted by start");
        let mut by_kind = std::collections::HashMap::<(String, String), i64>::new();
        for p in phases {
            if let Some(d) = p["duration_ms"].as_i64() {
                prop_assert!(d >= 0);
                *by_kind.entry((p["kind"].as_str().unwrap().into(), p["purpose"].as_str().unwrap().into())).or_default() += d;
            }
        }
        let sum = |kind: &str, purposes: &[&str]| purposes.iter().map(|p| by_kind.get(&(kind.into(), (*p).into())).copied().unwrap_or(0)).sum::<i64>();
        let totals = &call["totals"];
        prop_assert_eq!(ms(&totals["ivr_ms"]), sum("ivr", &["ivr"]));
        prop_assert_eq!(ms(&totals["queue_ms"]), sum("queue", &["acd"]));
        prop_assert_eq!(ms(&totals["alert_ms"]), sum("alert", &["agent", "user"]));
        prop_assert_eq!(ms(&totals["talk_ms"]), sum("talk", &["agent", "user"]));
        prop_assert_eq!(ms(&totals["hold_ms"]), sum("hold", &["agent", "user"]));
        prop_assert_eq!(ms(&totals["acw_ms"]), sum("wrapup", &["agent", "user"]));
        prop_assert_eq!(ms(&totals["handle_ms"]), ms(&totals["talk_ms"]) + ms(&totals["hold_ms"]) + ms(&totals["acw_ms"]));

        // Genesys' own numbers, as the plan emitted them.
        let secs = |s: u32| i64::from(s) * 1000;
        let talk: i64 = plan.agents.iter().filter_map(|a| a.answered).map(|(t, _, _)| secs(t)).sum();
        let hold: i64 = plan.agents.iter().filter_map(|a| a.answered).map(|(_, h, _)| secs(h)).sum();
        let alert: i64 = plan.agents.iter().map(|a| secs(a.alert)).sum();
        prop_assert_eq!(ms(&totals["talk_ms"]), talk);
        prop_assert_eq!(ms(&totals["hold_ms"]), hold);
        prop_assert_eq!(ms(&totals["alert_ms"]), alert);
        let metric_warnings: Vec<&Value> = call["warnings"].as_array().unwrap().iter()
            .filter(|w| w.as_str().unwrap().contains("segments add up")).collect();
        prop_assert!(metric_warnings.is_empty(), "{:?}", metric_warnings);

        prop_assert_eq!(call["ongoing"].as_bool().unwrap(), plan.ongoing);
        if plan.ongoing {
            prop_assert_eq!(&call["outcome"], "ongoing");
        }
        let answered = plan.agents.iter().any(|a| a.answered.is_some());
        if !plan.outbound && !plan.ongoing {
            prop_assert_eq!(call["answered_by"].is_null(), !answered);
        }
    }
}
