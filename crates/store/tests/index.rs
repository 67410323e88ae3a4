//! The report index answers exactly what the archive does: for every report, over generated
//! filters (time ranges, directions, queues and agents by id and by name, wrap-ups, outcomes,
//! reasons, values no call has), the index's table equals the archive's, and filters the
//! index cannot answer (number, free text) are left to the archive.

use std::sync::{Mutex, OnceLock};

use calltrail_explain::report::{GroupBy, ReportKind, ReportOptions};
use calltrail_model::Zone;
use calltrail_sim::Spec;
use calltrail_store::{CallFilter, CallIndex, Store};
use proptest::prelude::*;

/// 2025-11-25T10:00:00Z.
const NOW: i64 = 1_764_064_800_000;
const DAY: i64 = 86_400_000;

struct Fixture {
    _dir: tempfile::TempDir,
    /// The archive (a connection is used by one thread at a time).
    store: Mutex<Store>,
    index: CallIndex,
    /// Values seen in the archive, per filter field.
    queues: Vec<String>,
    agents: Vec<String>,
    wrapups: Vec<String>,
    reasons: Vec<String>,
}

fn distinct(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.connection().prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// 2,000 generated calls over 6 days, with their lookups, plus a call without a start and
/// an agent leg, so "no start" is covered by every filter.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("index.db")).unwrap();
        store.set_settings(
            serde_json::from_value(serde_json::json!({
                "reason": {"attributes": ["Final Main Intent", "MainIntent1"]},
                "ivr": {"checkpoints": ["MainIntent1"]}
            }))
            .unwrap(),
        );
        let (org, planned) = calltrail_sim::generate(&Spec::at(2_000, 6, 11, NOW));
        for (kind, entries) in org.lookup_tables() {
            store.put_lookups(kind, &entries).unwrap();
        }
        // Queue performance measures waits against these unless a target is asked for.
        store.put_service_levels(&org.service_levels()).unwrap();
        let mut raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, NOW);
        raws.push(
            serde_json::to_vec(&serde_json::json!({
                "conversationId": "00000000-no-start",
                "participants": [
                    {"purpose": "customer", "participantId": "c", "sessions": [{"mediaType": "voice", "direction": "inbound",
                        "segments": [{"segmentType": "interact", "segmentEnd": "2025-11-24T10:03:00.000Z"}]}]},
                    {"purpose": "agent", "participantId": "a", "userId": "u-nostart", "sessions": [{"mediaType": "voice",
                        "segments": [{"segmentType": "interact", "segmentEnd": "2025-11-24T10:03:00.000Z"}]}]}
                ]
            }))
            .unwrap(),
        );
        let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
        store.upsert(&slices, "query", NOW).unwrap();
        let index = store.load_index().unwrap();
        let queues = distinct(
            &store,
            "SELECT queue_id FROM calls WHERE queue_id IS NOT NULL UNION SELECT queue_name FROM calls WHERE queue_name IS NOT NULL",
        );
        let agents = distinct(
            &store,
            "SELECT user_id FROM agent_legs WHERE user_id IS NOT NULL
             UNION SELECT name FROM agent_legs WHERE name IS NOT NULL
             UNION SELECT answered_by_name FROM calls WHERE answered_by_role = 'customer'",
        );
        let wrapups = distinct(
            &store,
            "SELECT wrapup_code_id FROM calls WHERE wrapup_code_id IS NOT NULL
             UNION SELECT wrapup_code_name FROM calls WHERE wrapup_code_name IS NOT NULL",
        );
        let reasons = distinct(&store, "SELECT DISTINCT reason FROM calls WHERE reason IS NOT NULL");
        Fixture { _dir: dir, store: Mutex::new(store), index, queues, agents, wrapups, reasons }
    })
}

fn pick(values: &[String], choice: Option<usize>) -> Option<String> {
    // One more than the values: a value no call has.
    choice.map(|i| values.get(i % (values.len() + 1)).cloned().unwrap_or_else(|| "no such value".to_owned()))
}

fn options() -> Vec<ReportOptions> {
    vec![
        ReportOptions::default(),
        ReportOptions {
            zone: Zone::named("America/New_York").unwrap(),
            group_by: GroupBy { queue: false, day: true, hour: true },
            short_abandon_ms: Some(30_000),
            service_target_ms: Some(60_000),
            repeat_within_ms: Some(DAY),
        },
    ]
}

