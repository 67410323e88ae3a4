//! `explain` over generated records agrees with the simulator's ground truth — written from
//! the generator's plan, not derived from the record — for every field the truth states, in
//! every scenario.

use std::collections::BTreeMap;

use calltrail_explain::{explain, CallRecord, Context, Lookups, Settings};
use calltrail_sim::{generate, Scenario, Spec, Truth};

const TODAY: i64 = 1_764_028_800_000; // 2025-11-25T00:00:00Z

fn demo_settings() -> Settings {
    serde_json::from_value(serde_json::json!({
        "reason": {"attributes": ["Final Main Intent", "MainIntent1"]},
        "ivr": {"checkpoints": ["MainIntent1", "SubIntent1"]}
    }))
    .unwrap()
}

/// Every disagreement between a call record and its truth, as "field: got X, want Y".
fn compare(call: &CallRecord<'_>, truth: &Truth) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |field: &str, got: Option<String>, want: Option<String>| {
        if let Some(want) = want {
            if got.as_deref() != Some(want.as_str()) {
                out.push(format!("{field}: got {got:?}, want {want:?}"));
            }
        }
    };
    let s = |v: &str| Some(v.to_owned());
    check("direction", s(call.direction.as_str()), truth.direction.map(str::to_owned));
    check("direction_label", s(call.direction_label), truth.direction_label.map(str::to_owned));
    check("media_type", call.media_type.as_deref().map(str::to_owned), truth.media_type.map(str::to_owned));
    check("from.address", call.from.address.as_deref().map(str::to_owned), truth.from_address.clone());
    check("to.address", call.to.address.as_deref().map(str::to_owned), truth.to_address.clone());
    check(
        "customer_number",
        call.customer_number.as_deref().map(str::to_owned),
        truth.customer_number.clone(),
    );
    check("placed_by.role", s(call.placed_by.role.as_str()), truth.placed_by_role.map(str::to_owned));
    check("placed_by.name", call.placed_by.name.as_deref().map(str::to_owned), truth.placed_by_name.clone());
    check("answered", s(&call.answered_by.is_some().to_string()), truth.answered.map(|a| a.to_string()));
    check(
        "answered_by.role",
        call.answered_by.as_ref().map(|p| p.role.as_str().to_owned()),
        truth.answered_by_role.map(str::to_owned),
    );
    check(
        "answered_by.user_id",
        call.answered_by.as_ref().and_then(|p| p.user_id.as_deref().map(str::to_owned)),
        truth.answered_by_user_id.clone(),
    );
    let not_responding: Vec<&str> =
        call.agents.iter().filter(|a| a.not_responding).filter_map(|a| a.user_id.as_deref()).collect();
    if !truth.not_responding_user_ids.is_empty() || truth.totals.is_some() {
        check("not_responding", s(&not_responding.join(",")), s(&truth.not_responding_user_ids.join(",")));
    }
    // A supervisor listening in is in the timeline, not an agent leg of the call.
    let supervisors_as_legs: Vec<&str> = call
        .agents
        .iter()
        .filter_map(|a| a.user_id.as_deref())
        .filter(|u| truth.supervisor_user_ids.iter().any(|s| s == u))
        .collect();
    check("supervisors among the agents", s(&supervisors_as_legs.join(",")), s(""));
    check("ivr.reason", call.ivr.reason.as_deref().map(str::to_owned), truth.reason.clone());
    check(
        "ivr.reason_source",
        call.ivr.reason_source.as_deref().map(str::to_owned),
        truth.reason_source.clone(),
    );
    check("ivr.exit", call.ivr.exit.map(|e| e.as_str().to_owned()), truth.ivr_exit.map(str::to_owned));
    if let Some(t) = &truth.totals {
        check(
            "totals",
            s(&format!("{:?}", call.totals)),
            s(&format!(
                "{:?}",
                calltrail_explain::Totals {
                    ivr_ms: t.ivr_ms,
                    queue_ms: t.queue_ms,
                    alert_ms: t.alert_ms,
                    talk_ms: t.talk_ms,
                    hold_ms: t.hold_ms,
                    acw_ms: t.acw_ms,
                    handle_ms: t.handle_ms,
                    voicemail_ms: t.voicemail_ms,
                }
            )),
        );
    }
    check(
        "wrapup.code_id",
        call.wrapup.as_ref().and_then(|w| w.code_id.as_deref().map(str::to_owned)),
        truth.wrapup_code_id.clone(),
    );
    check(
        "wrapup.code_name",
        call.wrapup.as_ref().and_then(|w| w.code_name.as_deref().map(str::to_owned)),
        truth.wrapup_code_name.clone(),
    );
    // Each wait in a queue: which queue, as which media, how long, how it ended.
    let visits = |list: Vec<(Option<&str>, Option<&str>, i64, &str)>| s(&format!("{list:?}"));
    check(
        "queues",
        visits(
            call.queues
                .iter()
                .map(|q| (q.queue_name.as_deref(), q.media_type.as_deref(), q.wait_ms, q.outcome.as_str()))
                .collect(),
        ),
        visits(
            truth
                .queue_visits
                .iter()
                .map(|v| (Some(v.queue.as_str()), Some(v.media_type.as_str()), v.wait_ms, v.outcome))
                .collect(),
        ),
    );
    check("disconnect.by", s(call.disconnect.by.as_str()), truth.disconnect_by.map(str::to_owned));
    check("outcome", s(call.outcome.as_str()), truth.outcome.map(str::to_owned));
    check("transfers", s(&call.transfers.to_string()), truth.transfers.map(|t| t.to_string()));
    out
}