fn assert_same(filter: &CallFilter) {
    let f = fixture();
    let store = f.store.lock().unwrap();
    for kind in ReportKind::ALL {
        for options in options() {
            if kind.reads_next_contact() {
                // Each call's next contact is a seek in the archive: left to it.
                assert!(f.index.report(kind, filter, &options).is_none());
                continue;
            }
            let expected = store.report(kind, filter, &options).unwrap().to_json_rows();
            let got = f.index.report(kind, filter, &options).expect("the index answers").to_json_rows();
            assert_eq!(got, expected, "{} over {filter:?}", kind.as_str());
        }
    }
    let map = f.index.ivr_map(filter).unwrap();
    assert_eq!(map, store.ivr_map(filter).unwrap(), "IVR map over {filter:?}");
}

#[test]
fn the_index_holds_every_call_leg_and_visit_at_the_archives_change_sequence() {
    let f = fixture();
    let store = f.store.lock().unwrap();
    let calls: usize = store.connection().query_row("SELECT count(*) FROM calls", [], |r| r.get(0)).unwrap();
    let legs: usize =
        store.connection().query_row("SELECT count(*) FROM agent_legs", [], |r| r.get(0)).unwrap();
    let visits: usize =
        store.connection().query_row("SELECT count(*) FROM queue_visits", [], |r| r.get(0)).unwrap();
    assert_eq!((f.index.calls(), f.index.legs(), f.index.visits()), (calls, legs, visits));
    assert!(calls > 2_000 && legs > 1_000 && visits > 1_000, "{calls} calls, {legs} legs, {visits} visits");
    assert_eq!(f.index.change_seq(), store.change_seq().unwrap());
    assert!(f.index.bytes() > calls * 100, "{} bytes", f.index.bytes());
}

#[test]
fn unfiltered_and_hand_picked_filters_agree_with_the_archive() {
    let f = fixture();
    let start = NOW.div_euclid(DAY) * DAY;
    let filters = [
        CallFilter::default(),
        CallFilter { from_ms: Some(start - 2 * DAY), ..CallFilter::default() },
        CallFilter { to_ms: Some(start - 3 * DAY), ..CallFilter::default() },
        CallFilter { from_ms: Some(start - 4 * DAY), to_ms: Some(start - 3 * DAY), ..CallFilter::default() },
        CallFilter { from_ms: Some(start), to_ms: Some(start - DAY), ..CallFilter::default() },
        CallFilter { direction: Some("INBOUND".into()), ..CallFilter::default() },
        CallFilter { media: Some("Voice".into()), ..CallFilter::default() },
        CallFilter {
            media: Some("email".into()),
            direction: Some("inbound".into()),
            ..CallFilter::default()
        },
        CallFilter { media: Some("fax".into()), ..CallFilter::default() },
        CallFilter { queue: f.queues.first().cloned(), ..CallFilter::default() },
        CallFilter {
            queue: f.queues.last().cloned(),
            outcome: Some("answered".into()),
            ..CallFilter::default()
        },
        CallFilter { agent: Some("u-nostart".into()), ..CallFilter::default() },
        CallFilter { reason: Some("no such reason".into()), ..CallFilter::default() },
    ];
    for filter in &filters {
        assert_same(filter);
    }
    // The media filter selects by media, in the listing as in the reports.
    let store = f.store.lock().unwrap();
    let email = CallFilter { media: Some("EMAIL".into()), ..CallFilter::default() };
    let listed = store.list_calls(&email, None, 10_000).unwrap();
    let all = store.list_calls(&CallFilter::default(), None, 10_000).unwrap();
    assert!(!listed.is_empty() && listed.len() < all.len(), "{} of {}", listed.len(), all.len());
    assert!(listed.iter().all(|c| c.media_type.as_deref() == Some("email")));
}

#[test]
fn searches_and_participant_data_are_left_to_the_archive() {
    let f = fixture();
    let number = CallFilter { number: Some("+1555".into()), ..CallFilter::default() };
    let text = CallFilter { text: Some("Billing".into()), ..CallFilter::default() };
    let attribute = CallFilter { attribute: Some("LOB=Residential".into()), ..CallFilter::default() };
    for filter in [number, text, attribute] {
        assert!(!CallIndex::answers(&filter));
        assert!(f.index.report(ReportKind::Reasons, &filter, &ReportOptions::default()).is_none());
        assert!(f.index.ivr_map(&filter).is_none());
    }
    assert!(CallIndex::answers(&CallFilter { text: Some("  ".into()), ..CallFilter::default() }));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_filters_agree_with_the_archive(
        from in proptest::option::of(0_i64..7),
        to in proptest::option::of(0_i64..7),
        hour in 0_i64..24,
        direction in proptest::option::of(prop_oneof![Just("inbound"), Just("Outbound"), Just("internal"), Just("sideways")]),
        queue in proptest::option::of(0_usize..64),
        agent in proptest::option::of(0_usize..256),
        wrapup in proptest::option::of(0_usize..64),
        outcome in proptest::option::of(prop_oneof![
            Just("answered"), Just("abandoned_in_queue"), Just("abandoned_in_ivr"), Just("self_served"), Just("voicemail")
        ]),
        reason in proptest::option::of(0_usize..32),
        media in proptest::option::of(prop_oneof![Just("voice"), Just("chat"), Just("Email"), Just("message"), Just("callback")]),
    ) {
        let f = fixture();
        let midnight = NOW.div_euclid(DAY) * DAY;
        let at = |days: i64| midnight - days * DAY + hour * 3_600_000;
        let filter = CallFilter {
            from_ms: from.map(at),
            to_ms: to.map(|d| at(d) + DAY),
            direction: direction.map(str::to_owned),
            queue: pick(&f.queues, queue),
            agent: pick(&f.agents, agent),
            wrapup: pick(&f.wrapups, wrapup),
            outcome: outcome.map(str::to_owned),
            reason: pick(&f.reasons, reason),
            media: media.map(str::to_owned),
            ..CallFilter::default()
        };
        assert_same(&filter);
    }
}

/// `repeats` counts, per reason, the inbound calls of an identified customer and those the same
/// customer followed with another inbound contact within the window — as found by walking each
/// customer's calls in start order, over the whole archive even when the filter ends earlier.
#[test]
fn repeat_contacts_are_each_customers_next_inbound_contact_within_the_window() {
    use std::collections::{BTreeMap, BTreeSet};
    let f = fixture();
    let store = f.store.lock().unwrap();
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT customer_number, start_ms, coalesce(reason, '(none)') FROM calls
             WHERE direction = 'inbound' AND customer_number IS NOT NULL AND start_ms IS NOT NULL
             ORDER BY customer_number, start_ms",
        )
        .unwrap();
    let calls: Vec<(String, i64, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    let to_ms = NOW - 2 * DAY;
    for within in [DAY, 7 * DAY] {
        // reason → (calls, customers, contacted again)
        let mut want: BTreeMap<String, (u64, BTreeSet<String>, u64)> = BTreeMap::new();
        for (i, (number, start, reason)) in calls.iter().enumerate() {
            if *start >= to_ms || !calltrail_explain::report::identifies_customer(number) {
                continue;
            }
            let next = calls[i + 1..].iter().take_while(|c| c.0 == *number).find(|c| c.1 > *start);
            let tally = want.entry(reason.clone()).or_default();
            tally.0 += 1;
            tally.1.insert(number.clone());
            tally.2 += u64::from(next.is_some_and(|c| c.1 - start <= within));
        }
        let options = ReportOptions {
            group_by: ReportKind::Repeats.default_group_by(),
            repeat_within_ms: Some(within),
            ..ReportOptions::default()
        };
        let filter = CallFilter { to_ms: Some(to_ms), ..CallFilter::default() };
        let table = store.report(ReportKind::Repeats, &filter, &options).unwrap();
        let got: BTreeMap<String, (u64, u64, u64)> = table
            .to_json_rows()
            .iter()
            .map(|row| {
                let n = |k: &str| row[k].as_u64().unwrap();
                // The rows without a reason say so as null.
                let reason = row["reason"].as_str().unwrap_or("(none)").to_owned();
                (reason, (n("calls"), n("customers"), n("contacted_again")))
            })
            .collect();
        let want: BTreeMap<String, (u64, u64, u64)> = want
            .into_iter()
            .map(|(k, (calls, customers, again))| (k, (calls, customers.len() as u64, again)))
            .collect();
        assert_eq!(got, want, "within {within} ms");
        let again: u64 = got.values().map(|v| v.2).sum();
        assert!(again > 0, "the simulator's regulars contact again");
    }
}