#[test]
fn explain_agrees_with_the_ground_truth_on_10000_generated_calls() {
    let spec = Spec { calls: 10_000, days: 7, seed: 42, today_ms: TODAY };
    let (org, calls) = generate(&spec);
    let lookups: Lookups = serde_json::from_value(org.lookups_json()).unwrap();
    let settings = demo_settings();
    let ctx = Context { lookups: &lookups, settings: &settings };
    let now = TODAY + 3_600_000;

    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut not_responding_with_acw = 0;
    let mut supervised = 0;
    for planned in &calls {
        let record = planned.view_at(now).expect("every call started before now");
        // Through JSON, as a user or the archive would see it.
        let bytes = serde_json::to_vec(&record).unwrap();
        let parsed: calltrail_model::Conversation<'_> = serde_json::from_slice(&bytes).unwrap();
        // The direct reader (explain's own) reads every generated record, as serde does.
        assert_eq!(calltrail_model::reader::read(&bytes).as_ref(), Ok(&parsed));
        let call = explain(&parsed, None, &ctx);
        // explain's direct writer writes every call record exactly as serde does, also when it
        // copies the strings borrowed from the record's bytes without a scan.
        let serde = serde_json::to_string(&call).unwrap();
        assert_eq!(calltrail_explain::json::to_json_string(&call), serde);
        let mut written = Vec::new();
        calltrail_explain::json::write_json_from(&call, &bytes, &mut written);
        assert_eq!(String::from_utf8(written).unwrap(), serde);
        let truth = planned.truth_at(now);
        *seen.entry(truth.scenario).or_default() += 1;
        // Agents who did not respond but were put into after-call work count toward acw_ms.
        if call.agents.iter().any(|a| a.not_responding && a.acw_ms > 0) {
            not_responding_with_acw += 1;
        }
        supervised += usize::from(!truth.supervisor_user_ids.is_empty());
        let problems = compare(&call, &truth);
        if !problems.is_empty() {
            failures.entry(truth.scenario).or_default().push(format!(
                "{}: {}",
                truth.conversation_id,
                problems.join("; ")
            ));
        }
        for w in &call.warnings {
            if w.contains("add up to") {
                warnings.push(format!("{}: {w}", truth.conversation_id));
            }
        }
    }
    for (scenario, _) in Scenario::ALL {
        assert!(
            seen.get(scenario.name()).copied().unwrap_or(0) > 0,
            "scenario {} never generated",
            scenario.name()
        );
    }
    assert!(not_responding_with_acw > 0, "no not-responding agent with after-call work was generated");
    assert!(supervised > 0, "no call with a supervisor listening in was generated");
    let report: Vec<String> = failures
        .iter()
        .map(|(scenario, list)| {
            format!("{scenario}: {} of {} wrong, e.g. {}", list.len(), seen[scenario], list[0])
        })
        .collect();
    assert!(report.is_empty(), "disagreements with the ground truth:\n{}", report.join("\n"));
    assert!(warnings.is_empty(), "metric disagreements: {warnings:#?}");
}

#[test]
fn same_arguments_same_conversations() {
    let spec = Spec { calls: 300, days: 3, seed: 7, today_ms: TODAY };
    let (_, a) = generate(&spec);
    let (_, b) = generate(&spec);
    let ids =
        |v: &[calltrail_sim::Planned]| v.iter().map(|p| p.truth.conversation_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(serde_json::to_string(&a[17].record).unwrap(), serde_json::to_string(&b[17].record).unwrap());
    let (_, c) = generate(&Spec { seed: 8, ..spec });
    assert_ne!(ids(&a), ids(&c));
    // Calls lie in the D whole days before today.
    assert!(a
        .iter()
        .filter(|p| p.scenario != Scenario::Ongoing)
        .all(|p| p.start_ms >= TODAY - 3 * 86_400_000 && p.start_ms < TODAY));
}

#[test]
fn the_view_follows_the_clock() {
    let spec = Spec { calls: 2000, days: 2, seed: 3, today_ms: TODAY };
    let (_, calls) = generate(&spec);
    let ongoing = calls.iter().find(|p| p.scenario == Scenario::Ongoing).expect("an ongoing call");
    let now = TODAY + 3_600_000;
    assert!(ongoing.view_at(now).unwrap().conversation_end.is_none());
    assert!(ongoing.view_at(ongoing.settled_ms).unwrap().conversation_end.is_some());
    let late = calls.iter().find(|p| p.scenario == Scenario::LateChange).expect("a late change");
    let (until, _) = late.before_change.as_ref().unwrap();
    let before = serde_json::to_string(&late.view_at(until - 1).unwrap()).unwrap();
    let after = serde_json::to_string(&late.view_at(*until).unwrap()).unwrap();
    assert_ne!(before, after);
    assert!(after.contains("Corrected after review") && !before.contains("Corrected after review"));
    // Mid-call: the segment under way has no end and the conversation no end.
    let answered = calls.iter().find(|p| p.scenario == Scenario::InboundAnswered).unwrap();
    let mid = answered.view_at(i64::midpoint(answered.start_ms, answered.end_ms)).unwrap();
    assert!(mid.conversation_end.is_none());
    assert!(mid
        .participants()
        .iter()
        .flat_map(calltrail_model::Participant::sessions)
        .flat_map(calltrail_model::Session::segments)
        .any(|s| s.segment_end.is_none()));
}

/// The user documentation lists every scenario with its description, as the code has them.
#[test]
fn scenarios_are_documented() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/simulator.md"),
    )
    .unwrap();
    for (scenario, _) in Scenario::ALL {
        let row = format!("| `{}` |", scenario.name());
        assert!(doc.contains(&row), "docs/simulator.md lacks {}", scenario.name());
        assert!(
            doc.contains(scenario.recognisable_by()),
            "docs/simulator.md has an old description of {}",
            scenario.name()
        );
    }
}

/// Traffic has the shape of a contact centre's: busy weekday hours, quiet nights.
#[test]
fn volumes_follow_the_day() {
    let (_, calls) = generate(&Spec { calls: 20_000, days: 14, seed: 9, today_ms: TODAY });
    let hour =
        |c: &&calltrail_sim::Planned| usize::try_from(c.start_ms.rem_euclid(86_400_000) / 3_600_000).unwrap();
    let mut by_hour = [0usize; 24];
    calls.iter().filter(|c| c.scenario != Scenario::Ongoing).for_each(|c| by_hour[hour(&c)] += 1);
    assert!(by_hour[10] > 10 * by_hour[3], "{by_hour:?}");
    let weekday = |c: &calltrail_sim::Planned| (c.start_ms.div_euclid(86_400_000) + 3).rem_euclid(7);
    let weekend = calls.iter().filter(|c| weekday(c) >= 5).count();
    assert!(weekend * 100 / calls.len() < 15, "weekend share {weekend}");
}
